"""The time part of a question: dates, spans and relative forms, found wherever they stand.

``TimeReader(words, today).read(i)`` reads the longest time expression starting at word ``i``
(lowercased words, see ``parser.py``) and returns (words used, range) or None; the ranges come from
``when.py``, which holds the rules. What it reads:

- points: ``2019``, ``the year 2018``, ``'18``, ``the 1990s`` / ``the 90s``, ``July`` / ``July
  2019`` / ``July '19``, ``14 July 2021`` / ``July 14, 2021`` / ``the 14th of July``,
  ``2021-07-14``, ``31/12/2021``, ``summer 2019`` / ``the winter of 2019``, ``early / mid / late
  2022`` (and a month), ``the first half of 2022``, ``Q3 2022`` / ``the third quarter of 2022``,
  holidays (``Christmas 2020``, ``New Year's Eve``, ``Halloween``, ``Easter 2021``, ...),
  ``today``, ``yesterday``, ``this / last week | weekend | month | year | decade | summer``,
  ``2 years ago``, ``a month ago``, ``the last 30 days``, ``recently`` (the last 30 days);
- spans and bounds: ``from A to B``, ``between A and B``, ``A-B``, ``before / after / since /
  until A`` ("between March and June 2018": the first month takes the later year);
- several: ``in 2018 or 2019`` (either), ``after 2018 and before 2021`` (both), ``not in 2019``
  (any other time) — combined by the parser (``combine``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from plvm_photos.ask import when as W
from plvm_photos.ask.query import AllTimes, AnyTime, DateRange, DayPart, EveryFeast, EverySeason, EveryYear, QuestionError, SeasonRange, Weekdays

_YEAR = re.compile(r"^[0-9]{4}$")
_SHORT_YEAR = re.compile(r"^'([0-9]{2})$")
_DECADE = re.compile(r"^(?:'?([0-9]{2})|([0-9]{4}))'?s$")
_ISO = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_SLASH = re.compile(r"^([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{4})$")
_YEAR_RANGE = re.compile(r"^([0-9]{4})[-–]([0-9]{2}|[0-9]{4})$")
_MONTH_YEAR = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
_QUARTER = re.compile(r"^q([1-4])$")
ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple": 2, "few": 3}
DECADE_WORDS = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70,
                "eighties": 80, "nineties": 90}
PARTS_OF = {"early": (0, 1 / 3), "beginning": (0, 1 / 3), "start": (0, 1 / 3), "mid": (1 / 3, 2 / 3),
            "middle": (1 / 3, 2 / 3), "late": (2 / 3, 1), "end": (2 / 3, 1)}
RECENT_DAYS = 30
SPAN_WORDS = frozenset(["to", "until", "till", "til", "through", "thru", "-", "–", "and"])
BOUNDS = {"before": "before", "prior to": "before", "earlier than": "before", "older than": "before", "after": "after",
          "later than": "after", "newer than": "after", "more recent than": "after",
          "since": "since", "until": "until", "till": "until", "til": "until", "up to": "until", "up until": "until",
          "through": "until", "by": "until"}
IN_WORDS = frozenset(["in", "during", "from", "on", "at", "of", "over", "throughout", "within", "around", "circa",
                      "for", "taken", "shot", "dated"])


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day)


def _easter(year: int) -> date:
    """Western Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    return date(year, month, (h + ell - 7 * m + 114) % 31 + 1)


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


