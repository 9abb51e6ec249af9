"""Indicator values per area and month, as tidy polars tables, from what the viewer may see.

Every source is read through the access policy (``access_owned``), so two people looking at the
same indicator may see different values: each sees the figure their records give.

Two reads:

- :func:`indicator_table`: one row per area (admin-1 or admin-2 code) and month where the
  source has a value: columns ``area``, ``month``, ``value``, ``women``, ``men``.
- :func:`indicator_series`: the values of one area, or of the whole country (``area=None``),
  for every month the source covers, as ``{month: value}``. Counting sources (events, deaths,
  agreement events) give 0 for a covered month without records; a month outside the coverage
  is absent: "no data", never zero.

Presence records without a start date cannot be placed in time and are left out; an end stated
to the year or month runs to the end of that year or month; no end means present to this month.

The country total of events and deaths counts every event, those without an area included. For
presence it is the number of admin-1 areas with at least one record of the kind present; per
area, the number of distinct organizations present. Deployments and agreement events have no
area: they have a country series only (Geo-PKO is yearly: each month of a year carries the
year's troops).

Agreement scores: per half-year, the mean implementation score (0-3) of the agreement's visible
provisions, from one scorer's scores (the demonstration rule's if any, else the first scorer's
name), as the review calendar reads them; each month of a half-year carries its mean; a country
series only.

Released community reports (``voices_released``) are never read from reports: the indicator
names the organization whose published table ``voices-area-month`` it reads, and the table
reaches the viewer only through the disclosure gate (``sharing.gate.release``, one logged
release per read, channel ``indicator``), by the route the gate gives the viewer. A viewer with
no route gets no data. Cells the gate suppressed are absent (no data, never zero); perturbed
values are used as released; the "other areas" pool is no area. The released table has no sex
split by area and month, so women and men stay empty.

Released perception surveys (``survey_released``) are read the same way: the indicator names
the organization (``kind``) and the survey indicator (``survey_indicator``, its code
``<survey slug>.<indicator slug>``) whose published table ``surveys-indicator-area`` it reads,
narrowed to that indicator, through the gate (channel ``indicator``). The value of an area and
round is the per cent of released respondents who meet it, ``100 x yes / (yes + no)``, where
both cells are released; otherwise no data. Rounds store no dates: the indicator states each
round's fieldwork month (``round_months``) and a round is placed in that month; a round without
one is in no month. The shares are the released counts' (unweighted, perturbed), never an
estimate from the responses, whoever the viewer. The area table has no sex dimension; an
indicator for all areas (no ``area``) with ``by_sex`` reads women's and men's shares, the same
way, from the owner's released table ``surveys-indicator-sex`` (by indicator, round and sex,
for all areas together).

Sex (:func:`sex_series`): hand-entered values, and released surveys for all areas, carry women
and men; for every other source :func:`sex_note` says why there is no value per sex.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.utils.translation import gettext as _

from commonground.core.areas import country_names
from commonground.core.models import Area
from commonground.events.models import Event
from commonground.learning.models import Indicator, IndicatorValue, Source
from commonground.mandates import scoring
from commonground.mandates.models import AgreementEvent, Deployment
from commonground.registry.models import Presence
from commonground.registry.queries import last_day
from commonground.sharing import gate
from commonground.sharing.policy import AnyUser, access_owned, viewer_for
from commonground.voices import published
from commonground.voices.surveys import MEN as SURVEY_MEN
from commonground.voices.surveys import NO as SURVEY_NO
from commonground.voices.surveys import SURVEY_SEX_TABLE, SURVEY_TABLE
from commonground.voices.surveys import WOMEN as SURVEY_WOMEN
from commonground.voices.surveys import YES as SURVEY_YES

COLUMNS = {
    "area": pl.String,
    "month": pl.Date,
    "value": pl.Float64,
    "women": pl.Float64,
    "men": pl.Float64,
}

Series = dict[datetime.date, float]


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every month from ``first`` to ``last`` included (both firsts of months)."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def empty_table() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMNS)


@dataclass(frozen=True)
class Coverage:
    """The months a source speaks for: outside them, an indicator has no data."""

    first: datetime.date
    last: datetime.date

    def months(self) -> list[datetime.date]:
        return months_between(self.first, self.last)


# --- Events and deaths -------------------------------------------------------------------------


def indicator_events(indicator: Indicator, user: AnyUser | None) -> Any:
    events = access_owned(Event.objects.filter(withdrawn=False), user).filter(
        country_code=indicator.country_code
    )
    if indicator.violence_type:
        events = events.filter(violence_type=indicator.violence_type)
    return events


def event_frame(indicator: Indicator, user: AnyUser | None) -> pl.DataFrame:
    """One row per visible event: admin-1 and admin-2 codes, month, 1 or its deaths."""
    rows = indicator_events(indicator, user).values_list(
        "admin1__code", "admin2__code", "date_start", "fatalities_best"
    )
    frame = pl.DataFrame(
        list(rows),
        schema={"admin1": pl.String, "admin2": pl.String, "day": pl.Date, "deaths": pl.Int64},
        orient="row",
    )
    value = pl.lit(1.0) if indicator.source == Source.EVENTS else pl.col("deaths").cast(pl.Float64)
    return frame.select(
        "admin1", "admin2", pl.col("day").dt.truncate("1mo").alias("month"), value.alias("value")
    )


def event_coverage(indicator: Indicator, user: AnyUser | None) -> Coverage | None:
    """The months between the first and last visible event of the country, any type.

    An indicator on one violence type still has data (zero) in a month with only other events.
    """
    events = access_owned(Event.objects.filter(withdrawn=False), user).filter(
        country_code=indicator.country_code
    )
    days = list(events.order_by("date_start").values_list("date_start", flat=True)[:1]) + list(
        events.order_by("-date_start").values_list("date_start", flat=True)[:1]
    )
    if not days:
        return None
    return Coverage(month_of(days[0]), month_of(days[1]))


# --- Presence ----------------------------------------------------------------------------------


def presence_frame(indicator: Indicator, user: AnyUser | None, last: datetime.date) -> pl.DataFrame:
    """One row per visible presence record of the kind and month it was present in."""
    records = access_owned(Presence.objects.all(), user).filter(
        country_code=indicator.country_code, start_date__isnull=False
    )
    if indicator.kind:
        records = records.filter(actor_kind=indicator.kind)
    rows: list[tuple[Any, ...]] = []
    for record in records.select_related("area", "area__parent"):
        if record.start_date is None:  # excluded above; for the type checker
            continue
        admin1, admin2 = area_codes(record.area)
        end = month_of(last_day(record.end_date, record.end_precision)) if record.end_date else last
        for month in months_between(record.start_date, end):
            rows.append(
                (admin1, admin2, month, str(record.organization_id), record.personnel_women)
            )
    return pl.DataFrame(
        rows,
        schema={
            "admin1": pl.String,
            "admin2": pl.String,
            "month": pl.Date,
            "organization": pl.String,
            "women": pl.Float64,
        },
        orient="row",
    )


def area_codes(area: Area | None) -> tuple[str | None, str | None]:
    """The admin-1 and admin-2 codes of an area of either level."""
    if area is None:
        return None, None
    if area.level == 2 and area.parent is not None:
        return area.parent.code, area.code
    return area.code, None


# --- Released community reports --------------------------------------------------------------


def released_reports(indicator: Indicator, user: AnyUser | None) -> pl.DataFrame:
    """The released cells of the owner's area-month table the viewer receives through the gate.

    One row per released cell with a month: ``area`` (the area path, empty for the total) and
    ``month`` and ``value``; an empty frame when the viewer receives nothing (no release logged).
    """
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "area": pl.List(pl.String),
        "month": pl.Date,
        "value": pl.Float64,
    }
    route = gate.release_routes(viewer_for(user)).get(indicator.kind)
    if route is None:
        return pl.DataFrame(schema=schema)
    table = gate.release(
        published.AREA_MONTH,
        route.owner,
        recipient=user,
        organization=route.organization,
        circle=route.circle,
        channel="indicator",
    )
    rows = [
        (list(c.cell[0]), datetime.date.fromisoformat(f"{c.cell[1][-1]}-01"), float(c.value))
        for c in table.cells
        if c.cell[1]
        and c.status == gate.RELEASED
        and c.value is not None
        and published.OTHER_AREAS not in c.cell[0]
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


# --- Released perception-survey tables ------------------------------------------------------


def round_month(indicator: Indicator, number: int) -> datetime.date | None:
    """The fieldwork month the indicator states for a survey round; None when it states none."""
    month = (indicator.round_months or {}).get(str(number))
    return datetime.date.fromisoformat(f"{month}-01") if month else None


def released_survey(indicator: Indicator, user: AnyUser | None) -> pl.DataFrame:
    """The share (per cent) meeting the survey indicator, per area path and round, from the
    owner's released table ``surveys-indicator-area`` as the gate gives it to the viewer.

    One row per area (the path, empty for the total) and round with a stated month where both
    the "meets it" and "does not meet it" cells are released: ``100 x yes / (yes + no)``. A
    suppressed cell leaves its area and round out (no data); nothing is read from responses.
    """
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        "area": pl.List(pl.String),
        "round": pl.Int64,
        "month": pl.Date,
        "value": pl.Float64,
    }
    code = indicator.survey_indicator
    route = gate.release_routes(viewer_for(user)).get(indicator.kind)
    if route is None or not code:
        return pl.DataFrame(schema=schema)
    table = gate.release(
        SURVEY_TABLE,
        route.owner,
        recipient=user,
        organization=route.organization,
        circle=route.circle,
        restrictions={"indicator": [code]},
        channel="indicator",
    )
    counts: dict[tuple[tuple[str, ...], int], dict[str, float]] = {}
    for c in table.cells:
        answer, area = c.cell
        if len(answer) != 3 or answer[0] != code or published.OTHER_AREAS in area:
            continue
        if c.status != gate.RELEASED or c.value is None:
            continue
        digits = answer[1][len(code) + 2 :]  # "<code>.r<number>"
        if digits.isdigit():
            outcome = answer[2].rsplit(".", 1)[-1]
            counts.setdefault((area, int(digits)), {})[outcome] = float(c.value)
    rows = []
    for (area, number), found in sorted(counts.items()):
        month = round_month(indicator, number)
        yes, no = found.get(SURVEY_YES), found.get(SURVEY_NO)
        if month is None or yes is None or no is None or yes + no == 0:
            continue
        rows.append((list(area), number, month, 100 * yes / (yes + no)))
    return pl.DataFrame(rows, schema=schema, orient="row")


def level_table(frame: pl.DataFrame, level: int) -> pl.DataFrame:
    """A released frame's rows at one area depth, each named by its last area code."""
    frame = frame.filter(pl.col("area").list.len() == level)
    return tidy(frame.with_columns(pl.col("area").list.last()))


