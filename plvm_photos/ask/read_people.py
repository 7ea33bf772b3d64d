"""The people part of a question: who must (or must not) be in the photo, from the people named
and the words that join them, wherever they stand.

Read over the people's tokens in order, the other parts (time, place, photo) being transparent:

    people   := chunk ([with] chunk)*       (chunks one after the other: all of them; "with"
                                            binds loosest: "<a> with <b> or <c>")
    chunk    := NOT excluded | any
    excluded := atom ((and | or | ,) atom)*  (none of them: "without <a> or <b>")
    any      := all (or all)* [but not both]
    all      := one ((and | with | & | ,) one)* [alone | only | and no one else]
    one      := only atoms | solo atom | both atom and atom | either atom or atom
              | neither atom nor atom | ( people ) | atom
    atom     := a person | nobody (I know) | no one (at all) | strangers

"and" binds tighter than "or"; "but not both" makes an either-or-but-not-both; "only" and
"alone" say nobody else registered is recognised (strangers do not count).
"""

from __future__ import annotations

from dataclasses import dataclass

from plvm_photos.ask.query import AllOf, AnyOf, Nobody, NoOne, Not, Only, Person, QuestionError, Strangers


@dataclass(frozen=True)
class Item:
    """One element of the people sequence: ``kind`` person | nobody | no_one | strangers | and | or | not
    | nor | neither | either | both | only | alone | solo | xor | ( | ); ``person`` for a person;
    ``index`` of its first token."""

    kind: str
    index: int
    person: Person | None = None
    comma: bool = False  # an "and" written as a comma


class _Stuck(Exception):
    def __init__(self, item: Item | None, why: str):
        super().__init__(why)
        self.item = item
        self.why = why


