"""Periods the figures are computed for: a calendar year, a quarter, a month, a
semester or any span of days, and the period it is compared with."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def _shift_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, order=True)
class Period:
    """The days from ``start`` to ``end``, both included."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("A period ends on or after its start.")

    @classmethod
    def of(cls, value: Period | int) -> Period:
        """A period, or the calendar year of that number."""
        return value if isinstance(value, Period) else cls.calendar_year(value)

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        first = 3 * (number - 1) + 1
        return cls(datetime.date(year, first, 1), _month_end(year, first + 2))

    @classmethod
    def semester(cls, year: int, number: int) -> Period:
        first = 6 * (number - 1) + 1
        return cls(datetime.date(year, first, 1), _month_end(year, first + 5))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(datetime.date(year, month, 1), _month_end(year, month))

    @property
    def is_year(self) -> bool:
        return self.start == datetime.date(self.start.year, 1, 1) and self.end == datetime.date(
            self.start.year, 12, 31
        )

    @property
    def year(self) -> int:
        """The year the period starts in."""
        return self.start.year

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def bounds(self) -> tuple[datetime.date, datetime.date]:
        return (self.start, self.end)

    def year_before(self) -> Period:
        """The same days one year earlier (the usual comparison)."""
        if self.is_year:
            return Period.calendar_year(self.start.year - 1)
        end = _shift_years(self.end, -1)
        if self.end == _month_end(self.end.year, self.end.month):
            end = _month_end(end.year, end.month)
        return Period(_shift_years(self.start, -1), end)

    def preceding(self) -> Period:
        """The period of the same kind just before: the previous month, quarter,
        semester or year for those, else as many days just before."""
        start, end = self.start, self.end
        whole_months = start.day == 1 and end == _month_end(end.year, end.month)
        if whole_months:
            months = (end.year - start.year) * 12 + end.month - start.month + 1
            index = start.year * 12 + start.month - 1 - months
            first = datetime.date(index // 12, index % 12 + 1, 1)
            index += months - 1
            return Period(first, _month_end(index // 12, index % 12 + 1))
        return Period(
            start - datetime.timedelta(days=self.days), start - datetime.timedelta(days=1)
        )

    def within(self, field: str) -> Q:
        """Records whose ``field`` (a date) falls in the period."""
        return Q(**{f"{field}__range": self.bounds})

    def overlapped(self, start_field: str, end_field: str) -> Q:
        """Records from ``start_field`` to ``end_field`` (open when null) meeting the
        period on at least one day."""
        return Q(**{f"{start_field}__lte": self.end}) & (
            Q(**{f"{end_field}__isnull": True}) | Q(**{f"{end_field}__gte": self.start})
        )

    def __str__(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"