def area_series(frame: pl.DataFrame, area: Area | None) -> Series:
    """A released frame's values for one area path (the whole country for none), by month."""
    admin1, admin2 = area_codes(area)
    path = [code for code in (admin1, admin2) if code is not None]
    rows = frame.filter(pl.col("area") == pl.lit(path, dtype=pl.List(pl.String)))
    return dict(sorted(rows.select("month", "value").iter_rows()))


def survey_table(indicator: Indicator, user: AnyUser | None) -> pl.DataFrame:
    return level_table(released_survey(indicator, user), indicator.level)


def survey_series(indicator: Indicator, user: AnyUser | None, area: Area | None) -> Series:
    """Released shares only, each round at its stated month: a suppressed round is absent."""
    return area_series(released_survey(indicator, user), area)


def voices_table(indicator: Indicator, user: AnyUser | None) -> pl.DataFrame:
    return level_table(released_reports(indicator, user), indicator.level)


def voices_series(indicator: Indicator, user: AnyUser | None, area: Area | None) -> Series:
    """Released values only: a suppressed month is absent."""
    return area_series(released_reports(indicator, user), area)


# --- Tables ------------------------------------------------------------------------------------


def indicator_table(indicator: Indicator, user: AnyUser | None) -> pl.DataFrame:
    """Values per area (at the indicator's level) and month: the tidy table of the module doc."""
    level = f"admin{indicator.level}"
    if indicator.source in (Source.EVENTS, Source.DEATHS):
        frame = event_frame(indicator, user).drop_nulls(level)
        table = frame.group_by(pl.col(level).alias("area"), "month").agg(pl.col("value").sum())
        return tidy(table)
    if indicator.source == Source.PRESENCE:
        frame = presence_frame(indicator, user, month_of(datetime.date.today()))
        table = (
            frame.drop_nulls(level)
            .group_by(pl.col(level).alias("area"), "month")
            .agg(pl.col("organization").n_unique().cast(pl.Float64).alias("value"))
        )
        return tidy(table)
    if indicator.source == Source.VOICES_RELEASED:
        return voices_table(indicator, user)
    if indicator.source == Source.SURVEY_RELEASED:
        return survey_table(indicator, user)
    if indicator.source == Source.MANUAL:
        return manual_table(indicator).filter(pl.col("area").is_not_null())
    return empty_table()


