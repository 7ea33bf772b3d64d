""""In X" is containment: a photo's reverse-geocoded place is X or lies within X (its districts
and suburbs for a city; its region, country and continent), never a neighbouring city's."""

import pytest

from plvm_photos.places.geocode import candidates, lookup, reverse

# Where a photo was taken (lat, lon) -> the places it is in, and neighbours it is never in.
SPOTS = {
    "Shinjuku": ((35.6938, 139.7034), ["Tokyo", "Japan", "Asia"], ["Yokohama", "Kawasaki", "Saitama", "Kanagawa", "Kyoto"]),
    "Asakusa": ((35.7148, 139.7967), ["Tokyo", "Japan"], ["Yokohama", "Kawasaki", "Saitama"]),
    "Tokyo Tower": ((35.6586, 139.7454), ["Tokyo"], ["Yokohama", "Kawasaki"]),
    "Yokohama Chinatown": ((35.4437, 139.6380), ["Yokohama", "Kanagawa", "Japan"], ["Tokyo", "Kawasaki"]),
    "Times Square": ((40.7580, -73.9855), ["New York", "Manhattan", "New York State", "United States", "North America"],
                     ["Brooklyn", "Jersey City", "Hoboken", "Queens", "New Jersey"]),
    "Central Park": ((40.7829, -73.9654), ["New York", "Manhattan"], ["Brooklyn", "Jersey City", "Hoboken"]),
    "Hudson Yards": ((40.7540, -74.0020), ["New York", "Manhattan"], ["Brooklyn", "Jersey City", "Hoboken"]),
    "Brooklyn Bridge Park": ((40.7003, -73.9967), ["New York", "Brooklyn"], ["Manhattan", "Jersey City"]),
    "Eiffel Tower": ((48.8584, 2.2945), ["Paris", "Île-de-France", "France", "Europe"], ["Montreuil", "Versailles", "Paris, Texas"]),
    "Louvre": ((48.8606, 2.3376), ["Paris", "France"], ["Montreuil", "Lyon"]),
    "Montmartre": ((48.8867, 2.3431), ["Paris"], ["Montreuil", "Saint-Denis"]),
    "Montreuil": ((48.8638, 2.4485), ["Montreuil", "Île-de-France", "France"], ["Paris"]),
    "Sydney Opera House": ((-33.8568, 151.2153), ["Sydney", "New South Wales", "Australia", "Oceania"], ["Melbourne", "Europe"]),
    "Bondi Beach": ((-33.8915, 151.2767), ["Sydney", "Australia"], ["Melbourne"]),
    "Santa Monica": ((34.0195, -118.4912), ["Los Angeles", "California"], ["San Francisco"]),
}


@pytest.mark.parametrize("spot", sorted(SPOTS))
def test_a_photo_is_in_its_place_and_never_in_a_neighbouring_city(spot):
    (lat, lon), inside, outside = SPOTS[spot]
    place = reverse(lat, lon)
    for name in inside:
        assert lookup(name).contains(place.geonameid, place.country_code, place.admin1_code), (spot, place.name, name)
    for name in outside:
        assert not lookup(name).contains(place.geonameid, place.country_code, place.admin1_code), (spot, place.name, name)


def test_levels_and_qualifiers():
    assert lookup("Europe").level == "continent" and "FR" in lookup("Europe").countries
    assert lookup("North America").countries and "US" in lookup("North America").countries
    assert lookup("Paris France").describe() == "Paris (Île-de-France, France)"
    assert lookup("Paris Texas").admin1 == "Texas"
    assert lookup("Portland Oregon").admin1 == "Oregon"
    assert [p.country_code for p in candidates("Paris, France")] == ["FR"]


def test_a_small_city_has_only_its_named_districts_as_parts():
    assert lookup("Montreuil").parts == ()
    assert lookup("Lyon 03").geonameid in lookup("Lyon").parts
    brooklyn, manhattan = lookup("Brooklyn"), lookup("Manhattan")
    assert manhattan.geonameid not in brooklyn.parts and brooklyn.geonameid not in manhattan.parts
    assert {brooklyn.geonameid, manhattan.geonameid} <= set(lookup("New York").parts)
