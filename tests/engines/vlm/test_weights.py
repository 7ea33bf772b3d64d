"""Settings, engine choice and the missing-weights message of the vlm engine."""

from __future__ import annotations

import pytest
from tests.engines.vlm.helpers import options, plvm_photos

from plvm_photos.engines import weights as shared
from plvm_photos.engines.catalog import engines_for_kind, sees_pixels
from plvm_photos.engines.vlm.weights import check_weights
from plvm_photos.errors import LibraryError, MissingWeightsError
from plvm_photos.library import Library


def test_missing_weights_is_one_clear_message_without_a_stack_trace(tmp_path, sample_photos, monkeypatch, capsys):
    monkeypatch.setattr(shared, "hub_cached", lambda repo, filename="config.json": False)  # nothing downloaded
    lib = str(tmp_path / "lib")
    assert plvm_photos(monkeypatch, capsys, "-L", lib, "config", "engine", "vlm")[0] == 0
    assert plvm_photos(monkeypatch, capsys, "-L", lib, "config", "vlm.model")[1] == "vlm.model = Qwen/Qwen2-VL-2B-Instruct\n"
    code, _, err = plvm_photos(monkeypatch, capsys, "-L", lib, "scan", str(sample_photos["coffee"].parent))
    assert code == 2 and "Traceback" not in err
    assert err.count("error:") == 1
    assert "the vlm engine cannot start, model weights are missing" in err
    assert ("vision-language model weights (Qwen/Qwen2-VL-2B-Instruct) are not on this machine. On a machine with "
            "network: hf download Qwen/Qwen2-VL-2B-Instruct --local-dir ~/models/Qwen2-VL-2B-Instruct") in err
    assert "plvm-photos config vlm.model ~/models/Qwen2-VL-2B-Instruct" in err  # where to point it
    from plvm_photos.engines.registry import check_weights as engine_weights

    with Library(lib) as library, pytest.raises(MissingWeightsError, match="the vlm engine cannot start"):
        engine_weights(library.settings.all())  # what `config engine` can warn with, before any scan


def test_check_weights_names_what_is_wrong(tmp_path, tiny_vlms, monkeypatch):
    found = check_weights(options(tiny_vlms["llava"]))
    assert (found.path, found.hub) == (str(tiny_vlms["llava"]), False)
    with pytest.raises(MissingWeightsError, match=f"the folder {tmp_path} has no config.json"):
        check_weights(options(tmp_path))
    with pytest.raises(MissingWeightsError, match="not configured; set it with: plvm-photos config vlm.model"):
        check_weights(options(""))
    monkeypatch.setattr(shared, "hub_cached", lambda repo, filename="config.json": repo == "HuggingFaceTB/SmolVLM-256M-Instruct")
    cached = check_weights(options("HuggingFaceTB/SmolVLM-256M-Instruct"))
    assert (cached.path, cached.hub) == ("HuggingFaceTB/SmolVLM-256M-Instruct", True)  # loaded from the cache only
    with pytest.raises(MissingWeightsError, match="hf download llava-hf/llava-1.5-7b-hf --local-dir ~/models/llava-1.5-7b-hf"):
        check_weights(options("llava-hf/llava-1.5-7b-hf"))


def test_the_engine_is_chosen_and_configured_from_the_settings(tmp_path, tiny_vlms):
    from plvm_photos.engines.face.space import FACE_SPACE
    from plvm_photos.engines.registry import open_engine

    assert sees_pixels("vlm") and "vlm" in engines_for_kind("person") and "vlm" not in engines_for_kind("pet")
    with Library(tmp_path / "lib") as library:
        library.settings.set("engine", "vlm")
        library.settings.set("vlm.model", str(tiny_vlms["qwen2_vl"]))
        library.settings.set("vlm.threshold", "0.7")
        library.settings.set("vlm.dtype", "bfloat16")
        with pytest.raises(LibraryError, match="invalid value 'float64' for vlm.dtype"):
            library.settings.set("vlm.dtype", "float64")
        with pytest.raises(LibraryError, match="invalid value '0' for vlm.ask_limit"):
            library.settings.set("vlm.ask_limit", "0")
        engine = open_engine(library)
        assert engine.name == "vlm" and engine.spaces == (FACE_SPACE,) and engine.kinds == ("person",)
        assert not engine.analyzer().in_process  # the face engine's analyzer: worker processes
        assert (engine.model.device, engine.model.dtype_name, engine.options.threshold) == ("cpu", "bfloat16", 0.7)
        visual = engine.visual()
        assert (visual.threshold, visual.photo_limit) == (0.7, 50)
