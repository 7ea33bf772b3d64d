"""Places in questions: "in X" is a place when X is a known place, near/within use distances."""

from datetime import date

import pytest

from plvm_photos.ask.parser import parse
from plvm_photos.ask.read_place import NEAR_RADIUS_KM
from plvm_photos.ask.query import Person, PlaceFilter, QuestionError
from plvm_photos.places.geocode import reverse

TODAY = date(2024, 7, 15)


def place_of(text: str) -> PlaceFilter:
    place = parse(text, TODAY).place
    assert place is not None
    return place


@pytest.mark.parametrize(
    "text, name, level, country_code",
    [
        ("photos in Paris", "Paris", "city", "FR"),
        ("photos in paris", "Paris", "city", "FR"),
        ("photos of <a> in Japan", "Japan", "country", "JP"),
        ("photos of <a> in California", "California", "region", "US"),
        ("photos of <a> in New York", "New York City", "city", "US"),
        ("photos of <a> in São Paulo", "São Paulo", "city", "BR"),
        ("photos of <a> in Sao Paulo", "São Paulo", "city", "BR"),
        ("photos of <a> in the United States", "United States", "country", "US"),
        ("photos of <a> in the UK", "United Kingdom", "country", "GB"),
        ("photos of <a> in USA", "United States", "country", "US"),
        ("photos of <a> in America", "United States", "country", "US"),
        ("photos of <a> in Holland", "The Netherlands", "country", "NL"),
        ("photos of <a> in the Netherlands", "The Netherlands", "country", "NL"),
        ("photos of <a> in The Hague", "The Hague", "city", "NL"),
        ("photos of <a> in München", "Munich", "city", "DE"),
        ("photos of <a> in Bavaria", "Bavaria", "region", "DE"),
        ("photos of <a> in Île-de-France", "Île-de-France", "region", "FR"),
        ("photos of <a> in Trinidad and Tobago", "Trinidad and Tobago", "country", "TT"),
        ("photos of <a> in Washington D.C.", "Washington", "city", "US"),
        ("photos of <a> in Paris, Texas", "Paris", "city", "US"),
        ("photos of <a> at Paris", "Paris", "city", "FR"),
        ("pictures from Japan", "Japan", "country", "JP"),
        ("photos of <a> taken in Tokyo", "Tokyo", "city", "JP"),
    ],
)
def test_in_place(text, name, level, country_code):
    place = place_of(text)
    assert (place.relation, place.place.name, place.place.level, place.place.country_code) == ("in", name, level, country_code)


def test_in_is_containment_without_a_radius_and_near_has_one():
    assert place_of("photos in Paris").radius_km is None
    assert place_of("photos in Japan").radius_km is None
    assert place_of("photos near Paris").radius_km == NEAR_RADIUS_KM


def test_near_and_within():
    near = place_of("photos of <a> near Tokyo")
    assert (near.relation, near.place.name, near.radius_km) == ("near", "Tokyo", NEAR_RADIUS_KM)
    assert place_of("photos around Tokyo").radius_km == NEAR_RADIUS_KM
    assert place_of("photos close to Tokyo").radius_km == NEAR_RADIUS_KM
    assert place_of("photos within 20 km of Tokyo").radius_km == 20
    assert place_of("photos within 20km of Tokyo").radius_km == 20
    assert place_of("photos within 10 miles of Paris").radius_km == pytest.approx(16.093, abs=1e-3)


def test_near_a_country_is_refused():
    with pytest.raises(QuestionError, match='"near" needs a city'):
        parse("photos near Japan", TODAY)


def test_an_ambiguous_name_takes_the_most_important_place_and_says_so():
    paris = place_of("photos in Paris")
    assert paris.place.describe() == "Paris (Île-de-France, France)"
    assert any(alt.country_code == "US" for alt in paris.alternatives)
    assert "[not the city Paris (Texas, United States)" in paris.describe()
    assert "Paris (Île-de-France, France)" in parse("photos in Paris", TODAY).describe()


