"""Place filters: countries and regions by the stored reverse-geocoded place, cities by place or
radius, "near" and "within" by great-circle distance; photos without GPS are said to be left out."""

import math
import subprocess
import sys

import pytest

from plvm_photos.ask.answer import ask
from plvm_photos.ask.selection import bounding_box
from plvm_photos.places.place import distance_km
from plvm_photos.library import Library
from tests.ask.photo_library import file_names
from tests.ask.question_suite import ANGELINA, KATY, KIT


@pytest.mark.parametrize(
    "question, expected",
    [
        ("photos in Paris", {"two_people.jpg", "stranger_paris.jpg"}),
        ("photos of <obama> in France", {"two_people.jpg"}),
        ("photos of <obama> in the United States", {"obama_and_biden.jpg", "obama.jpg", "obama2.jpg"}),
        ("photos in the USA", {"obama_and_biden.jpg", "obama.jpg", "obama2.jpg", "biden.jpg"} | KATY),
        ("photos in California", KATY),
        # Santa Monica is its own city, 22 km from the centre of Los Angeles: inside the city's radius (30 km)
        ("photos in Los Angeles", KATY),
        ("photos in Santa Monica", {"katy_santa_monica.jpg"}),
        ("photos near Tokyo", {"angelina_tokyo.jpg"}),
        ("photos of <angelina> in Japan", {"angelina_tokyo.jpg", "couple_kyoto.jpg"}),
        ("photos of <angelina> in Australia", ANGELINA - {"angelina_tokyo.jpg", "couple_kyoto.jpg"}),
        ("photos in the UK", KIT),
        ("photos in Scotland", {"kit_with_rose.jpg"}),
        ("photos in Northern Ireland", {"johnsnow.jpg"}),
        ("photos within 100 km of Kyoto", {"couple_kyoto.jpg"}),
        ("photos within 400 km of Kyoto", {"couple_kyoto.jpg", "angelina_tokyo.jpg"}),
        ("photos within 10 miles of Santa Monica", {"katy_santa_monica.jpg"}),  # Los Angeles' photo is 23 km away
        ("photos in Germany", set()),
        ("photos of <obama> in Paris in 2019", {"two_people.jpg"}),
        ("photos of <obama> in Paris in 2020", set()),
    ],
)
def test_place_filters(asked, question, expected):
    assert file_names(asked(question)) == expected


def test_photos_without_gps_are_counted_as_left_out(asked):
    answer = asked("photos in Paris")
    assert "(2 photos have no GPS position and were not considered)" in answer.answer
    both = asked("photos of <obama> in Paris in 2019")
    assert "(1 photo has no date or no GPS position and was not considered)" in both.answer


def test_json_names_the_place(asked):
    data = asked("photos in Kyoto").as_dict()
    assert [p["place"] for p in data["photos"]] == ["Kyoto, Japan"]
    assert data["query"]["place"]["place"]["name"] == "Kyoto"


def test_a_library_without_gps_says_so(demo_library_dir):
    with Library(demo_library_dir) as library:
        answer = ask(library, "photos of <eileen> in Paris")
    assert file_names(answer) == set() and "no photo in the library has a GPS position yet" in answer.answer


def test_the_place_index_loads_only_for_a_question_with_a_place(ask_library_dir):
    code = (
        "import sys; from plvm_photos.launcher import main; sys.argv = ['plvm-photos', '-L', sys.argv[1], 'ask', sys.argv[2]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('GEOCODE' if 'plvm_photos.places.geocode' in sys.modules else 'NO-GEOCODE', 'LARK' if 'lark' in sys.modules else 'NO-LARK')"
    )

    def loaded(question: str) -> str:
        out = subprocess.run([sys.executable, "-c", code, str(ask_library_dir), question], capture_output=True, text=True, timeout=120)
        return out.stdout.strip().splitlines()[-1]

    assert loaded("photos of <obama> in 2019") == "NO-GEOCODE NO-LARK"
    assert loaded("is <obama> in two_people.jpg?") == "NO-GEOCODE NO-LARK"
    assert loaded("photos of <obama> in Paris") == "GEOCODE NO-LARK"


@pytest.mark.parametrize("lat, lon, km", [(48.85, 2.35, 50), (64.1, -21.9, 300), (-33.9, 151.2, 20), (0.0, 179.9, 100),
                                          (0.0, -179.9, 100), (89.5, 0.0, 100), (-70.0, 10.0, 2000)])
def test_the_bounding_box_holds_every_point_within_the_distance(lat, lon, km):
    box = bounding_box(lat, lon, km)
    for bearing in range(0, 360, 5):
        # a point at distance km (slightly less) along each bearing
        d = (km * 0.999) / 6371.0088
        b = math.radians(bearing)
        p1, l1 = math.radians(lat), math.radians(lon)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
        l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
        plat, plon = math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180
        assert distance_km(lat, lon, plat, plon) <= km
        assert box.lat[0] <= plat <= box.lat[1]
        assert any(west <= plon <= east for west, east in box.lons), (bearing, plat, plon, box)
