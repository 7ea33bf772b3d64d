"""Time expressions, always relative to the ``today`` given to ``parse``."""

from datetime import date, datetime

import pytest

from plvm_photos.ask import when
from plvm_photos.ask.parser import parse
from plvm_photos.ask.query import DateRange, QuestionError, SeasonRange

TODAY = date(2024, 7, 15)  # a Monday, in the middle of the northern summer


def d(*parts) -> datetime:
    return datetime(*parts)


def span(text: str, today: date = TODAY) -> tuple:
    time = parse(text, today).time
    assert isinstance(time, DateRange), time
    return time.start, time.end


def seasons(text: str, today: date = TODAY) -> tuple:
    time = parse(text, today).time
    assert isinstance(time, SeasonRange), time
    return (time.north.start, time.north.end), (time.south.start, time.south.end)


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("photos of <a> in 2019", d(2019, 1, 1), d(2020, 1, 1)),
        ("photos of <a> from 2019", d(2019, 1, 1), d(2020, 1, 1)),
        ("photos of <a> during 2019", d(2019, 1, 1), d(2020, 1, 1)),
        ("photos of <a> in July 2019", d(2019, 7, 1), d(2019, 8, 1)),
        ("photos of <a> in july of 2019", d(2019, 7, 1), d(2019, 8, 1)),
        ("photos of <a> in Dec 2019", d(2019, 12, 1), d(2020, 1, 1)),
        ("photos of <a> from 2018 to 2020", d(2018, 1, 1), d(2021, 1, 1)),
        ("photos of <a> from 2018 until 2020", d(2018, 1, 1), d(2021, 1, 1)),
        ("photos of <a> from 2018-2020", d(2018, 1, 1), d(2021, 1, 1)),
        ("photos of <a> between 2018 and 2020", d(2018, 1, 1), d(2021, 1, 1)),
        ("photos of <a> from March 2020 to June 2021", d(2020, 3, 1), d(2021, 7, 1)),
        ("photos of <a> before March 2021", None, d(2021, 3, 1)),
        ("photos of <a> after March 2021", d(2021, 4, 1), None),
        ("photos of <a> since 2020", d(2020, 1, 1), None),
        ("photos of <a> until 2020", None, d(2021, 1, 1)),
        ("photos of <a> since last year", d(2023, 1, 1), None),
        ("photos of <a> on 2021-07-14", d(2021, 7, 14), d(2021, 7, 15)),
        ("photos of <a> on 14 July 2021", d(2021, 7, 14), d(2021, 7, 15)),
        ("photos of <a> on 14th July 2021", d(2021, 7, 14), d(2021, 7, 15)),
        ("photos of <a> on the 14th of July 2021", d(2021, 7, 14), d(2021, 7, 15)),
        ("photos of <a> on July 14, 2021", d(2021, 7, 14), d(2021, 7, 15)),
        ("photos of <a> on July 14 2021", d(2021, 7, 14), d(2021, 7, 15)),
        ("photos of <a> on 31/12/2021", d(2021, 12, 31), d(2022, 1, 1)),
        ("photos of <a> on 12/31/2021", d(2021, 12, 31), d(2022, 1, 1)),
        ("photos of <a> last year", d(2023, 1, 1), d(2024, 1, 1)),
        ("photos of <a> this year", d(2024, 1, 1), d(2025, 1, 1)),
        ("photos of <a> last month", d(2024, 6, 1), d(2024, 7, 1)),
        ("photos of <a> this month", d(2024, 7, 1), d(2024, 8, 1)),
        ("photos of <a> today", d(2024, 7, 15), d(2024, 7, 16)),
        ("photos of <a> yesterday", d(2024, 7, 14), d(2024, 7, 15)),
        ("photos of <a> last week", d(2024, 7, 8), d(2024, 7, 15)),
        ("photos of <a> this week", d(2024, 7, 15), d(2024, 7, 22)),
        ("photos of <a> last weekend", d(2024, 7, 13), d(2024, 7, 15)),
        ("photos of <a> in the last 7 days", d(2024, 7, 9), d(2024, 7, 16)),
        ("photos of <a> over the past 2 weeks", d(2024, 7, 2), d(2024, 7, 16)),
        ("photos of <a> in the past month", d(2024, 6, 16), d(2024, 7, 16)),
        ("photos of <a> in the last 3 months", d(2024, 4, 16), d(2024, 7, 16)),
        ("photos of <a> in the 1990s", d(1990, 1, 1), d(2000, 1, 1)),
        ("photos of <a> in the 90s", d(1990, 1, 1), d(2000, 1, 1)),
        ("photos of <a> in the '90s", d(1990, 1, 1), d(2000, 1, 1)),
        ("photos of <a> in the 20s", d(2020, 1, 1), d(2030, 1, 1)),
        ("photos of <a> in the 30s", d(1930, 1, 1), d(1940, 1, 1)),
    ],
)
def test_date_ranges(text, start, end):
    assert span(text) == (start, end)


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2024, 7, 15), (d(2024, 7, 1), d(2024, 8, 1))),  # July has partly passed
        (date(2024, 7, 1), (d(2023, 7, 1), d(2023, 8, 1))),  # nothing of it before today yet
        (date(2024, 3, 3), (d(2023, 7, 1), d(2023, 8, 1))),
        (date(2024, 12, 25), (d(2024, 7, 1), d(2024, 8, 1))),
    ],
)
def test_last_july_is_the_most_recent_one(today, expected):
    assert span("photos from last july", today) == expected


