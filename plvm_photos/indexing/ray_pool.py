"""Analysis on a Ray cluster, behind ``AnalysisPool``'s contract (``workers``, ``start``,
``submit(job) -> Future``, ``restart``, ``stop``), so the ``Indexer`` drives it unchanged.

Each worker is a Ray actor that loads the engine's analyzer once (``Analyzer.warm_up``), with
the GPUs the analyzer asks for (``engines.base.gpus_wanted``). This process reads each photo
and puts its bytes in the object store; the actor decodes them, so workers need not see the
photos' file system. The photo's date and place are read here, beside the file.

A worker or node that dies fails its photos with ``WorkerDied``, a ``BrokenProcessPool``: the
indexer then treats them as it treats a dead local worker (the photos in hand are analysed
again one at a time, a photo that kills workers twice is recorded as failed) and calls
``restart``, which replaces the actors that died or stopped answering and keeps the others warm.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from plvm_photos.engines.base import Analyzer, gpus_wanted
from plvm_photos.errors import LibraryError
from plvm_photos.indexing.analysis import AnalysisJob, AnalysisResult
from plvm_photos.indexing.facts import read_facts
from plvm_photos.indexing.ray_cluster import Connection, connect, disconnect

PING_SECONDS = 30.0  # a worker that does not answer a ping this long after a death is replaced


class WorkerDied(BrokenProcessPool):
    """A Ray worker (or its node) died with this photo in hand."""


@dataclass
class _Slot:
    actor: object  # a ray_actor.AnalysisActor handle
    in_hand: set = field(default_factory=set)  # ObjectRefs of its unfinished analyses
    dead: bool = False


def default_workers(analyzer: Analyzer, cpus: float, gpus: float) -> int:
    """One worker per CPU of the cluster; per GPU share for analyzers that need one; one for an
    ``in_process`` analyzer on CPUs (its model is too big to load once per core)."""
    wanted = gpus_wanted(analyzer)
    if wanted > 0:
        return int(gpus // wanted)
    return 1 if analyzer.in_process else int(cpus)


class RayPool:
    def __init__(self, analyzer: Analyzer, workers: int | None, address: str):
        self.analyzer = analyzer
        self.address = address
        self._wanted = workers
        self._connection: Connection | None = None
        self._slots: list[_Slot] = []
        self._lock = threading.Lock()  # slots' in_hand sets change in Ray's callback threads
        self._connect()
        from plvm_photos.indexing import ray_actor  # imports Ray: after connecting (ray_actor's docstring)

        self._actors = ray_actor
        resources = self._connection.resources
        self.workers = workers or default_workers(analyzer, resources.cpus, resources.gpus)
        if self.workers < 1:
            disconnect(self._connection)
            raise LibraryError(f"the Ray cluster at {address} has no {'GPU' if gpus_wanted(analyzer) else 'CPU'} "
                               "for an analysis worker")

    def _connect(self) -> None:
        if self._connection is None:
            self._connection = connect(self.address, self._wanted)

    # --- lifetime -------------------------------------------------------------------------------
    def start(self) -> None:
        self._connect()
        self._slots = [self._new_slot() for _ in range(self.workers)]

    def _new_slot(self) -> _Slot:
        options = {"num_cpus": 1, "scheduling_strategy": "SPREAD", "max_restarts": 0}
        if gpus_wanted(self.analyzer) > 0:
            options["num_gpus"] = gpus_wanted(self.analyzer)
        return _Slot(self._actors.AnalysisActor.options(**options).remote(self.analyzer))

    def restart(self) -> None:
        """After a death: photos still queued are dropped (the indexer resubmits them), workers
        that died or do not answer are replaced, the others keep their warm analyzers."""
        import ray

        if not self._slots:
            self.start()
            return
        self._cancel_all()
        alive = [s for s in self._slots if not s.dead]
        pings = {s.actor.pid.remote(): s for s in alive}
        ready, _ = ray.wait(list(pings), num_returns=len(pings), timeout=PING_SECONDS) if pings else ([], [])
        answered = set()
        for ref in ready:
            try:
                ray.get(ref)
                answered.add(id(pings[ref]))
            except Exception:  # died meanwhile
                pass
        for n, slot in enumerate(self._slots):
            if id(slot) not in answered:
                _kill(slot.actor)
                self._slots[n] = self._new_slot()

    def stop(self, wait: bool = True) -> None:
        import ray

        slots, self._slots = self._slots, []
        if not wait:
            self._cancel(slots)
        elif slots:
            pending = [ref for s in slots for ref in list(s.in_hand)]
            if pending:
                ray.wait(pending, num_returns=len(pending))
        for slot in slots:
            _kill(slot.actor)
        if self._connection is not None:
            disconnect(self._connection)
            self._connection = None

    # --- work -----------------------------------------------------------------------------------
    def submit(self, job: AnalysisJob) -> Future:
        import ray

        if not self._slots:
            self.start()
        outer: Future = Future()
        try:
            data = Path(job.path).read_bytes()
        except OSError as exc:
            outer.set_result(_unreadable(job, exc))
            return outer
        facts = read_facts(job.path)
        with self._lock:
            slot = min((s for s in self._slots if not s.dead), key=lambda s: len(s.in_hand), default=None)
        if slot is None:
            raise WorkerDied("every Ray worker of this pool died")
        ref = slot.actor.analyze.remote(job, ray.put(data))
        with self._lock:
            slot.in_hand.add(ref)
        ref.future().add_done_callback(lambda inner: self._settle(slot, ref, inner, outer, facts))
        return outer

    def _settle(self, slot: _Slot, ref, inner: Future, outer: Future, facts) -> None:
        from ray.exceptions import RayTaskError

        with self._lock:
            slot.in_hand.discard(ref)
        try:
            result = inner.result()
        except self._actors.DEATHS as exc:
            slot.dead = True
            outer.set_exception(WorkerDied(f"a Ray worker died: {type(exc).__name__}"))
        except RayTaskError as exc:  # an analyzer bug: the indexer records the original error
            outer.set_exception(exc.cause if isinstance(exc.cause, Exception) else exc)
        except BaseException as exc:  # cancelled by a restart: the indexer no longer waits for it
            outer.set_exception(exc)
        else:
            outer.set_result(replace(result, facts=facts) if result.analysis is not None else result)

    def _cancel_all(self) -> None:
        self._cancel(self._slots)

    def _cancel(self, slots: list[_Slot]) -> None:
        import ray

        for slot in slots:
            with self._lock:
                refs = list(slot.in_hand)
            for ref in refs:
                try:
                    ray.cancel(ref)
                except Exception:  # finished or its actor is gone
                    pass


def _unreadable(job: AnalysisJob, exc: OSError) -> AnalysisResult:
    """The file could not be read here (it was hashed moments ago): as ``analyze_file`` reports it."""
    if isinstance(exc, FileNotFoundError):
        return AnalysisResult(job, None, "file disappeared before it could be read", 0.0, vanished=True)
    if isinstance(exc, PermissionError):
        return AnalysisResult(job, None, f"permission denied: {exc.filename or job.path}", 0.0)
    return AnalysisResult(job, None, exc.strerror or type(exc).__name__, 0.0)


def _kill(actor) -> None:
    import ray

    try:
        ray.kill(actor, no_restart=True)
    except Exception:  # already dead, or the cluster is gone
        pass
