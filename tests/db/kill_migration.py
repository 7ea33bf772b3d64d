"""Run a library's migrations and kill -9 the process at its Nth schema statement (a CREATE, an
ALTER, or the write of the revision number), before it runs.

    python -m tests.db.kill_migration URL N transactional|per-statement

``transactional`` migrates as the product does (``migrate.upgrade``); ``per-statement`` as
versions before it did (each DDL statement committed on its own), to make the half-upgraded
libraries those versions could leave behind. Exits 0 when the migration ended before statement N.
"""

from __future__ import annotations

import os
import signal
import sys

from sqlalchemy import event


def main(url: str, n: int, mode: str) -> None:
    from plvm_photos.db import migrate
    from plvm_photos.db.session import make_engine

    engine = make_engine(url, migrate=False)
    seen = 0

    @event.listens_for(engine, "before_cursor_execute")
    def kill_at_n(_conn, _cursor, statement, *_args) -> None:
        nonlocal seen
        words = statement.split()[:3]
        if words[0].upper() in ("CREATE", "ALTER") or "alembic_version" in words:
            seen += 1
            if seen == n:
                os.kill(os.getpid(), signal.SIGKILL)

    if mode == "transactional":
        migrate.upgrade(engine)
        return
    from alembic import command

    cfg = migrate.alembic_config(url)
    with engine.begin() as conn:  # the driver's own transactions: DDL outside them commits at once
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