@pytest.mark.parametrize(
    "text, kind",
    [
        ("photos of <a> in 2019", "time"),
        ("photos of <a> in July", "time"),
        ("photos of <a> in May 2019", "time"),
        ("photos of <a> in summer", "time"),
        ("photos of <a> in the 90s", "time"),
        ("photos of <a> in Paris", "place"),
        ("photos of <a> in Florence", "place"),
        ("where is <a> in florence.jpg", "photo"),
        ("where is <a> in Florence", "place"),
        ("where is <a> in 'Florence'", "photo"),
    ],
)
def test_in_x_is_read_by_what_x_is(text, kind):
    query = parse(text, TODAY)
    found = {"time": query.time, "place": query.place, "photo": query.photo}
    assert [k for k, v in found.items() if v is not None] == [kind]


@pytest.mark.parametrize("text, name", [("<a> in Narnia", "Narnia"), ("photos of <a> in Lake Wobegon", "Lake Wobegon")])
def test_an_unknown_capitalised_place_is_refused_by_name(text, name):
    with pytest.raises(QuestionError) as error:
        parse(text, TODAY)
    message = str(error.value)
    assert message.startswith(f'"{text}": I don\'t know the place "{name}"')
    assert "places are cities, regions, countries and continents" in message
    assert "\n" not in message


def test_a_misspelled_place_is_read_as_the_place_it_misspells_and_says_so():
    query = parse("photos of <a> in Pariss", TODAY)  # one letter off one place: answered, saying how it was read
    assert query.place.place.name == "Paris" and query.read_as == "photos of <a> in Paris"
    assert query.describe().startswith('read as "photos of <a> in Paris": ')
    with pytest.raises(QuestionError, match='did you mean'):  # in lower case a word may be no place at all: asked
        parse("photos of <a> in versaille", TODAY)


def test_an_unknown_lowercase_place_is_refused_too():
    with pytest.raises(QuestionError, match='"narnia" is not a place or a time I know'):
        parse("photos of <a> in narnia", TODAY)


def test_common_words_written_in_lowercase_are_not_places():
    with pytest.raises(QuestionError):
        parse("photos of <a> at the wedding", TODAY)  # not Wedding (Berlin)
    query = parse("is <a> dancing at a wedding in party.jpg?", TODAY)
    assert (query.action, query.place) == ("dancing at a wedding", None)


def test_lowercase_words_after_an_action_stay_in_the_action():
    query = parse("photos where <a> is swimming in the sea", TODAY)
    assert (query.intent, query.action, query.place) == ("visual_yes_no", "is swimming in the sea", None)


def test_place_time_and_people_together():
    query = parse("photos of <mike> or <susan> in Paris last summer", TODAY)
    assert query.place.place.name == "Paris" and query.time.label == "last summer"
    query = parse("<a> in 2019 in Japan", TODAY)
    assert (query.people, query.time.start.year, query.place.place.name) == (Person("a"), 2019, "Japan")
    query = parse("how many photos of <a> were taken in 2020 in Italy?", TODAY)
    assert (query.intent, query.time.start.year, query.place.place.country_code) == ("count", 2020, "IT")


def test_two_places_are_refused():
    with pytest.raises(QuestionError, match="more than one place"):
        parse("photos in Paris in Japan", TODAY)


def test_place_filter_matching_rules():
    paris = place_of("photos in Paris")
    eiffel = (48.8584, 2.2945)
    assert paris.matches(*eiffel, reverse(*eiffel))
    versailles = (48.8049, 2.1204)  # its own city, 13 km from the centre of Paris: not in Paris
    assert reverse(*versailles).name != "Paris" and not paris.matches(*versailles, reverse(*versailles))
    lyon = (45.7640, 4.8357)
    assert not paris.matches(*lyon, reverse(*lyon))
    assert not paris.matches(None, None)

    france = place_of("photos in France")
    assert france.matches(*lyon, reverse(*lyon)) and not france.matches(51.5, -0.12, reverse(51.5, -0.12))
    california = place_of("photos in California")
    assert california.matches(37.77, -122.42, reverse(37.77, -122.42))
    assert not california.matches(40.71, -74.0, reverse(40.71, -74.0))

    near = place_of("photos within 20 km of Paris")
    assert near.matches(*versailles) and not near.matches(*lyon)


