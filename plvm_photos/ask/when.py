"""Time expressions -> date ranges, relative to a given ``today`` (never the clock).

Every range is naive local time, start inclusive, end exclusive. The rules:

- A year, month or day is the whole calendar unit: "2019" = 1 Jan 2019 to 1 Jan 2020.
- "from A to B" / "between A and B" run from the start of A through the end of B
  ("from 2018 to 2020" ends on 1 Jan 2021). "before A" ends where A starts, "after A" starts
  where A ends (both exclude A); "since A" starts where A starts, "until A" ends where A ends
  (both include A).
- A month without a year ("in July") is the most recent July that has fully or partly passed
  before today: this year's July once 1 July is past, else last year's. A day without a year
  ("on July 14") is the most recent such day on or before today.
- Seasons are meteorological, named by the year they start in. Northern: spring = March-May,
  summer = June-August, autumn (fall) = September-November, winter = December-February, so
  the winter of 2019 is December 2019 - February 2020. Southern: the same names shifted by six
  months (summer 2019 = December 2019 - February 2020, winter 2019 = June-August 2019). Each
  season gives both ranges (``SeasonRange``); a photo is matched by the one of its hemisphere.
- "last summer" (and a bare "summer") is, on each side of the equator, the most recent summer
  that has fully or partly passed before today: on 15 July 2024 it is June-August 2024 in the
  north (partly passed) and December 2023 - February 2024 in the south; on 1 June 2024 nothing
  of summer 2024 has passed yet, so it is summer 2023 in the north.
- "this summer" is, on each side, the occurrence that overlaps the current calendar year and is
  nearest to today (the one containing today wins): in April 2025 "this winter" is the northern
  winter 2024/25 that just ended, in October 2025 the coming winter 2025/26.
- "this/last week" are ISO weeks (Monday to Sunday), "this/last weekend" that week's Saturday
  and Sunday, "this/last month/year" calendar units, "today" and "yesterday" single days.
- "the last/past N days|weeks|months|years" (and "the past week") are the N units ending today:
  from the day after the same date N units ago through today. Without a number, "last" is the
  calendar unit: "in the last month" is last month, "in the past month" the month ending today.
- A decade "1990s" is 1990-1999; a two-digit one ("the 90s", "'20s") is the most recent decade
  with those digits that has begun by today (in 2025 "the 20s" are the 2020s, "the 30s" the
  1930s).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from plvm_photos.ask.query import DateRange, EveryFeast, EverySeason, EveryYear, QuestionError, SeasonRange

FIRST_YEAR, LAST_YEAR = 1800, 2999  # years outside are refused (and datetime's range is safe)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
SEASONS = {"spring": "spring", "summer": "summer", "autumn": "autumn", "fall": "autumn", "winter": "winter"}
NORTH_START = {"spring": 3, "summer": 6, "autumn": 9, "winter": 12}  # month a season starts in
SOUTH_START = {"spring": 9, "summer": 12, "autumn": 3, "winter": 6}
PERIODS = {
    "day": "day",
    "days": "day",
    "week": "week",
    "weeks": "week",
    "weekend": "weekend",
    "weekends": "weekend",
    "month": "month",
    "months": "month",
    "year": "year",
    "years": "year",
}
MAX_ROLLING = {"day": 36500, "week": 5200, "month": 1200, "year": 100}


# --- calendar helpers ---------------------------------------------------------------------------
def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1)


def check_year(year: int, text: str = "") -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise QuestionError(text or str(year), f"the year {year} is out of range ({FIRST_YEAR}-{LAST_YEAR})")
    return year


def month_number(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


# --- calendar units ---------------------------------------------------------------------------
def year_range(year: int) -> DateRange:
    check_year(year)
    return DateRange(datetime(year, 1, 1), datetime(year + 1, 1, 1), str(year))


def month_range(year: int, month: int) -> DateRange:
    check_year(year)
    return DateRange(_month_start(year, month), _month_start(*_add_months(year, month, 1)), f"{MONTH_NAMES[month - 1]} {year}")


def day_range(year: int, month: int, day: int) -> DateRange:
    check_year(year)
    if not 1 <= month <= 12:
        raise QuestionError(f"{year}-{month}-{day}", f"there is no month {month}")
    try:
        start = datetime(year, month, day)
    except ValueError:
        raise QuestionError(f"{day} {MONTH_NAMES[month - 1]} {year}", f"there is no day {day} in {MONTH_NAMES[month - 1]} {year}") from None
    return DateRange(start, start + timedelta(days=1), f"{day} {MONTH_NAMES[month - 1]} {year}")


def recent_month(month: int, today: date) -> DateRange:
    """The most recent ``month`` that has fully or partly passed before ``today``."""
    year = today.year if _month_start(today.year, month) < _midnight(today) else today.year - 1
    return month_range(year, month)


def every_month(month: int, today: date) -> EveryYear:
    """``month`` of every year ("photos from August")."""
    last = _days_in_month(2024, month)  # a leap year: 29 February is February's too
    return EveryYear((month, 1), (month, last), MONTH_NAMES[month - 1], recent_month(month, today))


def every_day(month: int, day: int, today: date, label: str = "") -> EveryYear:
    """``month``/``day`` of every year ("on 4 July", "at Christmas")."""
    recent = recent_day(month, day, today)
    return EveryYear((month, day), (month, day), label or f"{day} {MONTH_NAMES[month - 1]}", recent)


def every_feast(day_in: Callable[[int], date], holiday: str, today: date) -> EveryFeast:
    """A holiday whose date moves (``day_in(year)``: Easter, Thanksgiving) in every year a camera
    date can have, from FIRST_YEAR to next year (a clock set a little ahead)."""
    days = tuple(day_in(year) for year in range(FIRST_YEAR, today.year + 2))
    recent = max(day for day in days if day <= today)
    return EveryFeast(holiday, days, f"at {holiday}", day_range(recent.year, recent.month, recent.day))


def every_span(first: EveryYear, last: EveryYear, text: str) -> EveryYear:
    """"from March to June" with no year: those months of every year."""
    recent = span(first.recent, last.recent) if first.recent and last.recent and first.recent.start < last.recent.end else None
    return EveryYear(first.start, last.end, text, recent)


def recent_day(month: int, day: int, today: date) -> DateRange:
    """The most recent ``month``/``day`` on or before ``today`` (29 February: a leap year's)."""
    for year in range(today.year, today.year - 8, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return day_range(year, month, day)
    raise QuestionError(f"{day} {MONTH_NAMES[month - 1]}", f"there is no day {day} in {MONTH_NAMES[month - 1]}")


def decade_range(text: str, today: date) -> DateRange:
    """"1990s", "90s", "'90s" -> the decade (two digits: the latest such decade begun by today)."""
    digits = text.strip("'’").lower().removesuffix("s").rstrip("'’")
    if len(digits) == 4:
        start = int(digits)
    else:
        start = (today.year // 100) * 100 + int(digits)
        if start > today.year:
            start -= 100
    if start % 10:
        raise QuestionError(text, f'"{text}" is not a decade; write it like "the 1990s" or "the 90s"')
    check_year(start, text)
    return DateRange(datetime(start, 1, 1), datetime(start + 10, 1, 1), f"the {start}s")


# --- seasons ------------------------------------------------------------------------------------
def _season_on(side: dict[str, int], season: str, year: int) -> DateRange:
    first = side[season]
    start = _month_start(year, first)
    return DateRange(start, _month_start(*_add_months(year, first, 3)), "")


def season_range(season: str, year: int) -> SeasonRange:
    """The season that starts in ``year``, on each side of the equator."""
    season = SEASONS[season.lower()]
    check_year(year)
    return SeasonRange(_season_on(NORTH_START, season, year), _season_on(SOUTH_START, season, year), f"{season} {year}")


def _last_on(side: dict[str, int], season: str, today: date) -> DateRange:
    """The most recent occurrence that is over by today: in July "last summer" is last year's, and
    on 7 December the southern summer that began on the 1st is not yet "last summer"."""
    now = _midnight(today)
    return next(r for year in range(today.year, today.year - 3, -1) if (r := _season_on(side, season, year)).end <= now)


def _this_on(side: dict[str, int], season: str, today: date) -> DateRange:
    now = _midnight(today)
    year_start, year_end = datetime(today.year, 1, 1), datetime(today.year + 1, 1, 1)
    candidates = [_season_on(side, season, year) for year in (today.year - 1, today.year, today.year + 1)]
    overlapping = [r for r in candidates if r.start < year_end and r.end > year_start]
    return min(overlapping, key=lambda r: max(r.start - now, now - r.end + timedelta(days=1), timedelta(0)))


def last_season(season: str, today: date) -> SeasonRange:
    """On each side, the most recent occurrence that is over by today."""
    season = SEASONS[season.lower()]
    return SeasonRange(_last_on(NORTH_START, season, today), _last_on(SOUTH_START, season, today), f"last {season}")


def every_season(season: str, today: date) -> EverySeason:
    """The season of every year ("photos from summer"), on each side of the equator."""
    season = SEASONS[season.lower()]

    def days(first: int) -> EveryYear:
        last_month = (first + 1) % 12 + 1
        return EveryYear((first, 1), (last_month, _days_in_month(2000, last_month)), season)

    return EverySeason(days(NORTH_START[season]), days(SOUTH_START[season]), season, last_season(season, today))


def this_season(season: str, today: date) -> SeasonRange:
    """On each side, the occurrence overlapping this calendar year that is nearest to today."""
    season = SEASONS[season.lower()]
    return SeasonRange(_this_on(NORTH_START, season, today), _this_on(SOUTH_START, season, today), f"this {season}")


# --- words relative to today --------------------------------------------------------------------
def today_range(today: date) -> DateRange:
    start = _midnight(today)
    return DateRange(start, start + timedelta(days=1), "today")


def yesterday_range(today: date) -> DateRange:
    start = _midnight(today) - timedelta(days=1)
    return DateRange(start, start + timedelta(days=1), "yesterday")


def calendar_period(which: str, period: str, today: date) -> DateRange:
    """``which`` is "this" or "last"; ``period`` day/week/weekend/month/year (calendar units)."""
    period = PERIODS[period.lower()]
    back = 1 if which == "last" else 0
    label = f"{which} {period}"
    if period == "day":
        start = _midnight(today) - timedelta(days=back)
        return DateRange(start, start + timedelta(days=1), "today" if not back else "yesterday")
    if period in ("week", "weekend"):
        monday = _midnight(today) - timedelta(days=today.weekday() + 7 * back)
        if period == "weekend":
            return DateRange(monday + timedelta(days=5), monday + timedelta(days=7), label)
        return DateRange(monday, monday + timedelta(days=7), label)
    if period == "month":
        year, month = _add_months(today.year, today.month, -back)
        return DateRange(_month_start(year, month), _month_start(*_add_months(year, month, 1)), label)
    year = today.year - back
    return DateRange(datetime(year, 1, 1), datetime(year + 1, 1, 1), label)


def rolling(count: int, period: str, today: date) -> DateRange:
    """The ``count`` units ending today: from the day after the same date ``count`` units ago."""
    period = PERIODS[period.lower()]
    if period == "weekend":
        raise QuestionError(f"{count} weekends", "I can't count weekends back; say \"last weekend\" or \"the last 2 weeks\"")
    if not 1 <= count <= MAX_ROLLING[period]:
        raise QuestionError(f"{count} {period}s", f"{count} {period}s is out of range")
    end = _midnight(today) + timedelta(days=1)
    if period in ("day", "week"):
        start = end - timedelta(days=count * (7 if period == "week" else 1))
    else:
        months = count * (12 if period == "year" else 1)
        year, month = _add_months(today.year, today.month, -months)
        day = min(today.day, _days_in_month(year, month))
        start = datetime(year, month, day) + timedelta(days=1)
    check_year(start.year, f"the last {count} {period}s")
    unit = period if count == 1 else f"{period}s"
    return DateRange(start, end, f"the last {count} {unit}" if count != 1 else f"the past {unit}")


def _days_in_month(year: int, month: int) -> int:
    return (_month_start(*_add_months(year, month, 1)) - _month_start(year, month)).days


# --- combining points ---------------------------------------------------------------------------
def span(first: DateRange, last: DateRange, text: str = "") -> DateRange:
    """From the start of ``first`` through the end of ``last``."""
    if last.end <= first.start:
        raise QuestionError(text or f"{first.label} to {last.label}", f"{last.label} is before {first.label}")
    return DateRange(first.start, last.end, f"{first.label} to {last.label}")


def before(point: DateRange) -> DateRange:
    return DateRange(None, point.start, f"before {point.label}")


def after(point: DateRange) -> DateRange:
    return DateRange(point.end, None, f"after {point.label}")


def since(point: DateRange) -> DateRange:
    return DateRange(point.start, None, f"since {point.label}")


def until(point: DateRange) -> DateRange:
    return DateRange(None, point.end, f"until {point.label}")

