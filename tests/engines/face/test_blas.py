"""The face engine's small matrices run on one BLAS thread, through one controller per process."""

import numpy as np  # noqa: F401  (loads the BLAS library the controller finds)
from threadpoolctl import threadpool_info, threadpool_limits

from plvm_photos.engines.face.blas import one_blas_thread


def _numpy_blas_threads() -> set[int]:
    """Threads of NumPy's BLAS (the wheels carry it in numpy.libs): the one the face engine's
    matrix products run on. A BLAS loaded later (SciPy's, by another test) is not the controller's."""
    found = {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas" and "numpy" in lib["filepath"]}
    assert found, "NumPy's BLAS not found"
    return found


def test_inside_one_blas_thread_numpys_blas_has_one_thread_and_after_it_what_it_had():
    with threadpool_limits(limits=2, user_api="blas"):
        assert _numpy_blas_threads() == {2}
        for _ in range(2):  # the second time through the same (cached) controller
            with one_blas_thread():
                assert _numpy_blas_threads() == {1}
            assert _numpy_blas_threads() == {2}
