"""SQL expressions written once and compiled for each database (SQLite, PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class epoch_seconds(FunctionElement):
    """Seconds since 1970-01-01 UTC of a ``UtcDateTime`` column (NULL stays NULL), computed by the database so a
    column read for a whole history costs no Python datetime per row. Exact to the millisecond on SQLite (portal
    times are milliseconds), to the microsecond on PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(epoch_seconds)
def _epoch_default(element, compiler, **kw):  # PostgreSQL and any other database with EXTRACT(EPOCH ...)
    return "CAST(EXTRACT(EPOCH FROM %s) AS DOUBLE PRECISION)" % compiler.process(element.clauses, **kw)


@compiles(epoch_seconds, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    # stored as naive UTC text; %s is whole seconds, %f is "SS.SSS"
    col = compiler.process(element.clauses, **kw)
    return (f"(CAST(strftime('%s', {col}) AS REAL) + CAST(strftime('%f', {col}) AS REAL) "
            f"- CAST(strftime('%S', {col}) AS REAL))")
