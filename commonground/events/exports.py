"""Exports of events that may leave the machine: CSV, HXL-tagged CSV and GeoJSON.

What may leave is decided by the access policy (``access_exportable``): up to the chosen
sensitivity, and never raw rows whose licence forbids it (ACLED's). CSV and HXL go through the one
CSV writer (``core.csv_out``): text cells that a spreadsheet would run as a formula are quoted.
"""

from __future__ import annotations

import datetime
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from django.db.models import QuerySet

from commonground.core.csv_out import SafeWriter
from commonground.core.models import Area, AreaLevel
from commonground.events.models import Event
from commonground.sharing.markings import tlp_label
from commonground.sharing.models import RAW_SHARING_FORBIDDEN, Sensitivity
from commonground.sharing.policy import access_exportable, access_operator


class ExportRefused(Exception):
    """The export asked for records that may not leave the machine."""


class UnknownCountry(ExportRefused):
    """The export named a country no event was ever recorded in (likely a typo)."""


def check_country(country: str) -> str:
    """The country's code in upper case, if the platform knows it; :class:`UnknownCountry` if not.

    An unknown code used to export 0 events and exit 0, which reads as "nothing happened there"
    when the code was simply wrong.
    """
    code = country.strip().upper()
    if not Area.objects.filter(code=code, level=AreaLevel.COUNTRY).exists():
        raise UnknownCountry(
            f"no country {code} is known here (no event was ever imported for it); "
            "use a three-letter ISO code of a country with events, such as CAF"
        )
    return code


#: (column, HXL hashtag, how to read it from an event)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("dataset", "#meta+dataset"),
    ("source_id", "#event+id"),
    ("date_start", "#date+start"),
    ("date_end", "#date+end"),
    ("country_code", "#country+code"),
    ("admin1", "#adm1+name"),
    ("admin2", "#adm2+name"),
    ("place", "#loc+name"),
    ("latitude", "#geo+lat"),
    ("longitude", "#geo+lon"),
    ("violence_type", "#event+type"),
    ("actor1", "#group+name+first"),
    ("actor2", "#group+name+second"),
    ("fatalities_best", "#affected+killed"),
    ("fatalities_low", "#affected+killed+min"),
    ("fatalities_high", "#affected+killed+max"),
    ("civilian_deaths", "#affected+killed+civilians"),
    ("description", "#description"),
    ("licence", "#meta+licence"),
    ("owner", "#org+owner"),
    ("tlp", "#meta+tlp"),  # the TLP 2.0 marking of the row's sensitivity (ADR 0020)
)

#: The columns of text from sources or people (every text cell is neutralised, these included).
TEXT_COLUMNS = {"place", "admin1", "admin2", "actor1", "actor2", "description", "source_id"}


def selection(
    country: str | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    dataset: str | None,
) -> QuerySet[Event]:
    events = access_operator(Event.objects.filter(withdrawn=False))
    if country:
        events = events.filter(country_code=country.upper())
    if date_from:
        events = events.filter(date_start__gte=date_from)
    if date_to:
        events = events.filter(date_start__lte=date_to)
    if dataset:
        events = events.filter(dataset=dataset)
    return events.select_related("admin1", "admin2", "actor1", "actor2", "owner").order_by(
        "date_start", "dataset", "source_id"
    )


