"""Every error type of the product, in one light module (no heavy imports) so that any code path,
the fast ``ask`` included, can raise and catch them.

``LibraryError`` and its subclasses are user-facing: the message says what went wrong and what to
do, and the CLI prints it as one line with exit code 2.
"""

from __future__ import annotations

Box = tuple[int, int, int, int]

EXIT_ERROR = 2  # a LibraryError (or invalid input): one line on stderr
EXIT_REFUSED = 3  # a question the program cannot answer as asked
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM (128 + SIGINT, as shells report it)


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool whose reader went away
BUSY = "the library is busy (another command is writing); try again"
MAX_ROW_ID = 2**63 - 1  # the largest id a database row can have (SQLite's INTEGER, PostgreSQL's BIGINT)


def error_line(exc: BaseException) -> str:
    """How every command reports a user-facing error: one line on stderr."""
    return f"error: {exc}"


def stdout_gone() -> int:
    """Whoever read the output went away (``plvm-photos ask ... | head``): the exit code to stop
    with quietly, as Unix tools do (they die of SIGPIPE: 141, nothing said). Standard output is
    pointed at /dev/null so that the interpreter's last flush does not fail again."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_BROKEN_PIPE


def environment_failure(exc: BaseException) -> str | None:
    """The one line to say for an error that comes from where the library lives — its disk, its
    database, another writer holding the lock — or from a number too large to store, not from a
    bug; None for anything else (a bug: its traceback is what to report). SQLAlchemy's wrapped
    driver errors are judged by the driver's error (``exc.orig``)."""
    cause = getattr(exc, "orig", None) or exc
    if isinstance(exc, OverflowError) or isinstance(cause, OverflowError):
        return f"a number in the command is too large (ids, counts and pixels are at most {MAX_ROW_ID})"
    if isinstance(cause, OSError):
        return os_failure(cause)
    module = type(cause).__module__ or ""
    text = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    said = text.lower()
    if module == "sqlite3" and type(cause).__name__ in ("OperationalError", "DatabaseError"):
        if "locked" in said or "busy" in said:
            return BUSY
        if "readonly" in said or "read-only" in said:
            return ("cannot write the library's database: it is read-only (a read-only file system, or a file or "
                    "folder this user may not write)")
        if "unable to open" in said:
            return ("cannot open the library's database: its file or folder is missing, or this user may not "
                    "read and write it")
        if "full" in said:
            return "cannot write the library's database: no space left on the device"
        if "i/o" in said:
            return "cannot read or write the library's database: disk I/O error"
        if "not a database" in said or "malformed" in said:
            return f"the library's database file is damaged or not a database ({text})"
        return None
    if module.startswith("psycopg") and type(cause).__name__ == "OperationalError":
        if "lock" in said:
            return BUSY
        return f"cannot use the database: {text}"
    return None


def os_failure(exc: OSError) -> str:
    """One line for a file or folder that could not be used, naming it."""
    import errno

    where = f": {exc.filename}" if exc.filename else ""
    reasons = {errno.EROFS: "read-only file system", errno.ENOSPC: "no space left on the device",
               errno.EACCES: "permission denied", errno.EPERM: "operation not permitted", errno.EIO: "disk I/O error"}
    if getattr(errno, "EDQUOT", None) is not None:
        reasons[errno.EDQUOT] = "disk quota exceeded"
    reason = reasons.get(exc.errno) or (exc.strerror or str(exc) or type(exc).__name__).lower()
    return f"{reason}{where}"


class LibraryError(Exception):
    """A user-facing error: the message says what went wrong and what to do."""


class NoLibraryError(LibraryError):
    """A command that only reads was pointed at a folder that holds no library."""


class UnknownPersonError(LibraryError):
    def __init__(self, name: str, known: list[str]):
        listing = ", ".join(f"<{n}>" for n in known) if known else "none yet (add one with add-person)"
        super().__init__(f"unknown person <{name}>; known people: {listing}")
        self.name = name
        self.known = known


class InvalidNameError(LibraryError, ValueError):
    """A person's name that cannot be stored (see ``plvm_photos.names``)."""


class BadReferenceError(LibraryError):
    """A reference photo that cannot describe a concept (base of the two below)."""


class NoFaceError(BadReferenceError):
    """The reference photo shows no usable face."""


class SeveralFacesError(BadReferenceError):
    """The reference shows several faces and none was chosen; ``boxes`` are left to right."""

    def __init__(self, message: str, boxes: list[Box]):
        super().__init__(message)
        self.boxes = boxes


class MissingWeightsError(LibraryError):
    """Model weights an engine needs are not on this machine."""


class ImageError(Exception):
    """A file is not a usable image (not an image, truncated, a decompression bomb, ...).

    Not user-facing by itself: a scan records it against the file; commands that were given the
    file turn it into a ``LibraryError`` naming the file.
    """
