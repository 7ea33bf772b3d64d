"""Fixtures for the watcher tests. Helpers live in watch_helpers.py: a module named conftest
cannot be imported reliably when several test folders each have one."""

from tests.watch.helpers import watchers  # noqa: F401  (a fixture)