class PeopleReader:
    """Builds the people expression from ``items`` (see the module docstring)."""

    def __init__(self, items: list[Item]):
        self.items = items
        self.pos = 0

    def _peek(self, offset: int = 0) -> str:
        i = self.pos + offset
        return self.items[i].kind if i < len(self.items) else ""

    def _take(self) -> Item:
        item = self.items[self.pos]
        self.pos += 1
        return item

    def read(self):
        """The expression, or None where no person is named; raises _Stuck."""
        chunks = []
        while self.pos < len(self.items):
            kind = self._peek()
            if kind == "with":
                self._take()
                continue
            if kind in ("and", "or", "alone", "xor", ")"):  # a joiner with nothing before it
                if kind == "or" and not chunks:
                    raise _Stuck(self.items[self.pos], '"or" needs a person on each side')
                if kind in ("or", "xor") and chunks:
                    self._take()
                    if self.pos >= len(self.items):
                        raise _Stuck(self.items[self.pos - 1], "the question stops too early")
                    right = self._any()
                    chunks[-1] = _either(chunks[-1], right)
                    continue
                if kind == "alone" and chunks:
                    self._take()
                    chunks[-1] = _only(chunks[-1], self.items[self.pos - 1])
                    continue
                if kind == "alone":
                    raise _Stuck(self.items[self.pos], '"alone" needs the people before it, e.g. "<a> alone"')
                self._take()
                if kind == "and" and self.pos >= len(self.items):
                    raise _Stuck(self.items[self.pos - 1], "the question stops too early")
                continue
            if kind == "not":
                self._take()
                chunks.append(Not(self._excluded()))
                continue
            chunks.append(self._any())
        if not chunks:
            return None
        flat = []
        for chunk in chunks:
            flat.extend(chunk.items if isinstance(chunk, AllOf) else (chunk,))
        return flat[0] if len(flat) == 1 else AllOf(tuple(dict.fromkeys(flat)))

    def _excluded(self):
        if self._peek() in ("", "and", "or"):
            raise _Stuck(self.items[self.pos - 1], "who to leave out is missing")
        atoms = [self._one()]
        while self._peek() in ("and", "or", "nor", "with") and self._peek(1) in ("person", "nobody", "no_one", "strangers", "("):
            self._take()
            atoms.append(self._one())
        return atoms[0] if len(atoms) == 1 else AnyOf(tuple(atoms))

    def _any(self):
        parts = [self._all()]
        while self._peek() == "or" and self._peek(1) in ("person", "nobody", "no_one", "strangers", "(", "only", "both", "either"):
            self._take()
            parts.append(self._all())
        expr = parts[0] if len(parts) == 1 else AnyOf(tuple(_flatten(AnyOf, parts)))
        if self._peek() == "xor":
            item = self._take()
            named = expr.items if isinstance(expr, (AnyOf, AllOf)) else ()
            if len(named) != 2:
                raise _Stuck(item, '"but not both" needs two people: "<a> or <b> but not both"')
            a, b = named
            expr = AnyOf((AllOf((a, Not(b))), AllOf((b, Not(a)))))
        return expr

    def _all(self):
        parts = [self._one()]
        while self._peek() == "and" and self._peek(1) in ("person", "nobody", "no_one", "strangers", "(", "only", "both", "either",
                                                          "neither"):
            self._take()
            parts.append(self._one())
        expr = parts[0] if len(parts) == 1 else AllOf(tuple(_flatten(AllOf, parts)))
        if self._peek() == "alone":
            expr = _only(expr, self._take())
        return expr

    def _one(self):
        kind = self._peek()
        if kind in ("only", "solo"):
            item = self._take()
            atoms = [self._atom()]
            while self._peek() == "and" and self._peek(1) == "person":
                self._take()
                atoms.append(self._atom())
            return _only(AllOf(tuple(atoms)) if len(atoms) > 1 else atoms[0], item)
        if kind == "both":
            self._take()
            a = self._atom()
            self._expect("and")
            return AllOf((a, self._atom()))
        if kind == "either":
            self._take()
            a = self._atom()
            self._expect("or")
            return AnyOf((a, self._atom()))
        if kind == "neither":
            self._take()
            atoms = [self._atom()]
            while self._peek() in ("nor", "or"):
                self._take()
                atoms.append(self._atom())
            return Not(AnyOf(tuple(atoms)) if len(atoms) > 1 else atoms[0])
        if kind == "(":
            item = self._take()
            inner = PeopleReader(self._until_close(item)).read()
            if inner is None:
                raise _Stuck(item, "the brackets hold nobody")
            return inner
        return self._atom()

    def _until_close(self, opening: Item) -> list[Item]:
        depth, inner = 1, []
        while self.pos < len(self.items):
            item = self._take()
            depth += item.kind == "("
            depth -= item.kind == ")"
            if depth == 0:
                return inner
            inner.append(item)
        raise _Stuck(opening, "a bracket is not closed")

    def _atom(self):
        if self.pos >= len(self.items):
            raise _Stuck(self.items[-1] if self.items else None, "the question stops too early")
        item = self._take()
        if item.kind == "person":
            return item.person
        if item.kind == "nobody":
            return Nobody()
        if item.kind == "no_one":
            return NoOne()
        if item.kind == "strangers":
            return Strangers()
        raise _Stuck(item, "a person is missing here")

    def _expect(self, kind: str) -> None:
        if self._peek() != kind and not (kind == "and" and self._peek() == "or"):
            raise _Stuck(self.items[self.pos] if self.pos < len(self.items) else self.items[-1], f'"{kind}" is missing')
        self._take()


def _flatten(kind, items) -> list:
    out = []
    for item in items:
        out.extend(item.items if isinstance(item, kind) else (item,))
    return out


def _only(expr, item: Item):
    if isinstance(expr, Only):  # "just <a>, nobody else": said twice
        return expr
    people = [expr] if isinstance(expr, Person) else list(expr.items) if isinstance(expr, AllOf) else None
    if not people or not all(isinstance(p, Person) for p in people):
        raise _Stuck(item, '"only" and "alone" go with people joined by "and"')
    return Only(tuple(dict.fromkeys(people)))


def _either(left, right):
    return AnyOf(tuple(_flatten(AnyOf, [left, right])))


def read_people(items: list[Item], text: str):
    """The people expression of ``items`` (None without anyone), or a QuestionError naming the
    part that cannot be read."""
    try:
        return PeopleReader(items).read()
    except _Stuck as stuck:
        raise QuestionError(text, stuck.why) from None
