"""Commands to see and curate the library: serve, faces, sheet, export-xmp (the corrections are in ``curate``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from plvm_photos.cli.app import JsonOption, app, emit, state
from plvm_photos.errors import LibraryError
from plvm_photos.library import MARK_WORDS


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on. Anything but loopback needs --token."),
    port: int = typer.Option(8765, "--port", "-p", help="Port to listen on (0 = any free port)."),
    token: str | None = typer.Option(
        None, "--token", envvar="PLVM_SERVE_TOKEN", help="Secret every request must carry (open the printed address "
        "once; a cookie keeps it). Required for a non-loopback --host.", show_default=False
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Do not log requests."),
) -> None:
    """Browse people, their photos with face boxes, every photo's faces, and search, in a web page; name
    unknown faces, accept suggestions, correct matches, draw missed faces, merge, hide and undo there."""
    from plvm_photos.fsnames import printable
    from plvm_photos.web.server import ServeRefused, make_server, url_of

    try:
        server = make_server(state.library(), host, port, token, quiet=quiet)
    except ServeRefused as exc:
        _fail(str(exc))
    typer.echo(f"serving the library {printable(str(state.library().root))} at {url_of(server, token)}  (Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        server.server_close()


@app.command("faces")
def faces(
    photo: Optional[str] = typer.Argument(None, help="A photo (path, file name or #ID) to list or correct the faces of."),
    unknown: bool = typer.Option(False, "--unknown", help="Group the faces that match no registered person into clusters."),
    not_: Optional[str] = typer.Option(None, "--not", help="With PHOTO: NAME is a wrong match there; remembered for good."),
    face: Optional[int] = typer.Option(None, "--face", help="With --not: which face (1 = leftmost) is not NAME."),
    eps: float = typer.Option(0.5, "--eps", help="With --unknown: neighbourhood radius in descriptor distance."),
    min_size: int = typer.Option(2, "--min-size", help="With --unknown: faces needed to form a cluster."),
    as_json: bool = JsonOption,
) -> None:
    """Unknown-face clusters (--unknown), a photo's faces, or reject a wrong match (PHOTO --not NAME)."""
    lib = state.library()
    if unknown:
        if photo or not_:
            _fail("--unknown takes no PHOTO or --not")
        result = lib.cluster_unknown(eps=eps, min_samples=min_size)
        lib.save_clustering(result)
        emit(result.as_dict(), as_json, result.describe())
        return
    if photo is None:
        _fail("give --unknown, or a PHOTO to list its faces (add --not NAME to reject a match)")
    if not_:
        r = lib.reject_match(photo, not_, face=face)
        what = f"face {face}" if face else ("the face it was matched to" if r.region_id else "this photo")
        emit(
            {"photo_id": r.photo_id, "path": r.path, "person": r.person, "region_id": r.region_id,
             "was_present": r.present_before},
            as_json,
            f"remembered: <{r.person}> is not {what} in {r.path}" + ("" if r.present_before else " (was not matched anyway)"),
        )
        return
    if face is not None:
        _fail("--face goes with --not NAME")
    found = lib.photo_faces(lib.find_photo(photo))
    rows = [
        {"face": f.number, "region_id": f.region_id, "box": list(f.box), "person": f.person,
         "detector": round(f.detector, 4), "not": f.rejected, "mark": f.mark}
        for f in found.faces
    ]
    text = "\n".join(
        [f"{found.path} (#{found.photo_id}): {len(rows)} face(s)"]
        + [
            f"  face {r['face']}: {('<' + r['person'] + '>') if r['person'] else MARK_WORDS.get(r['mark'], 'unknown')}"
            f"\tbox {r['box']}"
            + (f"\tnot: {', '.join('<' + n + '>' for n in r['not'])}" if r["not"] else "")
            for r in rows
        ]
    )
    emit({"photo_id": found.photo_id, "path": found.path, "faces": rows}, as_json, text)


@app.command("sheet")
def sheet(
    person: Annotated[str, typer.Argument(help="A registered person, <mike> or mike.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PNG, JPEG or WebP file to write (its folder must exist).")],
    columns: int = typer.Option(6, "--columns", help="Photos per row."),
    tile: int = typer.Option(240, "--tile", help="Tile size in pixels."),
    limit: int = typer.Option(200, "--limit", help="At most this many photos."),
    as_json: bool = JsonOption,
) -> None:
    """A contact sheet of a person's photos with their face box drawn."""
    from plvm_photos.web.sheet import contact_sheet
    from plvm_photos.fsnames import printable

    # An unwritable --output is a LibraryError: one line on stderr, exit code 2 (cli.app.main).
    result = contact_sheet(state.library(), person, output, columns=columns, tile=tile, limit=limit,
                           progress=not as_json)
    emit(result.as_dict(), as_json, f"wrote {printable(result.output)}: {result.photos} photo(s) of <{result.person}>"
         + (f" (of {result.total})" if result.total > result.photos else ""))


@app.command("export-xmp")
def export_xmp(
    path: Annotated[Path | None, typer.Argument(help="A photo or folder to export (default: the whole library).")] = None,
    into: Annotated[Path | None, typer.Option("--into", help="Write sidecars into this folder (mirroring the photos' "
                                              "folders) instead of next to the photos.")] = None,
    stem: bool = typer.Option(False, "--stem", help="Name sidecars photo.xmp (Lightroom) instead of photo.jpg.xmp "
                              "(digiKam, darktable)."),
    as_json: bool = JsonOption,
) -> None:
    """Write names and face regions to XMP sidecars other photo tools read (existing content is kept)."""
    from plvm_photos import safe_write
    from plvm_photos.fsnames import printable

    # Sidecars are written through safe_write (no planted link is followed); a sidecar that cannot
    # be written is listed in the summary's errors, the others are still written.
    try:
        summary = state.library().export_xmp(path, into=into, stem=stem, progress=not as_json)
    except OSError as exc:
        where = f" ({printable(exc.filename)})" if isinstance(exc.filename, str) else ""
        raise LibraryError(f"cannot write sidecars{where}: {safe_write.describe(exc)}") from None
    emit(summary.as_dict(), as_json,
         f"{summary.written} sidecar(s) written, {summary.unchanged} unchanged, {summary.skipped} photo(s) skipped"
         + "".join(f"\n  {e}" for e in summary.errors[:20]))
