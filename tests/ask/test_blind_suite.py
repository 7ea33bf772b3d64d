"""The blind question suite (``blind_suite.py``: questions written before the reader was read),
asked in-process on its own library: none silently wrong, none crashing, every refusal's rewrite
accepted, and at least 90 % of the answerable questions answered right."""

from __future__ import annotations

import pytest

from tests.ask.blind_suite import ANSWERABLE_NOT, build, report, run


@pytest.fixture(scope="module")
def blind_library(tmp_path_factory):
    root = tmp_path_factory.mktemp("blind-library")
    build(root)
    return root


@pytest.mark.parametrize("split", ["tuning", "held_out"])
def test_the_blind_suite_is_answered_right(blind_library, split):  # round 2
    verdicts = run(blind_library, split)
    assert verdicts["wrong"] == [] and verdicts["crash"] == [] and verdicts["bad_rewrite"] == [], report(verdicts)
    answerable = [q for v in verdicts.values() for q, _ in v if next(iter(q["expect"])) not in ANSWERABLE_NOT]
    right = [q for k in ("right", "refused_ok") for q, _ in verdicts[k] if next(iter(q["expect"])) not in ANSWERABLE_NOT]
    assert len(answerable) >= (250 if split == "tuning" else 120) and len(right) >= 0.9 * len(answerable), report(verdicts)


@pytest.mark.parametrize("split", ["tuning", "held_out"])
def test_blind_round_3_is_answered_right(blind_library, split):
    """Round 3 (``blind_round3.json``): terse, chatty, non-native, misspelt, ALL CAPS questions,
    follow-ups without their question, supported parts mixed with unsupported ones, and the new
    forms; a did-you-mean is not counted right here (see the JSON's ``measured`` for both figures)."""
    verdicts = run(blind_library, split, "3")
    assert verdicts["wrong"] == [] and verdicts["crash"] == [] and verdicts["bad_rewrite"] == [], report(verdicts)
    answerable = [q for v in verdicts.values() for q, _ in v if next(iter(q["expect"])) not in ANSWERABLE_NOT]
    right = [q for k in ("right", "refused_ok") for q, _ in verdicts[k] if next(iter(q["expect"])) not in ANSWERABLE_NOT]
    assert len(answerable) >= (100 if split == "tuning" else 50) and len(right) >= 0.9 * len(answerable), report(verdicts)


@pytest.fixture(scope="module")
def blind_answer(blind_library):
    import sqlite3

    from plvm_photos.ask.answer import answer_question
    from plvm_photos.ask.reader import Reader
    from plvm_photos.store.layout import DB_FILE
    from tests.ask.blind_suite import TODAY

    conn = sqlite3.connect(f"file:{blind_library / DB_FILE}?mode=ro", uri=True, check_same_thread=False)
    yield lambda question: answer_question(Reader(conn), question, TODAY)
    conn.close()


def _files(answer) -> set[str]:
    return {p.path.rsplit("/", 1)[-1] for p in answer.photos}


# Each of these was answered as another question before (found by asking the suite's library).
def test_a_ranking_over_videos_counts_videos_only_and_says_so(blind_answer):
    answer = blind_answer("who appears in the most videos")
    assert answer.answer.startswith("<Penny> is in the most photos (videos only) (2 photos)")
    assert blind_answer("which city has the most videos").answer.startswith("Sydney, Australia has the most photos (videos only)")


def test_a_list_says_photos_and_videos_with_a_videos_times(blind_answer):
    answer = blind_answer("photos of raj in sydney")
    assert answer.answer.startswith("2 photos and videos with <Raj Koothrappali> in Sydney")
    assert "bondi.mp4 at 0:02–0:12" in answer.answer
    assert blind_answer("how many videos of penny").answer == "2 videos with <Penny>"


def test_the_us_is_a_place_and_me_or_us_nobody_registered(blind_answer):
    from plvm_photos.ask.query import QuestionError

    assert _files(blind_answer("photos of sheldon in the us")) == {
        "pasadena_apartment.jpg", "cheesecake_factory.jpg", "caltech_lab.jpg", "christmas_2019.jpg", "wedding_group.jpg",
        "sheldon_birthday.mp4", "christmas_2025.jpg", "last_weekend.jpg"}
    for question in ("photos of me", "photos of us", "penny and me"):
        with pytest.raises(QuestionError):
            blind_answer(question)


def test_a_place_name_means_the_place_the_photos_are_in(blind_answer):
    answer = blind_answer("photos of sheldon in pasadena")
    assert "in Pasadena (California, United States)" in answer.answer and len(answer.photos) == 8
    assert "Pasadena (Texas, United States)" in answer.understood


def test_a_file_name_with_spaces_is_named_as_written(blind_answer):
    from plvm_photos.errors import LibraryError

    named = blind_answer("who is in shinjuku night.jpg").answer
    assert "/shinjuku night.jpg: <Raj Koothrappali> (" in named and named.endswith("with 2 other people")
    assert blind_answer("how many people in red carpet.jpg").answer.startswith("4 ")
    with pytest.raises(LibraryError, match="no photo 'tokyo night.jpg'"):
        blind_answer("who is in tokyo night.jpg")