HOLIDAYS = {  # words -> (function of the year giving the first day, number of days, label)
    ("christmas",): (lambda y: date(y, 12, 25), 1, "Christmas"),
    ("xmas",): (lambda y: date(y, 12, 25), 1, "Christmas"),
    ("christmas", "day"): (lambda y: date(y, 12, 25), 1, "Christmas"),
    ("christmas", "eve"): (lambda y: date(y, 12, 24), 1, "Christmas Eve"),
    ("new", "year's", "eve"): (lambda y: date(y, 12, 31), 1, "New Year's Eve"),
    ("new", "year", "eve"): (lambda y: date(y, 12, 31), 1, "New Year's Eve"),
    ("new", "year", "day"): (lambda y: date(y, 1, 1), 1, "New Year's Day"),
    ("valentine", "day"): (lambda y: date(y, 2, 14), 1, "Valentine's Day"),
    ("valentine",): (lambda y: date(y, 2, 14), 1, "Valentine's Day"),
    ("new", "years", "eve"): (lambda y: date(y, 12, 31), 1, "New Year's Eve"),
    ("nye",): (lambda y: date(y, 12, 31), 1, "New Year's Eve"),
    ("new", "year's", "day"): (lambda y: date(y, 1, 1), 1, "New Year's Day"),
    ("new", "years", "day"): (lambda y: date(y, 1, 1), 1, "New Year's Day"),
    ("new", "year's"): (lambda y: date(y, 1, 1), 1, "New Year's Day"),
    ("new", "year"): (lambda y: date(y, 1, 1), 1, "New Year's Day"),
    ("halloween",): (lambda y: date(y, 10, 31), 1, "Halloween"),
    ("valentine's", "day"): (lambda y: date(y, 2, 14), 1, "Valentine's Day"),
    ("valentines", "day"): (lambda y: date(y, 2, 14), 1, "Valentine's Day"),
    ("valentine's",): (lambda y: date(y, 2, 14), 1, "Valentine's Day"),
    ("easter",): (_easter, 1, "Easter Sunday"),
    ("easter", "sunday"): (_easter, 1, "Easter Sunday"),
    ("thanksgiving",): (_thanksgiving, 1, "Thanksgiving"),
    ("thanksgiving", "day"): (_thanksgiving, 1, "Thanksgiving"),
}


FIXED_DAYS = frozenset(first_day for words, (first_day, _, _) in HOLIDAYS.items() if first_day not in (_easter, _thanksgiving))


# times of day by the camera's clock: (first hour, hour after the last)
DAY_PARTS = {"morning": (5, 12), "mornings": (5, 12), "afternoon": (12, 17), "afternoons": (12, 17),
             "evening": (17, 21), "evenings": (17, 21), "night": (21, 5), "nights": (21, 5), "nighttime": (21, 5),
             "night-time": (21, 5), "daytime": (7, 19), "day-time": (7, 19)}
DAY_PART_NAMES = {5: "morning", 12: "afternoon", 17: "evening", 21: "night", 7: "daytime"}
WEEKDAY_WORDS = {name: k for k, names in enumerate([("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"),
                                                    ("thursday", "thu", "thur", "thurs"), ("friday", "fri"),
                                                    ("saturday", "sat"), ("sunday", "sun")]) for name in names}
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MEDIA_NOUNS = frozenset(["photo", "photos", "picture", "pictures", "pic", "pics", "shots", "snaps", "images", "videos",
                         "clips"])
CLOCK_LEADS = frozenset(["in", "on", "at", "during", "from", "over", "every", "each", "any", "by", "of", "taken", "shot"])


