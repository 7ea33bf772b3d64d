"""Commands that correct what the library knows about people: name, ignore, draw, merge, hide,
set-reference, suggestions, undo, import-xmp. Each calls the same ``Library`` method the gallery does."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from plvm_photos.cli.app import JsonOption, app, emit, state
from plvm_photos.errors import MAX_ROW_ID, LibraryError
from plvm_photos.library import MARK_WORDS

MAX_PIXELS = 1_000_000  # no photo is wider or taller


def _face(photo: str, face: int) -> int:
    """The region id of face number ``face`` (1 = leftmost) of ``photo``."""
    library = state.library()
    return library.photo_faces(library.find_photo(photo)).numbered(face).region_id


def _chosen_faces(photo: Optional[str], face: Optional[int], cluster: Optional[int]) -> list[int]:
    """The region ids that PHOTO --face N, or --cluster ID, names (`name` and `ignore` alike)."""
    if (cluster is None) == (photo is None):
        raise LibraryError("give a PHOTO with --face N, or --cluster ID")
    if cluster is not None:
        return state.library().saved_cluster(cluster)
    if face is None:
        raise LibraryError("with PHOTO, say which face with --face N (1 = leftmost; see `plvm-photos faces PHOTO`)")
    return [_face(photo, face)]


def _box(text: str) -> tuple[int, int, int, int]:
    try:
        numbers = [float(v) for v in text.replace(" ", "").split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or not all(abs(v) <= MAX_PIXELS for v in numbers):  # NaN and 1e400 too
        raise LibraryError(f"--box takes LEFT,TOP,RIGHT,BOTTOM in the photo's pixels (got {text!r})")
    return tuple(int(round(v)) for v in numbers)


@app.command("name")
def name(
    person: str = typer.Argument(..., help="Who it is: a registered person, or a new one (<aunt_may>)."),
    photo: Optional[str] = typer.Argument(None, help="The photo (path, file name or #ID) with the face."),
    face: Optional[int] = typer.Option(None, "--face", help="With PHOTO: which face (1 = leftmost; see `faces PHOTO`)."),
    cluster: Optional[int] = typer.Option(None, "--cluster", help="Every face of cluster ID of the last `faces --unknown`."),
    as_json: bool = JsonOption,
) -> None:
    """Say who a face is (or every face of a cluster): confirmed for good, and the person is found
    again in other photos with it."""
    regions = _chosen_faces(photo, face, cluster)
    r = state.library().name_faces(regions, person)
    emit({"person": r.person, "created": r.created, "faces": r.faces, "photos": r.photos}, as_json,
         f"{'registered' if r.created else 'named'} <{r.person}>: {r.faces} face(s) confirmed, in {r.photos} photo(s) now")


@app.command("ignore")
def ignore(
    photo: Optional[str] = typer.Argument(None, help="The photo (path, file name or #ID) with the face."),
    face: Optional[int] = typer.Option(None, "--face", help="With PHOTO: which face (1 = leftmost; see `faces PHOTO`)."),
    cluster: Optional[int] = typer.Option(None, "--cluster", help="Every face of cluster ID of the last `faces --unknown`."),
    not_a_face: bool = typer.Option(False, "--not-a-face", help="A false detection: never decided as anyone again "
                                    "(without it: a stranger, hidden from the unknown faces but still recognised "
                                    "if registered later)."),
    as_json: bool = JsonOption,
) -> None:
    """Leave faces out of the unknown faces and the suggestions: a stranger (hidden), or not a face
    at all (--not-a-face). Undo brings them back."""
    regions = _chosen_faces(photo, face, cluster)
    mark = "not_a_face" if not_a_face else "hidden"
    r = state.library().mark_faces(regions, mark)
    emit({"faces": r.faces, "mark": r.mark}, as_json,
         f"{r.faces} face(s) marked {MARK_WORDS[mark]}")


@app.command("ignored")
def ignored(
    not_a_face: bool = typer.Option(False, "--not-a-face", help="Only the faces marked not a face."),
    hidden: bool = typer.Option(False, "--hidden", help="Only the faces hidden."),
    as_json: bool = JsonOption,
) -> None:
    """The faces marked hidden or not a face (by `ignore` or the gallery), newest first, each as
    PHOTO --face N for `unignore`."""
    if not_a_face and hidden:
        raise LibraryError("give --not-a-face or --hidden, not both (neither lists every marked face)")
    rows = state.library().marked_faces("not_a_face" if not_a_face else "hidden" if hidden else None)
    lines = [f"{f.path} --face {f.number}  {MARK_WORDS[f.mark]}  {f.marked_at:%Y-%m-%d %H:%M}" for f in rows]
    emit([{"path": f.path, "face": f.number, "region": f.region_id, "mark": f.mark, "marked_at": f.marked_at.isoformat()}
          for f in rows], as_json, "\n".join(lines) if lines else "no face is marked hidden or not a face")


@app.command("unignore")
def unignore(
    photo: Optional[str] = typer.Argument(None, help="The photo (path, file name or #ID) with the face."),
    face: Optional[int] = typer.Option(None, "--face", help="With PHOTO: which face (1 = leftmost; see `ignored`)."),
    as_json: bool = JsonOption,
) -> None:
    """Take back `ignore`: the face is an unknown face again (one that was not a face may be
    recognised as someone again). Undo hides it again."""
    if photo is None or face is None:
        raise LibraryError("give the PHOTO and --face N of the face to show again (see `plvm-photos ignored`)")
    r = state.library().mark_faces([_face(photo, face)], None)
    emit({"faces": r.faces}, as_json, f"{r.faces} face(s) shown again among the unknown faces" if r.faces
         else "that face was not marked: nothing changed")


@app.command("draw")
def draw(
    photo: str = typer.Argument(..., help="The photo (path, file name or #ID)."),
    person: str = typer.Argument(..., help="Who the face is (a new name registers them)."),
    box: str = typer.Option(..., "--box", help="LEFT,TOP,RIGHT,BOTTOM of the face in the photo's pixels."),
    as_json: bool = JsonOption,
) -> None:
    """Add a face the detector missed: the box is described and confirmed as PERSON."""
    library = state.library()
    r = library.draw_face(library.find_photo(photo), _box(box), person)
    emit({"person": r.person, "created": r.created, "photos": r.photos}, as_json,
         f"added a face of <{r.person}> to {photo}: in {r.photos} photo(s) now")


@app.command("merge")
def merge(
    keep: str = typer.Argument(..., help="The person who stays (their name is kept)."),
    other: str = typer.Argument(..., help="The person folded into KEEP (removed)."),
    as_json: bool = JsonOption,
) -> None:
    """Two people who are one: OTHER's references and confirmed faces move to KEEP."""
    r = state.library().merge_people(keep, other)
    emit({"person": r.person, "merged": r.merged, "references": r.references, "confirmed": r.confirmed, "photos": r.photos},
         as_json, f"merged <{r.merged}> into <{r.person}>: in {r.photos} photo(s) now")


