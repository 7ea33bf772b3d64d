"""The Ray actor that analyses photos, and the errors Ray raises when one dies.

Imports Ray: import it only after ``ray_cluster.connect`` (Ray reads its settings once, when
imported, and ``connect`` sets those of a local instance).
"""

from __future__ import annotations

import os

import ray
from ray.exceptions import NodeDiedError, ObjectLostError, OutOfMemoryError, RayActorError, WorkerCrashedError

from plvm_photos.engines.base import Analyzer
from plvm_photos.indexing.analysis import AnalysisJob, AnalysisResult, analyze_file

# What Ray raises for a task whose worker process or node went away (an OOM kill included).
DEATHS = (RayActorError, WorkerCrashedError, NodeDiedError, OutOfMemoryError, ObjectLostError)


@ray.remote(concurrency_groups={"control": 1})
class AnalysisActor:
    """One warm analyzer; ``analyze`` runs one photo at a time, ``pid`` answers meanwhile."""

    def __init__(self, analyzer: Analyzer):
        analyzer.warm_up()
        self.analyzer = analyzer

    def analyze(self, job: AnalysisJob, data: bytes) -> AnalysisResult:
        return analyze_file(self.analyzer, job, data).without_image()  # pixels are not sent back

    @ray.method(concurrency_group="control")
    def pid(self) -> int:
        return os.getpid()
