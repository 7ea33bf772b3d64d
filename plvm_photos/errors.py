"""User-facing errors, in a module of their own so that light code paths (``ask``) can raise and
catch them without importing the database layer."""

from __future__ import annotations

from plvm_photos.names import show


class LibraryError(Exception):
    """A user-facing error: the message says what went wrong and what to do."""


class UnknownPersonError(LibraryError):
    def __init__(self, name: str, known: list[str]):
        listing = ", ".join(show(n) for n in known) if known else "none yet (add one with add-person)"
        super().__init__(f"unknown person {show(name)}; known people: {listing}")
        self.name = name
        self.known = known
