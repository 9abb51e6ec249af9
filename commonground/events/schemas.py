"""Input models for reading events: the filters a page or API call may apply.

Filters arrive as URL query strings typed by people (or edited by hand), so each bad value
becomes a specific, translated message and the filter is left out, rather than a 500 or a
silently empty table.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from commonground.core.periods import Day
from commonground.events.models import ViolenceType

#: How long an actor search may be; longer text is a paste accident, not a name.
MAX_ACTOR_SEARCH = 100


class EventFilters(BaseModel):
    """The filters of the events list, as read from its query string; every one optional."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    country: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    admin1: str | None = Field(default=None, pattern=r"^[A-Z]{3}\.[a-z0-9-]+$", max_length=120)
    admin2: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}\.[a-z0-9-]+\.[a-z0-9-]+$", max_length=240
    )
    dataset: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$", max_length=40)
    violence_type: ViolenceType | None = None
    #: Bounded (core.periods): a date far out overflowed date arithmetic into server errors.
    date_from: Day | None = None
    date_to: Day | None = None
    min_deaths: int | None = Field(default=None, ge=0, le=1_000_000, strict=False)
    actor: str | None = Field(default=None, max_length=MAX_ACTOR_SEARCH)
    #: One actor exactly, on either side (links from actor tables); ``actor`` searches names.
    actor_id: uuid.UUID | None = None

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_unset(cls, value: Any) -> Any:
        """An empty form field means "no filter", not "match the empty string"."""
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and "\x00" in value:
            # No database stores a NUL in text (PostgreSQL refuses it); it is never a filter.
            raise ValueError("contains a NUL character")
        return value

    @field_validator("country", mode="before")
    @classmethod
    def upper_country(cls, value: Any) -> Any:
        """People type ``caf``; ISO 3166 codes are upper case."""
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def dates_in_order(self) -> EventFilters:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self

    def is_empty(self) -> bool:
        return not any(value is not None for value in self.model_dump().values())


#: What to tell a person about a bad value, by filter: says what a good value looks like.
FIELD_MESSAGES: dict[str, tuple[Promise, Promise]] = {
    "country": (_("Country"), _("use a three-letter ISO code, such as CAF")),
    "admin1": (_("Admin-1 area"), _("use an area code from the list, such as CAF.ouaka")),
    "dataset": (_("Dataset"), _("use one of the dataset names in the list")),
    "violence_type": (_("Violence type"), _("use one of the violence types in the list")),
    "date_from": (
        _("From"),
        _("write the date as YYYY-MM-DD, from 1946-01-01 to two years ahead, such as 2014-01-31"),
    ),
    "date_to": (
        _("To"),
        _("write the date as YYYY-MM-DD, from 1946-01-01 to two years ahead, such as 2014-12-31"),
    ),
    "min_deaths": (_("Minimum deaths"), _("use a whole number, 0 or more")),
    "actor": (_("Actor"), _("search with at most 100 characters")),
    "admin2": (_("Admin-2 area"), _("use an area code such as CAF.ouaka.bambari")),
    "actor_id": (_("Actor"), _("use the actor's id from its page's address")),
}


#: The message when both dates are valid but the range runs backwards.
DATE_RANGE_MESSAGE = (_("Dates"), _("the start date is after the end date"))


@dataclass(frozen=True)
class FilterError:
    """One filter that could not be applied: which, what was typed, and how to fix it."""

    fields: tuple[str, ...]
    value: str
    label: Promise
    message: Promise


@dataclass(frozen=True)
class ParsedFilters:
    filters: EventFilters
    errors: list[FilterError] = field(default_factory=list)


def parse_event_filters(params: Mapping[str, Any]) -> ParsedFilters:
    """Validate a query string; drop each bad filter, apply the rest, and say what was dropped.

    Applying the good filters keeps the page useful while the message says plainly which filter
    was ignored and why.
    """
    raw = {name: params.get(name) for name in EventFilters.model_fields if params.get(name)}
    errors: list[FilterError] = []
    while True:
        try:
            return ParsedFilters(EventFilters.model_validate(raw), errors)
        except ValidationError as exc:
            blamed = _errors_of(exc, raw)
        if not blamed:  # nothing left to drop: give up on every filter rather than loop
            return ParsedFilters(EventFilters(), errors)
        for error in blamed:
            for name in error.fields:
                raw.pop(name, None)
        errors.extend(blamed)


def _errors_of(exc: ValidationError, raw: Mapping[str, Any]) -> list[FilterError]:
    """The filters a validation error blames; a date range the wrong way round blames both."""
    found: dict[str, FilterError] = {}
    for error in exc.errors():
        location = error.get("loc") or ()
        name = str(location[0]) if location else ""
        if name in FIELD_MESSAGES and name in raw:
            label, message = FIELD_MESSAGES[name]
            found.setdefault(name, FilterError((name,), str(raw[name]), label, message))
        elif not name and "date_from" in raw and "date_to" in raw:
            label, message = DATE_RANGE_MESSAGE
            value = f"{raw['date_from']} > {raw['date_to']}"
            found.setdefault("dates", FilterError(("date_from", "date_to"), value, label, message))
    return list(found.values())
