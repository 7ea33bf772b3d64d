"""Helpers shared by the gallery tests (a module of its own: ``conftest`` names clash across folders)."""

from __future__ import annotations

import threading
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def start_server(library, token=None):
    """A gallery server on a free loopback port, serving from a daemon thread."""
    from plvm_photos.web.server import make_server

    server = make_server(library, "127.0.0.1", 0, token, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
