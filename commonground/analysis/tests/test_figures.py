"""Stored figures on the real CAR GED file: they equal the events' own totals, for every viewer.

Expectations come from the file (csv module) and from the event queries, which group the
events themselves; the stored figures must give exactly the same answers.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.db.models import Sum
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from commonground.analysis import actor_figures, figures, networks
from commonground.analysis.models import (
    AreaMonthFigure,
    CellMonthFigure,
    CountryMonthFigure,
    DyadMonthFigure,
)
from commonground.core.models import Area, AreaLevel, ImportRun
from commonground.core.services import do_import, do_undo_withdrawals, import_persisted
from commonground.events import queries
from commonground.events.importers.ged import GED
from commonground.events.models import Event, ViolenceType
from commonground.events.schemas import EventFilters
from commonground.registry.models import Actor
from commonground.sharing.models import (
    Licence,
    Organization,
    Sensitivity,
    SharingAgreement,
    SharingCircle,
)
from commonground.sharing.services import local_organization
from commonground.testing.cast import ensure_cast

#: Each test's own writes roll back (inside the module's import, which rolls back at the end).
pytestmark = pytest.mark.django_db

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
D = datetime.date

#: Events of other owners next to the public GED file: (owner, sensitivity, licence, deaths).
OWNED = [
    ("minusca-jmac", Sensitivity.PARTNERS, Licence.OWNER, 3),
    ("minusca-jmac", Sensitivity.RESTRICTED, Licence.OWNER, 5),
    ("minusca-jmac", Sensitivity.CONFIDENTIAL, Licence.OWNER, 7),
    ("sfcg-car", Sensitivity.RESTRICTED, Licence.OWNER, 11),
    ("minusca-jmac", Sensitivity.PUBLIC, Licence.ACLED, 13),
    ("sfcg-car", Sensitivity.PARTNERS, Licence.ACLED, 17),
]

PEOPLE = ["anonymous", "jean", "marc", "amina", "sofia", "admin"]

FILTERS = [
    EventFilters(),
    EventFilters(
        violence_type=ViolenceType.ONE_SIDED, date_from=D(2014, 1, 1), date_to=D(2014, 12, 31)
    ),
    EventFilters(country="CAF", date_from=D(2013, 3, 1)),
    EventFilters(admin1="CAF.ouaka", date_to=D(2016, 6, 30)),
    EventFilters(admin2="CAF.ouaka.bambari", violence_type=ViolenceType.ONE_SIDED),
    EventFilters(dataset="ucdp-ged", violence_type=ViolenceType.STATE_BASED),
    EventFilters(dataset="jmac-incidents"),
    EventFilters(country="TCD"),
    # Not answerable by month sums: these fall back to the events, and must still agree.
    EventFilters(date_from=D(2014, 3, 15), date_to=D(2014, 9, 2)),
    EventFilters(min_deaths=10),
]


def owned_copy(event: Event, owner: Organization, n: int, spec: tuple[Any, ...]) -> Event:
    """A copy of a real event under another owner, sensitivity and licence (saved: refreshed)."""
    _slug, sensitivity, licence, deaths = spec
    event.pk = None
    event._state.adding = True
    event.dataset, event.source_id = "jmac-incidents", f"OWNED-{n}"
    event.owner, event.sensitivity, event.licence = owner, sensitivity, licence
    event.fatalities_best = event.civilian_deaths = deaths
    event.save()
    return event


@pytest.fixture(scope="module")
def data(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[dict[str, User]]:
    """The real GED file, the cast, an agreement (SFCG shares up to restricted with JMAC) and
    one event per row of ``OWNED``; rolled back when the module ends."""
    path = Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv"
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        cast = ensure_cast()
        do_import(GED, path, owner=local_organization(), user=cast["admin"])
        orgs = {org.slug: org for org in Organization.objects.all()}
        SharingAgreement.objects.create(
            provider=orgs["sfcg-car"], recipient=orgs["minusca-jmac"], max_sensitivity=2
        )
        # JMAC shares its partners records with the two civil organizations (ADR 0020).
        circle = SharingCircle.objects.create(owner=orgs["minusca-jmac"], slug="p", name="P")
        circle.members.add(orgs["femmes-bambari"], orgs["sfcg-car"])
        sources = Event.objects.filter(admin1__isnull=False).order_by("pk")[: len(OWNED)]
        for n, (event, spec) in enumerate(zip(sources, OWNED, strict=True)):
            if spec[:2] == ("minusca-jmac", Sensitivity.PARTNERS):
                event.circle = circle
            owned_copy(event, orgs[spec[0]], n, spec)
        yield cast
        transaction.set_rollback(True)


def person(cast: dict[str, User], name: str) -> User | AnonymousUser:
    return AnonymousUser() if name == "anonymous" else cast[name]


def file_rows() -> list[dict[str, str]]:

    path = Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- The stored sums equal the file ------------------------------------------------------------


@pytest.mark.parametrize("model", [CountryMonthFigure, AreaMonthFigure, CellMonthFigure])
def test_every_table_sums_to_the_files_totals(data: dict[str, User], model: Any) -> None:
    rows = file_rows()
    ged = model.objects.filter(dataset="ucdp-ged").aggregate(
        events=Sum("events"), deaths=Sum("deaths"), civilians=Sum("civilian_deaths")
    )

    assert ged == {
        "events": 1848,
        "deaths": sum(int(r["best"]) for r in rows),
        "civilians": sum(int(r["deaths_civilians"]) for r in rows),
    }
    assert model.objects.filter(dataset="jmac-incidents").aggregate(n=Sum("events"))["n"] == 6


def test_one_sided_2014_in_figures_equals_the_file(data: dict[str, User]) -> None:
    rows = [r for r in file_rows() if r["type_of_violence"] == "3" and r["date_start"] < "2015"]
    rows = [r for r in rows if r["date_start"] >= "2014"]
    filters = EventFilters(
        violence_type=ViolenceType.ONE_SIDED, date_from=D(2014, 1, 1), date_to=D(2014, 12, 31)
    )

    found = figures.event_figures(None, filters)

    assert found["events"] == len(rows) == 292
    assert found["deaths"] == sum(int(r["best"]) for r in rows)


# --- The stored sums equal the events' own, for every viewer ----------------------------------


@pytest.mark.parametrize("name", PEOPLE)
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.model_dump_json(exclude_none=True))
def test_figures_equal_the_events_for_every_viewer(
    data: dict[str, User], name: str, filters: EventFilters
) -> None:
    user = person(data, name)
    events = queries.filter_events(queries.visible_events(user), filters)

    assert figures.event_figures(user, filters) == queries.event_figures(events)
    assert figures.admin1_figures(user, filters) == queries.admin1_figures(events)
    assert figures.grid_figures(user, filters) == queries.grid_figures(events)
    assert figures.event_count(user, filters) == events.count()


@pytest.mark.parametrize("name", PEOPLE)
def test_figures_of_one_actor_equal_its_events_for_every_viewer(
    data: dict[str, User], name: str
) -> None:
    user = person(data, name)
    for actor in Actor.objects.all():
        for filters in (
            EventFilters(actor_id=actor.pk),
            EventFilters(actor_id=actor.pk, admin1="CAF.ouaka", date_from=D(2014, 1, 1)),
        ):
            events = queries.filter_events(queries.visible_events(user), filters)
            assert figures.event_figures(user, filters) == queries.event_figures(events)
            assert figures.admin1_figures(user, filters) == queries.admin1_figures(events)
            assert figures.grid_figures(user, filters) == queries.grid_figures(events)
            assert figures.event_count(user, filters) == events.count()


@pytest.mark.parametrize("name", PEOPLE)
def test_what_is_loaded_equals_the_events_for_every_viewer(
    data: dict[str, User], name: str
) -> None:
    user = person(data, name)
    stored, counted = figures.dataset_summary(user), queries.dataset_summary(user)
    # Versions come from the imports that wrote the events; the owned copies had no import.
    for row in (*stored["datasets"], *counted["datasets"]):
        if row["dataset"] == "jmac-incidents":
            row.pop("versions")

    assert stored == counted
    assert figures.countries_by_events(user) == queries.countries_by_events(user)
    assert figures.filter_choices(user) == queries.filter_choices_from_events(user)
    assert queries.filter_choices(user) == figures.filter_choices(user)


@pytest.mark.parametrize("name", ["anonymous", "amina", "admin"])
def test_every_area_page_figure_equals_the_events(data: dict[str, User], name: str) -> None:
    user = person(data, name)
    areas = Area.objects.filter(country_code="CAF")
    assert areas.filter(level=AreaLevel.ADMIN2).exists()
    for area in areas:
        for start, end in ((None, None), (D(2014, 1, 1), D(2015, 6, 30)), (D(2014, 1, 2), None)):
            events = queries.area_events(user, area, start, end)
            assert figures.area_figures(user, area, start, end) == queries.event_figures(events)
        if area.level < AreaLevel.ADMIN2:
            expected = queries.child_area_counts(queries.area_events(user, area), area.level + 1)
            assert figures.child_area_counts(user, area) == expected


def test_dyad_figures_sum_to_the_events(data: dict[str, User]) -> None:
    stored = DyadMonthFigure.objects.aggregate(events=Sum("events"), deaths=Sum("deaths"))
    events = Event.objects.filter(withdrawn=False)

    assert events.count() == 1848 + len(OWNED)
    assert stored == {
        "events": events.count(),
        "deaths": events.aggregate(n=Sum("fatalities_best"))["n"],
    }


@pytest.mark.parametrize("name", PEOPLE)
def test_actor_pages_from_the_figures_equal_the_events_for_every_viewer(
    data: dict[str, User], name: str
) -> None:
    user = person(data, name)
    actors = Actor.objects.all()
    assert actors.count() > 20
    for actor in actors:
        events = queries.actor_events(user, actor)
        assert actor_figures.actor_figures(user, actor) == queries.event_figures(events)
        assert actor_figures.actor_admin1_figures(user, actor) == queries.admin1_figures(events)
        assert actor_figures.actor_dyads(user, actor) == queries.actor_dyads(user, actor)
        expected = sorted(set(events.values_list("country_code", flat=True)))
        assert actor_figures.actor_countries(user, actor) == expected


@pytest.mark.parametrize("name", PEOPLE)
def test_actor_lists_from_the_figures_equal_the_events_for_every_viewer(
    data: dict[str, User], name: str
) -> None:
    user = person(data, name)

    def listed(actors: Any) -> list[tuple[Any, ...]]:
        return [(a.pk, a.event_count, a.as_side_a, a.as_side_b) for a in actors]

    for options in (
        {},
        {"country": "CAF"},
        {"country": "TCD"},
        {"q": "balaka", "order": "name"},
        {"kind": "militia"},
    ):
        stored = listed(actor_figures.actor_list(user, **options))
        assert stored == listed(queries.actor_list(user, **options)), options
    assert len(listed(actor_figures.actor_list(user))) > 20
    hidden = Actor.objects.exclude(pk__in=[row[0] for row in listed(queries.actor_list(user))])
    for actor in [*hidden[:5], *Actor.objects.order_by("name")[:5]]:
        expected = queries.visible_actor(user, actor.pk)
        assert actor_figures.visible_actor(user, actor.pk) == expected


@pytest.mark.parametrize("name", PEOPLE)
def test_network_dyads_from_the_figures_equal_the_events_for_every_viewer(
    data: dict[str, User], name: str
) -> None:
    user = person(data, name)

    def key(dyad: networks.Dyad) -> tuple[Any, ...]:
        return (
            dyad.month_id,
            str(dyad.a and dyad.a.id),
            str(dyad.b and dyad.b.id),
            dyad.violence_type,
        )

    stored = sorted(networks.visible_dyads(user, ["CAF"]), key=key)
    counted = sorted(
        networks.dyads(queries.visible_events(user).filter(country_code="CAF")), key=key
    )
    assert stored == counted
    assert sum(d.events for d in stored) >= 1848


@pytest.mark.parametrize("name", PEOPLE)
def test_area_actor_tables_equal_the_events_for_every_viewer(
    data: dict[str, User], name: str
) -> None:
    user = person(data, name)
    areas = Area.objects.filter(country_code="CAF")
    compared = 0
    for area in areas:
        events = queries.area_events(user, area)
        one_sided = events.filter(violence_type=ViolenceType.ONE_SIDED)
        expected = queries.perpetrators_against_civilians(one_sided)
        assert actor_figures.perpetrators_against_civilians(user, area) == expected
        assert actor_figures.active_actors(user, area) == queries.active_actors(events)
        compared += bool(expected)
    assert compared > 20  # areas with someone attacking civilians, not only empty tables


def test_each_person_sees_the_sums_of_exactly_their_records(data: dict[str, User]) -> None:
    public = 1848
    seen = {name: figures.event_count(person(data, name), EventFilters()) for name in PEOPLE}
    # Jean: + partners note; Marc: + partners, restricted JMAC, JMAC's own ACLED row, SFCG's
    # restricted report (agreement); Amina: Marc's + confidential; Sofia: + partners (JMAC),
    # her restricted report, her partners ACLED row; the administrator: everything.
    assert seen == {
        "anonymous": public,
        "jean": public + 1,
        "marc": public + 4,
        "amina": public + 5,
        "sofia": public + 3,
        "admin": public + 6,
    }


# --- Kept in step -----------------------------------------------------------------------------


def test_saving_and_deleting_an_event_refresh_its_figures(data: dict[str, User]) -> None:
    event = Event.objects.filter(dataset="ucdp-ged", fatalities_best__gt=0).order_by("pk").first()
    assert event is not None
    before = figures.event_figures(None, EventFilters())

    event.fatalities_best += 1000
    event.save()
    assert figures.event_figures(None, EventFilters())["deaths"] == before["deaths"] + 1000

    event.delete()
    after = figures.event_figures(None, EventFilters())
    assert after["events"] == before["events"] - 1
    assert after == queries.event_figures(queries.visible_events(None))


def test_withdrawn_events_are_in_no_figure(data: dict[str, User]) -> None:
    hidden = Event.objects.filter(dataset="ucdp-ged").order_by("pk")[:10]
    Event.objects.filter(pk__in=list(hidden.values_list("pk", flat=True))).update(withdrawn=True)
    figures.refresh_figures("ucdp-ged", ["CAF"])

    assert figures.event_count(None, EventFilters()) == 1838


def test_an_import_rebuilds_figures_in_its_own_transaction(
    data: dict[str, User], tmp_path: Path
) -> None:
    """Re-importing the file without its 2014 rows, as the whole release, withdraws them: the
    figures follow."""
    rows = file_rows()
    path = tmp_path / "ged_23_1_CAF.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["date_start"][:4] != "2014")
    kept = sum(1 for r in rows if r["date_start"][:4] != "2014")
    stamp = figures.generation()

    run = do_import(GED, path, owner=local_organization(), replace_release=True)

    assert run.removed == 1848 - kept
    assert figures.generation() != stamp
    assert figures.event_count(None, EventFilters(dataset="ucdp-ged")) == kept
    assert figures.event_figures(None, EventFilters(dataset="ucdp-ged")) == queries.event_figures(
        queries.visible_events(None).filter(dataset="ucdp-ged")
    )

    do_undo_withdrawals(run)  # the withdrawn events come back, and so do their figures
    assert figures.event_count(None, EventFilters(dataset="ucdp-ged")) == 1848


def test_a_failed_import_leaves_figures_and_generation_as_they_were(
    data: dict[str, User], tmp_path: Path
) -> None:
    path = tmp_path / "ged_23_1_CAF.csv"
    path.write_text("not,a,ged,file\n1,2,3,4\n", encoding="utf-8")
    stamp, before = figures.generation(), figures.event_figures(None, EventFilters())

    with pytest.raises(Exception):  # noqa: B017  # rejected: any refusal will do
        do_import(GED, path, owner=local_organization())

    assert figures.generation() == stamp
    assert figures.event_figures(None, EventFilters()) == before
    assert ImportRun.objects.filter(file_name=path.name).exclude(outcome="succeeded").exists()


FIGURE_MODELS: list[figures.FigureModel] = [
    CountryMonthFigure,
    AreaMonthFigure,
    CellMonthFigure,
    DyadMonthFigure,
]


def stored_figures(dataset: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every figure row of ``dataset``, all columns but the id, in a stable order."""
    stored = {}
    for model in FIGURE_MODELS:
        columns = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = model.objects.filter(dataset=dataset).values_list(*columns)
        stored[model.__name__] = sorted(rows, key=repr)
    return stored