def export_events(
    *,
    fmt: str,
    country: str | None,
    date_from: datetime.date | None,
    date_to: datetime.date | None,
    dataset: str | None,
    max_sensitivity: str,
    output: Path | None,
) -> str:
    """Write the export and return a one-line report of what was written and left out.

    Raises :class:`ExportRefused` (:class:`UnknownCountry` for an unknown ``country``) before
    anything is written.
    """
    if country:
        country = check_country(country)
    chosen = selection(country, date_from, date_to, dataset)
    level = Sensitivity[max_sensitivity.upper()]
    allowed = access_exportable(chosen, level)
    held_back = chosen.filter(licence__in=RAW_SHARING_FORBIDDEN).count()
    if dataset and held_back and not allowed.exists():
        raise ExportRefused(
            f"{held_back} {dataset} rows are under a licence that allows sharing derived data "
            "only (ACLED's terms); raw rows are never exported"
        )
    too_sensitive = chosen.exclude(licence__in=RAW_SHARING_FORBIDDEN).count() - allowed.count()
    handle: TextIO = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        written = write_events(allowed, fmt, handle)
    finally:
        if output:
            handle.close()
    report = f"Exported {written} events as {fmt}"
    if held_back:
        report += f"; left out {held_back} raw rows whose licence forbids it (ACLED)"
    if too_sensitive:
        report += f"; left out {too_sensitive} events above '{max_sensitivity}'"
    return report + "."


def _row(event: Event) -> dict[str, Any]:
    values: dict[str, Any] = {
        "dataset": event.dataset,
        "source_id": event.source_id,
        "date_start": event.date_start.isoformat(),
        "date_end": event.date_end.isoformat(),
        "country_code": event.country_code,
        "admin1": event.admin1.name_en if event.admin1 else "",
        "admin2": event.admin2.name_en if event.admin2 else "",
        "place": event.place,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "violence_type": event.violence_type,
        "actor1": event.actor1.name if event.actor1 else "",
        "actor2": event.actor2.name if event.actor2 else "",
        "fatalities_best": event.fatalities_best,
        "fatalities_low": event.fatalities_low,
        "fatalities_high": event.fatalities_high,
        "civilian_deaths": event.civilian_deaths,
        "description": event.description,
        "licence": event.licence,
        "owner": str(event.owner),
        "tlp": tlp_label(event.sensitivity),
    }
    return values


def _write_csv(events: QuerySet[Event], handle: TextIO, hxl: bool = False) -> int:
    """Events as CSV (with HXL hashtags under the header when ``hxl``); returns how many."""
    writer = SafeWriter(handle)
    writer.writerow([name for name, _tag in COLUMNS])
    if hxl:
        writer.writerow([tag for _name, tag in COLUMNS])
    count = 0
    for event in events.iterator(chunk_size=2000):
        row = _row(event)
        writer.writerow([row[name] for name, _tag in COLUMNS])
        count += 1
    return count


def _write_hxl(events: QuerySet[Event], handle: TextIO) -> int:
    return _write_csv(events, handle, hxl=True)


def _write_geojson(events: QuerySet[Event], handle: TextIO) -> int:
    """A FeatureCollection written feature by feature, so memory stays flat."""
    handle.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for event in events.iterator(chunk_size=2000):
        row = _row(event)
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [event.longitude, event.latitude]},
            "properties": {k: v for k, v in row.items() if k not in {"latitude", "longitude"}},
        }
        handle.write(("" if count == 0 else ",\n") + json.dumps(feature, ensure_ascii=False))
        count += 1
    handle.write("\n]}\n")
    return count


Writer = Callable[[QuerySet[Event], TextIO], int]
WRITERS: dict[str, Writer] = {"csv": _write_csv, "hxl": _write_hxl, "geojson": _write_geojson}

#: The export formats, with the media type and file suffix a download is served with.
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "hxl": ("text/csv; charset=utf-8", "hxl.csv"),
    "geojson": ("application/geo+json", "geojson"),
}


def write_events(events: QuerySet[Event], fmt: str, handle: TextIO) -> int:
    """Write ``events`` (already cleared by ``access_exportable``) as ``fmt``; the count written.

    The one writer of exports: the command line and the events page's downloads both use it.
    """
    related = events.select_related("admin1", "admin2", "actor1", "actor2", "owner")
    return WRITERS[fmt](related, handle)


__all__ = [
    "FORMATS",
    "ExportRefused",
    "UnknownCountry",
    "check_country",
    "export_events",
    "write_events",
]
