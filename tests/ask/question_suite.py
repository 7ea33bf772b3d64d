"""Questions people ask, with answers known by construction on ``photo_library``'s photos.

Each question is asked through the real command line (``plvm-photos -L LIB ask QUESTION --json``)
and judged from its exit code and JSON: **right** (the expected answer, or a refusal where one is
expected), **refused** (exit 3 or another one-line error where an answer was expected), or
**wrong** (an answer, but not the expected one: the silent wrong answer the issue is about).

    python -m tests.ask.question_suite LIBRARY_DIR [--python PY]   # prints the three shares

``--python`` runs another interpreter (e.g. one whose PYTHONPATH holds an older checkout), which
is how the before/after numbers in the report were taken on the same photos.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import dataclass

ALL = frozenset(
    ["two_people.jpg", "obama_and_biden.jpg", "kit_with_rose.jpg", "obama.jpg", "obama2.jpg", "obama3.jpg", "biden.jpg",
     "johnsnow.jpg", "angelina_sydney_july.jpg", "angelina_sydney_january.jpg", "angelina_tokyo.jpg", "couple_kyoto.jpg",
     "katy_la.jpg", "katy_santa_monica.jpg", "stranger_paris.jpg", "stranger_undated.jpg"]
)
OBAMA = frozenset(["two_people.jpg", "obama_and_biden.jpg", "obama.jpg", "obama2.jpg", "obama3.jpg"])
BIDEN = frozenset(["two_people.jpg", "obama_and_biden.jpg", "biden.jpg"])
ANGELINA = frozenset(["angelina_sydney_july.jpg", "angelina_sydney_january.jpg", "angelina_tokyo.jpg", "couple_kyoto.jpg"])
KATY = frozenset(["katy_la.jpg", "katy_santa_monica.jpg"])
KIT = frozenset(["kit_with_rose.jpg", "johnsnow.jpg"])


@dataclass(frozen=True)
class Expect:
    """What a right answer is. ``kind``: photos (exactly these files) | count | yes | no | people
    (who is in the photo) | side (a word the answer must use, and only that photo) | refuse."""

    kind: str
    value: object = None


def photos(*names) -> Expect:
    return Expect("photos", frozenset(names[0]) if len(names) == 1 and not isinstance(names[0], str) else frozenset(names))


SUITE: list[tuple[str, Expect]] = [
    # people: and, or, not, only, without
    ("photos with <obama>", photos(OBAMA)),
    ("photos of <Obama> or <biden>", photos(OBAMA | BIDEN)),
    ("photos with <obama> and <biden>", photos("two_people.jpg", "obama_and_biden.jpg")),
    ("photos with <obama> but not <biden>", photos("obama.jpg", "obama2.jpg", "obama3.jpg")),
    ("photos without <obama>", photos(ALL - OBAMA)),
    ("photos of only <obama> and <biden>", photos("two_people.jpg", "obama_and_biden.jpg")),
    ("<obama> alone", photos("obama.jpg", "obama2.jpg", "obama3.jpg")),
    ("photos with neither <obama> nor <biden>", photos(ALL - OBAMA - BIDEN)),
    ("photos of <kit> or <Rosé>", photos(KIT)),
    ("photos of <angelina>, <katy>, or <kit>", photos(ANGELINA | KATY | KIT)),
    ("how many photos of <obama>?", Expect("count", 5)),
    ("how many pictures with <obama> and <biden> do I have?", Expect("count", 2)),
    # time
    ("photos from 2019", photos("two_people.jpg", "obama.jpg", "johnsnow.jpg", "angelina_sydney_july.jpg", "katy_santa_monica.jpg", "stranger_paris.jpg")),
    ("photos of <obama> in 2019", photos("two_people.jpg", "obama.jpg")),
    ("photos of <obama> in July 2019", photos("two_people.jpg")),
    ("photos from summer 2019", photos("two_people.jpg", "johnsnow.jpg", "katy_santa_monica.jpg", "stranger_paris.jpg", "angelina_sydney_january.jpg")),
    ("photos from the winter of 2019", photos("obama.jpg", "obama_and_biden.jpg", "angelina_sydney_july.jpg")),
    ("how many photos of <obama> were taken in 2020?", Expect("count", 1)),
    ("photos of <obama> before 2020", photos("two_people.jpg", "obama.jpg")),
    ("photos of <obama> since 2020", photos("obama_and_biden.jpg", "obama2.jpg")),
    ("photos from 2018 to 2019", photos("kit_with_rose.jpg", "two_people.jpg", "obama.jpg", "johnsnow.jpg", "angelina_sydney_july.jpg", "katy_santa_monica.jpg", "stranger_paris.jpg")),
    ("photos of <biden> between 2020 and 2021", photos("obama_and_biden.jpg", "biden.jpg")),
    ("photos on 2019-07-14", photos("two_people.jpg")),
    ("photos of <angelina> in May 2022", photos("angelina_tokyo.jpg", "couple_kyoto.jpg")),
    ("photos of <katy> since March 2021", photos("katy_la.jpg")),
    ("photos of <obama> or <biden> in 2020", photos("obama_and_biden.jpg", "biden.jpg")),
    ("photos from yesterday", photos()),
    # place
    ("photos in Paris", photos("two_people.jpg", "stranger_paris.jpg")),
    ("photos of <obama> in France", photos("two_people.jpg")),
    ("photos of <obama> in the United States", photos("obama_and_biden.jpg", "obama.jpg", "obama2.jpg")),
    ("photos in California", photos(KATY)),
    ("photos in Los Angeles", photos(KATY)),
    ("photos near Tokyo", photos("angelina_tokyo.jpg")),
    ("photos of <angelina> in Japan", photos("angelina_tokyo.jpg", "couple_kyoto.jpg")),
    ("photos of <angelina> in Australia", photos("angelina_sydney_july.jpg", "angelina_sydney_january.jpg")),
    ("photos in the UK", photos(KIT)),
    ("photos in Scotland", photos("kit_with_rose.jpg")),
    ("how many photos in Japan?", Expect("count", 2)),
    ("photos within 100 km of Kyoto", photos("couple_kyoto.jpg")),
    ("photos of <obama> in Paris in 2019", photos("two_people.jpg")),
    ("photos of <katy> in Los Angeles in 2021", photos("katy_la.jpg")),
    ("photos of <obama> without <biden> in the United States", photos("obama.jpg", "obama2.jpg")),
    # one photo: who, is, where, which, left/right/next to; by name, tail of a path
    ("who is in two_people.jpg?", Expect("people", frozenset(["obama", "biden"]))),
    ("who is in chicago/obama2.jpg?", Expect("people", frozenset(["obama"]))),
    ("is <obama> in two_people.jpg?", Expect("yes")),
    ("is <kit> in two_people.jpg?", Expect("no")),
    ("is <obama> or <kit> in biden.jpg?", Expect("no")),
    ("is <obama> or <biden> in biden.jpg?", Expect("yes")),
    ("are <kit> and <rosé> in kit_with_rose.jpg?", Expect("yes")),
    ("are <kit> and <biden> in kit_with_rose.jpg?", Expect("no")),
    ("where is <biden> in two_people.jpg?", Expect("side", ("two_people.jpg", "right"))),
    ("which person is <obama> in 2019/paris/two_people.jpg?", Expect("side", ("two_people.jpg", "left"))),
    ("where is <obama> in obama_and_biden.jpg?", Expect("side", ("obama_and_biden.jpg", "middle"))),
    ("who is right of <obama> in two_people.jpg?", Expect("people", frozenset(["biden"]))),
    ("who is left of <obama> in two_people.jpg?", Expect("people", frozenset())),
    ("who is left of <kit> in kit_with_rose.jpg?", Expect("people", frozenset(["rosé"]))),
    ("who is next to <ROSÉ> in kit_with_rose.jpg?", Expect("people", frozenset(["kit"]))),
    # what must be refused, never answered
    ("photos of <obama> in Narnia", Expect("refuse")),
    ("whre is <obama>?", Expect("refuse")),
    ("photos of <obama> or", Expect("refuse")),
    ("photos of <obama> in 2019 in 2020", Expect("refuse")),
]


def key(name: str) -> str:
    return unicodedata.normalize("NFKC", name.strip().strip("<>")).casefold().replace(" ", "_")


def _names_in(text: str) -> set[str]:
    return {key(n) for n in re.findall(r"<([^<>]+)>", text)}


def _count(answer: str) -> int | None:
    match = re.match(r"^\s*(\d+|no) (?:photo|picture)", answer, re.I)
    if match is None:
        return None
    return 0 if match.group(1).lower() == "no" else int(match.group(1))


def _files(data: dict) -> set[str]:
    return {p["path"].rsplit("/", 1)[-1] for p in data.get("photos", [])}


def judge(question: str, expect: Expect, code: int, stdout: str) -> str:
    """right | refused | wrong (see the module docstring)."""
    if code != 0:
        return "right" if expect.kind == "refuse" else "refused"
    if expect.kind == "refuse":
        return "wrong"
    try:
        data = json.loads(stdout)
    except ValueError:
        return "wrong"
    answer = data.get("answer", "")
    if expect.kind == "photos":
        return "right" if _files(data) == set(expect.value) else "wrong"
    if expect.kind == "count":
        return "right" if _count(answer) == expect.value else "wrong"
    if expect.kind in ("yes", "no"):
        return "right" if answer.lower().startswith(expect.kind) else "wrong"
    if expect.kind == "people":
        if question.startswith("who is in"):
            said = {key(n) for n in data["photos"][0]["people"]} if data.get("photos") else set()
        else:  # "who is left of <a> in FILE": that photo, and the names the answer gives other than <a>
            if len(_files(data)) != 1 or next(iter(_files(data))) not in question:
                return "wrong"
            said = _names_in(answer.split(" in ", 1)[0]) - _names_in(question)
        return "right" if said == set(expect.value) else "wrong"
    if expect.kind == "side":
        file, word = expect.value
        return "right" if _files(data) == {file} and re.search(rf"\b{word}\b", answer) else "wrong"
    raise ValueError(expect.kind)


def ask(python: list[str], library: str, question: str, env: dict | None = None) -> tuple[int, str, str]:
    done = subprocess.run([*python, "-L", library, "ask", question, "--json"], capture_output=True, text=True, env=env, timeout=120)
    return done.returncode, done.stdout, done.stderr


def run(python: list[str], library: str, env: dict | None = None) -> dict[str, list[str]]:
    verdicts: dict[str, list[str]] = {"right": [], "refused": [], "wrong": []}
    for question, expect in SUITE:
        code, out, _err = ask(python, library, question, env)
        verdicts[judge(question, expect, code, out)].append(question)
    return verdicts


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("library")
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    verdicts = run([args.python, "-m", "plvm_photos.launcher"], args.library)
    total = len(SUITE)
    for kind in ("right", "refused", "wrong"):
        print(f"{kind}: {len(verdicts[kind])}/{total} = {100 * len(verdicts[kind]) / total:.1f} %")
    for kind in ("refused", "wrong"):
        for question in verdicts[kind]:
            print(f"  {kind}: {question}")


if __name__ == "__main__":
    main()
