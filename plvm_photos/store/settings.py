"""The library's settings: key/value rows in the ``settings`` table, validated on the way in
against what the engines declare (``engines/catalog.py``; the ``engine`` key is the library's).

Reading them costs one SELECT and imports nothing heavy, so ``ask`` can check the engine in use.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from plvm_photos.db.models import Setting
# The one upward import of the store: the engines' table (``engines/catalog.py``) names the engines
# and declares each one's settings; it imports only those declarations and ``setting_types``.
from plvm_photos.engines.catalog import DEFAULT_ENGINE, ENGINES, engine_settings
from plvm_photos.errors import LibraryError
from plvm_photos.store.setting_types import SettingSpec, choice

SPECS: dict[str, SettingSpec] = {
    "engine": SettingSpec("engine", DEFAULT_ENGINE, " | ".join(f"{e.name} ({e.summary})" for e in ENGINES.values()),
                          choice(tuple(ENGINES))),
    **engine_settings(),
}


class Settings:
    """A library's settings; unset keys read as their defaults."""

    def __init__(self, library):
        self._library = library

    def stored(self) -> dict[str, str]:
        with self._library.session() as s:
            return dict(s.execute(select(Setting.key, Setting.value)).all())

    def all(self) -> dict[str, str]:
        values = {key: spec.default for key, spec in SPECS.items()}
        values.update({k: v for k, v in self.stored().items() if k in SPECS})
        return values

    def get(self, key: str) -> str:
        spec = _spec(key)
        with self._library.session() as s:
            value = s.scalar(select(Setting.value).where(Setting.key == key))
        return spec.default if value is None else value

    def set(self, key: str, value: str) -> str:
        """Validate and store; returns the stored form (absolute path, normalised word)."""
        spec = _spec(key)
        try:
            parsed = spec.parse(value)
        except ValueError as exc:
            raise LibraryError(f"invalid value {value!r} for {key}: {exc}") from None
        with self._library.transaction() as s:
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=parsed))
            else:
                row.value = parsed
        return parsed

    def unset(self, key: str) -> None:
        _spec(key)
        with self._library.transaction() as s:
            s.execute(delete(Setting).where(Setting.key == key))

    @property
    def engine(self) -> str:
        return self.get("engine")


def _spec(key: str) -> SettingSpec:
    spec = SPECS.get(key)
    if spec is None:
        raise LibraryError(f"unknown setting {key!r}; settings: {', '.join(SPECS)}")
    return spec
