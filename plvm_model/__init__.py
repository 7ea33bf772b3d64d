"""PLVM: personalised large vision-language models (reference implementation).

Importing this package is cheap: torch and transformers load only when a model class is used.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    "AlignerConfig": "config",
    "PLVMConfig": "config",
    "Aligner": "aligner",
    "AlignerOutput": "aligner",
    "aligner_param_count": "param_count",
    "PLVM": "lvlm",
    "Concept": "lvlm",
    "Choice": "lvlm",
    "weighted_answer_loss": "loss",
    "PLVMTrainingDataset": "data",
    "TrainingExample": "data",
    "Trainer": "training",
    "TrainConfig": "training",
    "load_bench": "bench_data",
    "evaluate": "evaluation",
    "BenchReport": "evaluation",
    "PLVMBenchEngine": "bench_engine",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'plvm_model' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