def test_last_july_14_is_the_most_recent_one():
    assert span("photos on last July 14", date(2024, 7, 15)) == (d(2024, 7, 14), d(2024, 7, 15))
    assert span("photos on last July 14", date(2024, 7, 14)) == (d(2024, 7, 14), d(2024, 7, 15))
    assert span("photos on last 16 July", date(2024, 7, 15)) == (d(2023, 7, 16), d(2023, 7, 17))
    assert span("photos from last christmas", date(2024, 7, 15)) == (d(2023, 12, 25), d(2023, 12, 26))
    assert span("photos from this christmas", date(2024, 7, 15)) == (d(2024, 12, 25), d(2024, 12, 26))


@pytest.mark.parametrize("text, start, end, label, outside", [
    ("photos in july", (7, 1), (7, 31), "July (every year)", (8, 1)),
    ("photos from august", (8, 1), (8, 31), "August (every year)", (7, 31)),
    ("photos on July 14", (7, 14), (7, 14), "14 July (every year)", (7, 15)),
    ("photos on 29 February", (2, 29), (2, 29), "29 February (every year)", (3, 1)),
    ("christmas photos", (12, 25), (12, 25), "at Christmas (every year)", (12, 26)),
    ("photos from march to june", (3, 1), (6, 30), "march to june (every year)", (7, 1)),
    ("photos from november to february", (11, 1), (2, 29), "november to february (every year)", (6, 15)),
])
def test_a_month_day_or_holiday_without_a_year_is_every_years(text, start, end, label, outside):
    from plvm_photos.ask.query import EveryYear

    time = parse(text, TODAY).time
    assert isinstance(time, EveryYear) and (time.start, time.end, time.describe()) == (start, end, label)
    assert time.contains(datetime(2020, *start)) and time.contains(datetime(2028, *end))
    assert not time.contains(datetime(2019, *outside))


@pytest.mark.parametrize("text, label", [
    ("easter photos", "at Easter Sunday (every year)"),
    ("photos of <a> at easter", "at Easter Sunday (every year)"),
    ("photos on easter sunday", "at Easter Sunday (every year)"),
    ("photos at thanksgiving", "at Thanksgiving (every year)"),
])
def test_a_moving_holiday_without_a_year_is_its_day_in_every_year(text, label):
    """"Easter photos" was Easter Sunday of this year only, where "Christmas photos" is every
    year's: each year's Easter (or Thanksgiving) is a different day."""
    from plvm_photos.ask.query import EveryFeast

    time = parse(text, TODAY).time
    assert isinstance(time, EveryFeast) and time.describe() == label
    if "easter" in text:
        easters = [datetime(1999, 4, 4), datetime(2019, 4, 21, 15, 30), datetime(2024, 3, 31), datetime(2025, 4, 20)]
        assert all(time.contains(day) for day in easters)
        assert not time.contains(datetime(2019, 3, 31)) and not time.contains(datetime(2024, 4, 21))
    else:
        assert time.contains(datetime(2019, 11, 28)) and time.contains(datetime(2023, 11, 23))
        assert not time.contains(datetime(2019, 11, 22)) and not time.contains(datetime(2023, 11, 28))


def test_last_and_this_easter_and_easter_of_a_year():
    assert span("photos from last easter", date(2024, 7, 15)) == (d(2024, 3, 31), d(2024, 4, 1))
    assert span("photos from last easter", date(2024, 3, 1)) == (d(2023, 4, 9), d(2023, 4, 10))
    assert span("photos from this easter", date(2024, 3, 1)) == (d(2024, 3, 31), d(2024, 4, 1))
    assert span("easter photos from 2019") == span("photos from easter 2019") == (d(2019, 4, 21), d(2019, 4, 22))
    assert span("photos before easter", date(2024, 7, 15)) == (None, d(2024, 3, 31))


