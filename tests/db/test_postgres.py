"""The same models and code on PostgreSQL (a throwaway server on loopback, see conftest)."""


import pytest

from plvm_photos.ask.answer import ask
from plvm_photos.db.queries import region_signature
from plvm_photos.library import Library

pytestmark = pytest.mark.postgres



def test_the_main_job_on_postgresql(tmp_path, demo_set, pg_url):
    refs, photos = demo_set
    with Library(tmp_path / "lib", db_url=pg_url) as library:
        assert library.db.dialect.name == "postgresql"
        for name, ref in refs.items():
            library.add_person(name, [ref])
        summary = library.scan([photos], workers=1, progress=False)
        assert summary.analysed == 5 and summary.errors == 1
        answer = ask(library, "photos with <eileen> and <grace>")
        assert len(answer.photos) == 2
        assert ask(library, "who is in grace-and-eileen.jpg").answer.endswith("<grace> (left) and <eileen> (right)")
        library.rename_person("grace", "hopper")
        assert library.remove_person("hopper") == 4  # photos with any verdict for her, present or not
        assert [p.name for p in library.people()] == ["eileen"]
        assert library.scan([photos], workers=1, progress=False).analysed == 0
    # Reopening checks the FAISS cache against the PostgreSQL rows.
    with Library(tmp_path / "lib", db_url=pg_url) as library:
        with library.session() as s:
            assert len(library.index) == region_signature(s, ("face",))[0]
