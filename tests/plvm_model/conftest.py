"""Fixtures: tiny random models saved with save_pretrained and loaded through the real code.

torch is imported inside the fixtures, so the torch-free tests here (bench reading, evaluation
protocol) still run where the ``plvm`` extra is not installed.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_config(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tests.plvm_model.tiny import build_tiny_models

    return build_tiny_models(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture
def plvm(tiny_config):
    import torch

    from plvm_model.lvlm import PLVM

    torch.manual_seed(1)
    return PLVM.from_config(tiny_config).eval()
