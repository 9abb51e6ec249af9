"""The period a page is read for, and links that keep it.

Why: "who targeted civilians where, in 2014?" is answered by following links: from the map to
an area, from an area to an actor, from an actor to its events. Each page reads the period with
the events list's own filter model (``parse_event_filters``, so the names and bounds are the
same everywhere) and every link it draws carries the period on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from commonground.events.schemas import EventFilters, FilterError, parse_event_filters

#: The filters that make a period; the area and actor pages apply only these.
PERIOD_FIELDS = ("date_from", "date_to")


@dataclass(frozen=True)
class Period:
    """A period from a query string (either end may be open), with what could not be read."""

    filters: EventFilters = field(default_factory=EventFilters)
    errors: list[FilterError] = field(default_factory=list)

    @property
    def date_from(self) -> Any:
        return self.filters.date_from

    @property
    def date_to(self) -> Any:
        return self.filters.date_to

    def is_set(self) -> bool:
        return self.date_from is not None or self.date_to is not None

    def query(self) -> str:
        """The period as a query string (``date_from=...&date_to=...``), empty when open."""
        return period_query(self.filters)


def period_of(request: HttpRequest) -> Period:
    """The period asked for; a bad date is reported and left out, as on the events list."""
    parsed = parse_event_filters(request.GET)
    errors = [e for e in parsed.errors if set(e.fields) & set(PERIOD_FIELDS)]
    return Period(only_period(parsed.filters), errors)


def only_period(filters: EventFilters) -> EventFilters:
    """The period of a set of filters, every other filter dropped."""
    return EventFilters(date_from=filters.date_from, date_to=filters.date_to)


def period_query(filters: EventFilters) -> str:
    """The period of ``filters`` as query-string pairs, in the events list's names."""
    pairs = {
        name: getattr(filters, name).isoformat()
        for name in PERIOD_FIELDS
        if getattr(filters, name) is not None
    }
    return urlencode(pairs)


def with_query(url: str, query: str) -> str:
    """``url`` with ``query`` appended (after ``?`` or ``&``), unchanged when ``query`` is empty."""
    if not query:
        return url
    return f"{url}{'&' if '?' in url else '?'}{query}"


def joined(*queries: str) -> str:
    """Query strings joined with ``&``, the empty ones left out."""
    return "&".join(query for query in queries if query)
