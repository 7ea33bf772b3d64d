"""The settings are what the engines' table declares: each engine's keys, defaults and checks come
from its package's ``entry.py``, and its options are filled from them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from plvm_photos.engines.catalog import ENGINES, engine_settings
from plvm_photos.engines.face.entry import face_config
from plvm_photos.engines.plvm.entry import plvm_options
from plvm_photos.engines.vlm.entry import vlm_options
from plvm_photos.errors import LibraryError
from plvm_photos.store.setting_types import SettingSpec, count, number, options_from
from plvm_photos.store.settings import SPECS


def test_the_settings_are_the_engine_choice_and_what_the_engines_declare():
    assert list(SPECS) == ["engine", *engine_settings()]
    assert set(SPECS["engine"].help.split(" | ")) >= {f"{e.name} ({e.summary})" for e in ENGINES.values()}
    for name, info in ENGINES.items():
        prefixes = {spec.key.split(".")[0] for spec in info.settings}
        assert "face" in prefixes, name  # every engine finds faces with the face engine's analyzer
    for spec in SPECS.values():  # a default is stored as its own check stores it
        assert spec.parse(spec.default) == spec.default, spec.key


def test_each_engines_options_are_filled_from_its_settings():
    defaults = {key: spec.default for key, spec in SPECS.items()}
    plvm = plvm_options({**defaults, "plvm.threshold": "0.75", "plvm.ask_limit": "7"})
    assert (plvm.threshold, plvm.ask_limit, plvm.min_similarity, plvm.aligner) == (0.75, 7, 0.3, "")
    vlm = vlm_options(defaults)
    assert (vlm.model, vlm.caption_tokens, vlm.threshold) == ("Qwen/Qwen2-VL-2B-Instruct", 48, 0.5)
    assert face_config({"face.second_detector": "off"}).second_detector is False
    assert face_config({}).second_detector is True  # unset: the default


def test_a_setting_that_fills_no_option_is_an_error_not_ignored():
    @dataclass(frozen=True)
    class Options:
        limit: int

    specs = (SettingSpec("x.limit", "3", "", count(1, 9)), SettingSpec("x.typo", "0.5", "", number(0, 1)))
    with pytest.raises(TypeError, match="typo"):
        options_from(Options, specs, {})
    assert options_from(Options, specs[:1], {"x.limit": "4"}) == Options(4)


def test_values_are_checked_by_the_engine_that_declares_them(tmp_path):
    from plvm_photos.library import Library

    with Library(tmp_path / "lib") as library:
        assert library.settings.set("plvm.threshold", "0.25") == "0.25"
        assert library.settings.set("vlm.dtype", " BFloat16 ") == "bfloat16"
        assert library.settings.set("face.second_detector", "OFF") == "off"
        with pytest.raises(LibraryError, match="invalid value '2' for plvm.threshold: must be between 0 and 1"):
            library.settings.set("plvm.threshold", "2")
        with pytest.raises(LibraryError, match="unknown setting 'plvm.nope'; settings: engine, face.second_detector"):
            library.settings.set("plvm.nope", "1")
        with pytest.raises(LibraryError, match="choose one of face, plvm, hybrid, vlm"):
            library.settings.set("engine", "other")
        values = library.settings.all()
        assert plvm_options(values).threshold == 0.25 and not face_config(values).second_detector
