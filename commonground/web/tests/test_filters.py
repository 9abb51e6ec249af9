"""The events filters as pure logic: what a query string becomes, and that nothing raises."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from commonground.events.models import ViolenceType
from commonground.events.schemas import EventFilters, parse_event_filters

NAMES = list(EventFilters.model_fields)


def test_good_values_are_normalized() -> None:
    parsed = parse_event_filters(
        {"country": " caf ", "violence_type": "one_sided", "date_from": "2014-01-01", "page": "2"}
    )

    assert parsed.errors == []
    assert parsed.filters.country == "CAF"
    assert parsed.filters.violence_type == ViolenceType.ONE_SIDED
    assert parsed.filters.date_from == datetime.date(2014, 1, 1)


def test_blank_fields_are_no_filter() -> None:
    parsed = parse_event_filters(dict.fromkeys(NAMES, "") | {"min_deaths": "  "})

    assert parsed.errors == [] and parsed.filters.is_empty()


def test_each_bad_value_is_named_and_dropped_alone() -> None:
    parsed = parse_event_filters({"country": "CAF", "min_deaths": "3.5", "admin1": "ouaka"})

    assert [e.fields for e in parsed.errors] == [("admin1",), ("min_deaths",)]
    assert parsed.filters.country == "CAF"
    assert parsed.filters.min_deaths is None and parsed.filters.admin1 is None


def test_dates_the_wrong_way_round_are_one_message() -> None:
    parsed = parse_event_filters({"date_from": "2015-01-01", "date_to": "2014-01-01"})

    assert len(parsed.errors) == 1
    assert parsed.errors[0].fields == ("date_from", "date_to")
    assert str(parsed.errors[0].message) == "the start date is after the end date"


@given(st.dictionaries(st.sampled_from([*NAMES, "page", "lang"]), st.text(max_size=200)))
def test_any_query_string_gives_filters_not_an_exception(params: dict[str, str]) -> None:
    parsed = parse_event_filters(params)

    dropped = {name for error in parsed.errors for name in error.fields}
    assert all(getattr(parsed.filters, name) is None for name in dropped)
