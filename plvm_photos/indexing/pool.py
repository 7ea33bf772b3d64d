"""Where analyses run: a pool of worker processes, or one thread of this process.

Workers start once and stay warm (models loaded by the initializer). They are forked from
multiprocessing's fork server, which imports the analysis code and whatever the analyzer names in
``preload`` once (for the face engine: its models): a worker then starts in milliseconds instead of
importing NumPy, PIL and dlib and reading the models again (~0.7 CPU s each), and shares those
pages with its siblings. They ignore SIGINT (Ctrl-C reaches the whole process group; the parent
decides whether photos in hand finish) and exit when the process that started them dies, even by
kill -9: a worker holds both ends of its task queue and would otherwise wait forever, holding its
models and the parent's stdout.

An analyzer whose models are too big to load per worker (``Analyzer.in_process``) runs in one
thread of this process instead, behind the same ``submit`` / ``Future`` interface; so does any
analyzer asked for one worker (a worker process would only add its start-up to the same work).
"""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_all_start_methods, get_context, parent_process
from multiprocessing.connection import wait

from plvm_photos.engines.base import Analyzer
from plvm_photos.indexing.analysis import AnalysisJob, AnalysisResult, analyze_file

_analyzer: Analyzer | None = None  # this worker's analyzer (set by the initializer)


def _exit_with_parent() -> None:
    """Wait for the process that asked for this worker (not the fork server, its OS parent) to end.
    The fork server in turn lives while any worker holds its pipe, so a worker that waited for
    the server would wait forever."""
    wait([parent_process().sentinel])
    os._exit(0)


def _worker_init(analyzer: Analyzer) -> None:
    global _analyzer
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    analyzer.warm_up()
    _analyzer = analyzer


def _analyze_in_worker(job: AnalysisJob) -> AnalysisResult:
    return analyze_file(_analyzer, job)


def _worker_context(analyzer: Analyzer):
    """The fork server's context. Its preload list is read when the server starts (the first pool
    of this process); later pools fork from the same server and load what they lack themselves.
    Where there is no fork server (Windows), workers are spawned and each loads everything."""
    if "forkserver" not in get_all_start_methods():
        return get_context("spawn")
    context = get_context("forkserver")
    context.set_forkserver_preload(["__main__", __name__, *getattr(analyzer, "preload", ())])
    return context


def runs_in_process(analyzer: Analyzer, workers: int) -> bool:
    """Whether a pool of ``workers`` for ``analyzer`` analyses in a thread of this process."""
    return analyzer.in_process or workers <= 1


def start_fork_server(analyzer: Analyzer, workers: int) -> None:
    """Start the fork server of a pool of ``workers`` now, in the background: it imports the
    analysis code and loads the models (~0.6 s, more where modules must be compiled first) while
    this process does other work (walking the folders, a demo's add-person commands), instead of
    after the first photo is submitted. The pool started later forks its workers from it."""
    if runs_in_process(analyzer, workers):
        return
    context = _worker_context(analyzer)
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def stop_fork_server() -> None:
    """Stop this process's fork server, if one runs, and wait for it. The workers it forked were
    its children, reaped by it: their CPU time and peak memory reach this process's
    ``RUSAGE_CHILDREN`` only once the server itself has ended (what benchmarks measure). A later
    pool starts a new server. multiprocessing has no public call for this: its own is used here,
    in the one module that runs the fork server."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()


class AnalysisPool:
    def __init__(self, analyzer: Analyzer, workers: int):
        self.analyzer = analyzer
        self.in_process = runs_in_process(analyzer, workers)
        self.workers = 1 if self.in_process else workers
        self._pool: ProcessPoolExecutor | ThreadPoolExecutor | None = None

    def start(self) -> None:
        if self.in_process:
            self.analyzer.warm_up()
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="analysis")
        else:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=_worker_context(self.analyzer),
                                             initializer=_worker_init, initargs=(self.analyzer,))

    def submit(self, job: AnalysisJob) -> Future:
        if self._pool is None:
            self.start()
        if self.in_process:
            return self._pool.submit(analyze_file, self.analyzer, job)
        return self._pool.submit(_analyze_in_worker, job)

    def restart(self) -> None:
        """After a worker died (the pool is broken): a fresh pool."""
        self.stop(wait=False)
        self.start()

    def stop(self, wait: bool = True) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if wait or isinstance(pool, ThreadPoolExecutor):
            pool.shutdown(wait=wait, cancel_futures=True)
            return
        # Abandon the photos in hand: stop the workers now rather than after their current photo.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        for proc in processes:
            proc.join(timeout=5)
