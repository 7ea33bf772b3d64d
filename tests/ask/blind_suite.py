"""The blind question suite (``blind_suite.json``: questions written before reading the question
reader, expectations as meanings that ``blind_oracle.py`` evaluates on the suite's own library):
the library built, every question asked, each judged.

Each question is judged **right** (the expected answer), **refused_ok** (a refusal where one is
expected, or where the question is marked vague), **refused** (a refusal where an answer was
expected), **wrong** (an answer, not the expected one: the silent wrong answer) or **crash**
(anything else). Every refusal's suggested rewrite is parsed too: one that is refused is a
**bad_rewrite**.

    python -m tests.ask.blind_suite LIBRARY_DIR [--build] [--split tuning|held_out|all] [--round 2|3] [-v]

Round 2 is ``blind_suite.json``'s questions; round 3 (``blind_round3.json``) asks new shapes of
question on the same library.

The photos are small JPEGs whose EXIF date and GPS position the builder writes at known spots
(``places`` of the JSON), read back by the scan's own reader; faces and verdicts are written
into the database, left to right; a ``.mp4`` / ``.mov`` is stored as a video.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path

from tests.ask import blind_oracle as O
from tests.ask.big_suite import leading_count

WIDTH, HEIGHT = 4000, 3000
DISPLAY = {key: " ".join(w.capitalize() for w in name.split("_")) for key, name in O.PEOPLE.items()}
TODAY = O.TODAY
ANSWERABLE_NOT = ("refuse", "ambiguous", "unknown")
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
          "December"]


# --- the library ---------------------------------------------------------------------------------
def _jpeg(path: Path, item: O.Item, index: int) -> Path:
    from PIL import Image

    from tests.ask.photo_library import write_copy

    path.parent.mkdir(parents=True, exist_ok=True)
    source = path.with_name(f".source{index}.png")
    shade = (index * 37) % 256
    Image.new("RGB", (64, 48), (shade, 255 - shade, (shade * 7) % 256)).save(source)
    where = tuple(O.PLACES[item.place]["gps"]) if item.place else None
    write_copy(source, path, item.taken, where)
    source.unlink()
    return path


def _facts(path: Path) -> tuple:
    from plvm_photos.indexing.facts import read_facts

    f = read_facts(str(path))
    taken = f.taken.strftime("%Y-%m-%d %H:%M:%S.%f") if f.taken else None
    return (taken, f.source if f.taken else None, f.lat, f.lon, f.place_id, f.place_name, f.admin1, f.admin1_code,
            f.country_code, f.country)


def _box(k: int, faces: int) -> tuple[int, int, int, int]:
    """The ``k``-th of ``faces`` faces, left to right, side by side as people stand in a photo
    (300 px wide, 150 px apart: close enough to be talking)."""
    left = WIDTH // 2 - faces * 450 // 2 + k * 450
    return left, 1000, left + 300, 1300


def _pose(item: O.Item, k: int) -> str:
    """What the people-pose stage would have stored for the ``k``-th face (left to right) of
    ``item``: the suite's cues as face mesh numbers (``engines/face/cues.py``)."""
    from plvm_photos.engines.face.cues import FaceCues, PersonCues

    who = item.people[k] if k < len(item.people) else None
    cues = item.cues
    toward = 0.0  # + = toward the image's right
    for kind in ("talking", "facing"):
        for a, b in cues.get(kind, []):
            if who in (a, b):
                other = b if who == a else a
                toward = 30.0 if item.people.index(other) > k else -30.0
    smiling = who in cues.get("smiling", [])
    looking = who in cues.get("looking_at_camera", [])
    talking = any(who in pair for pair in cues.get("talking", []))
    closed = who in cues.get("eyes_closed", [])
    face = FaceCues(score=0.99, yaw_deg=toward, pitch_deg=0.0, roll_deg=0.0, mouth_open=0.12 if talking else 0.01,
                    mouth_width=0.75 if smiling else 0.5, smile_lift=0.05 if smiling else -0.02,
                    eye_open_left=0.03 if closed else 0.3, eye_open_right=0.03 if closed else 0.3,
                    gaze_yaw_deg=0.0 if looking else (toward * 1.2 if toward else 40.0), gaze_pitch_deg=-20.0,
                    eye_span_px=100.0)
    return PersonCues(face, None).to_json()