class TimeReader:
    """Reads time expressions from ``words`` (lowercase; "" for a token that is no word)."""

    def __init__(self, words: list[str], today: date):
        self.w = words
        self.today = today

    # --- helpers -------------------------------------------------------------------------------
    def _at(self, i: int) -> str:
        return self.w[i] if 0 <= i < len(self.w) else ""

    def _skip_the(self, i: int) -> int:
        return i + 1 if self._at(i) == "the" else i

    def _year(self, i: int) -> tuple[int, int] | None:
        """(next index, year) of "2019", "'19", "the year 2019"."""
        word = self._at(i)
        if _YEAR.match(word):
            return i + 1, W.check_year(int(word), word)
        short = _SHORT_YEAR.match(word)
        if short:
            return i + 1, self._century(int(short.group(1)))
        if word == "the" and self._at(i + 1) == "year" and _YEAR.match(self._at(i + 2)):
            return i + 3, W.check_year(int(self._at(i + 2)))
        if word == "year" and _YEAR.match(self._at(i + 1)):
            return i + 2, W.check_year(int(self._at(i + 1)))
        return None

    def _century(self, two: int) -> int:
        year = (self.today.year // 100) * 100 + two
        return year - 100 if year > self.today.year else year

    def _day_number(self, i: int) -> tuple[int, int] | None:
        word = self._at(i)
        found = re.fullmatch(r"([0-9]{1,2})(?:st|nd|rd|th)?", word)
        if found and 1 <= int(found.group(1)) <= 31:
            return i + 1, int(found.group(1))
        return None

    def _month(self, i: int) -> tuple[int, int] | None:
        word = self._at(i).rstrip(".")
        if word in W.MONTHS and not (word == "may" and self._at(i + 1) in ("i", "you", "we")):
            return i + 1, W.MONTHS[word]
        return None

    # --- points --------------------------------------------------------------------------------
    def point(self, i: int, year_hint: int | None = None):
        """(next index, DateRange | SeasonRange) of the point at ``i``, or None; a month without
        a year takes ``year_hint`` where given (the later year of a span)."""
        for reader in (self._last_or_this, self._holiday, self._part_of, self._half_or_quarter, self._day,
                       self._month_point, self._season, self._year_point, self._decade, self._relative):
            found = reader(i, year_hint)
            if found is not None:
                return found
        if self._at(i) == "the" and self._at(i + 1) not in ("", "the"):
            found = self.point(i + 1, year_hint)
            if found is not None:
                return found
        return None

    def _year_point(self, i: int, hint):
        word = self._at(i)
        iso_month = _MONTH_YEAR.match(word)
        if iso_month and 1 <= int(iso_month.group(2)) <= 12:
            return i + 1, W.month_range(int(iso_month.group(1)), int(iso_month.group(2)))
        years = _YEAR_RANGE.match(word)
        if years:
            first, last = int(years.group(1)), years.group(2)
            last_year = int(last) if len(last) == 4 else first // 100 * 100 + int(last)
            return i + 1, W.span(W.year_range(first), W.year_range(W.check_year(last_year)), word)
        found = self._year(i)
        if found is not None:
            return found[0], W.year_range(found[1])
        return None

    def _decade(self, i: int, hint):
        word = self._at(i)
        found = _DECADE.match(word)
        if found:
            return i + 1, W.decade_range(word, self.today)
        if word in DECADE_WORDS:
            return i + 1, W.decade_range(f"{DECADE_WORDS[word]}s", self.today)
        if word in ("this", "the") and self._at(i + 1) == "decade" and (word == "this" or self._at(i + 2) != "of"):
            start = self.today.year // 10 * 10
            return i + 2, DateRange(datetime(start, 1, 1), datetime(start + 10, 1, 1), "this decade")
        if word in ("last", "past", "previous") and self._at(i + 1) == "decade":
            start = self.today.year // 10 * 10 - 10
            return i + 2, DateRange(datetime(start, 1, 1), datetime(start + 10, 1, 1), "last decade")
        return None

    def _last_or_this(self, i: int, hint):
        """"last July", "this Christmas": the most recent one (that has begun), this year's one."""
        which = self._at(i)
        if which not in ("last", "this", "past", "previous") or hint is not None:
            return None
        found = self._holiday(i + 1, None) or self._day(i + 1, None) or self._month_point(i + 1, None)
        if found is None or not isinstance(found[1], (EveryYear, EveryFeast)):
            return None
        end, every = found
        if which != "this":
            return end, DateRange(every.recent.start, every.recent.end, f"last {every.label.removeprefix('at ')}")
        if isinstance(every, EveryFeast):
            day = next(day for day in every.days if day.year == self.today.year)  # days run to next year
            return end, DateRange(_midnight(day), _midnight(day) + timedelta(days=1), f"this {every.holiday}")
        start = datetime(self.today.year, *every.start)
        stop = datetime(self.today.year, *every.end) + timedelta(days=1)
        return end, DateRange(start, stop, f"this {every.label.removeprefix('at ')}")

    def _month_point(self, i: int, hint):
        found = self._month(i)
        if found is None:
            return None
        j, month = found
        if self._at(j) == "of" and self._year(j + 1):
            j += 1
        year = self._year(j)
        if year is not None:
            return year[0], W.month_range(year[1], month)
        if hint is not None:
            return j, W.month_range(hint, month)
        if self._at(i) == "may" and self._at(i - 1) not in IN_WORDS | {"of", "and", "or", "to", "until", "till", "since",
                                                                      "before", "after", "between", "last", "this", "early",
                                                                      "late", "mid"}:
            return None  # "may" the verb
        return j, W.every_month(month, self.today)

    def _day(self, i: int, hint):
        word = self._at(i)
        iso = _ISO.match(word)
        if iso:
            return i + 1, W.day_range(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        slash = _SLASH.match(word)
        if slash:
            first, second, year = (int(g) for g in slash.groups())
            if first <= 12 and second <= 12 and first != second:
                raise QuestionError(word, f'"{word}" could be day/month or month/day; write it as {year}-MM-DD or like "14 July {year}"')
            day, month = (first, second) if first > 12 or first == second else (second, first)
            if month > 12:
                raise QuestionError(word, f'"{word}" is not a date')
            return i + 1, W.day_range(year, month, day)
        j = self._skip_the(i)
        number = self._day_number(j)
        if number is not None:  # 14 July [2021], the 14th of July
            k = number[0] + (1 if self._at(number[0]) == "of" else 0)
            month = self._month(k)
            if month is not None:
                year = self._year(month[0] + (1 if self._at(month[0]) == "," else 0))
                if year is not None:
                    return year[0], W.day_range(year[1], month[1], number[1])
                if hint is not None:
                    return month[0], W.day_range(hint, month[1], number[1])
                return month[0], W.every_day(month[1], number[1], self.today)
        month = self._month(i)
        if month is not None:  # July 14[,] [2021]
            number = self._day_number(month[0] + (1 if self._at(month[0]) == "the" else 0))
            if number is not None and not (self._at(number[0]) in ("km", "mi", "miles", "photos", "pictures", "people")):
                k = number[0] + (1 if self._at(number[0]) == "," else 0)
                year = self._year(k)
                if year is not None:
                    return year[0], W.day_range(year[1], month[1], number[1])
                if hint is not None:
                    return number[0], W.day_range(hint, month[1], number[1])
                return number[0], W.every_day(month[1], number[1], self.today)
        return None

    def _season(self, i: int, hint):
        j = i
        which = ""
        if self._at(j) in ("last", "this", "past", "previous"):
            which, j = self._at(j), j + 1
        j = self._skip_the(j) if not which else j
        word = self._at(j)
        if word not in W.SEASONS:
            return None
        j += 1
        if not which:
            if self._at(j) == "of" and self._year(j + 1):
                j += 1
            year = self._year(j)
            if year is not None:
                return year[0], W.season_range(word, year[1])
            if hint is not None:
                return j, W.season_range(word, hint)
            return j, W.every_season(word, self.today)  # "photos from summer": every year's
        return j, (W.this_season if which == "this" else W.last_season)(word, self.today)

    def _holiday(self, i: int, hint):
        for words, (first_day, days, label) in sorted(HOLIDAYS.items(), key=lambda kv: -len(kv[0])):
            if tuple(self._at(i + k) for k in range(len(words))) != words:
                continue
            j = i + len(words)
            if self._at(j) == "of" and self._year(j + 1):
                j += 1
            year = self._year(j)
            if year is not None:
                j, y = year
            elif hint is not None:
                y = hint
            elif first_day in FIXED_DAYS:  # every year's ("Christmas photos")
                day = first_day(self.today.year)
                return j, W.every_day(day.month, day.day, self.today, f"at {label}")
            else:  # "Easter photos": every year's, on its day in each year
                return j, W.every_feast(first_day, label, self.today)
            start = _midnight(first_day(y))
            return j, DateRange(start, start + timedelta(days=days), f"{label} {y}")
        return None

    def _part_of(self, i: int, hint):
        """"early 2022", "late March 2021", "the end of 2019", "mid-2020", "the beginning of July"."""
        j = self._skip_the(i)
        word = self._at(j)
        if word.startswith("mid-"):
            word, rest = "mid", word[4:]
            inner = self._inner_for_part([rest] + self.w[j + 1 :], hint)
            if inner is None:
                return None
            consumed, base = inner
            if isinstance(base, EveryYear):
                base = base.recent
            return j + consumed, self._slice(base, PARTS_OF["mid"], "mid")
        if word not in PARTS_OF:
            return None
        k = j + 1
        if self._at(k) == "of":
            k += 1
        elif word in ("beginning", "start", "end", "middle"):
            return None
        found = self._year_point(k, hint) or self._month_point(k, hint) or self._decade(k, hint)
        if found is None:
            return None
        end, base = found
        if isinstance(base, EveryYear):  # "early July": the most recent one
            base = base.recent
        return end, self._slice(base, PARTS_OF[word], word)

    def _inner_for_part(self, words: list[str], hint):
        reader = TimeReader(words, self.today)
        found = reader._year_point(0, hint) or reader._month_point(0, hint)
        return found

    @staticmethod
    def _slice(base: DateRange, share: tuple[float, float], word: str) -> DateRange:
        total = base.end - base.start
        start = base.start + total * share[0]
        end = base.start + total * share[1]
        start = datetime(start.year, start.month, start.day) if share[0] else base.start
        end = datetime(end.year, end.month, end.day) if share[1] < 1 else base.end
        if total >= timedelta(days=360):  # whole months for a year or more
            start = datetime(start.year, start.month, 1)
            end = datetime(end.year, end.month, 1) if share[1] < 1 else base.end
        return DateRange(start, end, f"{word} {base.label}")

    def _half_or_quarter(self, i: int, hint):
        j = self._skip_the(i)
        quarter = _QUARTER.match(self._at(j))
        if quarter:
            year = self._year(j + 1)
            if year is None:
                return None
            return year[0], self._quarter(year[1], int(quarter.group(1)))
        which = ORDINALS.get(self._at(j))
        if which is None or self._at(j + 1) not in ("half", "quarter") or self._at(j + 2) != "of":
            return None
        year = self._year(j + 3)
        if year is None:
            return None
        if self._at(j + 1) == "half":
            if which > 2:
                return None
            start = datetime(year[1], 1 + 6 * (which - 1), 1)
            end = datetime(year[1] + 1, 1, 1) if which == 2 else datetime(year[1], 7, 1)
            return year[0], DateRange(start, end, f"the {'first' if which == 1 else 'second'} half of {year[1]}")
        return year[0], self._quarter(year[1], which)

    @staticmethod
    def _quarter(year: int, which: int) -> DateRange:
        start = datetime(year, 3 * (which - 1) + 1, 1)
        end = datetime(year + 1, 1, 1) if which == 4 else datetime(year, 3 * which + 1, 1)
        return DateRange(start, end, f"Q{which} {year}")

    def _relative(self, i: int, hint):
        word = self._at(i)
        if word == "today" or (word == "this" and self._at(i + 1) == "day"):
            return i + (1 if word == "today" else 2), W.today_range(self.today)
        if word == "yesterday":
            return i + 1, W.yesterday_range(self.today)
        if word == "the" and self._at(i + 1) == "day" and self._at(i + 2) == "before" and self._at(i + 3) == "yesterday":
            start = _midnight(self.today) - timedelta(days=2)
            return i + 4, DateRange(start, start + timedelta(days=1), "the day before yesterday")
        if word in ("recently", "lately"):
            return i + 1, W.rolling(RECENT_DAYS, "day", self.today)
        if word in ("this", "last", "previous", "past") and self._at(i + 1) in W.PERIODS:
            which = "this" if word == "this" else "last"
            if word == "past" and self._at(i + 1) not in ("weekend", "weekends"):
                return i + 2, W.rolling(1, self._at(i + 1), self.today)
            return i + 2, W.calendar_period(which, self._at(i + 1), self.today)
        # "the last 30 days", "the past 2 weeks", "the last few months"
        j = self._skip_the(i)
        if self._at(j) in ("last", "past", "previous") and self._number(j + 1) is not None:
            k, count = self._number(j + 1)
            if self._at(k) in W.PERIODS:
                return k + 1, W.rolling(count, self._at(k), self.today)
        # "2 years ago", "a month ago"
        if self._number(i) is not None:
            k, count = self._number(i)
            if self._at(k) in W.PERIODS and self._at(k + 1) == "ago":
                return k + 2, ago(count, W.PERIODS[self._at(k)], self.today)
        return None

    def _clock(self, i: int):
        """A time of day or day of the week on any date ("in the morning", "at night", "evening
        photos", "on weekends", "on a Saturday", "on Sundays", "on weekdays"), or on one day
        ("this morning", "yesterday evening", "last night", "last Saturday", "on Saturday": the
        most recent one); None where there is none at ``i``."""
        j = i
        while self._at(j) in CLOCK_LEADS and j - i < 2:
            j += 1
        which = ""
        if self._at(j) in ("this", "last", "yesterday", "today", "tonight", "previous", "past"):
            which, j = self._at(j), j + 1
        elif self._at(j) in ("the", "a", "an", "weekend", "weekends"):
            j += self._at(j) in ("the", "a", "an")
        word = self._at(j)
        if word in ("night", "day") and self._at(j + 1) == "time":  # "at night time"
            word, j = word + "time", j + 1
        if which == "tonight" or (which in ("today", "this") and word == "tonight"):
            return j + (word == "tonight"), self._on_day(self.today, (21, 5), "tonight")
        if word in DAY_PARTS:
            hours = DAY_PARTS[word]
            if which in ("this", "today"):
                return j + 1, self._on_day(self.today, hours, f"this {DAY_PART_NAMES[hours[0]]}")
            if which == "yesterday" or (which in ("last", "previous", "past") and hours == (21, 5)):
                return j + 1, self._on_day(self.today - timedelta(days=1), hours, f"{which} {DAY_PART_NAMES[hours[0]]}")
            if which:
                return None
            return j + 1, DayPart(*hours, "at night" if hours == (21, 5) else f"in the {DAY_PART_NAMES[hours[0]]}")
        if word in ("weekend", "weekends", "weekday", "weekdays") and not which:
            if word == "weekend" and self._at(j - 1) == "the" and self._at(j - 2) not in ("at", "on", "every", "each", "any"):
                which = "this" if self.today.weekday() >= 5 else "last"  # "photos from the weekend": the latest one
                return j + 1, W.calendar_period(which, "weekend", self.today)
            days = (5, 6) if word.startswith("weekend") else (0, 1, 2, 3, 4)
            return j + 1, Weekdays(days, "on weekends" if days == (5, 6) else "on weekdays")
        if word in WEEKDAY_WORDS or word.rstrip("s") in WEEKDAY_WORDS and word.endswith("days"):
            day = WEEKDAY_WORDS.get(word, WEEKDAY_WORDS.get(word.rstrip("s")))
            every = word.endswith("days") or self._at(j - 1) in ("a", "an", "every", "each", "any") or (
                not which and self._at(j + 1) in MEDIA_NOUNS)  # "sunday photos": any Sunday's
            if len(word) <= 4 and not every and self._at(j - 1) not in ("on", "last", "this"):
                return None  # "sat", "sun", "wed" alone are other words
            k = j + 1
            if every:
                return k, Weekdays((day,), f"on {WEEKDAY_NAMES[day]}s")
            back = (self.today.weekday() - day) % 7 or (7 if which in ("last", "previous", "past") or not which else 0)
            if which == "this":
                back = (self.today.weekday() - day) % 7
            moment = _midnight(self.today - timedelta(days=back))
            label = f"{which + ' ' if which else 'on '}{WEEKDAY_NAMES[day]}"
            return k, DateRange(moment, moment + timedelta(days=1), label)
        return None

    @staticmethod
    def _on_day(day: date, hours: tuple[int, int], label: str) -> DateRange:
        start = _midnight(day) + timedelta(hours=hours[0])
        end = _midnight(day) + timedelta(hours=hours[1] + (24 if hours[1] < hours[0] else 0))
        return DateRange(start, end, label)

    def _now(self, i: int):
        """"now", "today", "the present", "date" as the end of a span ("from 2020 to now")."""
        j = self._skip_the(i)
        if self._at(j) in ("now", "today", "present", "date", "nowadays"):
            return j + 1, W.today_range(self.today)
        return None

    def _number(self, i: int) -> tuple[int, int] | None:
        word = self._at(i)
        if word.isdecimal():
            return i + 1, int(word)
        if word in NUMBER_WORDS:
            return (i + 2 if word == "couple" and self._at(i + 1) == "of" else i + 1), NUMBER_WORDS[word]
        if word == "a" and self._at(i + 1) in ("couple", "few"):
            return (i + 3 if self._at(i + 2) == "of" else i + 2), NUMBER_WORDS[self._at(i + 1)]
        return None

    # --- spans and bounds ----------------------------------------------------------------------
    def read(self, i: int):
        """(next index, range) of the time expression at ``i`` (with its preposition), or None."""
        clock = self._clock(i)
        if clock is not None:
            return clock
        word = self._at(i)
        two = f"{word} {self._at(i + 1)}"
        if word == "between" or (word in ("from", "taken", "in") and self._at(i + 1) == "between"):
            return self._span(i + (1 if word == "between" else 2), ("and", "to", "-", "–"))
        if word in ("from",) or (word in IN_WORDS and self._at(i + 1) == "from"):
            start = i + 1 if word == "from" else i + 2
            found = self._span(start, ("to", "until", "till", "til", "through", "thru", "-", "–"), optional=True)
            if found is not None:
                return found
        for words, bound in sorted(BOUNDS.items(), key=lambda kv: -len(kv[0])):
            size = len(words.split())
            if " ".join(self.w[i : i + size]) == words:
                found = self.point(i + size) or (self._now(i + size) if bound in ("until", "before") else None)
                if found is None:
                    return None
                j, point = found
                if isinstance(point, (EveryYear, EveryFeast, EverySeason)):  # "before August": the most recent one
                    point = point.recent
                if isinstance(point, SeasonRange):
                    point = DateRange(min(point.north.start, point.south.start), max(point.north.end, point.south.end), point.label)
                return j, {"before": W.before, "after": W.after, "since": W.since, "until": W.until}[bound](point)
        if word in IN_WORDS or two in ("back in", "way back"):
            start = i + (2 if two in ("back in", "way back") else 1)
            if self._at(start) == "in" and word in ("taken", "shot", "dated"):
                start += 1
            found = self._span(start, ("to", "until", "till", "through", "thru", "-", "–"), optional=True)
            if found is not None:
                return found
            return None
        return self._span(i, ("to", "until", "till", "through", "thru", "-", "–"), optional=True)

    def _span(self, i: int, joiners: tuple[str, ...], optional: bool = False):
        """A span "A to B" at ``i`` (or, ``optional``, a point alone); a month or season without
        a year takes the year of the end ("between March and June 2018")."""
        first = self.point(i)
        if first is None:
            return None
        j, start = first
        if self._at(j) in joiners:
            second = self.point(j + 1) or self._now(j + 1)
            if second is not None:
                k, end = second
                if isinstance(start, EveryYear) and isinstance(end, EveryYear):  # "from March to June": every year's
                    return k, W.every_span(start, end, " ".join(self.w[i:k]))
                if not _has_year(self.w[i:j]) and _has_year(self.w[j + 1 : k]):
                    year = _last_year_of(end)
                    later = self.point(i, year_hint=year)
                    if later is not None:
                        start = later[1]
                        if _start_of(start) > _start_of(end):  # "from November to February 2020"
                            earlier = self.point(i, year_hint=year - 1)
                            start = earlier[1] if earlier else start
                return k, W.span(_as_range(start), _as_range(end), " ".join(self.w[i:k]))
            if not optional:
                return None
        elif not optional:
            return None
        return j, start


def _has_year(words: list[str]) -> bool:
    return any(_YEAR.match(w) or _SHORT_YEAR.match(w) or _ISO.match(w) or _SLASH.match(w) for w in words)


def _start_of(time) -> datetime:
    time = time.recent if isinstance(time, EverySeason) else time
    return time.north.start if isinstance(time, SeasonRange) else time.start


def _last_year_of(time) -> int:
    time = time.recent if isinstance(time, EverySeason) else time
    end = time.north.end if isinstance(time, SeasonRange) else time.end
    return (end - timedelta(days=1)).year


def _as_range(time) -> DateRange:
    if isinstance(time, EverySeason):
        time = time.recent
    if isinstance(time, (EveryYear, EveryFeast)):
        return time.recent
    if isinstance(time, SeasonRange):
        return DateRange(time.north.start, time.north.end, time.label)
    return time


def ago(count: int, period: str, today: date) -> DateRange:
    """"2 years ago": the calendar year, month, ISO week or day that many units before today's."""
    if period in ("weekend",):
        raise QuestionError(f"{count} weekends ago", 'I can\'t count weekends back; say "last weekend"')
    if not 1 <= count <= W.MAX_ROLLING[period]:
        raise QuestionError(f"{count} {period}s ago", f"{count} {period}s is out of range")
    label = f"{count} {period}{'s' if count != 1 else ''} ago"
    if period == "year":
        year = W.check_year(today.year - count)
        return DateRange(datetime(year, 1, 1), datetime(year + 1, 1, 1), label)
    if period == "month":
        index = today.year * 12 + today.month - 1 - count
        year, month = index // 12, index % 12 + 1
        found = W.month_range(year, month)
        return DateRange(found.start, found.end, label)
    if period == "week":
        monday = _midnight(today) - timedelta(days=today.weekday() + 7 * count)
        return DateRange(monday, monday + timedelta(days=7), label)
    start = _midnight(today) - timedelta(days=count)
    return DateRange(start, start + timedelta(days=1), label)


def combine(first, second, joiner: str):
    """Two time parts joined by "or" (either: ``AnyTime``) or "and" (both: the overlap, or
    either where two points cannot overlap, as in "in 2018 and 2019")."""
    if isinstance(first, Weekdays) and isinstance(second, Weekdays):  # "on Saturdays and Sundays": either day
        return Weekdays(tuple(sorted(set(first.days) | set(second.days))), f"{first.label} or {second.label}")
    if isinstance(first, (DayPart, Weekdays)) or isinstance(second, (DayPart, Weekdays)):
        if joiner == "or" or (isinstance(first, DayPart) and isinstance(second, DayPart)):
            return AnyTime((first, second))  # "in the morning or evening", "mornings and evenings"
        return AllTimes((first, second))  # "in 2019 and at night"
    items = [*(first.items if isinstance(first, AnyTime) else (first,)), *(second.items if isinstance(second, AnyTime) else (second,))]
    if joiner == "or" or isinstance(first, AnyTime) or isinstance(second, AnyTime):
        return AnyTime(tuple(items))
    every = (SeasonRange, EveryYear, EveryFeast, EverySeason)
    if isinstance(first, every) or isinstance(second, every):
        return AnyTime(tuple(items))
    start = max((r.start for r in (first, second) if r.start is not None), default=None)
    end = min((r.end for r in (first, second) if r.end is not None), default=None)
    bounded = first.start is None or first.end is None or second.start is None or second.end is None
    if bounded and (start is None or end is None or start < end):  # "after 2018 and before 2021"
        return DateRange(start, end, f"{first.label} and {second.label}")
    return AnyTime(tuple(items))  # "in 2018 and 2019": photos of either year


def negate(time, text: str):
    """Any other time than ``time`` ("not in 2019", "not on weekends", "not at night")."""
    if isinstance(time, Weekdays):
        return Weekdays(tuple(d for d in range(7) if d not in time.days), f"not {time.label}")
    if isinstance(time, DayPart):
        return DayPart(time.end, time.start, f"not {time.label}")
    if not isinstance(time, DateRange):
        raise QuestionError(text, "I can't leave out a season or several times; give the time to keep instead")
    items = [r for r in (DateRange(None, time.start, f"before {time.label}") if time.start else None,
                         DateRange(time.end, None, f"after {time.label}") if time.end else None) if r is not None]
    if not items:
        raise QuestionError(text, "that leaves no time at all")
    return items[0] if len(items) == 1 else AnyTime(tuple(items), f"not {time.label}")
