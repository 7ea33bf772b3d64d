"""Fixtures for the vlm engine tests. Helpers live in helpers.py: a module named conftest cannot be
imported reliably when several test folders each have one."""

from tests.engines.vlm.helpers import tiny_vlms, vlm_library, vlm_library_dir  # noqa: F401
