"""The dates and months a period filter may name, for every page, API route and export.

A period is typed by people (or scripts) into a query string. Without bounds, ``9999-12-31``
overflowed date arithmetic into server errors, and a panel ``to=2200-01`` grew without limit.
So every period parameter is checked here, and a value outside the bounds is refused with a
message that says them (a 422 from the API; the pages leave the filter out and say why).

- The first day is 1946-01-01: the start of the UCDP/PRIO armed-conflict record, before any
  peace operation. No dataset the platform reads goes further back.
- The last day is 31 December, two years after the current year: forecasts look twelve months
  ahead, and planners name periods a little past that; nothing is recorded further ahead.

See docs/api.md ("Periods") and docs/adr/0013-api-bounds.md.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated

from pydantic import AfterValidator

#: The first day any period may name.
EARLIEST_DAY = datetime.date(1946, 1, 1)

#: How many whole years past the current one a period may reach.
YEARS_AHEAD = 2

#: A month ``YYYY-MM``, or a day ``YYYY-MM-DD`` standing for its month (analysis routes).
MONTH_OR_DAY = r"^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$"


def latest_day(today: datetime.date | None = None) -> datetime.date:
    """The last day a period may name: 31 December, ``YEARS_AHEAD`` years after this one."""
    today = today or datetime.date.today()
    return datetime.date(today.year + YEARS_AHEAD, 12, 31)


def bounds_text() -> str:
    """The bounds as a person reads them in an error message."""
    return f"between {EARLIEST_DAY.isoformat()} and {latest_day().isoformat()}"


def check_day(value: datetime.date) -> datetime.date:
    """``value`` if a period may name it; a ``ValueError`` saying the bounds otherwise."""
    if not EARLIEST_DAY <= value <= latest_day():
        raise ValueError(f"the date must be {bounds_text()}")
    return value


#: A day a period may name: use as a pydantic field type (``Day | None``).
Day = Annotated[datetime.date, AfterValidator(check_day)]


def month_id(day: datetime.date) -> int:
    """The month a day falls in, as ``year * 12 + month - 1`` (as in analysis panels)."""
    return day.year * 12 + day.month - 1


def parse_period_month(text: str) -> int:
    """``YYYY-MM`` (or ``YYYY-MM-DD``, its month) to a ``month_id`` within the bounds.

    Raises ``ValueError`` with a message for people: not a month, or outside the bounds.
    """
    if not re.fullmatch(MONTH_OR_DAY, text):
        raise ValueError("write the month as YYYY-MM (or a day as YYYY-MM-DD)")
    year, month, *day = (int(part) for part in text.split("-"))
    if not EARLIEST_DAY.year <= year <= latest_day().year:
        raise ValueError(f"the month must be {bounds_text()}")
    try:
        found = datetime.date(year, month, day[0] if day else 1)
    except ValueError:
        raise ValueError(f"{text} is not a day of the calendar") from None
    return month_id(check_day(found))
