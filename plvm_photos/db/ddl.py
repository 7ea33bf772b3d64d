"""Schema steps the migrations in ``migrations/`` are made of, each done only where it is not
done yet.

Earlier versions ran SQLite's DDL outside a transaction (the ``sqlite3`` driver commits each
``CREATE``/``ALTER`` on its own), so a command killed during a migration could leave a library
with some of a revision's tables and columns and the previous revision's number: running that
revision again failed for good ("duplicate column name: hidden", "table concepts already
exists"). Migrations now run in one transaction (``migrate.upgrade``); these steps let them
finish such a half-upgraded library instead of failing on what is there already.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def _inspector():
    return sa.inspect(op.get_bind())  # a new one each time: no cached view of the schema


def has_table(name: str) -> bool:
    return _inspector().has_table(name)


def has_column(table: str, column: str) -> bool:
    return any(c["name"] == column for c in _inspector().get_columns(table))


def has_index(table: str, name: str) -> bool:
    return any(i["name"] == name for i in _inspector().get_indexes(table))


def create_table(name: str, *columns, **kw) -> bool:
    """Create the table unless it exists; True when it was created."""
    if has_table(name):
        return False
    op.create_table(name, *columns, **kw)
    return True


def add_column(table: str, column: sa.Column) -> None:
    if not has_column(table, column.name):
        op.add_column(table, column)


def create_index(name: str, table: str, columns: list[str], unique: bool = False) -> None:
    if not has_index(table, name):
        op.create_index(name, table, columns, unique=unique)
