"""Undo undoes the action the user saw (by its journal entry), redo does it again, and a reference
copy is never separated from its row: not by a kill right after an undo commits, not by pruning."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from plvm_photos.curation import journal
from plvm_photos.curation.confirm import name_faces
from plvm_photos.curation.people import hide_person
from plvm_photos.db.models import Reference
from plvm_photos.errors import LibraryError
from tests.conftest import REPO
from tests.curation.small_library import cli_json
from tests.curation.test_curation_api import face, present, snapshot


def reference_files(lib) -> dict[str, bool]:
    """Each reference row's copy, and whether it is in references/."""
    with lib.session() as s:
        images = set(s.scalars(select(Reference.image)))
    return {image: (lib.references_dir / image).is_file() for image in sorted(images)}


def test_redo_does_again_what_undo_undid_until_a_new_action(small_lib):
    lib, root, photos = small_lib
    before, copies = snapshot(lib), sorted(p.name for p in lib.references_dir.iterdir())
    lib.remove_person("obama")
    removed = snapshot(lib)
    undone = cli_json(["-L", str(root), "undo"])
    assert undone["action"] == "remove" and snapshot(lib) == before
    assert sorted(p.name for p in lib.references_dir.iterdir()) == copies
    redone = cli_json(["-L", str(root), "redo"])
    assert redone["id"] == undone["id"] and snapshot(lib) == removed and "obama" not in {p.name for p in lib.people()}
    assert len(list(lib.references_dir.iterdir())) == len(copies) - 1
    journal.undo(lib, undone["id"])
    assert snapshot(lib) == before and all(reference_files(lib).values())

    # add-person undone (the build's last action): its copy waits in the undo folder; redone: back
    assert journal.undo(lib).summary == "added <Bea>"
    assert len(list(lib.references_dir.iterdir())) == len(copies) - 1
    assert journal.redo(lib).summary == "added <Bea>"
    assert snapshot(lib) == before and all(reference_files(lib).values())

    # an id that is not the last action's is refused, naming the one that is; nothing changes
    with pytest.raises(LibraryError, match=r"the last action is now #\d+ \(added <Bea>\), not #\d+ \(removed <Obama>\)"):
        journal.undo(lib, undone["id"])
    assert snapshot(lib) == before
    _, region, _ = face(lib, photos, "biden.jpg", 1)
    name_faces(lib, [region], "Joe")
    assert journal.next_redo(lib) is None
    with pytest.raises(LibraryError, match="nothing to redo"):
        journal.redo(lib)
    assert present(lib, "joe") == {"biden.jpg", "two_people.jpg", "obama_and_biden.jpg"}


def test_redo_after_several_undos_takes_the_one_undone_last(small_lib):
    lib, _, _ = small_lib
    hide_person(lib, "obama")
    hide_person(lib, "bea")
    first = journal.undo(lib)
    second = journal.undo(lib)
    assert (first.summary, second.summary) == ("hid <Bea>", "hid <Obama>")
    assert journal.next_redo(lib).id == second.id
    assert journal.redo(lib).summary == "hid <Obama>" and journal.redo(lib).summary == "hid <Bea>"
    with pytest.raises(LibraryError, match="nothing to redo"):
        journal.redo(lib)


KILL_AFTER_UNDO_COMMITS = """
import os, signal, sqlite3, sys
from sqlalchemy import event
from sqlalchemy.orm import Session
from plvm_photos.curation import journal
from plvm_photos.library import Library

lib = Library(sys.argv[1])
entry = journal.last_action(lib).id

def kill_once_undone(_session):
    db = sqlite3.connect(str(lib.root / "library.db"))
    if db.execute("SELECT undone_at FROM curation_journal WHERE id = ?", (entry,)).fetchone()[0] is not None:
        os.kill(os.getpid(), signal.SIGKILL)

event.listen(Session, "after_commit", kill_once_undone)
journal.undo(lib)
"""


def test_an_undo_killed_right_after_its_commit_leaves_every_reference_with_its_copy(small_lib):
    """It once left the restored person's reference row pointing at a copy still in undo-files/N/
    (the gallery answered 422 for that face, and pruning the journal deleted the copy for good)."""
    lib, root, _ = small_lib
    lib.remove_person("obama")
    lib.close()
    done = subprocess.run([sys.executable, "-c", KILL_AFTER_UNDO_COMMITS, str(root)], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr
    from plvm_photos.library import Library

    with Library(root) as lib:
        assert "obama" in {p.name.lower() for p in lib.people()}
        assert reference_files(lib) and all(reference_files(lib).values()), reference_files(lib)


def test_pruning_the_journal_never_deletes_a_copy_a_reference_uses(small_lib, monkeypatch):
    """A library an earlier version left with a reference's copy in undo-files/N/ gets it back
    when entry N leaves the journal, instead of losing it."""
    lib, _, _ = small_lib
    lib.remove_person("obama")
    entry = journal.last_action(lib).id
    journal.undo(lib)
    image = next(i for i in reference_files(lib) if i.startswith("obama"))
    stranded = lib.root / journal.UNDO_DIR / str(entry)
    stranded.mkdir(parents=True, exist_ok=True)
    os.replace(lib.references_dir / image, stranded / image)  # as the killed undo of an earlier version left it
    monkeypatch.setattr(journal, "KEEP", 2)
    for k in range(3):
        hide_person(lib, "bea", hidden=k % 2 == 0)
    assert all(reference_files(lib).values()) and not stranded.exists()


def test_the_undo_and_redo_lines_are_those_docs_hardening_shows(small_lib):
    import re

    from tests.conftest import REPO
    from tests.curation.small_library import run_cli

    _, root, _ = small_lib
    doc = (REPO / "docs" / "hardening.md").read_text()
    shown = [line for line in doc.splitlines() if line.startswith(("undone #", "redone #"))]
    assert len(shown) == 2
    assert run_cli(["-L", str(root), "hide", "obama"]).exit_code == 0
    printed = [run_cli(["-L", str(root), verb]).stdout.strip() for verb in ("undo", "redo")]

    def shape(line: str) -> str:
        return re.sub(r"<[^>]+>", "<NAME>", re.sub(r"\d+", "N", line))

    assert [shape(p) for p in printed] == [shape(s) for s in shown]
