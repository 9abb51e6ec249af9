"""A programme's results as an IATI 2.03 activity (results, indicators, baselines, targets,
actuals), validated offline against the schema shipped in ``schema/`` (ADR 0025).

Only what the viewer may see goes in: the caller passes indicators already filtered by the
access policy, and actual values come from ``compute`` under the same viewer.

TLP: IATI has no marking element, but every element of ``iati-activities`` and
``iati-activity`` takes attributes of another namespace (``xsd:anyAttribute
namespace="##other"`` in the 2.03 schema). The export's TLP 2.0 marking (the strictest of the
programme and the indicators that went in, ``sharing.markings.strictest``) is written as
``cg:tlp`` in the namespace :data:`CG_NS` on the root and on each activity, and said again in a
comment at the top of the document. An indicator split by sex gives, beside each period's
actual, one actual per sex with ``<dimension name="sex" value="female|male"/>``.
"""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type stubs

from commonground.learning import compute
from commonground.learning.models import Desired, Indicator, NodeKind, Programme, Source
from commonground.sharing.markings import strictest
from commonground.sharing.policy import AnyUser

SCHEMA = Path(__file__).resolve().parent / "schema" / "iati-activities-schema.xsd"
#: IATI result types: 1 output, 2 outcome.
RESULT_TYPE = {NodeKind.OUTPUT: "1", NodeKind.OUTCOME: "2"}
#: IATI indicator measures: 1 unit, 2 percentage.
MEASURE_UNIT = "1"
MEASURE_PERCENT = "2"
#: Common Ground's namespace for what IATI has no element for (the TLP marking).
CG_NS = "https://commonground.example/ns"
TLP_ATTRIBUTE = f"{{{CG_NS}}}tlp"
#: IATI's sex dimension values for the values' women and men.
SEX_DIMENSION = {"women": "female", "men": "male"}


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k.replace("_", "-"): v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def narrative(parent: etree._Element, tag: str, english: str, french: str = "") -> None:
    holder = sub(parent, tag)
    sub(holder, "narrative", english)
    if french:
        fr = sub(holder, "narrative", french)
        fr.set("{http://www.w3.org/XML/1998/namespace}lang", "fr")


def activity_xml(
    programme: Programme,
    results: list[tuple[str, str, str, list[Indicator]]],
    user: AnyUser | None,
    now: datetime.datetime,
) -> bytes:
    """``results``: (node kind, label, French label, visible indicators) per output or outcome."""
    stamp = now.replace(microsecond=0).isoformat()
    marking = export_marking(programme, results)
    root = etree.Element(
        "iati-activities",
        {"version": "2.03", "generated-datetime": stamp, TLP_ATTRIBUTE: marking},
        nsmap={"cg": CG_NS},
    )
    root.append(
        etree.Comment(
            f" {marking}: Traffic Light Protocol 2.0 marking of this export (cg:tlp on each "
            "activity); share it no wider than the marking allows. "
        )
    )
    activity = sub(root, "iati-activity", last_updated_datetime=stamp)
    activity.set(TLP_ATTRIBUTE, marking)
    activity.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    activity.set("default-currency", "USD")
    sub(activity, "iati-identifier", programme.iati_identifier or f"XX-CG-{programme.slug}")
    org = sub(activity, "reporting-org", ref=f"XX-CG-{programme.owner.slug}", type="21")
    sub(org, "narrative", str(programme.owner.name))
    narrative(activity, "title", programme.title, programme.title_fr)
    narrative(
        activity, "description", programme.description or programme.title, programme.description_fr
    )
    participating = sub(activity, "participating-org", role="4", type="21")
    sub(participating, "narrative", str(programme.owner.name))
    sub(activity, "activity-status", code="2")
    if programme.start:
        sub(activity, "activity-date", type="2", iso_date=programme.start.isoformat())
    else:
        sub(activity, "activity-date", type="1", iso_date=programme.created_at.date().isoformat())
    if programme.end:
        sub(activity, "activity-date", type="3", iso_date=programme.end.isoformat())
    sub(activity, "recipient-country", code=country_alpha2(programme.country_code))
    for kind, label, label_fr, indicators in results:
        result_element(activity, kind, label, label_fr, indicators, user)
    document: bytes = etree.tostring(
        root, xml_declaration=True, encoding="utf-8", pretty_print=True
    )
    return document


