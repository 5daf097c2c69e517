"""Alembic environment: runs migrations against the URL set by ``storage.db.alembic_config``."""

from alembic import context
from sqlalchemy import engine_from_config, event, pool

from storage.models import Base

config = context.config
target_metadata = Base.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """APScheduler keeps its own job table in our database; it is not ours to migrate."""
    return not (type_ == "table" and name == "apscheduler_jobs")


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def _sqlite_transactional_ddl(engine) -> None:
    """SQLite can roll back DDL, but its Python driver commits before every CREATE/ALTER/DROP it sees, so a
    migration killed halfway left half a schema ("table alerts already exists" on the rerun). Here the driver
    leaves transactions alone and the whole upgrade runs in one explicit transaction: all of it or nothing."""

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def run_migrations_online() -> None:
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                     poolclass=pool.NullPool)
    sqlite = connectable.dialect.name == "sqlite"
    if sqlite:
        _sqlite_transactional_ddl(connectable)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          include_object=include_object, **({"transactional_ddl": True} if sqlite else {}))
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
