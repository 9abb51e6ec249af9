"""Stored area-month and grid-cell-month figures: how they are rebuilt, and how they are read.

Why: summing a few thousand stored rows answers the map, the overview, the area figures and the
API's stats in milliseconds, where grouping a million events by month took seconds on SQLite
(Django runs ``TruncMonth`` there as a Python function per row; docs/performance.md).

Rebuilding is set-based SQL (``INSERT ... SELECT ... GROUP BY``) inside the import's transaction,
so a reader never sees figures that disagree with the events. It reads only the events' columns
that the events table promises to keep (dataset, date_start, country_code, admin1_id,
admin2_id, priogrid_gid, violence_type, fatalities_best, civilian_deaths, owner_id,
sensitivity, licence, withdrawn).

Reading: every function takes the asking user and filters the figure rows with the same access
policy as events (``access_owned``). Filters the figures cannot answer exactly (an actor, a
minimum of deaths, a period that does not start and end on whole months) fall back to the
event queries, which give the same answer more slowly.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db import connection, models, transaction
from django.db.models import F, Max, Min, Q, QuerySet, Sum
from django.db.models.signals import post_delete, post_save, pre_save

from commonground.analysis.models import (
    AreaMonthFigure,
    CellMonthFigure,
    CountryMonthFigure,
    DataGeneration,
    DyadMonthFigure,
)
from commonground.core.models import Area, AreaLevel, ImportOutcome, ImportRun
from commonground.events import queries
from commonground.events.bulk import insert_frame
from commonground.events.models import Event, ViolenceType
from commonground.events.schemas import EventFilters
from commonground.sharing.policy import AnyUser, access_owned

if TYPE_CHECKING:
    from commonground.core.services import ImportCounts

# --- Rebuilding -------------------------------------------------------------------------------

#: Event columns every figure row is grouped by; the ownership fields make the policy apply.
GROUP_COLUMNS = (
    "dataset",
    "country_code",
    "violence_type",
    "owner_id",
    "sensitivity",
    "licence",
    "circle_id",
)
#: The finest grain, read from the events in one pass; each table sums it further.
FINE_COLUMNS = (*GROUP_COLUMNS, "admin1_id", "admin2_id", "priogrid_gid", "actor1_id", "actor2_id")
TABLE_COLUMNS = {
    "country": GROUP_COLUMNS,
    "area": (*GROUP_COLUMNS, "admin1_id", "admin2_id"),
    "cell": (*GROUP_COLUMNS, "admin1_id", "priogrid_gid"),
    "dyad": (*GROUP_COLUMNS, "admin1_id", "admin2_id", "actor1_id", "actor2_id"),
}
#: The stored figure tables, by the keys of TABLE_COLUMNS.
FIGURE_TABLES: dict[str, type[models.Model]] = {
    "country": CountryMonthFigure,
    "area": AreaMonthFigure,
    "cell": CellMonthFigure,
    "dyad": DyadMonthFigure,
}
#: The temporary table of one rebuild (dropped before the rebuild ends).
FINE_TABLE = "analysis_fine_figures"


def month_sql(vendor: str) -> str:
    """The first day of the start date's month, computed by the database (no Python per row)."""
    if vendor == "postgresql":
        return "CAST(date_trunc('month', CAST(\"date_start\" AS timestamp)) AS date)"
    return "substr(\"date_start\", 1, 7) || '-01'"  # SQLite stores dates as ISO text


def _present(columns: tuple[str, ...], model: type[models.Model]) -> tuple[str, ...]:
    """The columns a (possibly historical) model has: a migration made before sharing circles
    rebuilds figures without ``circle_id``."""
    names = {field.column for field in model._meta.concrete_fields}
    return tuple(c for c in columns if c in names)


def _fine_sql(events_table: str, scope: str, fine_columns: tuple[str, ...] = FINE_COLUMNS) -> str:
    """One pass over the events: sums per finest key and month, into a temporary table."""
    month = month_sql(connection.vendor)
    keys = ", ".join(f'"{c}"' for c in fine_columns)
    # Names come from the models; values are parameters: no injection path.
    return (
        f'CREATE TEMPORARY TABLE "{FINE_TABLE}" AS SELECT {keys}, {month} AS "month", '  # noqa: S608
        'COUNT(*) AS "events", COALESCE(SUM("fatalities_best"), 0) AS "deaths", '
        'COALESCE(SUM("civilian_deaths"), 0) AS "civilian_deaths", '
        'MIN("date_start") AS "first_day", MAX("date_start") AS "last_day" '
        f'FROM "{events_table}" WHERE "withdrawn" = %s{scope} GROUP BY {keys}, {month}'
    )