def build(root: Path) -> dict[str, str]:
    """The library at ``root``; returns place key -> the place name its GPS spot geocodes to."""
    from plvm_photos.library import Library
    from plvm_photos.positions import PlacedPerson, caption
    from plvm_photos.store.layout import DB_FILE

    root = Path(root)
    Library(root).close()
    photo_root = (root / "photos").resolve()
    conn = sqlite3.connect(root / DB_FILE)
    place_names: dict[str, str] = {}
    with conn:
        ids = {}
        for cid, (key, name) in enumerate(O.PEOPLE.items(), start=1):
            ids[key] = cid
            conn.execute("INSERT INTO concepts (id, name, display, kind, created_at) VALUES (?, ?, ?, 'person', '2026-01-01')",
                         (cid, name, DISPLAY[key]))
        region = 0
        for pid, item in enumerate(O.ITEMS, start=1):
            path = photo_root / item.file
            probe = _jpeg(path.with_name(f".probe{pid}.jpg"), item, pid)
            facts = _facts(probe)
            if item.file.lower().endswith((".jpg", ".jpeg")):
                probe.rename(path)
            else:
                path.write_bytes(probe.read_bytes())
                probe.unlink()
            if item.place:
                place_names[item.place] = facts[5]
            faces = len(item.people) + item.strangers
            placed = [PlacedPerson(DISPLAY[key], _box(k, faces)) for k, key in enumerate(item.people)]
            conn.execute(
                "INSERT INTO photos (id, sha256, width, height, engine, caption, analyzed_at, taken_at, taken_source, lat, lon, "
                "place_id, place_name, admin1, admin1_code, country_code, country, facts_version, kind, duration) "
                "VALUES (?, ?, ?, ?, 'face', ?, '2026-01-01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (pid, f"{pid:064x}", WIDTH, HEIGHT, caption(placed, item.strangers, WIDTH, HEIGHT), *facts,
                 "video" if item.video else "photo", 30.0 if item.video else None))
            conn.execute("INSERT INTO files (id, path, photo_id, size, mtime_ns, missing, seen_at) "
                         "VALUES (?, ?, ?, 1000, 1, 0, '2026-01-01')", (pid, str(path), pid))
            for k in range(faces):
                region += 1
                left, top, right, bottom = _box(k, faces)
                segments = json.dumps([[2.0 + k, 12.0 + k]]) if item.video else None
                conn.execute("INSERT INTO regions (id, photo_id, kind, \"left\", top, \"right\", bottom, score, vector, segments) "
                             "VALUES (?, ?, 'face', ?, ?, ?, ?, 0.9, ?, ?)",
                             (region, pid, left, top, right, bottom, b"\0" * 512, segments))
                conn.execute("INSERT INTO region_poses (region_id, cues) VALUES (?, ?)", (region, _pose(item, k)))
                if k < len(item.people):
                    conn.execute("INSERT INTO verdicts (photo_id, concept_id, region_id, present, score, distance, engine) "
                                 "VALUES (?, ?, ?, 1, 0.95, 0.3, 'face')", (pid, ids[item.people[k]], region))
    conn.close()
    (root / "blind_places.json").write_text(json.dumps(place_names), encoding="utf-8")
    return place_names


# --- judging ---------------------------------------------------------------------------------------
def _files(data: dict) -> set[str]:
    return {Path(p["path"]).name for p in data.get("photos", [])}


def _said(text: str) -> set[str]:
    """The people named in ``text`` (``<Display Name>``), as keys."""
    by_display = {d.casefold(): k for k, d in DISPLAY.items()}
    return {by_display[n.casefold()] for n in re.findall(r"<([^<>]+)>", text) if n.casefold() in by_display}


