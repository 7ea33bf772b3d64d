"""The tests' throwaway PostgreSQL server keeps its data out of pytest's base temp folder, which
another pytest session on the machine may empty while this one runs."""

import pytest

pytestmark = pytest.mark.postgres


def test_the_server_data_folder_is_its_own(postgres_server, tmp_path_factory):
    if postgres_server.data is None:
        pytest.skip("PLVM_TEST_PG_URL names a server these tests did not start")
    basetemp = tmp_path_factory.getbasetemp().resolve()
    data = postgres_server.data.resolve()
    assert (data / "PG_VERSION").is_file()
    assert basetemp not in data.parents and data != basetemp
    assert not str(data).startswith(str(basetemp.parent) + "/pytest-")  # nor under pytest's numbered folders
