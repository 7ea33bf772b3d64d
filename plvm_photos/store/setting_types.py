"""What a library setting is: a key, its default, its help, and the kind of value it holds (how a
value as typed is checked and stored, and how the stored text is read back).

Engines declare their own settings with these (``engines/<name>/entry.py``), the engines' table
(``engines/catalog.py``) lists them, and ``store/settings.py`` validates against that table.
Standard library only: the catalog, and so ``ask``'s fast path, imports this.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Mapping

DEVICES_HELP = "auto | cpu | cuda | cuda:N | mps"
DTYPES = ("auto", "float32", "bfloat16", "float16")


@dataclass(frozen=True)
class ValueKind:
    parse: Callable[[str], str]  # a value as typed -> its stored form; raises ValueError saying why not
    read: Callable[[str], Any] = str  # the stored form -> the value an engine's options hold


@dataclass(frozen=True)
class SettingSpec:
    key: str  # "<engine>.<option>", or "engine"
    default: str  # in stored form
    help: str
    kind: ValueKind

    def parse(self, value: str) -> str:
        return self.kind.parse(value)

    @property
    def option(self) -> str:
        """The field of the engine's options it fills: the key after the engine's prefix."""
        return self.key.split(".", 1)[-1]


def options_from(cls: type, specs: tuple[SettingSpec, ...], values: Mapping[str, str]):
    """An engine's options dataclass made from stored settings (``values``; unset keys read as
    their defaults): each setting fills the field named by its ``option`` (fields no setting fills
    keep their defaults)."""
    return cls(**{spec.option: spec.kind.read(values.get(spec.key, spec.default)) for spec in specs})


def choice(options: tuple[str, ...]) -> ValueKind:
    def check(value: str) -> str:
        value = value.strip().lower()
        if value not in options:
            raise ValueError(f"choose one of {', '.join(options)}")
        return value

    return ValueKind(check)


ON_OFF = ValueKind(choice(("on", "off")).parse, lambda stored: stored == "on")


def _location(value: str) -> str:
    """A local folder is stored as an absolute path; anything else (a hub id) as written."""
    value = value.strip()
    if not value:
        return ""
    expanded = os.path.expanduser(value)
    if os.path.exists(expanded) or value.startswith((".", "/", "~")):
        return os.path.abspath(expanded)
    return value


LOCATION = ValueKind(_location)


def _device(value: str) -> str:
    value = value.strip().lower()
    if value in ("auto", "cpu", "cuda", "mps") or (value.startswith("cuda:") and value[5:].isdigit()):
        return value
    raise ValueError(f"choose one of {DEVICES_HELP}")


DEVICE = ValueKind(_device)
DTYPE = choice(DTYPES)


def _between(low, high, read: Callable[[str], Any], stored: Callable[[Any], str], shown: str) -> ValueKind:
    def check(value: str) -> str:
        number = read(value)
        if not low <= number <= high:
            raise ValueError(f"must be between {low:{shown}} and {high:{shown}}")
        return stored(number)

    return ValueKind(check, read)


def number(low: float, high: float) -> ValueKind:
    return _between(low, high, float, repr, "g")


def count(low: int, high: int) -> ValueKind:
    return _between(low, high, int, str, "")