def tidy(table: pl.DataFrame) -> pl.DataFrame:
    """The module's columns, in order, sorted by area and month."""
    for name, dtype in COLUMNS.items():
        if name not in table.columns:
            table = table.with_columns(pl.lit(None, dtype=dtype).alias(name))
    return table.select([pl.col(n).cast(t) for n, t in COLUMNS.items()]).sort("area", "month")


def manual_table(indicator: Indicator) -> pl.DataFrame:
    """Hand-entered values (the area column is null for country values)."""
    rows = IndicatorValue.objects.filter(indicator=indicator).values_list(
        "area__code", "month", "value", "women", "men"
    )
    return pl.DataFrame(list(rows), schema=COLUMNS, orient="row").sort("area", "month")


# --- Series ------------------------------------------------------------------------------------


def indicator_series(
    indicator: Indicator, user: AnyUser | None, area: Area | None = None
) -> Series:
    """Month -> value for one area or the country, over the source's coverage (module doc)."""
    reader = SERIES[Source(indicator.source)]
    return reader(indicator, user, area)


def events_series(indicator: Indicator, user: AnyUser | None, area: Area | None) -> Series:
    coverage = event_coverage(indicator, user)
    if coverage is None:
        return {}
    frame = event_frame(indicator, user)
    if area is not None:
        frame = frame.filter(pl.col(f"admin{area.level}") == area.code)
    sums = dict(frame.group_by("month").agg(pl.col("value").sum()).iter_rows())
    return {month: float(sums.get(month, 0.0)) for month in coverage.months()}


