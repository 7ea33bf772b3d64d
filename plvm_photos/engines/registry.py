"""The one place an engine is chosen and configured from a library's settings: its row in the
engines' table (``catalog.ENGINES``) opens it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from plvm_photos.engines.catalog import ENGINES

if TYPE_CHECKING:
    from plvm_photos.engines.base import Engine
    from plvm_photos.store.library_store import LibraryStore


def open_engine(store: LibraryStore) -> Engine:
    """The engine the library's settings name, configured from them."""
    values = store.settings.all()
    return ENGINES[values["engine"]].open(store, values)


def check_weights(values: Mapping[str, str]) -> None:
    """Raise the ``MissingWeightsError`` of the engine ``values`` name when its weights are not on
    this machine (the face engine's always are); nothing is loaded."""
    ENGINES[values["engine"]].check_weights(values)