def test_a_first_import_sums_its_figures_in_memory_exactly_as_the_database_does(
    data: dict[str, User],
) -> None:
    """The dataset's first import sums its figures from the rows in memory (no read-back of
    the events table); rebuilding them from the events table gives exactly the same rows."""
    with connection.cursor() as cursor:  # the dataset's events gone: the next import is its first
        cursor.execute("DELETE FROM events_event WHERE dataset = %s", ["ucdp-ged"])
    summed_in_memory: list[bool] = []

    def note_path(sender: Any, parsed: Any = None, **kwargs: Any) -> None:
        summed_in_memory.append(getattr(parsed, "stored_events", None) is not None)

    import_persisted.connect(note_path)
    try:
        run = do_import(
            GED,
            Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv",
            owner=local_organization(),
        )
    finally:
        import_persisted.disconnect(note_path)
    from_memory = stored_figures("ucdp-ged")
    counted = CountryMonthFigure.objects.filter(dataset="ucdp-ged").aggregate(n=Sum("events"))
    figures.refresh_figures("ucdp-ged")

    assert summed_in_memory == [True]
    assert run.added == 1848
    assert counted["n"] == 1848
    assert from_memory == stored_figures("ucdp-ged")


def test_importing_the_same_file_again_leaves_the_figures_as_they_are(
    data: dict[str, User],
) -> None:
    """Nothing changed, so nothing is rebuilt (the rows keep their ids); cached answers still
    end, as the import may have flagged likely duplicates."""
    before = {
        m.__name__: list(m.objects.order_by("pk").values_list("pk", "events"))
        for m in FIGURE_MODELS
    }
    stamp = figures.generation()

    run = do_import(
        GED, Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv", owner=local_organization()
    )

    assert (run.added, run.updated, run.removed, run.unchanged) == (0, 0, 0, 1848)
    assert before == {
        m.__name__: list(m.objects.order_by("pk").values_list("pk", "events"))
        for m in FIGURE_MODELS
    }
    assert figures.generation() != stamp
