"""The registered people as a question may name them: ``<sheldon_cooper>``, ``Sheldon Cooper``,
``sheldon``, ``Sheldon's``, a unique prefix (``shel``), brackets optional.

The parser is handed the roster (the registered names) and never reads the database itself, so a
parse is a pure function of the question, the day and the names. A name written between < and >
must name somebody: an unknown one is refused with the closest registered names, an ambiguous
one with its candidates. A bare word is a person only when it names exactly one registered person
(a full name, a first name or another whole word of one, or a prefix of four letters or more).
"""

from __future__ import annotations

from dataclasses import dataclass

from plvm_photos.names import key_of

MIN_PREFIX = 4


@dataclass(frozen=True)
class Registered:
    key: str  # concepts.name
    display: str  # as registered, e.g. "Sheldon Cooper"

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for w in self.key.replace("-", "_").split("_") if w)

    @property
    def written(self) -> str:
        """The name as a question writes it: "<Sheldon Cooper>"."""
        return f"<{self.display}>"


def _key(text: str) -> str:
    text = " ".join(text.replace("_", " ").split())
    return key_of(text) if text else ""


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (a swap of neighbours counts as one edit)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


class Roster:
    """The registered people, for reading names in questions."""

    def __init__(self, people: list[tuple[str, str]] | tuple = ()):
        self.people = [Registered(key, display or key) for key, display in people]
        self._by_key = {p.key: p for p in self.people}
        self._by_word: dict[str, list[Registered]] = {}
        for p in self.people:
            for word in dict.fromkeys(p.words):
                self._by_word.setdefault(word, []).append(p)
        self.longest = max((len(p.words) for p in self.people), default=1)

    def __bool__(self) -> bool:
        return bool(self.people)

    def exact(self, text: str) -> Registered | None:
        return self._by_key.get(_key(text))

    def matches(self, text: str, prefixes: bool = True) -> list[Registered]:
        """Everyone ``text`` may name: the full name, else a whole word of the name (first name,
        last name), else (``prefixes``) a prefix of the full name or of one of its words."""
        key = _key(text)
        if not key:
            return []
        if key in self._by_key:
            return [self._by_key[key]]
        words = tuple(w for w in key.split("_") if w)
        if len(words) == 1 and words[0] in self._by_word:
            return list(self._by_word[words[0]])
        if len(words) > 1:  # "sheldon cooper" for <sheldon_lee_cooper>: every word, in order
            found = [p for p in self.people if _in_order(words, p.words)]
            if found:
                return found
        if prefixes and len(key) >= MIN_PREFIX:
            return [p for p in self.people if p.key.startswith(key) or any(w.startswith(key) for w in p.words)]
        return []

    def closest(self, text: str, limit: int = 3) -> list[Registered]:
        """The registered people whose names are nearest ``text`` (for "did you mean")."""
        return (self.near(text, limit) or self._scored(text))[:limit]

    def near(self, text: str, limit: int = 3) -> list[Registered]:
        """The registered people whose names ``text`` may misspell (a shared start or at most half
        its letters changed): none for "dogs" when nobody is called anything like it."""
        return [p for p in self._scored(text, near_only=True)][:limit]

    def _scored(self, text: str, near_only: bool = False) -> list[Registered]:
        key = _key(text)
        scored = []
        for p in self.people:
            candidates = [p.key, *p.words]
            distance = min(edit_distance(key, c) for c in candidates)
            shared = any(c[:3] == key[:3] for c in candidates) and len(key) >= 3  # "bernie": <Bernadette> first
            scored.append((not shared, distance / max(len(key), 1), p.key, p))
        scored.sort(key=lambda s: (s[0], s[1], s[2]))
        if near_only:
            return [p for unshared, score, _, p in scored if not unshared or score <= 0.5]
        return [p for *_, p in scored]


def _in_order(words: tuple[str, ...], name: tuple[str, ...]) -> bool:
    position = 0
    for word in words:
        try:
            position = name.index(word, position) + 1
        except ValueError:
            return False
    return True
