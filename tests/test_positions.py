from plvm_photos.positions import PlacedPerson, caption, describe, face_crop, merge_overlapping


def test_describe():
    assert describe((0, 40, 20, 60), 300, 100) == "left"
    assert describe((140, 40, 160, 60), 300, 100) == "center"
    assert describe((280, 0, 300, 10), 300, 100) == "top right"
    assert describe((140, 90, 160, 100), 300, 100) == "bottom"


def test_caption_orders_people_left_to_right():
    people = [PlacedPerson("biden", (250, 40, 290, 60)), PlacedPerson("obama", (10, 40, 50, 60))]
    assert caption(people, 2, 300, 100) == "<obama> (left) and <biden> (right), with 2 other people"
    assert caption(people[:1], 0, 300, 100) == "<biden> (right)"
    assert caption([], 1, 300, 100) == "1 unknown person"
    assert caption([], 0, 300, 100) == "no people"


def test_caption_uses_relative_words_when_absolute_ones_collide():
    # Both faces sit in the middle third of a wide photo (as in Obama and Biden's photo).
    people = [PlacedPerson("obama", (1135, 389, 1346, 600)), PlacedPerson("biden", (750, 441, 926, 615))]
    assert caption(people, 1, 2000, 1428) == "<biden> (left) and <obama> (right), with 1 other person"
    trio = [PlacedPerson(n, (x, 10, x + 20, 30)) for n, x in (("a", 100), ("b", 130), ("c", 160))]
    assert caption(trio, 0, 300, 100) == "<a> (left), <b> (middle) and <c> (right)"


def test_overlapping_boxes_merge_into_their_bounding_box_through_chains():
    a, b, c = (0, 0, 10, 10), (8, 8, 20, 20), (19, 0, 30, 9)  # a touches b, b touches c, not a and c
    far = (100, 100, 110, 110)
    assert merge_overlapping([a, far, c, b]) == [far, (0, 0, 30, 20)]
    assert merge_overlapping([a, far]) == [a, far]
    assert merge_overlapping([(0, 0, 10, 10), (10, 0, 20, 10)]) == [(0, 0, 10, 10), (10, 0, 20, 10)]  # edges only touch


def test_face_crop_is_a_square_of_margin_times_the_box_clipped_to_the_photo():
    assert face_crop((100, 100, 120, 120), 1000, 1000, margin=3.0) == (80, 80, 141, 141)
    assert face_crop((0, 0, 20, 20), 1000, 1000, margin=3.0) == (0, 0, 41, 41)


def test_caption_reads_a_row_of_people_left_to_right_not_top_for_everyone():
    # Four people side by side near the top of the frame: once "<raj> (top left), <leonard> (top), ...".
    row = [PlacedPerson(n, (x, y, x + 80, y + 80))
           for n, x, y in (("raj", 50, 100), ("leonard", 300, 130), ("howard", 550, 90), ("sheldon", 800, 120))]
    assert caption(row, 0, 1000, 700) == "from left: <raj>, <leonard>, <howard>, <sheldon>"
    assert caption(list(reversed(row)), 2, 1000, 700) == "from left: <raj>, <leonard>, <howard>, <sheldon>, with 2 other people"
    top_pair = [PlacedPerson("obama", (100, 20, 200, 120)), PlacedPerson("biden", (700, 30, 800, 130))]
    assert caption(top_pair, 0, 1000, 700) == "<obama> (left) and <biden> (right)"


def test_caption_names_rows_only_where_they_really_differ():
    group = [PlacedPerson(n, (x, y, x + 70, y + 70))
             for n, x, y in (("a", 100, 100), ("b", 300, 110), ("c", 500, 95), ("d", 200, 300), ("e", 400, 310))]
    assert caption(group, 0, 1000, 700) == "back row, from left: <a>, <b>, <c>; front row, from left: <d>, <e>"
    # a tall person beside a child: beside them, not another row
    assert caption([PlacedPerson("kid", (300, 250, 380, 330)), PlacedPerson("dad", (100, 50, 200, 150))], 0, 1000, 700) \
        == "<dad> (left) and <kid> (center)"
    # one person right behind another: two rows
    assert caption([PlacedPerson("front", (95, 200, 175, 280)), PlacedPerson("back", (100, 50, 160, 110))], 0, 1000, 700) \
        == "back row: <back>; front row: <front>"


def test_rows_and_columns_group_faces():
    from plvm_photos.positions import columns, ordinal_side, rows

    a, b, c = (0, 0, 10, 10), (100, 2, 110, 12), (50, 40, 60, 50)
    assert rows([c, b, a]) == [[a, b], [c]]
    assert columns([(100, 200, 140, 240), (105, 50, 135, 80)]) == [[(105, 50, 135, 80), (100, 200, 140, 240)]]
    assert [ordinal_side(i, 5) for i in range(5)] == ["far left", "second from the left", "third from the left",
                                                      "second from the right", "far right"]


def test_caption_of_two_or_three_in_a_row_says_the_third_each_is_in_without_top_for_everyone():
    # with someone unnamed further right, <lucy> in the centre is not "right"
    pair = [PlacedPerson("susan", (40, 300, 140, 400)), PlacedPerson("lucy", (450, 300, 550, 400))]
    assert caption(pair, 1, 1000, 700) == "<susan> (left) and <lucy> (center), with 1 other person"
    trio = [PlacedPerson(n, (x, 20, x + 100, 120)) for n, x in (("a", 50), ("b", 450), ("c", 850))]
    assert caption(trio, 0, 1000, 700) == "<a> (left), <b> (center) and <c> (right)"  # once "(top left), (top), (top right)"