def test_what_people_do_is_judged_from_the_stored_cues(blind_answer):
    from plvm_photos.ask.query import QuestionError

    smiling = blind_answer("photos where penny is smiling")
    assert _files(smiling) == {"cheesecake_factory.jpg", "christmas_2019.jpg", "paris_2024.jpg"}
    assert "P(smiling) 0.98" in smiling.answer
    assert _files(blind_answer("smiling photos of penny")) == _files(smiling)
    assert blind_answer("how many photos where sheldon is not smiling").answer.startswith("13 photos and videos where ")
    assert blind_answer("penny and amy farrah fowler smiling in paris in 2024").answer.startswith(
        "1 photo where <Penny> and <Amy Farrah Fowler> are smiling taken in 2024 in Paris")
    assert blind_answer("is raj smiling in spring_2026.jpg").answer.startswith("No, <Raj Koothrappali> is not smiling in ")
    assert _files(blind_answer("photos where amy farrah fowler is facing the camera")) == {"tokyo_trip_02.jpg"}
    assert _files(blind_answer("sheldon and amy farrah fowler facing each other")) == {"sydney_2024.jpg"}
    for question, why in (("leonard and penny hugging", "hugging is not judged yet"),
                          ("raj with his eyes closed", "eyes closed is not judged yet"),
                          ("raj talking", "judged between two people")):
        with pytest.raises(QuestionError, match=why):
            blind_answer(question)


def test_a_photo_or_video_named_by_the_word_before_its_noun(blind_answer):
    """"is penny in the beach video" was refused ("I can't use "in the beach"; try "is penny?""): the
    word between "the" and one photo or video noun names the file, with any suffix (beach.mov)."""
    from plvm_photos.errors import LibraryError

    assert blind_answer("is penny in the beach video").answer.startswith("Yes, <Penny> is in ")
    assert "/beach.mov" in blind_answer("is penny in the beach video").answer
    assert "/beach.mov (0:30 video): <Penny> at 0:02–0:12" in blind_answer("who is in the beach video").answer
    assert "/bondi.mp4 was taken on 23 January 2021" in blind_answer("when was the bondi clip taken").answer
    with pytest.raises(LibraryError, match=r"no photo or video named 'sunset' \(with any suffix\) in the library"):
        blind_answer("is penny in the sunset photo")
    with pytest.raises(LibraryError, match=r"no photo 'beach.mp4' in the library; did you mean beach.mov\?"):
        blind_answer("is penny in beach.mp4")


def test_a_preposition_or_article_after_a_name_is_no_part_of_a_name(blind_answer):
    """"photos of penny at the beach" was refused as "<penny at> is not a registered person", and
    "photos of Penny with the dog" offered "photos of Penny with <Sheldon Cooper>"."""
    from plvm_photos.ask.query import QuestionError

    for question, part, rewrite in (("photos of penny at the beach", "at the beach", "photos of penny"),
                                    ("penny at the cheesecake factory", "at the cheesecake factory", "penny"),
                                    ("photos of Penny with the dog", "with the dog", "photos of Penny")):
        with pytest.raises(QuestionError) as refused:
            blind_answer(question)
        assert f'I can\'t use "{part}"' in str(refused.value) and refused.value.suggestion == rewrite, question
        assert blind_answer(rewrite).photos


def test_a_city_says_which_places_within_it_its_answer_took_in(blind_answer):
    """"photos in Los Angeles" listed the photos taken in Pasadena (a city of its county, lying
    within it) without saying so: the answer now names the places within the city it took in."""
    la = blind_answer("photos in Los Angeles")
    assert "in Los Angeles (California, United States) (Pasadena, within Los Angeles, included; " in la.answer
    assert "caltech_lab.jpg" in _files(la)
    assert "within" not in blind_answer("photos in Pasadena").answer
    assert "(Shinjuku, within Tokyo, included; " in blind_answer("how many photos in tokyo").answer
    assert "Shinjuku, within Tokyo, included" in blind_answer("photos in tokyo or paris").answer
    assert "within Paris" not in blind_answer("photos in paris").answer  # its numbered districts go unsaid


def test_a_pronoun_stands_for_the_people_named_before_it(blind_answer):
    """"photos of penny where she is smiling" was refused ("smiling": say who): "she" / "he" is the
    one person named before it, "they" all of them; with two people "she" is not guessed."""
    from plvm_photos.ask.query import QuestionError

    smiling = _files(blind_answer("photos where penny is smiling"))
    for question in ("photos of penny where she is smiling", "photos of penny when she is smiling",
                     "photos of Penny while she's smiling"):
        assert _files(blind_answer(question)) == smiling, question
    both = blind_answer("photos of sheldon and penny where they are smiling").answer
    assert both == blind_answer("photos where sheldon and penny are smiling").answer
    with pytest.raises(QuestionError, match="say who"):
        blind_answer("photos of penny with raj where he is smiling")  # which of them is "he" is not known
    with pytest.raises(QuestionError, match="say who"):
        blind_answer("photos where she is smiling")
    with pytest.raises(QuestionError) as refused:
        blind_answer("photos of penny where she is blurry")
    assert "not a registered name" not in str(refused.value)  # "she" was read as the start of "Sheldon"
