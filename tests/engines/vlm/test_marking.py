"""How the recognised people are shown to the model: tags on the photo, lines in the prompt, both."""

from __future__ import annotations

import numpy as np
from PIL import Image

from plvm_photos.engines.vlm.marking import DEFAULT_MARKING, MARKINGS, MarkedPerson, draw_tags, mark, people_lines

MIKE = MarkedPerson("mike", (20, 30, 60, 80))
SUSAN = MarkedPerson("susan", (140, 40, 180, 90))


def _photo():
    return Image.new("RGB", (200, 120), (90, 90, 90))


def test_prompt_lines_name_people_left_to_right_with_words_and_relative_boxes():
    text = people_lines([SUSAN, MIKE], 200, 120)
    assert text == ("<mike> is the person on the left, face box [0.10, 0.25, 0.30, 0.67].\n"
                    "<susan> is the person on the right, face box [0.70, 0.33, 0.90, 0.75].\n")
    # two people both in the middle third are still left and right of each other, as in captions
    a, b = MarkedPerson("a", (80, 40, 95, 60)), MarkedPerson("b", (105, 40, 120, 60))
    assert "<a> is the person on the left" in people_lines([b, a], 200, 120)
    assert "<b> is the person on the right" in people_lines([b, a], 200, 120)
    assert "<c> is the person at the top left" in people_lines([MarkedPerson("c", (5, 2, 25, 20))], 200, 120)


def test_tags_are_drawn_on_a_copy_around_each_face_and_nowhere_else():
    photo = _photo()
    tagged = draw_tags(photo, [MIKE, SUSAN])
    assert np.asarray(photo).max() == 90  # the photo itself is untouched
    changed = np.any(np.asarray(tagged) != np.asarray(photo), axis=2)
    ys, xs = np.nonzero(changed)
    assert changed[30, 40] and changed[80, 40]  # the top and bottom edges of <mike>'s box
    assert not changed[55, 40]  # the face inside the box stays visible
    assert changed[91:, 140:200].any() and not changed[:40, 140:].any()  # <susan>'s tag under her box, nothing above
    assert not changed[:, 70:130].any()  # nothing drawn between the two people
    assert xs.min() >= 20
    # at the bottom edge the tag goes over the box
    low = np.any(np.asarray(draw_tags(photo, [MarkedPerson("low", (20, 80, 60, 118))])) != np.asarray(photo), axis=2)
    assert low[60:80, 20:60].any() and not low[:60].any()


def test_each_marking_gives_its_image_and_context():
    photo = _photo()
    assert DEFAULT_MARKING in MARKINGS
    by = {m: mark(photo, [MIKE, SUSAN], m) for m in MARKINGS}
    assert by["prompt"].image is photo and by["prompt"].context.startswith("<mike> is the person on the left")
    assert by["boxes"].image is not photo and "<mike>" not in by["boxes"].context
    assert by["boxes"].context == "The recognised people are marked with boxes labelled with their names.\n"
    assert by["both"].context.endswith(by["prompt"].context)
    assert np.array_equal(np.asarray(by["both"].image), np.asarray(by["boxes"].image))
    nobody = mark(photo, [], "both")
    assert nobody.image is photo and nobody.context == ""
