"""One BLAS thread for the face engine's small matrices (MTCNN's nets, the ResNet descriptor,
head pose): two scan workers share two cores, and a second BLAS thread would only spin, taking
CPU from the other worker."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _controller():
    # Made once per process: ``threadpool_limits`` finds the loaded BLAS libraries again on every
    # call (~0.6 ms, twice per photo); a controller's ``limit`` only sets them (~0.01 ms).
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def one_blas_thread():
    """A context manager: BLAS on one thread inside it, as before after it. It holds the BLAS
    libraries loaded when this process first called it, NumPy's among them (the face engine's
    modules import NumPy first); one loaded later (SciPy's, say) is left alone, and the
    engine's matrix products do not run on it."""
    return _controller().limit(limits=1, user_api="blas")
