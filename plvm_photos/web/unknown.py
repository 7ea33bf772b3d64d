"""The faces worth naming: every unknown face, grouped (clusters largest first, then the faces
alone), paged; and the suggestions "is this <mike>?" with one click to accept or refuse."""

from __future__ import annotations

import math

from plvm_photos.library import Library
from plvm_photos.names import show
from plvm_photos.web.layout import (
    NO_FORMS,
    PageContext,
    action_form,
    esc,
    face_crop,
    name_input,
    page,
    pager,
    plural,
)

GROUPS_PER_PAGE = 24
FACES_SHOWN = 24  # of one cluster; the form names them all
SUGGESTIONS_PER_PAGE = 30


def unknown_page(library: Library, ctx: PageContext = NO_FORMS, page_no: int = 1) -> str:
    from plvm_photos.curation.clusters import cluster_unknown

    clustering = cluster_unknown(library)
    groups = [c.faces for c in clustering.clusters] + [[f] for f in clustering.singles]
    pages = max(1, math.ceil(len(groups) / GROUPS_PER_PAGE))
    page_no = min(max(page_no, 1), pages)
    first = (page_no - 1) * GROUPS_PER_PAGE
    sections = []
    for k, faces in enumerate(groups[first : first + GROUPS_PER_PAGE], start=first + 1):
        crops = "".join(
            f"<a class=card href='/photo/{f.photo_id}' title='{esc(f.path)}'>{face_crop(f.region_id)}</a>"
            for f in faces[:FACES_SHOWN]
        )
        more = f"<p class=muted>and {len(faces) - FACES_SHOWN} more</p>" if len(faces) > FACES_SHOWN else ""
        alone = len(faces) == 1
        title = "A face alone" if alone else f"{len(faces)} faces that look alike"
        form = action_form(ctx, "name", "Name this face" if alone else f"Name all {len(faces)}", name_input(),
                           "primary", region=[f.region_id for f in faces])
        sections.append(
            f"<section class=group id=group-{k} data-size={len(faces)}><h2>{esc(title)}</h2>"
            f"<div class='grid faces'>{crops}</div>{more}{form}</section>"
        )
    body = (
        f"<h1>Unknown faces</h1><p class=muted id=unknown-summary>{plural(clustering.unknown_faces, 'face')} match no "
        f"registered person: {plural(len(clustering.clusters), 'group')} of faces that look alike (largest first), "
        f"{clustering.noise} alone. Naming a face confirms it, and the person is looked for in every other photo. "
        f"<a href='/suggestions'>Suggestions</a> are faces just too far from someone to be decided theirs.</p>"
        + pager("/unknown", page_no, pages) + "".join(sections) + pager("/unknown", page_no, pages)
    )
    return page("Unknown faces", body, ctx=ctx)


def suggestions_page(library: Library, ctx: PageContext = NO_FORMS, page_no: int = 1) -> str:
    from plvm_photos.curation.suggestions import suggestions

    found = suggestions(library)
    pages = max(1, math.ceil(len(found) / SUGGESTIONS_PER_PAGE))
    page_no = min(max(page_no, 1), pages)
    first = (page_no - 1) * SUGGESTIONS_PER_PAGE
    cards = []
    for x in found[first : first + SUGGESTIONS_PER_PAGE]:
        yes = action_form(ctx, "name", "Yes", "", "primary", region=x.region_id, name=x.person)
        no = action_form(ctx, "reject", "No", "", "danger", photo=x.photo_id, region=x.region_id, person=x.person)
        cards.append(
            f"<div class='card suggestion' data-region={x.region_id}>"
            f"<a href='/photo/{x.photo_id}'>{face_crop(x.region_id)}</a>"
            f"<img src='/face/{x.concept_id}.jpg' alt='{esc(show(x.person))}' loading=lazy>"
            f"<div><b>Is this {esc(show(x.person))}?</b><br><span class=muted>distance {x.distance:.3f}</span><br>"
            f"{yes}{no}</div></div>"
        )
    body = (
        f"<h1>Suggestions</h1><p class=muted>{plural(len(found), 'face')} just too far from someone to be decided "
        "theirs, nearest first. Yes confirms the face; No remembers that it is not them.</p>"
        + pager("/suggestions", page_no, pages)
        + (f"<div class='grid sgrid'>{''.join(cards)}</div>" if cards else "<p class=muted>No suggestions now.</p>")
    )
    return page("Suggestions", body, ctx=ctx)
