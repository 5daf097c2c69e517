"""Service layer: the auction-monitor CLI, configuration, the daily job and its scheduler."""
