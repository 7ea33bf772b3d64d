"""``plvm-photos person NAME``: one person's facts (photo count, first and latest photo, who they
are often with, their years and places), the same ``Library.person`` the gallery's person page and
``ask`` ("who is with <x>?", "when did I last see <x>?") show."""

from __future__ import annotations

from dataclasses import asdict

import typer

from plvm_photos.cli.app import JsonOption, app, emit, state
from plvm_photos.fsnames import printable
from plvm_photos.names import show

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _day(taken: str) -> str:
    return f"{int(taken[8:10])} {MONTHS[int(taken[5:7]) - 1]} {taken[:4]}"


def _counted(n: int, word: str = "photo") -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _tallies(items) -> str:
    return ", ".join(f"{t.label} ({_counted(t.photos)})" for t in items) or "none"


@app.command("person")
def person(
    name: str = typer.Argument(..., help="A registered person, written <mike> or mike."),
    as_json: bool = JsonOption,
) -> None:
    """One person's facts: photos, first and latest photo, who they are often with (most photos
    together first), and the years and places of their photos."""
    library = state.library()
    facts = library.person(library.find_person(name).id)
    lines = [f"{show(facts.name)}: {_counted(facts.photos)} ({_counted(facts.references, 'reference photo')}, "
             f"{_counted(facts.confirmed, 'confirmed face')}){' (hidden)' if facts.hidden else ''}"]
    for word, moment in (("first photo", facts.first), ("latest photo", facts.latest)):
        if moment is not None:
            lines.append(f"  {word}: {_day(moment.taken)}{' in ' + moment.place if moment.place else ''} ({moment.path})")
    lines.append(f"  often with: {_tallies(facts.often_with)}")
    lines.append(f"  years: {_tallies(facts.years)}"
                 + (f" ({_counted(facts.undated)} without a date)" if facts.undated else ""))
    lines.append(f"  places: {_tallies(facts.places)}"
                 + (f" ({_counted(facts.unplaced)} without a GPS position)" if facts.unplaced else ""))
    data = asdict(facts)
    data["often_with"] = [{"id": int(t.key), "name": t.label, "photos": t.photos} for t in facts.often_with]
    data["years"] = [{"year": int(t.key), "photos": t.photos} for t in facts.years]
    data["places"] = [{"place": t.label, "photos": t.photos} for t in facts.places]
    emit(data, as_json, printable("\n".join(lines)))
