"""Detectors: one plugin per rule family, run over what the crawlers stored, writing explained findings."""
