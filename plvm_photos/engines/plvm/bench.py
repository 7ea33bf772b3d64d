"""The plvm engine for ``plvm-photos eval``: the configured PLVM behind the protocol's interface.

Model locations, device and dtype come from the library's settings (``plvm-photos config``), so
``plvm-photos -L LIB eval DATASET --engine plvm`` evaluates exactly the model that library uses.
"""

from __future__ import annotations


def bench_engine(library_dir=None, db_url: str | None = None):
    from plvm_model.bench_engine import PLVMBenchEngine

    from plvm_photos.library import Library
    from plvm_photos.engines.plvm.model import PlvmModel
    from plvm_photos.engines.plvm.weights import PlvmOptions

    with Library(library_dir, db_url=db_url) as library:  # only its settings are read
        options = PlvmOptions.from_settings(library.settings.all())
    engine = PlvmModel(options)  # one clear message if weights are missing
    return PLVMBenchEngine(engine.model())
