"""Storage: SQLAlchemy models, Alembic migrations, the evidence store and the ingest of portal documents."""