def test_before_a_month_without_a_year_is_before_the_most_recent_one():
    assert span("photos before august", date(2024, 7, 15)) == (None, d(2023, 8, 1))


def test_season_of_a_year_in_both_hemispheres():
    assert seasons("photos of <a> in summer 2019") == ((d(2019, 6, 1), d(2019, 9, 1)), (d(2019, 12, 1), d(2020, 3, 1)))
    # the winter of 2019 starts in December 2019 (north) and in June 2019 (south)
    assert seasons("photos in the winter of 2019") == ((d(2019, 12, 1), d(2020, 3, 1)), (d(2019, 6, 1), d(2019, 9, 1)))
    assert seasons("photos from spring 2020") == ((d(2020, 3, 1), d(2020, 6, 1)), (d(2020, 9, 1), d(2020, 12, 1)))
    assert seasons("photos during fall 2020") == seasons("photos during autumn 2020")
    assert seasons("photos in autumn 2020")[1] == (d(2020, 3, 1), d(2020, 6, 1))


@pytest.mark.parametrize(
    "today, north, south",
    [
        # "last summer" is the most recent one that is over: in mid-July, last year's (north)
        (date(2024, 7, 15), (d(2023, 6, 1), d(2023, 9, 1)), (d(2023, 12, 1), d(2024, 3, 1))),
        (date(2024, 6, 1), (d(2023, 6, 1), d(2023, 9, 1)), (d(2023, 12, 1), d(2024, 3, 1))),
        (date(2024, 9, 1), (d(2024, 6, 1), d(2024, 9, 1)), (d(2023, 12, 1), d(2024, 3, 1))),
        (date(2024, 9, 10), (d(2024, 6, 1), d(2024, 9, 1)), (d(2023, 12, 1), d(2024, 3, 1))),
        (date(2024, 3, 1), (d(2023, 6, 1), d(2023, 9, 1)), (d(2023, 12, 1), d(2024, 3, 1))),
        # the southern summer that began on 1 December is not over: the one before it
        (date(2024, 12, 25), (d(2024, 6, 1), d(2024, 9, 1)), (d(2023, 12, 1), d(2024, 3, 1))),
        (date(2026, 12, 7), (d(2026, 6, 1), d(2026, 9, 1)), (d(2025, 12, 1), d(2026, 3, 1))),
        (date(2025, 1, 10), (d(2024, 6, 1), d(2024, 9, 1)), (d(2023, 12, 1), d(2024, 3, 1))),
    ],
)
def test_last_summer_is_the_last_one_that_is_over(today, north, south):
    assert seasons("photos of <a> last summer", today) == (north, south)


def test_last_winter_spans_the_new_year():
    north, _ = seasons("photos last winter", date(2025, 3, 10))
    assert north == (d(2024, 12, 1), d(2025, 3, 1))
    north, _ = seasons("photos last winter", date(2025, 1, 10))  # this winter is not over yet
    assert north == (d(2023, 12, 1), d(2024, 3, 1))


@pytest.mark.parametrize("question", ["photos from summer", "summer photos", "photos of <a> in summer", "photos in the summer"])
def test_a_season_without_a_year_is_every_years(question):
    from datetime import datetime

    from plvm_photos.ask.query import EverySeason

    time = parse(question, date(2026, 12, 7)).time
    assert isinstance(time, EverySeason) and time.describe().startswith("summer of every year (June–August; December–February")
    for year in (2018, 2021, 2026):
        assert time.contains(datetime(year, 7, 20, 12), 35.0) and not time.contains(datetime(year, 7, 20, 12), -33.9)
        assert time.contains(datetime(year, 1, 20, 12), -33.9) and not time.contains(datetime(year, 1, 20, 12), 35.0)
    winter = parse("winter photos", date(2026, 12, 7)).time
    assert winter.contains(datetime(2019, 12, 25), 34.1) and winter.contains(datetime(2020, 2, 29), 34.1)


