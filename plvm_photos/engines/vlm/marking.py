"""Showing a general vision-language model who is who: the recognised people marked on the photo.

Three ways (``Marking``):

- ``boxes``: a labelled box (a name tag) drawn around each face on a copy of the photo;
- ``prompt``: names and positions in the prompt ("<mike> is the person on the left, face box
  [0.12, 0.30, 0.25, 0.45]", box corners as fractions of the photo's width and height);
- ``both``: the two together.

``DEFAULT_MARKING`` is the one place the engine's choice is made (see docs/engines.md, the vlm engine,
for what was measured). The marking depends on the photo and its people only, never on the
question, so every question about a photo shares one image prefix (and its KV cache).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Sequence

from plvm_photos.positions import RELATIVE_WORDS, describe

Marking = Literal["boxes", "prompt", "both"]
MARKINGS: tuple[Marking, ...] = ("boxes", "prompt", "both")
DEFAULT_MARKING: Marking = "both"

Box = tuple[int, int, int, int]
# Tag colours, one per person in left-to-right order: saturated, far apart, black text reads on each.
COLOURS = ((255, 214, 0), (0, 229, 255), (255, 64, 200), (118, 255, 3), (255, 145, 0), (170, 140, 255))
TAG_HEIGHT = 0.03  # of the photo's long side: ~10 px at LLaVA-1.5's 336 px input, ~30 px at 1024 px
MIN_TAG_PX = 12


@dataclass(frozen=True)
class MarkedPerson:
    name: str  # the display name, written <name> in tags, prompts and captions
    box: Box  # the face, in pixels of the image it is marked on


@dataclass(frozen=True)
class Marked:
    """What the model is given: the image (marked or not) and the text before the question."""

    image: object  # PIL image
    context: str  # "" or lines ending with a newline


def positions(people: Sequence[MarkedPerson], width: int, height: int) -> list[str]:
    """Each person's place in words, as the structured caption words it ('left', 'top right')."""
    order = sorted(range(len(people)), key=lambda i: (people[i].box[0] + people[i].box[2]) / 2)
    words = [describe(people[i].box, width, height) for i in order]
    if len(set(words)) < len(words) and len(order) in RELATIVE_WORDS:
        words = list(RELATIVE_WORDS[len(order)])  # two people both in the middle are still left and right
    out = [""] * len(people)
    for i, word in zip(order, words):
        out[i] = word
    return out


def people_lines(people: Sequence[MarkedPerson], width: int, height: int) -> str:
    """'<mike> is the person on the left, face box [0.12, 0.30, 0.25, 0.45].' per person, left to right."""
    lines = []
    for person, word in sorted(zip(people, positions(people, width, height)), key=lambda pw: pw[0].box[0]):
        x1, y1, x2, y2 = person.box
        box = ", ".join(f"{v:.2f}" for v in (x1 / width, y1 / height, x2 / width, y2 / height))
        where = f"on the {word}" if word in ("left", "right") else f"in the {word}" if word in ("center", "middle") \
            else f"at the {word}"
        lines.append(f"<{person.name}> is the person {where}, face box [{box}].")
    return "\n".join(lines) + "\n"


def draw_tags(image, people: Sequence[MarkedPerson]):
    """A copy of ``image`` with a box around each face and a name tag under it (over it at the
    bottom edge): above the face a tag would hide the hair and hats that questions ask about."""
    from PIL import ImageDraw, ImageFont

    marked = image.convert("RGB").copy()
    draw = ImageDraw.Draw(marked)
    size = max(MIN_TAG_PX, round(max(marked.size) * TAG_HEIGHT))
    try:
        font = ImageFont.load_default(size=size)
    except (TypeError, OSError):  # a Pillow without FreeType: the small bitmap font
        font = ImageFont.load_default()
    line = max(2, size // 8)
    for i, person in enumerate(sorted(people, key=lambda p: p.box[0])):
        colour = COLOURS[i % len(COLOURS)]
        x1, y1, x2, y2 = person.box
        draw.rectangle((x1, y1, x2, y2), outline=colour, width=line)
        text = f"<{person.name}>"
        left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
        w, h = right - left + 2 * line, bottom - top + 2 * line
        ty = y2 if y2 + h <= marked.size[1] else max(0, y1 - h)
        tx = min(max(0, x1), max(0, marked.size[0] - w))
        draw.rectangle((tx, ty, tx + w, ty + h), fill=colour)
        draw.text((tx + line - left, ty + line - top), text, fill=(0, 0, 0), font=font)
    return marked


def mark(image, people: Sequence[MarkedPerson], marking: Marking = DEFAULT_MARKING) -> Marked:
    """``image`` and the prompt context that show the model ``people`` (boxes in ``image``'s pixels)."""
    if not people:
        return Marked(image, "")
    width, height = image.size
    if marking == "prompt":
        return Marked(image, people_lines(people, width, height))
    tagged = draw_tags(image, people)
    if marking == "boxes":
        return Marked(tagged, "The recognised people are marked with boxes labelled with their names.\n")
    return Marked(tagged, "The recognised people are marked with labelled boxes:\n" + people_lines(people, width, height))