@app.command("hide")
def hide(person: str = typer.Argument(..., help="The person to hide.")) -> None:
    """Hide a person: still recognised, no longer listed (people, gallery, ask) unless asked for."""
    changed = state.library().hide_person(person, True)
    typer.echo(f"hid {person}" if changed else f"{person} was hidden already")


@app.command("unhide")
def unhide(person: str = typer.Argument(..., help="The hidden person to list again.")) -> None:
    """List a hidden person again."""
    changed = state.library().hide_person(person, False)
    typer.echo(f"{person} is listed again" if changed else f"{person} was not hidden")


@app.command("hidden")
def hidden(as_json: bool = JsonOption) -> None:
    """The hidden people, with how many photos each is in."""
    rows = [p for p in state.library().people(hidden=True) if p.hidden]
    emit([{"name": p.name, "photos": p.photos} for p in rows], as_json,
         "\n".join(f"<{p.name}>\t{p.photos} photo(s)" for p in rows) or "no hidden people")


@app.command("set-reference")
def set_reference(
    person: str = typer.Argument(..., help="A registered person."),
    photo: str = typer.Argument(..., help="A photo in the library with their face."),
    face: int = typer.Option(1, "--face", help="Which face of PHOTO (1 = leftmost)."),
    replace: bool = typer.Option(False, "--replace", help="Make it the only reference (the others are removed)."),
    as_json: bool = JsonOption,
) -> None:
    """Use a face already in the library as a person's reference (beside the others, or instead)."""
    r = state.library().set_reference(person, _face(photo, face), replace=replace)
    emit({"person": r.person, "references": r.references, "replaced": r.replaced, "photos": r.photos}, as_json,
         f"<{r.person}> has {r.references} reference(s) now: in {r.photos} photo(s)")