def presence_series(indicator: Indicator, user: AnyUser | None, area: Area | None) -> Series:
    last = month_of(datetime.date.today())
    frame = presence_frame(indicator, user, last)
    if frame.is_empty():
        return {}
    if area is None:
        counted = frame.drop_nulls("admin1").group_by("month").agg(pl.col("admin1").n_unique())
    else:
        counted = (
            frame.filter(pl.col(f"admin{area.level}") == area.code)
            .group_by("month")
            .agg(pl.col("organization").n_unique())
        )
    values = dict(counted.iter_rows())
    first = frame["month"].min()
    assert isinstance(first, datetime.date)  # a non-empty date column
    return {month: float(values.get(month, 0)) for month in months_between(first, last)}


def deployments_series(indicator: Indicator, user: AnyUser | None, area: Area | None) -> Series:
    if area is not None:
        return {}
    english, _french = country_names(indicator.country_code)
    rows = access_owned(Deployment.objects.all(), user).filter(country=english)
    if indicator.kind:
        rows = rows.filter(mission=indicator.kind)
    troops: dict[int, float] = {}
    for year, count in rows.values_list("year", "troops"):
        troops[year] = troops.get(year, 0.0) + float(count or 0)
    return {
        datetime.date(year, month, 1): total
        for year, total in sorted(troops.items())
        for month in range(1, 13)
    }


def agreement_series(indicator: Indicator, user: AnyUser | None, area: Area | None) -> Series:
    if area is not None:
        return {}
    rows = access_owned(AgreementEvent.objects.all(), user)
    if indicator.kind:
        rows = rows.filter(direction=indicator.kind)
    days = list(rows.values_list("date", flat=True))
    if not days:
        return {}
    counts: dict[datetime.date, float] = {}
    for day in days:
        counts[month_of(day)] = counts.get(month_of(day), 0.0) + 1
    return {m: counts.get(m, 0.0) for m in months_between(min(days), max(days))}


def scores_series(indicator: Indicator, user: AnyUser | None, area: Area | None) -> Series:
    """Each month of a scored half-year carries the mean score of that half-year."""
    if area is not None:
        return {}
    every = scoring.visible_scores(user, indicator.kind)
    labels = sorted({s.scorer_label for s in every})
    if not labels:
        return {}
    chosen = scoring.DEMO_SCORER if scoring.DEMO_SCORER in labels else labels[0]
    ups = scoring.roll_ups(s for s in every if s.scorer_label == chosen)
    return {
        month: up.overall
        for up in ups
        for month in months_between(up.period, scoring.half_year_end(up.period))
        if month < scoring.half_year_end(up.period)
    }


