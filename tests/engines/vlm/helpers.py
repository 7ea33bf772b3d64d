"""Fixtures for the vlm engine: tiny random models of its three families saved in the published
checkpoints' layout, and a small library scanned with one of them (built once per session; copy
before writing)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

LIBRARY_FAMILY = "idefics3"  # the small CPU model's family runs the end-to-end library


@pytest.fixture(scope="session")
def tiny_vlms(tmp_path_factory) -> dict[str, Path]:
    """family -> folder of a tiny random model saved with save_pretrained (built in about a second each)."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from plvm_photos.engines.vlm.random_models import FAMILIES, save

    root = tmp_path_factory.mktemp("tiny-vlms")
    return {family: save(family, root / family) for family in FAMILIES}


def options(folder: Path, **changes):
    from plvm_photos.engines.vlm.weights import VlmOptions

    values = dict(model=str(folder), device="cpu", dtype="auto", threshold=0.5, caption_tokens=8, ask_limit=50)
    values.update(changes)
    return VlmOptions(**values)


def configure(library, model: Path, settings: dict[str, str] | None = None) -> None:
    library.settings.set("engine", "vlm")
    library.settings.set("vlm.model", str(model))
    library.settings.set("vlm.caption_tokens", "8")
    for key, value in (settings or {}).items():
        library.settings.set(key, value)


@pytest.fixture(scope="session")
def vlm_library_dir(tmp_path_factory, tiny_vlms, demo_set) -> Path:
    """The demo set (<eileen>, <grace>; two portraits, two group photos, a cup, a text file) with
    the vlm engine: references added, photos scanned, captions written by the tiny model."""
    from plvm_photos.library import Library

    refs, photos = demo_set
    root = tmp_path_factory.mktemp("vlm-library")
    with Library(root) as library:
        configure(library, tiny_vlms[LIBRARY_FAMILY], {"vlm.threshold": "0"})
        for name, ref in refs.items():
            library.add_person(name, [ref])
        library.scan([photos], workers=1, progress=False)
    return root


@pytest.fixture
def vlm_library(vlm_library_dir, copy_library):
    from plvm_photos.library import Library

    library = Library(copy_library(vlm_library_dir))
    yield library
    library.close()


def plvm_photos(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``plvm-photos ARGS`` through its entry point (``launcher.main``), in this process: a fresh
    process would spend most of its time importing torch. Returns (exit code, stdout, stderr)."""
    from plvm_photos import launcher

    monkeypatch.setattr(sys, "argv", ["plvm-photos", *args])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        launcher.main()
        sys.exit(0)
    captured = capsys.readouterr()
    return exited.value.code or 0, captured.out, captured.err