def _sum_sql(table: str, columns: tuple[str, ...], with_days: bool) -> str:
    keys = ", ".join(f'"{c}"' for c in (*columns, "month"))
    sums = 'SUM("events"), SUM("deaths"), SUM("civilian_deaths")'
    names = f'{keys}, "events", "deaths", "civilian_deaths"'
    if with_days:
        sums += ', MIN("first_day"), MAX("last_day")'
        names += ', "first_day", "last_day"'
    return (
        f'INSERT INTO "{table}" ({names}) SELECT {keys}, {sums} '  # noqa: S608 (model names)
        f'FROM "{FINE_TABLE}" GROUP BY {keys}'
    )


def refresh_figures(
    dataset: str | None = None,
    countries: Iterable[str] | None = None,
    *,
    models_of: dict[str, type[models.Model]] | None = None,
) -> None:
    """Rebuild the figures of one dataset (optionally only some countries), or of everything.

    Runs in one transaction (the import's, when called from it) and bumps the data generation,
    so cached answers made before it are never served again. The events are read once; the
    tables are sums of that pass. ``models_of`` lets a migration pass its historical models
    (only the tables it names are rebuilt).
    """
    found: dict[str, type[models.Model]] = models_of or {
        "event": Event,
        **FIGURE_TABLES,
        "generation": DataGeneration,
    }
    scope, params = "", []
    if dataset is not None:
        scope += ' AND "dataset" = %s'
        params.append(dataset)
    if countries is not None:
        chosen = sorted(set(countries))
        scope += f' AND "country_code" IN ({", ".join(["%s"] * len(chosen)) or "NULL"})'
        params.extend(chosen)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{FINE_TABLE}"')
        fine_columns = _present(FINE_COLUMNS, found["event"])
        events_table = found["event"]._meta.db_table
        cursor.execute(_fine_sql(events_table, scope, fine_columns), [False, *params])
        where = scope.replace(" AND ", " WHERE ", 1)
        for key, all_columns in TABLE_COLUMNS.items():
            if key not in found:  # a migration made before that table existed
                continue
            columns = _present(tuple(c for c in all_columns if c in fine_columns), found[key])
            table = found[key]._meta.db_table
            cursor.execute(f'DELETE FROM "{table}"{where}', params)  # noqa: S608 (model names)
            cursor.execute(_sum_sql(table, columns, with_days=key != "cell"))
        cursor.execute(f'DROP TABLE "{FINE_TABLE}"')
        bump_generation(found["generation"])


