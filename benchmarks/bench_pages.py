"""The gallery's page times on 100 000 photos: timeline, a month, places, a city, the photo page
with previous / next (in a month, in a city, in a question's answer, across the library), search
sorted by date, the people page, a person's page (all their photos, with someone, in a year, in a
place) and the unknown faces' grid (with nothing stored, the clustering stored, after a commit, after a
face was hidden).

A real server (``web.server.make_server`` on a loopback port, in a thread of this process) on a
synthetic library (``synth.build``: 40 people with verdicts, photos dated over 25 years and placed
around eight cities, 5 % without a date, 10 % without a position) answers each page over HTTP;
each is fetched ``repeat`` times after one untimed fetch, and the median is reported beside the
people page's (the baseline, measured in the same run). Thumbnails are not fetched (the photos'
files do not exist): the pages' HTML is what is timed.

    python -m benchmarks.bench_pages [--photos 100000] [--repeat 7] [--quick] [--pages TEXT]
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from benchmarks.common import machine, print_table

TARGET = 0.3  # seconds a page may take


@dataclass
class PagesResult:
    photos: int
    per_page: list[tuple[str, str, float, int]]  # name, path, median seconds, bytes

    @property
    def baseline(self) -> float:
        return next(t for name, _, t, _ in self.per_page if name == "people (baseline)")

    @property
    def slowest(self) -> float:
        return max(t for _, _, t, _ in self.per_page)


def _fetch(port: int, path: str) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, len(resp.read())
    finally:
        conn.close()


def pages_to_time(library) -> list[tuple[str, str]]:
    """(name, path) of each page timed, chosen from what the library holds."""
    timeline = library.timeline()
    year = timeline.years[len(timeline.years) // 2]
    month = year.months[len(year.months) // 2]
    places = library.places()
    city = places.cities[0]
    in_month = library.list_page(library.photo_list(month.key), 0, 100).photos
    photo = in_month[len(in_month) // 2].photo_id
    in_city = library.list_page(library.photo_list(city.key), 5000, 1).photos or library.list_page(
        library.photo_list(city.key), 0, 1).photos
    city_photo = in_city[0].photo_id
    question = f"photos in {month.name}"
    person = library.people()[0]
    facts = library.person(person.id)
    together, in_year, at = facts.often_with[0], facts.years[0], facts.places[0]
    return [
        ("people (baseline)", "/"),
        ("timeline", "/timeline"),
        (f"a month ({month.name}, {month.photos} photos)", f"/photos?list={month.key}"),
        ("places", "/places"),
        (f"a city ({city.name}, {city.photos} photos)", f"/photos?list={city.key}"),
        (f"a city, page 50", f"/photos?list={city.key}&page=50"),
        ("photo, prev/next in its month", f"/photo/{photo}?from={month.key}"),
        ("photo, prev/next across the library", f"/photo/{photo}"),
        ("photo, prev/next in its city", f"/photo/{city_photo}?from={city.key}"),
        ("photo, prev/next in a person's photos", f"/photo/{photo}?from=person:{person.id}"),
        ("photo, prev/next in a search", f"/photo/{photo}?from=ask:newest:{quote(question)}"),
        ("search sorted by date", f"/ask?q={quote(question)}&sort=newest"),
        (f"a person ({person.name}, {person.photos} photos)", f"/person/{person.id}"),
        (f"a person with who they are most often with ({together.photos} photos)",
         f"/person/{person.id}?with={together.key}"),
        (f"a person in a year ({in_year.key}, {in_year.photos} photos)", f"/person/{person.id}?year={in_year.key}"),
        (f"a person in a place ({at.key}, {at.photos} photos)", f"/person/{person.id}?{urlencode({'place': at.key})}"),
    ]


UNKNOWN = "/unknown"


def _time(port: int, path: str, repeat: int, before=None) -> tuple[float, int]:
    """Median seconds of ``repeat`` fetches (``before()`` run untimed before each) and the size."""
    times, size = [], 0
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        status, size = _fetch(port, path)
        times.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
    return statistics.median(times), size


def time_unknown(library, port: int, repeat: int) -> list[tuple[str, str, float, int]]:
    """The unknown faces' grid in each state it can be found in: nothing stored (answered at once,
    grouped in the background; the ids were read when the server started), the clustering stored,
    after a commit elsewhere (the face change log read: no photo's faces changed), and after a face
    was hidden (its photo's faces read again, the last clustering filtered, grouped again in the
    background). How long the background clustering takes is printed."""
    from sqlalchemy import text

    rows = []
    first, size = _time(port, UNKNOWN, 1)
    rows.append(("unknown faces: first load, nothing stored (ids read as the server started; grouped in the background)", UNKNOWN, first, size))
    started = time.perf_counter()
    library.wait_for_grouping()
    print(f"unknown faces clustered (in the background above 5000) {time.perf_counter() - started + first:.1f} s "
          "after the first load")
    _fetch(port, UNKNOWN)
    rows.append(("unknown faces: clustering stored", UNKNOWN, *_time(port, UNKNOWN, repeat)))

    def commit_elsewhere():
        with library.transaction() as s:  # a change that leaves the unknown faces as they are
            s.execute(text("UPDATE photos SET caption = caption || '.' WHERE id = 1"))
            s.execute(text("UPDATE photos SET caption = substr(caption, 1, length(caption) - 1) WHERE id = 1"))

    rows.append(("unknown faces: first load after a commit (the change log read)", UNKNOWN,
                 *_time(port, UNKNOWN, repeat, commit_elsewhere)))
    face = library.unknown_groups().clusters[0][0]
    library.mark_faces([face], "hidden")
    rows.append(("unknown faces: first load after a face was hidden (its photo read again, stale clustering filtered)", UNKNOWN,
                 *_time(port, UNKNOWN, 1)))
    started = time.perf_counter()
    library.wait_for_grouping()
    print(f"clustered again after one face was hidden: {time.perf_counter() - started:.1f} s later")
    return rows


def run(photos: int = 100_000, repeat: int = 7, only: str | None = None) -> PagesResult:
    from benchmarks.synth import build
    from plvm_photos.library import Library
    from plvm_photos.web.server import make_server

    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        synth = build(Path(tmp) / "library", photos=photos)
        library = Library(synth.root)
        server = make_server(library, "127.0.0.1", 0, None, quiet=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        try:
            per_page = []
            for name, path in pages_to_time(library):
                if only is not None and name != "people (baseline)" and only not in name:
                    continue
                status, size = _fetch(port, path)  # untimed: caches (the place index, the map's cells)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                times = []
                for _ in range(repeat):
                    started = time.perf_counter()
                    _fetch(port, path)
                    times.append(time.perf_counter() - started)
                per_page.append((name, path, statistics.median(times), size))
            if only is None or only in "unknown faces":
                per_page += time_unknown(library, port, repeat)
        finally:
            server.shutdown()
            server.server_close()
            library.close()
    result = PagesResult(photos, per_page)
    report(result, synth.seconds)
    return result


def report(r: PagesResult, build_seconds: float) -> None:
    print(f"\ngallery pages on a synthetic {r.photos}-photo library (built in {build_seconds:.1f} s), over HTTP on "
          f"loopback; median seconds; {machine()}")
    rows = [[name, f"{t * 1000:.1f}", f"{t / r.baseline:.2f}x", f"{size // 1024}", "yes" if t < TARGET else "NO"]
            for name, _, t, size in r.per_page]
    print_table(["page", "ms", "vs people page", "KiB", f"< {TARGET * 1000:.0f} ms"], rows)
    print(f"slowest page {r.slowest * 1000:.1f} ms (target < {TARGET * 1000:.0f} ms each: "
          f"{'met' if r.slowest < TARGET else 'NOT met'}); people page {r.baseline * 1000:.1f} ms")


# A smoke run (``--quick``), not the figures to report.
QUICK = {"photos": 400, "repeat": 1}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="a smoke run (400 photos), not the figures")
    parser.add_argument("--pages", metavar="TEXT", help="time only the pages whose name holds TEXT (and the people "
                        "page, the baseline), e.g. 'unknown faces'")
    args = parser.parse_args(argv)
    if args.quick:
        run(**QUICK, only=args.pages)
    else:
        run(args.photos, args.repeat, args.pages)


if __name__ == "__main__":
    main()
