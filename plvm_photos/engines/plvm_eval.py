"""The plvm engine for ``plvm-photos eval``: the configured PLVM behind the protocol's interface.

Model locations, device and dtype come from the library's settings (``plvm-photos config``), so
``plvm-photos -L LIB eval DATASET --engine plvm`` evaluates exactly the model that library uses.
"""

from __future__ import annotations


def bench_engine(library):
    from plvm_model.bench_engine import PLVMBenchEngine

    from .plvm import PlvmEngine
    from .plvm_weights import PlvmOptions

    engine = PlvmEngine(PlvmOptions.from_settings(library.settings.all()))  # one clear message if weights are missing
    return PLVMBenchEngine(engine.model())
