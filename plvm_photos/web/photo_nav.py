"""What the photo page shows above the photo: previous / next within the list it was opened from,
when and where it was taken (each a link to that month's, city's and country's photos), and who is
where, worded by ``positions.caption`` (the stored captions' words).

The list travels in the link (``/photo/ID?from=KEY``): a timeline month ("month:2020-03"), a year,
a city, a country, a person ("person:3"), the photos without a date or a place, or a question's
answer ("ask:SORT:QUESTION", in the order the search page showed it). Neighbours are read on the
server; a photo opened without a list (or from a list it is not in) steps through the whole
library by date.
"""

from __future__ import annotations

from urllib.parse import quote

from plvm_photos.errors import LibraryError
from plvm_photos.library import Library, Neighbours, PhotoFaces, PhotoList
from plvm_photos.positions import PlacedPerson, caption
from plvm_photos.web.markup import EMPTY, Html, when
from plvm_photos.web.timeline_pages import from_query, taken_words

SORTS = {"": "as answered", "newest": "newest first", "oldest": "oldest first"}


def ask_key(sort: str, question: str) -> str:
    return f"ask:{sort}:{question}"


def sorted_answer(photos: list, sort: str) -> list:
    """A question's photos (``PhotoAnswer``) in the order the search page shows them: as answered
    (by path), or by the camera's date, newest or oldest first, the photos without one last."""
    if sort not in ("newest", "oldest"):
        return list(photos)
    dated = sorted((p for p in photos if p.taken), key=lambda p: (p.taken[:19], p.path), reverse=sort == "newest")
    return dated + [p for p in photos if not p.taken]


def _ask_neighbours(library: Library, key: str, photo_id: int) -> Neighbours | None:
    from plvm_photos.reads.photo_lists import neighbours_in

    sort, _, question = key[4:].partition(":")
    if sort not in SORTS or not question.strip():
        return None
    try:
        answer = library.ask(question)
    except (LibraryError, ValueError):
        return None
    photos = sorted_answer(answer.photos, sort)
    ids = library.photos_by_path([p.path for p in photos])
    ordered = list(dict.fromkeys(ids[p.path].photo_id for p in photos if p.path in ids))
    title = f"the answer to “{question}”" + (f", {SORTS[sort]}" if sort else "")
    back = f"/ask?q={quote(question)}" + (f"&sort={sort}" if sort else "")
    return neighbours_in(PhotoList(key, title, "ask", back), ordered, photo_id)


def neighbours_of(library: Library, photo_id: int, key: str) -> Neighbours | None:
    """The photo's neighbours in the list ``key`` names; else in the whole library by date."""
    found = None
    if key.startswith("ask:"):
        found = _ask_neighbours(library, key, photo_id)
    elif key:
        try:
            found = library.neighbours(library.photo_list(key), photo_id)
        except KeyError:
            found = None
    if found is None:
        found = library.neighbours(library.photo_list("all"), photo_id)
    return found


def stepper(near: Neighbours | None) -> Html:
    """← previous · 3 of 10 in March 2020 · next →"""
    if near is None:
        return EMPTY
    query = from_query(near.list.key) if near.list.kind != "all" else ""
    where = near.list.up if near.list.kind == "ask" else near.list.href if near.list.kind != "all" else "/timeline"
    prev = when(near.previous is not None, Html("<a href='/photo/{}{}' rel=prev id=prev>← previous</a>").format(
        near.previous, query))
    nxt = when(near.next is not None, Html("<a href='/photo/{}{}' rel=next id=next>next →</a>").format(near.next, query))
    return Html("<nav class=stepper aria-label='Photos of this list'>{}<span class=muted id=position>{} of {} in "
                "<a href='{}'>{}</a></span>{}</nav>").format(prev, near.position, near.total, where,
                                                               "the library, by date" if near.list.kind == "all" else near.list.title,
                                                               nxt)


def facts_line(library: Library, photo_id: int) -> Html:
    """"Taken 7 March 2020, 12:00 · Kyoto, Japan (all of Kyoto · Japan)"."""
    facts = library.when_where(photo_id)
    taken = (Html("Taken <a href='/photos?list={}' id=taken>{}</a>").format(facts.month, taken_words(facts.taken))
             if facts.taken else Html("<span id=taken>No date from the camera</span>"))
    if facts.place:
        links = [Html("<a href='/photos?list={}'>{}</a>").format(pl.key, pl.title.split(" (")[0])
                 for pl in (facts.city, facts.country) if pl is not None]
        place = Html("<span id=place>{}</span>{}").format(
            facts.place, when(links, Html(" <span class=muted>(photos in {})</span>").format(Html(" · ").join(links))))
    else:
        place = Html("<span id=place class=muted>no location</span>")
    return Html("<p class=facts>{} · {}</p>").format(taken, place)


def people_words(photo: PhotoFaces) -> str:
    """Who is where in the photo, as the stored captions word it; "" for a video (its faces are
    from frames all over the clip)."""
    if photo.kind == "video":
        return ""
    named = [PlacedPerson(f.person, f.box) for f in photo.faces if f.person]
    return caption(named, len(photo.faces) - len(named), photo.width, photo.height)