@pytest.mark.parametrize(
    "text, today, north",
    [
        ("this summer", date(2025, 1, 10), (d(2025, 6, 1), d(2025, 9, 1))),
        ("this summer", date(2025, 7, 10), (d(2025, 6, 1), d(2025, 9, 1))),
        ("this winter", date(2025, 1, 10), (d(2024, 12, 1), d(2025, 3, 1))),  # contains today
        ("this winter", date(2025, 4, 10), (d(2024, 12, 1), d(2025, 3, 1))),  # just ended: nearer
        ("this winter", date(2025, 10, 10), (d(2025, 12, 1), d(2026, 3, 1))),  # coming: nearer
    ],
)
def test_this_season(text, today, north):
    assert seasons(f"photos {text}", today)[0] == north


def test_this_summer_in_the_south_contains_today():
    assert seasons("photos this summer", date(2025, 1, 10))[1] == (d(2024, 12, 1), d(2025, 3, 1))


def test_season_range_matches_by_hemisphere():
    summer = parse("photos in summer 2019", TODAY).time
    july, january = datetime(2019, 7, 10), datetime(2020, 1, 10)
    assert summer.contains(july, latitude=48.8) and not summer.contains(january, latitude=48.8)
    assert summer.contains(january, latitude=-33.9) and not summer.contains(july, latitude=-33.9)
    assert summer.contains(july)  # no GPS: the northern reading


def test_a_season_inside_times_joined_still_reads_the_hemisphere():
    """Times joined by "or" handed the latitude on only to some kinds they might hold: a season
    inside "all of" ("on Saturdays in summer 2019") inside "any of" was read north of the equator."""
    from plvm_photos.ask.query import AllTimes, AnyTime, Weekdays

    summer = parse("photos in summer 2019", TODAY).time
    either = AnyTime((AllTimes((summer, Weekdays((5,)))), AllTimes((summer, Weekdays((6,))))))
    saturday_in_sydney_summer = datetime(2020, 1, 11)
    assert either.contains(saturday_in_sydney_summer, latitude=-33.9)
    assert not either.contains(saturday_in_sydney_summer, latitude=48.8)


def test_date_range_contains_is_start_inclusive_end_exclusive():
    year = parse("photos in 2019", TODAY).time
    assert year.contains(datetime(2019, 1, 1)) and year.contains(datetime(2019, 12, 31, 23, 59, 59))
    assert not year.contains(datetime(2020, 1, 1))
    assert parse("photos before 2019", TODAY).time.contains(datetime(1900, 1, 1))


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("photos on 2021-02-30", "no day 30 in February 2021"),
        ("photos on 31 April 2021", "no day 31 in April 2021"),
        ("photos in 9999", "out of range"),
        ("photos on 07/08/2021", "day/month or month/day"),
        ("photos from 2020 to 2018", "2018 is before 2020"),
        ("photos of <a> in 2019 last summer", "more than one time"),
        ("photos in the 95s", "not a decade"),
        ("photos in the last 0 days", "out of range"),
    ],
)
def test_impossible_times_are_refused(text, fragment):
    with pytest.raises(QuestionError) as error:
        parse(text, TODAY)
    assert fragment in str(error.value)
    assert str(error.value).startswith(f'"{text}"')


def test_time_and_place_in_any_order():
    first = parse("photos of <a> in Paris last summer", TODAY)
    second = parse("photos of <a> last summer in Paris", TODAY)
    third = parse("photos from last summer in Paris of <a>", TODAY)
    assert first.time == second.time == third.time
    assert first.place == second.place == third.place
    assert first.people == third.people


def test_parse_never_reads_the_clock():
    assert span("photos today", date(1999, 12, 31)) == (d(1999, 12, 31), d(2000, 1, 1))


def test_labels_say_what_was_understood():
    assert parse("photos last summer", TODAY).describe() == (
        "all photos, taken last summer (June–August 2023; December 2023–February 2024 south of the equator)"
    )
    assert parse("photos in july", TODAY).time.describe() == "July (every year)"
    assert parse("photos from last july", TODAY).time.describe() == "last July (July 2024)"
    assert parse("photos after March 2021", TODAY).time.describe() == "after March 2021 (from 1 April 2021 on)"
    assert when.year_range(2019).as_dict() == {"start": "2019-01-01T00:00:00", "end": "2020-01-01T00:00:00", "label": "2019"}


