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


def error_line(exc: BaseException) -> str:
    """How every command reports a user-facing error: one line on stderr."""
    return f"error: {exc}"


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