def export_marking(
    programme: Programme, results: list[tuple[str, str, str, list[Indicator]]]
) -> str:
    """The strictest TLP marking of the programme and of the indicators that go in."""
    levels = [programme.sensitivity]
    for _kind, _label, _french, indicators in results:
        levels += [indicator.sensitivity for indicator in indicators]
    return strictest(levels)


def country_alpha2(iso3: str) -> str:
    import pycountry

    country = pycountry.countries.get(alpha_3=iso3)
    return str(country.alpha_2) if country else iso3[:2]


def result_element(
    activity: etree._Element,
    kind: str,
    label: str,
    label_fr: str,
    indicators: list[Indicator],
    user: AnyUser | None,
) -> None:
    result = sub(activity, "result", type=RESULT_TYPE[NodeKind(kind)], aggregation_status="0")
    narrative(result, "title", label, label_fr)
    for indicator in indicators:
        ascending = "1" if indicator.desired == Desired.INCREASE else "0"
        measure = MEASURE_PERCENT if indicator.source == Source.SURVEY_RELEASED else MEASURE_UNIT
        element = sub(result, "indicator", measure=measure, ascending=ascending)
        narrative(element, "title", indicator.name, indicator.name_fr)
        if indicator.baseline is not None:
            year = (indicator.baseline_month or programme_start(indicator)).year
            baseline = sub(element, "baseline", year=str(year), value=number(indicator.baseline))
            if indicator.baseline_month:
                baseline.set("iso-date", indicator.baseline_month.isoformat())
        split = compute.sex_series(indicator, user, indicator.area) if indicator.by_sex else None
        for start, end, value in actuals(indicator, user):
            period = sub(element, "period")
            sub(period, "period-start", iso_date=start.isoformat())
            sub(period, "period-end", iso_date=end.isoformat())
            if indicator.target is not None:
                sub(period, "target", value=number(indicator.target))
            sub(period, "actual", value=number(value))
            for sex, series in (split or {}).items():
                part = aggregate(indicator, series, start, end)
                if part is not None:
                    actual = sub(period, "actual", value=number(part))
                    sub(actual, "dimension", name="sex", value=SEX_DIMENSION[sex])


def programme_start(indicator: Indicator) -> datetime.date:
    return (
        indicator.programme.start
        if indicator.programme and indicator.programme.start
        else (datetime.date.today())
    )


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


#: Sources that count things in a month: a year's actual is their sum. Released report counts
#: add up only the months the gate released (a withheld month is no data, never guessed).
SUMMED = ("events", "deaths", "agreement_events", "voices_released")


def actuals(
    indicator: Indicator, user: AnyUser | None
) -> list[tuple[datetime.date, datetime.date, float]]:
    """Yearly actuals (the sum of the months for counts, their mean otherwise) over the years
    with data since the baseline."""
    series = compute.indicator_series(indicator, user, indicator.area)
    since = indicator.baseline_month or datetime.date.min
    years: dict[int, list[float]] = {}
    for month, value in sorted(series.items()):
        if month >= since:
            years.setdefault(month.year, []).append(value)
    return [
        (
            max(datetime.date(year, 1, 1), since),
            datetime.date(year, 12, 31),
            combine(indicator, values),
        )
        for year, values in sorted(years.items())
    ]


def combine(indicator: Indicator, values: list[float]) -> float:
    return sum(values) if indicator.source in SUMMED else sum(values) / len(values)


def aggregate(
    indicator: Indicator, series: compute.Series, start: datetime.date, end: datetime.date
) -> float | None:
    """One sex's actual for a period, combined as the indicator's; None without a value."""
    values = [value for month, value in sorted(series.items()) if start <= month <= end]
    return combine(indicator, values) if values else None


def validate(document: bytes) -> list[str]:
    """Schema errors of an export, empty when it is valid."""
    parsed = etree.fromstring(document)
    checker = schema()
    if checker.validate(parsed):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]
