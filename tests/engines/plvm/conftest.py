"""Fixtures for the plvm engine tests. Helpers live in plvm_helpers.py: a module named conftest
cannot be imported reliably when several test folders each have one."""

from tests.engines.plvm.helpers import photo_folder, plvm_library, plvm_library_dir, reference_model, tiny_models  # noqa: F401