def manual_series(indicator: Indicator, user: AnyUser | None, area: Area | None) -> Series:
    """Hand-entered values: only the months entered (no zero fill)."""
    values = IndicatorValue.objects.filter(indicator=indicator, area=area)
    return dict(values.values_list("month", "value"))


SERIES = {
    Source.EVENTS: events_series,
    Source.DEATHS: events_series,
    Source.PRESENCE: presence_series,
    Source.DEPLOYMENTS: deployments_series,
    Source.AGREEMENT_EVENTS: agreement_series,
    Source.AGREEMENT_SCORES: scores_series,
    Source.VOICES_RELEASED: voices_series,
    Source.SURVEY_RELEASED: survey_series,
    Source.MANUAL: manual_series,
}


# --- Disaggregation by sex ---------------------------------------------------------------------

#: The sexes a split gives, as the values carry them (``IndicatorValue.women`` and ``.men``).
SEXES = ("women", "men")


def sex_series(
    indicator: Indicator, user: AnyUser | None, area: Area | None = None
) -> dict[str, Series] | None:
    """Each sex's month -> value for one area or the country; None when the source has no sex
    dimension (:func:`sex_note` says why). Hand-entered values carry one; so do released surveys
    for all areas together (the released sex table has no area); the released reports by area
    and month have none (docs/learning.md)."""
    if indicator.source == Source.SURVEY_RELEASED and area is None:
        return released_survey_by_sex(indicator, user)
    if indicator.source != Source.MANUAL:
        return None
    rows = IndicatorValue.objects.filter(indicator=indicator, area=area).values_list(
        "month", "women", "men"
    )
    split: dict[str, Series] = {sex: {} for sex in SEXES}
    for month, women, men in rows.order_by("month"):
        for sex, value in zip(SEXES, (women, men), strict=True):
            if value is not None:
                split[sex][month] = float(value)
    return split


def released_survey_by_sex(indicator: Indicator, user: AnyUser | None) -> dict[str, Series]:
    """Women's and men's share (per cent) meeting the survey indicator, per round at its stated
    month, from the owner's released table ``surveys-indicator-sex`` as the gate gives it to the
    viewer: ``100 x yes / (yes + no)`` where both cells are released; else no data."""
    split: dict[str, Series] = {sex: {} for sex in SEXES}
    code = indicator.survey_indicator
    route = gate.release_routes(viewer_for(user)).get(indicator.kind)
    if route is None or not code:
        return split
    table = gate.release(
        SURVEY_SEX_TABLE,
        route.owner,
        recipient=user,
        organization=route.organization,
        circle=route.circle,
        restrictions={"indicator": [code]},
        channel="indicator",
    )
    counts: dict[tuple[str, int], dict[str, float]] = {}
    for c in table.cells:
        answer, sex = c.cell
        if len(answer) != 3 or answer[0] != code or sex not in ((SURVEY_WOMEN,), (SURVEY_MEN,)):
            continue
        if c.status != gate.RELEASED or c.value is None:
            continue
        digits = answer[1][len(code) + 2 :]  # "<code>.r<number>"
        if digits.isdigit():
            outcome = answer[2].rsplit(".", 1)[-1]
            counts.setdefault((sex[0], int(digits)), {})[outcome] = float(c.value)
    for (sex_code, number), found in sorted(counts.items()):
        month = round_month(indicator, number)
        yes, no = found.get(SURVEY_YES), found.get(SURVEY_NO)
        if month is None or yes is None or no is None or yes + no == 0:
            continue
        split[sex_code][month] = 100 * yes / (yes + no)
    return split


def sex_note(indicator: Indicator) -> str:
    """Why the indicator's source gives no value per sex (empty when it does)."""
    if indicator.source == Source.MANUAL:
        return ""
    if indicator.source == Source.VOICES_RELEASED:
        return _(
            "The released table of community reports by area and month has no sex dimension "
            "(people affected are released by sex and age group per quarter, for all areas "
            "together, as people and not reports): no value per sex."
        )
    if indicator.source == Source.SURVEY_RELEASED:
        if indicator.area_id is None:
            return ""
        return _(
            "The released survey table by sex is for all areas together: no value per sex for "
            "one area. Estimates by sex and area are shown only to those who may read the "
            "responses, on the survey's page."
        )
    return _("This source has no sex dimension: no value per sex.")