@app.command("suggestions")
def suggestions_command(
    limit: int = typer.Option(20, "--limit", help="At most this many."),
    as_json: bool = JsonOption,
) -> None:
    """Faces just too far from a person to be decided theirs: "is this <mike>?". Accept one with
    `name PERSON PHOTO --face N`, refuse it with `faces PHOTO --not PERSON --face N`."""
    from dataclasses import asdict

    found = state.library().suggestions()[:limit]
    emit([asdict(x) for x in found], as_json,
         "\n".join(f"is this <{x.person}>? {x.path} box {list(x.box)} (distance {x.distance:.3f})" for x in found)
         or "no suggestions")


@app.command("undo")
def undo(
    entry: Optional[int] = typer.Argument(None, help="The action to undo, by its number (see --list): refused unless "
                                          "it is still the last one. Default: the last one, whatever it is."),
    list_: bool = typer.Option(False, "--list", help="List the actions that can be undone, newest first."),
    as_json: bool = JsonOption,
) -> None:
    """Undo the last curation action (name, reject, draw, merge, rename, remove, hide, import-xmp, ...);
    `redo` does it again."""
    if list_:
        actions = state.library().history(50)
        emit([{"id": a.id, "action": a.action, "summary": a.summary, "at": a.created_at.isoformat()} for a in actions],
             as_json, "\n".join(f"{a.id}\t{a.action}\t{a.summary}" for a in actions) or "nothing to undo")
        return
    r = state.library().undo(_entry_id(entry))
    emit({"id": r.id, "action": r.action, "summary": r.summary, "photos": r.photos}, as_json,
         f"undone #{r.id}: {r.summary} ({r.photos} photo(s) decided again)")


@app.command("redo")
def redo(
    entry: Optional[int] = typer.Argument(None, help="The action to redo, by its number: refused unless it is still "
                                          "the one undone last. Default: the one undone last."),
    as_json: bool = JsonOption,
) -> None:
    """Do again the action `undo` undid last (until a new action is made)."""
    r = state.library().redo(_entry_id(entry))
    emit({"id": r.id, "action": r.action, "summary": r.summary, "photos": r.photos}, as_json,
         f"redone #{r.id}: {r.summary} ({r.photos} photo(s) decided again)")


def _entry_id(entry: int | None) -> int | None:
    if entry is not None and not 1 <= entry <= MAX_ROW_ID:
        raise LibraryError(f"no action #{entry} (see undo --list)")
    return entry


@app.command("import-xmp")
def import_xmp(
    paths: List[Path] = typer.Argument(..., help="Folders, photos or sidecars (photo.jpg.xmp or photo.xmp)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Say what would be imported; change nothing, scan nothing."),
    as_json: bool = JsonOption,
) -> None:
    """Import face tags other tools wrote (MWG regions, PersonInImage, digiKam People/ tags) from
    sidecars and JPEG/HEIC metadata as confirmed faces; photos not scanned yet are scanned first."""
    summary = state.library(create=not dry_run).import_xmp([str(p) for p in paths], dry_run=dry_run,
                                                           progress=not as_json)
    emit(summary.as_dict(), as_json, summary.describe())