def _day(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _yes(answer: str) -> bool | None:
    low = answer.strip().lower()
    if low.startswith("yes"):
        return True
    if low.startswith("no"):
        return False
    return None


_COUNTRIES = ("united states", "japan", "france", "australia")
# the cities whose parts the spots geocode to, as answers that group by city may name them
_CITY_OF = {"PAS": "Los Angeles", "TYO": "Tokyo", "YOK": "Yokohama", "MAN": "New York", "BRK": "New York",
            "PAR": "Paris", "VER": "Versailles", "SYD": "Sydney"}


def _new_york(keys: set[str]) -> set[str]:
    return {"MAN" if k == "BRK" else k for k in keys}


def _places_said(text: str, places: dict[str, str]) -> set[str]:
    """The place keys ``text`` names: by the name a spot geocodes to, its city, or the suite's
    own name of it. Manhattan and Brooklyn are both "New York": either is said by it."""
    low = text.lower()
    said = set()
    for key, spec in O.PLACES.items():
        names = [places.get(key, ""), _CITY_OF[key], spec["names"][0]]
        if any(n and n.lower() in low for n in names):
            said.add(key)
    return said


def judge_answer(expect: dict, data: dict, places: dict[str, str]) -> bool:
    """Whether the answer ``data`` (``Answer.as_dict()``) is the expected one."""
    kind, value = next(iter(expect.items()))
    want = O.expected(expect)
    answer = data.get("answer", "")
    head = answer.split("\n", 1)[0]
    intent = (data.get("query") or {}).get("intent")
    if kind == "photos":
        return intent == "list" and _files(data) == want
    if kind == "exists":
        if intent == "exists":
            return _yes(answer) == bool(want) and _files(data) in (want, set())
        return intent == "list" and _files(data) == want
    if kind in ("count", "file_faces", "registered", "number"):
        return intent in ("count", "people_count") and leading_count(answer) == want
    if kind in ("yes",) or kind == "relation":
        return _yes(answer) == want
    if kind in ("who_in", "file_people", "people"):
        if kind == "people":
            want = set(value)
            answer = head = re.sub(r"\(besides [^)]*\)", "", head)
        one_photo = kind == "file_people" or (isinstance(value, dict) and "file" in value)
        return _said(answer if one_photo else head) == set(want)
    if kind == "with":  # a ranking of the people with <value>: everyone said but <value>
        return _said(head) - {value} == want
    if kind in ("top_with", "position") or (kind == "most" and value == "person"):
        asked = {value} if kind == "top_with" else set()
        return _said(head.split("; then", 1)[0]) - asked == {want}
    if kind == "more":
        said = re.findall(r"<([^<>]+)>", head)
        return bool(said) and said[0].casefold() == DISPLAY[want].casefold()
    if kind == "neighbours":
        return _said(head) - {value[1]} == want
    if kind == "most":
        lead = head.split("; then", 1)[0]
        if value == "city":
            return _places_said(lead, places) == {k for k, p in O.PLACES.items() if p["names"][0] == want}
        return str(want) in lead.split("(")[0]
    if kind == "pick":
        file = want
        taken = O.by_file(file).taken
        return _files(data) == {file} or (taken is not None and _day(taken.date().isoformat()) in head)
    if kind in ("recent", "sorted"):
        return intent == "list" and [Path(p["path"]).name for p in data.get("photos", [])] == want
    if kind == "places_of":
        if "countr" in head.split(":", 1)[0]:
            countries = {O.PLACES[k]["names"][-2] for k in want}
            return {c for c in _COUNTRIES if c in head.lower()} == countries
        said = _places_said(head, places)
        return said == want or _new_york(said) == _new_york(want)
    if kind == "years_of":
        said = {int(y) for y in re.findall(r"\b(20[0-9]{2})\b", answer.split("\n", 1)[0])}
        return said == want
    if kind == "file_place":
        if want is None:
            return "no gps" in answer.lower() or "no location" in answer.lower() or "without" in answer.lower()
        return places[want] in head
    if kind == "file_date":
        if want is None:
            return "no date" in answer.lower()
        return _day(want) in head
    if kind == "oldest":
        return [Path(p["path"]).name for p in data.get("photos", [])] == value
    raise ValueError(kind)


def _meaning_holds(expect: dict, query) -> bool:
    """A cue question: the parsed people, cues and filters are the expected ones."""
    from plvm_photos.ask.query import AllOf, Person

    meaning = expect["meaning"]
    by_display = {d.casefold(): k for k, d in DISPLAY.items()}
    key = lambda name: by_display.get(name.casefold(), name)  # noqa: E731
    wanted_people = meaning["people"]["all"]
    people = query.people
    items = people.items if isinstance(people, AllOf) else (people,)
    if not all(isinstance(p, Person) for p in items) or {key(p.name) for p in items} != set(wanted_people):
        return False
    def each(kind, people):  # a kind said of each person ("<a> and <b> are smiling") is one cue per person
        return [(kind, (p,)) for p in sorted(people)] if kind in O.PERSON_CUES else [(kind, tuple(sorted(people)))]

    cues = sorted(c for cue in query.cues for c in each(cue.kind, [key(n) for n in cue.people]))
    wanted = sorted(c for kind, who in meaning["cues"] for c in each(kind, who))
    if cues != wanted:
        return False
    where = meaning.get("where", {})
    return (query.time is not None) == ("year" in where or "between" in where) and (query.place is not None) == ("in" in where)


def _right_with_strangers_by(expects: list[dict], data: dict, places: dict[str, str]) -> bool:
    """"<a> alone" where a stranger's face may be there too, as the project documents it."""
    if not any("only" in str(e) for e in expects):
        return False
    O.STRANGERS_MAY_STAND_BY = True
    try:
        return any(judge_answer(e, data, places) for e in expects)
    finally:
        O.STRANGERS_MAY_STAND_BY = False


def classify(question: dict, ask, parse, places: dict[str, str]) -> tuple[str, str]:
    """(verdict, what was answered or why) for one question of the suite."""
    from plvm_photos.ask.present import failure
    from plvm_photos.ask.query import QuestionError
    from plvm_photos.errors import LibraryError

    expect = question["expect"]
    kind = next(iter(expect))
    text = question["q"]
    try:
        if kind == "meaning":
            query = parse(text)
            if not _meaning_holds(expect, query):
                return "wrong", json.dumps(query.as_dict())[:300]
            try:
                found = ask(text)
            except QuestionError as refused:  # a kind judged unreliable is refused with its figures
                return ("right" if "not judged yet" in str(refused) else "refused"), str(refused)
            want = O.expected_cues(expect["meaning"])
            if want is None:  # "next to": decided by the faces' geometry, not by the suite's cues
                return "right", found.answer[:200]
            data = found.as_dict()
            if query.intent == "count":
                return ("right" if leading_count(found.answer) == len(want) else "wrong"), found.answer[:300]
            if query.intent in ("exists", "is_in"):
                return ("right" if _yes(found.answer) == bool(want) else "wrong"), found.answer[:300]
            return ("right" if _files(data) == want else "wrong"), found.answer[:300]
        found = ask(text)
        data = json.loads(json.dumps(found.as_dict()))
    except (LibraryError, ValueError) as exc:
        line, code = failure(exc)
        if isinstance(exc, QuestionError) and exc.suggestion and not exc.corrected:
            try:
                parse(exc.suggestion)
            except QuestionError:
                return "bad_rewrite", line
        if isinstance(exc, QuestionError) and exc.corrected and kind not in ANSWERABLE_NOT and kind != "meaning":
            try:  # "did you mean ...": right where the corrected question is answered right
                again = json.loads(json.dumps(ask(exc.suggestion).as_dict()))
            except (LibraryError, ValueError):
                again = None
            if again is not None and any(judge_answer(e, again, places) for e in [expect, *question.get("alt", [])]):
                return "corrected", line
        if kind in ANSWERABLE_NOT:
            if kind == "ambiguous" and not all(DISPLAY[k].casefold() in line.casefold() for k in expect["ambiguous"]):
                return "refused", line  # refused, but without naming the candidates
            return "right", line
        return ("refused_ok" if question.get("accept_refusal") else "refused"), line
    except Exception as exc:  # noqa: BLE001 - a crash is what is counted here
        return "crash", f"{type(exc).__name__}: {exc}"
    if kind in ANSWERABLE_NOT:
        return "wrong", data["answer"][:300]
    expects = [expect, *question.get("alt", [])]
    if any(judge_answer(e, data, places) for e in expects) or _right_with_strangers_by(expects, data, places):
        return "right", data["answer"][:200]
    return "wrong", data["answer"][:300]


ROUNDS = {"2": "blind_suite.json", "3": "blind_round3.json"}  # the questions of each blind round, on one library


def questions_of(round_: str = "2") -> list[dict]:
    if round_ == "2":
        return O.SUITE["questions"]
    return json.loads((Path(__file__).with_name(ROUNDS[round_])).read_text(encoding="utf-8"))["questions"]


def run(root: Path, split: str = "tuning", round_: str = "2") -> dict[str, list[tuple[dict, str]]]:
    """Every question of ``split`` (tuning | held_out | all) of blind round ``round_`` asked
    in-process on the library at ``root``: verdict -> [(question, detail)]. A refusal whose "did
    you mean" question is answered right is **corrected** (counted apart from right)."""
    from plvm_photos.ask.answer import answer_question, parse_question
    from plvm_photos.ask.reader import Reader
    from plvm_photos.store.layout import DB_FILE

    places = json.loads((Path(root) / "blind_places.json").read_text(encoding="utf-8"))
    conn = sqlite3.connect(f"file:{Path(root) / DB_FILE}?mode=ro", uri=True, check_same_thread=False)
    db = Reader(conn)
    ask = lambda text: answer_question(db, text, TODAY)  # noqa: E731
    parse = lambda text: parse_question(db, text, TODAY)  # noqa: E731
    verdicts: dict[str, list] = {k: [] for k in ("right", "refused_ok", "corrected", "refused", "wrong", "crash", "bad_rewrite")}
    try:
        for question in questions_of(round_):
            if split != "all" and question["split"] != split:
                continue
            verdict, detail = classify(question, ask, parse, places)
            verdicts[verdict].append((question, detail))
    finally:
        conn.close()
    return verdicts


def report(verdicts: dict, verbose: bool = False) -> str:
    total = sum(len(v) for v in verdicts.values())
    answerable = sum(1 for v in verdicts.values() for q, _ in v if next(iter(q["expect"])) not in ANSWERABLE_NOT)
    right_answerable = sum(1 for k in ("right", "refused_ok") for q, _ in verdicts[k]
                           if next(iter(q["expect"])) not in ANSWERABLE_NOT)
    corrected = sum(1 for q, _ in verdicts.get("corrected", []) if next(iter(q["expect"])) not in ANSWERABLE_NOT)
    lines = [f"questions: {total}, answerable: {answerable}, answerable right (vague ones refused counted right): "
             f"{right_answerable} = {100 * right_answerable / max(answerable, 1):.1f} %"
             + (f"; with the corrected ('did you mean', answered right as corrected): {right_answerable + corrected} = "
                f"{100 * (right_answerable + corrected) / max(answerable, 1):.1f} %" if corrected else "")]
    lines += [f"  {kind}: {len(items)}" for kind, items in verdicts.items()]
    for kind in ("wrong", "crash", "bad_rewrite", "refused") + (("refused_ok", "corrected") if verbose else ()):
        lines += [f"  [{kind}] {q['q']!r} ({q['family']}) -> {detail}" for q, detail in verdicts[kind]]
    return "\n".join(lines)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--split", choices=["tuning", "held_out", "all"], default="tuning")
    parser.add_argument("--round", choices=sorted(ROUNDS), default="2", help="which blind round's questions")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if args.build:
        build(Path(args.library))
    print(report(run(Path(args.library), args.split, args.round), args.verbose))


if __name__ == "__main__":
    sys.exit(main())
