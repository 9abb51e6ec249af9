"""How old the data is, said the same way on every page that shows a period.

Why: the demonstration data ends in December 2022, and pages said "latest 12 months" and "next
12 months" as if that were now (issue 10 §3). Every page that shows a period states, through
:func:`data_age`, the month the data ends and how long before today that is, and warns when it
is older than :data:`OLD_AFTER_MONTHS`; periods are named by their months
(:func:`month_span`), never by "latest" or "next" alone.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

#: Data that ends more than this many whole months before today's month is flagged as old.
#: Event datasets such as UCDP GED are published yearly, a few months after the year ends, so
#: six months is the normal lag of a current installation; more means nobody loaded newer data.
OLD_AFTER_MONTHS = 6


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def today() -> datetime.date:
    """Today in the server's time zone (one place, so tests and pages agree)."""
    return timezone.localdate()


def month_name(day: datetime.date) -> str:
    """``December 2022`` / ``décembre 2022``, in the active language."""
    return date_format(day, "YEAR_MONTH_FORMAT")


def short_month(day: datetime.date, with_year: bool = True) -> str:
    """``Jan`` / ``janv.``: the abbreviation each language uses (a date format, translated)."""
    month = date_format(day, pgettext("abbreviated month, a Django date format", "M"))
    return f"{month} {day.year}" if with_year else month


def month_span(start: datetime.date, end: datetime.date) -> str:
    """A period named by its months: ``Jan-Dec 2022``, ``Nov 2021 - Oct 2022`` (en dashes)."""
    if (start.year, start.month) == (end.year, end.month):
        return short_month(start)
    if start.year == end.year:
        return f"{short_month(start, False)}\N{EN DASH}{short_month(end)}"
    return f"{short_month(start)} \N{EN DASH} {short_month(end)}"


def duration_words(months: int) -> str:
    """``3 years``, ``1 year and 2 months``, ``5 months``, ``less than a month``."""
    years, rest = divmod(max(months, 0), 12)
    if years and rest:
        return gettext("%(years)s and %(months)s") % {
            "years": ngettext("%(n)d year", "%(n)d years", years) % {"n": years},
            "months": ngettext("%(n)d month", "%(n)d months", rest) % {"n": rest},
        }
    if years:
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    if rest:
        return ngettext("%(n)d month", "%(n)d months", rest) % {"n": rest}
    return gettext("less than a month")


@dataclass(frozen=True)
class DataAge:
    """The last day with data, against today."""

    last: datetime.date
    today: datetime.date

    @property
    def months(self) -> int:
        """Whole calendar months from the data's last month to today's month."""
        return max(month_index(self.today) - month_index(self.last), 0)

    @property
    def is_old(self) -> bool:
        return self.months > OLD_AFTER_MONTHS

    @property
    def ends(self) -> str:
        return month_name(self.last)

    @property
    def text(self) -> str:
        """``Data ends December 2022, 3 years before today.``"""
        if not self.months:
            return gettext("Data ends %(month)s, this month.") % {"month": self.ends}
        return gettext("Data ends %(month)s, %(age)s before today.") % {
            "month": self.ends,
            "age": duration_words(self.months),
        }

    @property
    def warning(self) -> str:
        """What an old dataset means for the reader (empty when the data is recent)."""
        if not self.is_old:
            return ""
        return gettext(
            "Nothing after %(month)s is in the data: the last months below are the last "
            "months of data, not of today, and what happened since is not shown."
        ) % {"month": self.ends}


def data_age(last: datetime.date | None, on: datetime.date | None = None) -> DataAge | None:
    """The age of data whose last day is ``last`` (None: no data), as of ``on`` (today)."""
    if last is None:
        return None
    return DataAge(last=last, today=on or today())
