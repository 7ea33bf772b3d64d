"""Fixtures for the watcher tests. Helpers live in helpers.py: a module named conftest
cannot be imported reliably when several test folders each have one."""

from tests.watch.helpers import watchers  # noqa: F401  (a fixture)
from tests.engines.plvm.helpers import tiny_models  # noqa: F401,E402  (a fixture: the plvm engine's tiny models)