def figures_from_events(events: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """What :func:`refresh_figures` would store for ``events`` (none withdrawn), per table key.

    ``events`` has the columns ``events.services.STORED_EVENT_FIGURE_COLUMNS``, keys as the
    database stores them. Polars groups as the SQL does: nulls form one group, a sum of nulls
    is 0.
    """
    month = pl.col("date_start").dt.truncate("1mo").alias("month")
    if "circle_id" not in events.columns:  # an import writes its new events in no circle
        events = events.with_columns(pl.lit(None, dtype=pl.String).alias("circle_id"))
    fine = events.group_by([*FINE_COLUMNS, month]).agg(
        pl.len().cast(pl.Int64).alias("events"),
        pl.col("fatalities_best").sum().cast(pl.Int64).alias("deaths"),
        pl.col("civilian_deaths").sum().cast(pl.Int64).alias("civilian_deaths"),
        pl.col("date_start").min().alias("first_day"),
        pl.col("date_start").max().alias("last_day"),
    )
    tables = {}
    for key, columns in TABLE_COLUMNS.items():
        keys = [*columns, "month"]
        sums = [pl.col(c).sum() for c in ("events", "deaths", "civilian_deaths")]
        if key != "cell":
            sums += [pl.col("first_day").min(), pl.col("last_day").max()]
        tables[key] = fine.group_by(keys).agg(sums).sort(keys, nulls_last=False)
    return tables


def store_figures_from_events(dataset: str, events: pl.DataFrame) -> None:
    """Replace ``dataset``'s figures with those summed from ``events``, all its events.

    What an import that wrote every event of its dataset (its first) uses: summing the rows in
    memory instead of reading them back from the events table saved about 1.3 s of 2.2 s for
    300,000 GED events (docs/performance.md). The tables are written as :func:`refresh_figures`
    writes them, in one transaction, and the data generation is bumped the same way.
    """
    tables = figures_from_events(events)
    with transaction.atomic(), connection.cursor() as cursor:
        for key, model in FIGURE_TABLES.items():
            table = model._meta.db_table
            cursor.execute(f'DELETE FROM "{table}" WHERE "dataset" = %s', [dataset])  # noqa: S608 (model name)
            rows = tables[key]
            insert_frame(table, rows.columns, rows)
        bump_generation()


def bump_generation(model: type[models.Model] = DataGeneration) -> None:
    """A new data generation: every cached answer made before it is dead from now on."""
    stamp = uuid.uuid4()
    if not model._default_manager.filter(pk=1).update(value=F("value") + 1, stamp=stamp):
        model._default_manager.create(pk=1, value=1, stamp=stamp)


def generation() -> str:
    """The current data generation's stamp (one read by primary key; every process agrees).

    Plain SQL: it runs on every cached answer, and the ORM's query building cost more than
    the read itself.
    """
    table = DataGeneration._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "stamp" FROM "{table}" WHERE "id" = 1')  # noqa: S608 (model name)
        row = cursor.fetchone()
    return str(row[0]).replace("-", "") if row else "none"


# --- Keeping them in step ----------------------------------------------------------------------


def _after_import(
    sender: Any,
    run: ImportRun,
    dataset: str,
    counts: ImportCounts | None = None,
    parsed: Any = None,
    **kwargs: Any,
) -> None:
    """An import wrote (or withdrew) events of ``dataset``, or changed a registry: rebuild.

    An import that changed nothing (a file imported again) leaves the figures as they are; the
    generation is still bumped, for what else it may have written (likely-duplicate flags).
    """
    if counts is not None and not (counts.added or counts.updated or counts.removed):
        bump_generation()
        return
    events = getattr(parsed, "stored_events", None)
    if isinstance(events, pl.DataFrame):
        store_figures_from_events(dataset, events)
    else:
        refresh_figures(dataset)


def _remember_old_key(sender: Any, instance: Event, **kwargs: Any) -> None:
    if instance.pk is not None:
        old = Event.objects.filter(pk=instance.pk).values_list("dataset", "country_code").first()
        instance._figures_old_key = old  # type: ignore[attr-defined]  # a note between signals


def _after_event_saved(sender: Any, instance: Event, **kwargs: Any) -> None:
    """Events change by import; a single save (tests, a script) still keeps figures right."""
    old = getattr(instance, "_figures_old_key", None)
    if old and old != (instance.dataset, instance.country_code):
        refresh_figures(old[0], [old[1]])
    refresh_figures(instance.dataset, [instance.country_code])


def _after_event_deleted(sender: Any, instance: Event, **kwargs: Any) -> None:
    refresh_figures(instance.dataset, [instance.country_code])


#: Apps whose records cached answers show; a write to any of their models renews the data
#: generation. Events renew it through their refresh (and a successful import through its
#: signal); import attempts, the audit log and token use are shown by no cached answer.
#: Forecasts are shown on area pages, the map and the coverage page (a run also renews it
#: itself: its values are bulk-created, which sends no signal).
WATCHED_APPS = frozenset({"core", "events", "registry", "sharing", "forecasts"})
UNWATCHED_MODELS = frozenset(
    {"events.event", "core.importrun", "sharing.auditevent", "sharing.apitoken"}
)


def _bump_on_write(sender: Any, **kwargs: Any) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in WATCHED_APPS:
        return
    if meta.label_lower not in UNWATCHED_MODELS:
        bump_generation()


def connect_signals() -> None:
    from commonground.core.services import import_persisted

    post_save.connect(_bump_on_write, dispatch_uid="analysis.figures.bump_on_save")
    post_delete.connect(_bump_on_write, dispatch_uid="analysis.figures.bump_on_delete")
    import_persisted.connect(_after_import, dispatch_uid="analysis.figures.after_import")
    pre_save.connect(_remember_old_key, sender=Event, dispatch_uid="analysis.figures.pre_save")
    post_save.connect(_after_event_saved, sender=Event, dispatch_uid="analysis.figures.saved")
    post_delete.connect(_after_event_deleted, sender=Event, dispatch_uid="analysis.figures.deleted")


# --- Which filters the figures answer ----------------------------------------------------------


def month_end(day: datetime.date) -> datetime.date:
    following = day.replace(day=28) + datetime.timedelta(days=4)
    return following - datetime.timedelta(days=following.day)


def whole_months(date_from: datetime.date | None, date_to: datetime.date | None) -> bool:
    """Whether a period starts on a first and ends on a last day of a month (or is open)."""
    return (date_from is None or date_from.day == 1) and (
        date_to is None or date_to == month_end(date_to)
    )


def answerable(filters: EventFilters) -> bool:
    """Whether stored figures give exactly what the events would for these filters."""
    return (
        filters.min_deaths is None
        and not filters.actor
        and whole_months(filters.date_from, filters.date_to)
    )


FigureModel = (
    type[CountryMonthFigure] | type[AreaMonthFigure] | type[CellMonthFigure] | type[DyadMonthFigure]
)


def totals_model(filters: EventFilters) -> FigureModel:
    """The smallest table that answers the filters: per country unless an area is asked for."""
    if filters.admin1 or filters.admin2 or filters.actor_id:
        return area_model(filters)
    return CountryMonthFigure


def area_model(filters: EventFilters) -> FigureModel:
    """The table with areas that answers the filters: per dyad when an actor is asked for."""
    return DyadMonthFigure if filters.actor_id else AreaMonthFigure


def figure_rows(model: FigureModel, user: AnyUser | None, filters: EventFilters) -> QuerySet[Any]:
    """The figure rows the user may see that the (answerable) filters select.

    ``model`` must have the columns the filters name: ``totals_model`` or ``area_model``
    choose it (an admin-2 area needs the area table, an actor the dyad table).
    """
    rows: QuerySet[Any] = access_owned(model.objects.all(), user)
    if filters.country:
        rows = rows.filter(country_code=filters.country)
    if filters.admin1:
        rows = rows.filter(admin1__code=filters.admin1)
    if filters.admin2:
        rows = rows.filter(admin2__code=filters.admin2)
    if filters.actor_id:
        rows = rows.filter(Q(actor1_id=filters.actor_id) | Q(actor2_id=filters.actor_id))
    if filters.dataset:
        rows = rows.filter(dataset=filters.dataset)
    if filters.violence_type:
        rows = rows.filter(violence_type=filters.violence_type)
    if filters.date_from:
        rows = rows.filter(month__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(month__lte=filters.date_to)
    return rows.order_by()


_SUMS = {
    "events": Sum("events"),
    "deaths": Sum("deaths"),
    "civilian_deaths": Sum("civilian_deaths"),
}


def _figures(row: dict[str, Any]) -> dict[str, int]:
    return {key: int(row[key] or 0) for key in ("events", "deaths", "civilian_deaths")}


def _zero() -> dict[str, int]:
    return {"events": 0, "deaths": 0, "civilian_deaths": 0}


def _add(into: dict[str, int], row: dict[str, Any]) -> None:
    for key, value in _figures(row).items():
        into[key] += value


def assemble(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """``events.queries.event_figures``'s answer from rows per (month, violence type)."""
    total, by_type = _zero(), {t: _zero() for t in ViolenceType.values}
    months: dict[str, dict[str, int]] = {}
    first: datetime.date | None = None
    last: datetime.date | None = None
    for row in rows:
        _add(total, row)
        _add(by_type.setdefault(row["violence_type"], _zero()), row)
        _add(months.setdefault(row["month"].strftime("%Y-%m"), _zero()), row)
        first = row["first"] if first is None else min(first, row["first"])
        last = row["last"] if last is None else max(last, row["last"])
    monthly: dict[str, dict[str, int]] = {}
    if first is not None and last is not None:
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            key = f"{year:04d}-{month:02d}"
            monthly[key] = months.get(key, _zero())
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return {
        **total,
        "first": first,
        "last": last,
        "by_violence_type": {t: by_type[t] for t in ViolenceType.values},
        "monthly": monthly,
    }


def month_and_type_sums(rows: QuerySet[Any]) -> dict[str, Any]:
    """Figure rows summed as ``queries.event_figures`` sums events (totals, types, months)."""
    grouped = rows.values("month", "violence_type").annotate(
        **_SUMS, first=Min("first_day"), last=Max("last_day")
    )
    return assemble(grouped)


# --- Reading: the same answers as the event queries ---------------------------------------------


def event_figures(user: AnyUser | None, filters: EventFilters) -> dict[str, Any]:
    """Totals, by violence type and month, of the visible events the filters select."""
    if not answerable(filters):
        events = queries.filter_events(queries.visible_events(user), filters)
        return queries.event_figures(events)
    return month_and_type_sums(figure_rows(totals_model(filters), user, filters))


def area_figures(
    user: AnyUser | None,
    area: Area,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> dict[str, Any]:
    """``event_figures`` of the visible events in an area (its country, admin-1 or admin-2)."""
    if not whole_months(date_from, date_to):
        return queries.event_figures(queries.area_events(user, area, date_from, date_to))
    return month_and_type_sums(
        area_rows(user, area, EventFilters(date_from=date_from, date_to=date_to))
    )


def area_rows(
    user: AnyUser | None, area: Area, period: EventFilters | None = None
) -> QuerySet[Any]:
    """The figure rows of an area's visible events: per country, or per admin-1 or admin-2."""
    period = period or EventFilters()
    if area.level == AreaLevel.COUNTRY:
        return figure_rows(CountryMonthFigure, user, period).filter(country_code=area.country_code)
    side = "admin1" if area.level == AreaLevel.ADMIN1 else "admin2"
    return figure_rows(AreaMonthFigure, user, period).filter(**{side: area})


def admin1_figures(user: AnyUser | None, filters: EventFilters) -> list[dict[str, Any]]:
    """``events.queries.admin1_figures`` of the filtered visible events, most events first."""
    if not answerable(filters):
        events = queries.filter_events(queries.visible_events(user), filters)
        return queries.admin1_figures(events)
    return admin1_sums(figure_rows(area_model(filters), user, filters))


def admin1_sums(rows: QuerySet[Any]) -> list[dict[str, Any]]:
    """Figure rows summed per admin-1 area, most events first (as the events query gives)."""
    grouped = (
        rows.filter(admin1__isnull=False)
        .values("admin1__code", "admin1__name_en", "admin1__name_fr")
        .annotate(**_SUMS)
        .order_by("-events", "admin1__code")
    )
    return [
        {
            "code": row["admin1__code"],
            "name_en": row["admin1__name_en"],
            "name_fr": row["admin1__name_fr"],
            **_figures(row),
        }
        for row in grouped
    ]


def grid_figures(user: AnyUser | None, filters: EventFilters) -> list[dict[str, int]]:
    """``events.queries.grid_figures`` of the filtered visible events, by cell id."""
    if not answerable(filters) or filters.admin2 or filters.actor_id:  # cells know neither
        events = queries.filter_events(queries.visible_events(user), filters)
        return queries.grid_figures(events)
    rows = (
        figure_rows(CellMonthFigure, user, filters)
        .values("priogrid_gid")
        .annotate(**_SUMS)
        .order_by("priogrid_gid")
    )
    return [{"gid": row["priogrid_gid"], **_figures(row)} for row in rows]


def event_count(user: AnyUser | None, filters: EventFilters) -> int:
    """How many visible events the filters select."""
    if not answerable(filters):
        return queries.filter_events(queries.visible_events(user), filters).count()
    total = figure_rows(totals_model(filters), user, filters).aggregate(n=Sum("events"))["n"]
    return int(total or 0)


def child_area_counts(
    user: AnyUser | None, area: Area, period: EventFilters | None = None
) -> dict[str, int]:
    """Events per area one level below ``area`` (admin-1 of a country, admin-2 of an admin-1).

    In a ``period`` (its dates only); one that cuts a month is counted from the events.
    """
    period = period or EventFilters()
    if area.level == AreaLevel.ADMIN2:
        return {}
    if not whole_months(period.date_from, period.date_to):
        events = queries.area_events(user, area, period.date_from, period.date_to)
        return queries.child_area_counts(events, area.level + 1)
    rows = figure_rows(AreaMonthFigure, user, period)
    if area.level == AreaLevel.COUNTRY:
        rows, field = rows.filter(country_code=area.country_code), "admin1__code"
    elif area.level == AreaLevel.ADMIN1:
        rows, field = rows.filter(admin1=area), "admin2__code"
    else:
        return {}
    found = rows.filter(**{f"{field}__isnull": False}).values_list(field).annotate(n=Sum("events"))
    return {code: int(n) for code, n in found.values_list(field, "n")}


def countries_by_events(user: AnyUser | None) -> list[tuple[str, int]]:
    """Countries with events the user may see, most events first (then by code)."""
    rows = (
        figure_rows(CountryMonthFigure, user, EventFilters())
        .values_list("country_code")
        .annotate(n=Sum("events"))
        .values_list("country_code", "n")
    )
    return sorted(((code, int(n)) for code, n in rows), key=lambda row: (-row[1], row[0]))


def filter_choices(user: AnyUser | None) -> queries.FilterChoices:
    """``events.queries.filter_choices`` (values found among visible events), from the figures."""
    rows = figure_rows(CountryMonthFigure, user, EventFilters())
    areas = figure_rows(AreaMonthFigure, user, EventFilters()).filter(admin1__isnull=False)
    return queries.FilterChoices(
        countries=sorted(set(rows.values_list("country_code", flat=True).distinct())),
        admin1_areas=list(
            Area.objects.filter(level=AreaLevel.ADMIN1, pk__in=areas.values("admin1")).order_by(
                "country_code", "name_en"
            )
        ),
        datasets=sorted(set(rows.values_list("dataset", flat=True).distinct())),
    )


def dataset_summary(user: AnyUser | None) -> dict[str, Any]:
    """``events.queries.dataset_summary`` from the figures: the home page and ``/api/v1/stats``.

    A dataset's versions are those of the successful imports that wrote events the user may
    see the owner's figures of (events no longer carry a version of their own for long).
    """
    from commonground.registry.queries import registry_counts

    rows = figure_rows(CountryMonthFigure, user, EventFilters())
    per = list(
        rows.values("dataset", "country_code", "owner_id").annotate(
            **_SUMS, first=Min("first_day"), last=Max("last_day")
        )
    )
    by_year: dict[str, int] = {}
    for month, n in rows.values_list("month").annotate(n=Sum("events")).values_list("month", "n"):
        by_year[str(month.year)] = by_year.get(str(month.year), 0) + int(n)
    by_type = dict(
        rows.values_list("violence_type")
        .annotate(n=Sum("events"))
        .values_list("violence_type", "n")
    )
    datasets: dict[str, dict[str, Any]] = {}
    for row in per:
        found = datasets.setdefault(
            row["dataset"],
            {
                **_zero(),
                "first": row["first"],
                "last": row["last"],
                "countries": set(),
                "owners": set(),
            },
        )
        _add(found, row)
        found["first"], found["last"] = (
            min(found["first"], row["first"]),
            max(found["last"], row["last"]),
        )
        found["countries"].add(row["country_code"])
        found["owners"].add(row["owner_id"])
    versions = _versions({(d, o) for d, f in datasets.items() for o in f["owners"]})
    firsts = [f["first"] for f in datasets.values()]
    lasts = [f["last"] for f in datasets.values()]
    summary = {
        "events": sum(f["events"] for f in datasets.values()),
        "events_by_dataset": {d: f["events"] for d, f in datasets.items()},
        "events_by_year": dict(sorted(by_year.items())),
        "events_by_violence_type": {t: int(by_type.get(t, 0) or 0) for t in ViolenceType.values},
        "fatalities_best": sum(f["deaths"] for f in datasets.values()),
        "civilian_deaths": sum(f["civilian_deaths"] for f in datasets.values()),
        "period": {
            "first": min(firsts).isoformat() if firsts else None,
            "last": max(lasts).isoformat() if lasts else None,
        },
        "countries": sorted({c for f in datasets.values() for c in f["countries"]}),
        "datasets": [
            {
                "dataset": name,
                "versions": sorted(versions.get(name, ())),
                "events": f["events"],
                "fatalities_best": f["deaths"],
                "civilian_deaths": f["civilian_deaths"],
                "first": f["first"].isoformat(),
                "last": f["last"].isoformat(),
                "countries": sorted(f["countries"]),
            }
            for name, f in sorted(datasets.items())
        ],
    }
    summary.update(registry_counts(user))
    return summary


def _versions(pairs: set[tuple[str, Any]]) -> dict[str, set[str]]:
    """Versions of the successful imports that wrote events, per dataset, for (dataset, owner)."""
    runs = (
        ImportRun.objects.filter(outcome=ImportOutcome.SUCCEEDED, dataset__in={d for d, _ in pairs})
        .filter(models.Q(added__gt=0) | models.Q(updated__gt=0))
        .exclude(dataset_version="")
        .values_list("dataset", "owner_id", "dataset_version")
    )
    found: dict[str, set[str]] = {}
    for dataset, owner, version in runs:
        if (dataset, owner) in pairs:
            found.setdefault(dataset, set()).add(version)
    return found
