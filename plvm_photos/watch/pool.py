"""The analysis worker processes of a watcher: long-lived, replaced when one dies.

Workers ignore SIGINT: Ctrl-C reaches the whole process group, and the watcher itself decides
whether the photos in hand are finished or abandoned.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context

from plvm_photos.indexing.analysis import AnalysisJob, analyze, warm_up

log = logging.getLogger("plvm_photos.watch")


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def _worker_init(config) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A worker holds both ends of its task queue, so it never sees EOF when the watcher is
    # killed (kill -9, OOM killer): without this it would wait forever, holding its models.
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    warm_up(config)


class AnalysisPool:
    def __init__(self, workers: int, config=None):
        self.workers = max(1, workers)
        self.config = config  # the library's FaceEngineConfig (None: the defaults)
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"), initializer=_worker_init,
                                         initargs=(self.config,))

    def submit(self, job: AnalysisJob) -> Future:
        if self._pool is None:
            self.start()
        return self._pool.submit(analyze, job)

    def restart(self) -> None:
        """After a worker died (the pool is broken): a fresh pool."""
        self.stop(wait=False)
        self.start()

    def stop(self, wait: bool = True) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if wait:
            pool.shutdown(wait=True, cancel_futures=True)
            return
        # Abandon the photos in hand: stop the workers now rather than after their current photo.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in processes:
            if proc.is_alive():
                proc.terminate()
        for proc in processes:
            proc.join(timeout=5)