# --- times of day and days of the week (issue 25, third pass: they were refused without a rewrite) ----
@pytest.mark.parametrize(
    "text, test",
    [
        ("photos in the morning", lambda t: 5 <= t.hour < 12),
        ("morning photos of Penny", lambda t: 5 <= t.hour < 12),
        ("photos at night", lambda t: t.hour >= 21 or t.hour < 5),
        ("evening photos", lambda t: 17 <= t.hour < 21),
        ("photos on weekends", lambda t: t.weekday() >= 5),
        ("photos on a Saturday", lambda t: t.weekday() == 5),
        ("photos on Sundays in 2019", lambda t: t.weekday() == 6 and t.year == 2019),
        ("photos on weekdays in the afternoon", lambda t: t.weekday() < 5 and 12 <= t.hour < 17),
        ("photos not on weekends", lambda t: t.weekday() < 5),
    ],
)
def test_times_of_day_and_days_of_the_week(answer, text, test):
    from tests.ask.big_suite import Oracle
    from tests.ask.suite_library import TODAY as SUITE_TODAY

    shots = Oracle(SUITE_TODAY).shots
    penny = "penny" in text.lower().split()
    want = {s.name for s in shots if s.taken and test(s.taken) and (not penny or "penny" in s.people)}
    found = answer(text)
    assert {p.path.rsplit("/", 1)[-1] for p in found.photos} == want
    assert penny or "no date and" in found.answer  # the undated photos are said to be left out


def test_a_day_part_on_one_day_and_the_latest_weekday():
    monday = date(2026, 12, 7)
    assert span("photos from this morning", monday) == (d(2026, 12, 7, 5), d(2026, 12, 7, 12))
    assert span("photos from last night", monday) == (d(2026, 12, 6, 21), d(2026, 12, 7, 5))
    assert span("photos from yesterday evening", monday) == (d(2026, 12, 6, 17), d(2026, 12, 6, 21))
    assert span("photos from saturday", monday) == (d(2026, 12, 5), d(2026, 12, 6))
    assert span("photos from the weekend", monday) == (d(2026, 12, 5), d(2026, 12, 7))
    assert parse("photos on a saturday", monday).time.describe() == "on Saturdays"


def test_a_time_of_day_goes_with_a_date():
    from plvm_photos.ask.query import AllTimes, DayPart, Weekdays

    time = parse("photos of <a> in 2019 in the morning on weekends", TODAY).time
    assert isinstance(time, AllTimes) and [type(t) for t in time.items] == [type(parse("photos in 2019", TODAY).time), DayPart, Weekdays]
    assert time.contains(datetime(2019, 7, 13, 9)) and not time.contains(datetime(2019, 7, 13, 13))
    assert not time.contains(datetime(2019, 7, 15, 9)) and not time.contains(datetime(2020, 7, 11, 9))


# --- sort orders (issue 25, third pass: "newest first" was refused, "most recent photos" said "the 1") --
@pytest.mark.parametrize(
    "text, order",
    [("photos of <a> newest first", "last"), ("photos of <a> oldest first", "first"), ("photos of <a> sorted by date", "first"),
     ("most recent photos of <a>", "last"), ("photos of <a> from oldest to newest", "first"),
     ("photos from 2019 in chronological order", "first"), ("photos of <a> sorted by date, newest first", "last")],
)
def test_a_sort_order_lists_every_photo_in_that_order(text, order):
    query = parse(text, TODAY)
    assert (query.intent, query.order, query.limit) == ("list", order, None)
    assert query.describe().split(",")[1].strip() == ("newest first" if order == "last" else "oldest first")


def test_sorted_lists_keep_undated_photos_last(answer):
    found = answer("photos of Sheldon newest first")
    dated = [p for p in found.photos if p.taken]
    assert [p.taken for p in dated] == sorted((p.taken for p in dated), reverse=True)
    assert found.photos[-1].path.endswith("scan_no_date.jpg") and "1 photo without a date last" in found.answer
    assert parse("latest 5 photos of <a>", TODAY).limit == 5


def test_christmas_morning_is_the_morning_of_christmas_day():
    from plvm_photos.ask.query import AllTimes, DayPart, EveryYear

    time = parse("photos on christmas morning", TODAY).time  # it was the whole of Christmas day
    assert isinstance(time, AllTimes) and [type(t) for t in time.items] == [EveryYear, DayPart]
    assert time.contains(datetime(2019, 12, 25, 9)) and not time.contains(datetime(2019, 12, 25, 18))


@pytest.mark.parametrize("text, start, end", [
    ("summer photos from 2019", d(2019, 6, 1), d(2019, 9, 1)), ("august photos from 2020", d(2020, 8, 1), d(2020, 9, 1)),
    ("photos of <a> from summer in 2021", d(2021, 6, 1), d(2021, 9, 1))])
def test_a_season_or_month_of_every_year_with_a_year_is_that_years(text, start, end):
    time = parse(text, TODAY).time  # it was refused as two times
    north = time.north if isinstance(time, SeasonRange) else time
    assert (north.start, north.end) == (start, end)
