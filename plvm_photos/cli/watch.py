"""``plvm-photos watch`` and ``plvm-photos status``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer

from plvm_photos.cli.app import JsonOption, app, emit, state


@app.command("watch")
def watch(
    paths: List[Path] = typer.Argument(..., help="Folders to keep indexed (recursively)."),
    workers: Optional[int] = typer.Option(None, "--workers", "-j", help="Analysis processes (default: CPU cores)."),
    settle: float = typer.Option(1.0, "--settle", help="Seconds a new file's size and mtime must stay unchanged before it is read."),
    rescan: float = typer.Option(900.0, "--rescan", help="Seconds between full rescans that catch events the file system lost (0: never)."),
    grace: float = typer.Option(10.0, "--grace", help="On SIGTERM/Ctrl-C, seconds to let photos in hand finish before abandoning them."),
    poll_only: bool = typer.Option(False, "--poll-only", help="No file-system events, rescans only (network shares whose changes raise none); use with a short --rescan."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per line on stdout for each thing done."),
    ray: Optional[str] = typer.Option(None, "--ray", metavar="ADDRESS", help="Analyse on a Ray cluster: 'local', 'auto', "
                                      "ray://HOST:PORT or HOST:PORT (see scan --help)."),
    no_videos: bool = typer.Option(False, "--no-videos", help="Leave videos out (counted as skipped; see status)."),
    no_raw: bool = typer.Option(False, "--no-raw", help="Leave camera RAW files out (counted as skipped; see status)."),
) -> None:
    """Watch folders and index photos as they arrive, move and disappear; runs until stopped.

    Catches up with what changed while it was not running, then follows file-system events, with a periodic full rescan as a safety net. Logs go to stderr and to watch.log in the library; `plvm-photos status` shows what it is doing. Stop it with Ctrl-C or SIGTERM.
    """
    from plvm_photos.media.kinds import MediaOptions
    from plvm_photos.watch.daemon import WatchOptions
    from plvm_photos.watch.daemon import watch as run_watch

    if settle < 0 or rescan < 0 or grace < 0:
        raise typer.BadParameter("--settle, --rescan and --grace must not be negative")
    options = WatchOptions(
        roots=[str(p) for p in paths], workers=workers or 0, settle=settle, rescan=rescan, json_lines=as_json, grace=grace,
        events=not poll_only, ray=ray, media=MediaOptions(videos=not no_videos, raw=not no_raw),
    )
    library = state.library(create=True)
    code = run_watch(library, options)
    raise typer.Exit(code)


def _ago(ts: float | None) -> str:
    if not ts:
        return "never"
    seconds = max(0, time.time() - ts)
    if seconds < 120:
        return f"{seconds:.0f} s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.1f} h ago"


@app.command("status")
def status(as_json: bool = JsonOption) -> None:
    """Is a watcher running on this library, what has it done, and what is queued."""
    from plvm_photos.store.layout import default_root
    from plvm_photos.watch.status import read_status

    root = Path(state.library_dir) if state.library_dir else default_root()
    data = read_status(root)
    if not data.get("running") and "state" not in data:
        emit({"running": False}, as_json, f"no watcher has run on {root} (start one with: plvm-photos watch FOLDER)")
        return
    c, q = data.get("counters", {}), data.get("queue", {})
    if data.get("running"):
        head = f"watcher running (pid {data['pid']}) since {_ago(data.get('started_at'))}: {data.get('state')}"
    elif data.get("state") == "died":
        head = f"no watcher running; the last one (pid {data.get('pid')}) did not exit cleanly, last seen {_ago(data.get('updated_at'))}"
    else:
        head = f"no watcher running; the last one stopped {_ago(data.get('updated_at'))}"
    lines = [
        head,
        "folders: " + ", ".join(f"{r['path']}{'' if r['online'] else ' (offline)'}" for r in data.get("roots", [])),
        f"done: {c.get('analysed', 0)} analysed ({c.get('faces', 0)} faces), {c.get('known_content', 0)} known content, "
        f"{c.get('moved', 0)} moved, {c.get('missing', 0)} missing, {c.get('restored', 0)} restored, {c.get('errors', 0)} errors",
        f"{'queued' if data.get('running') else 'left queued'}: {q.get('settling', 0)} settling, {q.get('in_flight', 0)} being analysed"
        + (f", scanning {', '.join(q['walking'])}" if q.get("walking") else ""),
        f"last rescan: {_ago(data.get('last_rescan_at'))}",
    ]
    from plvm_photos.media.kinds import skipped_lines

    skipped = skipped_lines(data.get("skipped") or {})
    if skipped:
        lines.append("not indexed: " + "; ".join(skipped))
    for err in data.get("recent_errors", [])[-5:]:
        lines.append(f"  error: {err['path']}: {err['error']}")
    emit(data, as_json, "\n".join(lines))
