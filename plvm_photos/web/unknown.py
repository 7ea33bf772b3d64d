"""The faces worth naming: every unknown face, grouped (clusters largest first, then the faces
alone), paged; and the suggestions "is this <mike>?" with one click to accept or refuse."""

from __future__ import annotations

import math

from plvm_photos.library import Library
from plvm_photos.names import show
from plvm_photos.web.layout import NO_FORMS, PageContext, action_form, face_crop, name_input, page, pager, plural
from plvm_photos.web.markup import EMPTY, Html, when

GROUPS_PER_PAGE = 24
FACES_SHOWN = 24  # of one cluster; the form names them all
SUGGESTIONS_PER_PAGE = 30


def unknown_page(library: Library, ctx: PageContext = NO_FORMS, page_no: int = 1) -> Html:
    clustering = library.cluster_unknown()
    groups = [c.faces for c in clustering.clusters] + [[f] for f in clustering.singles]
    pages = max(1, math.ceil(len(groups) / GROUPS_PER_PAGE))
    page_no = min(max(page_no, 1), pages)
    first = (page_no - 1) * GROUPS_PER_PAGE
    sections = []
    for k, faces in enumerate(groups[first : first + GROUPS_PER_PAGE], start=first + 1):
        crops = EMPTY.join(Html("<a class=card href='/photo/{}' title='{}'>{}</a>").format(f.photo_id, f.path,
                                                                                         face_crop(f.region_id))
                           for f in faces[:FACES_SHOWN])
        more = when(len(faces) > FACES_SHOWN, Html("<p class=muted>and {} more</p>").format(len(faces) - FACES_SHOWN))
        alone = len(faces) == 1
        title = "A face alone" if alone else f"{len(faces)} faces that look alike"
        form = action_form(ctx, "name", "Name this face" if alone else f"Name all {len(faces)}", name_input(),
                           "primary", region=[f.region_id for f in faces])
        sections.append(Html("<section class=group id=group-{} data-size={}><h2>{}</h2>"
                             "<div class='grid faces'>{}</div>{}{}</section>").format(k, len(faces), title, crops, more,
                                                                                     form))
    nav = pager("/unknown", page_no, pages)
    body = Html(
        "<h1>Unknown faces</h1><p class=muted id=unknown-summary>{faces} match no registered person: {groups} of "
        "faces that look alike (largest first), {alone} alone. Naming a face confirms it, and the person is looked "
        "for in every other photo. <a href='/suggestions'>Suggestions</a> are faces just too far from someone to be "
        "decided theirs.</p>{nav}{sections}{nav}"
    ).format(faces=plural(clustering.unknown_faces, "face"), groups=plural(len(clustering.clusters), "group"),
             alone=clustering.noise, nav=nav, sections=EMPTY.join(sections))
    return page("Unknown faces", body, ctx=ctx)


def suggestions_page(library: Library, ctx: PageContext = NO_FORMS, page_no: int = 1) -> Html:
    found = library.suggestions()
    pages = max(1, math.ceil(len(found) / SUGGESTIONS_PER_PAGE))
    page_no = min(max(page_no, 1), pages)
    first = (page_no - 1) * SUGGESTIONS_PER_PAGE
    cards = []
    for x in found[first : first + SUGGESTIONS_PER_PAGE]:
        yes = action_form(ctx, "name", "Yes", EMPTY, "primary", region=x.region_id, name=x.person)
        no = action_form(ctx, "reject", "No", EMPTY, "danger", photo=x.photo_id, region=x.region_id, person=x.person)
        cards.append(Html(
            "<div class='card suggestion' data-region={region}><a href='/photo/{photo}'>{crop}</a>"
            "<img src='/face/{person_id}.jpg' alt='{name}' loading=lazy>"
            "<div><b>Is this {name}?</b><br><span class=muted>distance {distance:.3f}</span><br>{yes}{no}</div></div>"
        ).format(region=x.region_id, photo=x.photo_id, crop=face_crop(x.region_id), person_id=x.concept_id,
                 name=show(x.person), distance=x.distance, yes=yes, no=no))
    nav = pager("/suggestions", page_no, pages)
    body = Html(
        "<h1>Suggestions</h1><p class=muted>{} just too far from someone to be decided theirs, nearest first. Yes "
        "confirms the face; No remembers that it is not them.</p>{}{}"
    ).format(plural(len(found), "face"), nav,
             Html("<div class='grid sgrid'>{}</div>").format(EMPTY.join(cards)) if cards
             else Html("<p class=muted>No suggestions now.</p>"))
    return page("Suggestions", body, ctx=ctx)
