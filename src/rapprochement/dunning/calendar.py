"""Business days of the creditor's country: weekends and public holidays (``holidays``).

A :class:`BusinessCalendar` answers three questions the planner asks: is this a business day,
which is the next one, and which day is N business days away. Holidays come from the
`holidays <https://pypi.org/project/holidays/>`_ package (national holidays of an ISO 3166
country: for France 1 January, Easter Monday, 1 and 8 May, Ascension, Whit Monday, 14 July,
15 August, 1 and 11 November, 25 December). An empty country means weekends only.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

from rapprochement.errors import ConfigError

__all__ = ["BusinessCalendar", "business_calendar"]

_DAY = dt.timedelta(days=1)


class BusinessCalendar:
    """Weekends (Saturday, Sunday) and the public holidays of ``country``."""

    def __init__(self, country: str) -> None:
        """``country``: ISO 3166 alpha-2 code (``"FR"``, ``"DE"``), or ``""`` for weekends only.

        Raises:
            ConfigError: the ``holidays`` package does not know the country.
        """
        self.country = country.upper()
        self._holidays: holidays.HolidayBase | None = None
        if self.country:
            try:
                self._holidays = holidays.country_holidays(self.country)
            except NotImplementedError:
                raise ConfigError(
                    f"no public holidays known for country {country!r}",
                    hint="use an ISO 3166 code such as FR, DE, BE (or an empty country for "
                    "weekends only)",
                ) from None

    def holiday(self, day: dt.date) -> str | None:
        """The name of the public holiday on ``day``, or None."""
        if self._holidays is None:
            return None
        name = self._holidays.get(day)
        return None if name is None else str(name)

    def is_business_day(self, day: dt.date) -> bool:
        """True on a weekday that is no public holiday."""
        return day.weekday() < 5 and self.holiday(day) is None

    def next_business_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a business day, else the first business day after it."""
        while not self.is_business_day(day):
            day += _DAY
        return day

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The business day ``n`` business days after ``day`` (before it when ``n`` < 0);
        ``n`` = 0 gives :meth:`next_business_day`."""
        if n == 0:
            return self.next_business_day(day)
        step = _DAY if n > 0 else -_DAY
        left = abs(n)
        while left:
            day += step
            if self.is_business_day(day):
                left -= 1
        return day


@functools.lru_cache(maxsize=32)
def business_calendar(country: str) -> BusinessCalendar:
    """A shared :class:`BusinessCalendar` per country (holiday years are computed lazily)."""
    return BusinessCalendar(country)