def test_fold_ignores_case_accents_and_punctuation():
    from plvm_photos.places.place import fold

    assert fold("São  Paulo!") == "sao paulo"
    assert fold("Val-d'Or") == "val dor"
    assert fold("København") == "kobenhavn"


def test_a_question_without_a_place_does_not_load_the_place_index():
    import subprocess
    import sys

    code = (
        "import sys; from datetime import date; from plvm_photos.ask.parser import parse; "
        "parse('photos of <a> in 2019 but not <b>', date(2024, 7, 15)); "
        "print('plvm_photos.places.geocode' in sys.modules, 'lark' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split()[0] == "False"


# --- containment, answered on photos whose GPS positions the tests write ------------------------
from tests.ask.big_suite import Oracle  # noqa: E402
from tests.ask.suite_library import TODAY as SUITE_TODAY  # noqa: E402

ORACLE = Oracle(SUITE_TODAY)


def _files(found) -> set[str]:
    return {p.path.rsplit("/", 1)[-1] for p in found.photos}


@pytest.mark.parametrize("elsewhere", ["Yokohama", "Kawasaki", "Saitama"])
def test_a_photo_in_shinjuku_is_in_tokyo_and_never_in_a_neighbouring_city(answer, elsewhere):
    shinjuku = {s.name for s in ORACLE.where(lambda s: s.spot == "shinjuku")}
    assert shinjuku <= _files(answer("photos in Tokyo"))
    assert not shinjuku & _files(answer(f"photos in {elsewhere}"))


@pytest.mark.parametrize("elsewhere", ["Brooklyn", "Jersey City", "Hoboken"])
def test_a_photo_in_manhattan_is_in_new_york_and_never_in_brooklyn_or_new_jersey(answer, elsewhere):
    manhattan = {s.name for s in ORACLE.where(lambda s: s.spot in ("timessquare", "centralpark"))}
    assert manhattan <= _files(answer("photos in Manhattan")) and manhattan <= _files(answer("photos in New York"))
    assert not manhattan & _files(answer(f"photos in {elsewhere}"))


def test_or_not_outside_qualifiers_continents_and_no_location(answer):
    paris, sydney = {s.name for s in ORACLE.city("Paris")}, {s.name for s in ORACLE.city("Sydney")}
    assert _files(answer("photos in Paris or Sydney")) == paris | sydney
    located = {s.name for s in ORACLE.shots if s.city}
    assert _files(answer("photos not in Paris")) == located - paris == _files(answer("photos outside Paris"))
    assert _files(answer("photos in Paris France")) == paris == _files(answer("photos in Europe"))
    assert _files(answer("photos without a location")) == {s.name for s in ORACLE.shots if not s.city}
    assert "within 50 km of Tokyo" in answer("photos near Tokyo").answer  # "near" says its distance


# --- a place alone, and trips (issue 25, third pass) --------------------------------------------------
@pytest.mark.parametrize("text, name", [("versailles", "Versailles"), ("Versailles?", "Versailles"), ("tokyo", "Tokyo"),
                                        ("trip to tokyo", "Tokyo"), ("my tokyo trip", "Tokyo"), ("holiday in Paris", "Paris"),
                                        ("photos from our vacation in paris in 2021", "Paris"),
                                        ("our trip to versailles", "Versailles")])
def test_a_place_alone_or_a_trip_there_is_the_photos_in_that_place(text, name):
    query = parse(text, TODAY)
    assert query.intent == "list" and query.people is None and query.place.place.name == name


@pytest.mark.parametrize("text, rewrite", [("trip photos", None), ("vacation photos of <a>", "photos of <a>"),
                                           ("versailles photos", "photos in Versailles")])
def test_a_trip_without_a_place_or_a_small_town_in_lower_case_is_refused_with_a_rewrite(text, rewrite):
    with pytest.raises(QuestionError) as refused:
        parse(text, TODAY)
    if rewrite is not None:
        assert refused.value.suggestion == rewrite
    if refused.value.suggestion:
        parse(refused.value.suggestion, TODAY)
