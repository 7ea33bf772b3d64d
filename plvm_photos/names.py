"""Person names: written ``<mike>`` or ``mike`` by the user, stored as ``mike``, shown as ``<mike>``."""

from __future__ import annotations

import re

from plvm_photos.errors import InvalidNameError

_VALID = re.compile(r"^[a-z0-9][a-z0-9_.\-]{0,63}$")


def normalize(name: str) -> str:
    raw = name.strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1].strip()
    key = raw.lower().replace(" ", "_")
    if not _VALID.match(key):
        raise InvalidNameError(
            f"invalid name {name!r}: use letters, digits, '_', '-' or '.', starting with a letter or digit (e.g. <mike>)"
        )
    return key


def show(name: str) -> str:
    return f"<{name}>"
