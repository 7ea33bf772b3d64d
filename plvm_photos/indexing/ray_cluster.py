"""Joining (or starting) the Ray cluster that analyses photos for ``scan --ray`` / ``watch --ray``.

``--ray local`` starts a Ray instance on this machine, stopped with the scan; ``--ray auto`` joins
the cluster this machine is a node of (``ray start --address ...`` was run here); ``ray://HOST:PORT``
joins through the Ray Client server of a head node (this machine need not be a node);
``HOST:PORT`` is a head node's GCS address. Ray is imported only here and in ``ray_pool``, so
nothing of it loads unless ``--ray`` is given.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import signal
import socket
from dataclasses import dataclass

from plvm_photos.errors import LibraryError

LOCAL = "local"
LOCAL_OBJECT_STORE_BYTES = 1 << 30  # photos in flight (2 per worker) need far less; spills to disk beyond
_HOST_PORT = re.compile(r"^[A-Za-z0-9_.\-\[\]:]+:\d{1,5}$")
CONNECT_SECONDS = 5.0  # to open a TCP connection to a head node
INSTALL_HINT = "install it with: pip install 'plvm-photos[ray]'"


@dataclass(frozen=True)
class ClusterResources:
    cpus: float
    gpus: float


@dataclass(frozen=True)
class Connection:
    address: str  # as the user gave it
    resources: ClusterResources
    owned: bool  # True: this process connected (and, for ``local``, started Ray); it disconnects


def check_address(address: str) -> str:
    """``address`` as ``ray.init`` takes it (``local``: a new local instance); a ``LibraryError``
    names the accepted forms."""
    text = address.strip()
    if text in (LOCAL, "auto") or (text.startswith("ray://") and len(text) > len("ray://")) or _HOST_PORT.match(text):
        return text
    raise LibraryError(f"--ray {address!r}: give 'local', 'auto', ray://HOST:PORT (Ray Client) or HOST:PORT (a head node)")


def connect(address: str, cpus: int | None = None) -> Connection:
    """Join the cluster at ``address`` (``cpus``: the size of a ``local`` instance, default all cores)."""
    address = check_address(address)
    if address == LOCAL:
        # Before Ray is imported (it reads them once): a local instance must not phone home (Ray's
        # usage statistics), and it gets a token of its own rather than one written to ~/.ray.
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        if "RAY_AUTH_MODE" not in os.environ:
            os.environ.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32))
    if address not in (LOCAL, "auto"):
        _check_reachable(address)
    try:
        import ray
    except ImportError:
        raise LibraryError(f"--ray needs Ray, which is not installed; {INSTALL_HINT}") from None
    owned = not ray.is_initialized()
    if owned:
        kwargs: dict = {"logging_level": logging.WARNING, "log_to_driver": False}
        if address == LOCAL:
            kwargs.update(num_cpus=cpus or os.cpu_count() or 1, include_dashboard=False,
                          object_store_memory=LOCAL_OBJECT_STORE_BYTES)
        else:
            kwargs["address"] = address
        handlers = _signal_handlers()
        try:
            ray.init(**kwargs)
        except Exception as exc:  # ConnectionError, RuntimeError, ValueError ... depending on the form
            raise LibraryError(f"cannot reach the Ray cluster at {address}: {type(exc).__name__}: {exc}") from None
        finally:
            _restore(handlers)  # ray.init takes SIGTERM over; scan and watch have their own stop rules
        _errors_to_stderr()
    total = ray.cluster_resources()
    return Connection(address, ClusterResources(float(total.get("CPU", 0)), float(total.get("GPU", 0))), owned)


def _check_reachable(address: str) -> None:
    """Ray retries an address that does not answer for minutes: fail in seconds instead."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise LibraryError(f"cannot reach the Ray cluster at {address}: nothing answers on {host}:{port} ({reason})") from None


def disconnect(connection: Connection) -> None:
    """Leave the cluster (a ``local`` instance stops); the actors this process made go with it."""
    if connection.owned:
        import ray

        ray.shutdown()


def _errors_to_stderr() -> None:
    """Ray prints the cluster's error reports ("a worker died ...") to this process's stdout,
    where ``--json`` output goes: they go to stderr instead (Ray has no setting for it)."""
    from ray._private import worker

    original = getattr(worker, "print_to_stdstream", None)
    if original is None or getattr(original, "to_stderr", False):
        return

    def to_stderr(data, ignore_prefix: bool):
        return original({**data, "is_err": True}, ignore_prefix)

    to_stderr.to_stderr = True
    worker.print_to_stdstream = to_stderr


def _signal_handlers() -> dict:
    try:
        return {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    except ValueError:
        return {}


def _restore(handlers: dict) -> None:
    for sig, handler in handlers.items():
        try:
            signal.signal(sig, handler)
        except (ValueError, TypeError):  # not the main thread, or a handler set from C
            pass
