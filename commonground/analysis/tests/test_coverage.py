"""Coverage: the presence rule on planted records, the ranking, and the real CAR files.

Expected figures come from ``presence_CAF.csv`` and ``ged_23_1_CAF.csv`` read with the csv
module. A planted forecast (stored as the forecasting app stores its runs) checks that a
high-risk area with nobody there comes first.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from commonground.analysis.coverage import (
    Actor,
    Evidence,
    combined_probability,
    country_coverage,
    cover,
    deduplicate,
    rank,
    status,
)
from commonground.core.models import Area, ImportRun
from commonground.core.services import do_import
from commonground.events.tests.conftest import GedRow
from commonground.forecasts.models import ForecastRun, ForecastValue
from commonground.registry.importers import PRESENCE
from commonground.registry.models import Presence
from commonground.sharing.models import Organization, Sensitivity
from commonground.sharing.services import local_organization

FIRST, LAST = datetime.date(2023, 1, 1), datetime.date(2023, 3, 31)


def record(
    start: str | None = None,
    end: str | None = None,
    source: str | None = None,
    unit: str | None = "CAF.ouaka",
    kind: str = "UN_mission",
    organization: str = "MINUSCA",
    place: str = "Bambari",
) -> Evidence:
    def day(text: str | None) -> datetime.date | None:
        return datetime.date.fromisoformat(text) if text else None

    source_day = day(source)
    return Evidence(
        organization=organization,
        place=place,
        unit=unit,
        kind=kind,
        start=day(start),
        end=day(end),
        source=(source_day, source_day) if source_day else None,
        source_id="T",
    )


# --- The presence rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (record("2014-09-01", "2024-12-31"), "present"),  # stated dates cover the period
        (record("2014-09-01", "2016-10-31"), "absent"),  # ended before
        (record("2024-01-01", None, "2024-06-01"), "absent"),  # started after
        (record("2014-09-01", None, "2025-08-28"), "present"),  # ongoing, stated after
        (record(None, None, "2023-02-10"), "present"),  # the source's date is in the period
        (record("2014-09-01", None, "2021-05-01"), "uncertain"),  # last stated before
        (record(None, None, "2025-01-01"), "uncertain"),  # no start: may have come later
        (record(None, None, None), "uncertain"),  # undated: never present, never absent
    ],
)
def test_presence_rule(evidence: Evidence, expected: str) -> None:
    assert status(evidence, FIRST, LAST) == expected


def test_records_of_one_organization_and_place_count_once() -> None:
    actors = deduplicate(
        [
            record("2014-09-01", None, "2014-10-01"),
            record(None, None, None),
            record(None, None, "2025-01-01", place="bambari"),
            record(None, None, "2023-01-05", organization="FSI"),
        ],
        FIRST,
        LAST,
    )
    assert [(a.organization, a.status, len(a.sources)) for a in actors] == [
        ("MINUSCA", "uncertain", 3),
        ("FSI", "present", 1),
    ]


def test_undated_presence_is_uncertain_never_present_or_absent() -> None:
    actors = deduplicate([record(None, None, None)], FIRST, LAST)
    assert cover(actors, ["UN_mission"]) == "uncertain"
    assert cover([], ["UN_mission"]) == "none"


def test_high_risk_and_nobody_there_comes_first() -> None:
    present = Actor("MINUSCA", "Birao", "CAF.vakaga", {"UN_mission"}, ["present"])
    maybe = Actor("MINUSCA", "Bambari", "CAF.ouaka", {"UN_mission"}, ["uncertain"])
    peace = Actor("SFCG", "Bria", "CAF.haute-kotto", {"peacebuilder"}, ["present"])
    risk = {"CAF.vakaga": 0.9, "CAF.ouaka": 0.6, "CAF.haute-kotto": 0.5, "CAF.kemo": 0.1}

    rows = rank(risk, [present, maybe, peace])

    assert [r.unit for r in rows] == ["CAF.haute-kotto", "CAF.ouaka", "CAF.kemo", "CAF.vakaga"]
    assert rows[0].protection == "none" and rows[0].peacebuilding == "present"
    assert rows[-1].gap == 0.0


def test_risk_over_three_months() -> None:
    assert combined_probability([0.5, 0.5, 0.5]) == pytest.approx(0.875)
    assert combined_probability([]) == 0.0


# --- On the real CAR files ----------------------------------------------------------------------


def presence_rows() -> list[dict[str, str]]:
    path = Path(settings.COMMONGROUND_DATA_DIR) / "presence_CAF.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def presence(ged_imported: ImportRun) -> Iterator[ImportRun]:
    folder = Path(settings.COMMONGROUND_DATA_DIR)
    yield do_import(PRESENCE, folder / "presence_CAF.csv", owner=local_organization())


def plant_forecast(risk: dict[str, float]) -> ForecastRun:
    """A stored admin-1 forecast whose three first months carry ``risk`` each month."""
    run = ForecastRun.objects.create(
        country="CAF",
        level="admin1",
        model_name="planted",
        model_version="test",
        data_cut=datetime.date(2022, 12, 1),
        made_at=timezone.now(),
        seed=1,
        samples=1,
    )
    for unit, p in risk.items():
        for step in (1, 2, 3, 4):
            ForecastValue.objects.create(
                run=run,
                unit=unit,
                month=datetime.date(2023, step, 1),
                step=step,
                deaths_mean=1.0,
                q05=0, q25=0, q50=1, q75=1, q95=2,
                p_any_death=p,
                p_one_sided=p if step <= 3 else 0.99,
            )  # fmt: skip
    return run


@pytest.mark.django_db
def test_without_a_forecast_the_stand_in_is_recent_one_sided_violence(
    presence: ImportRun, ged_rows: list[GedRow]
) -> None:
    found = country_coverage(None, "CAF")

    assert found is not None and found.basis == "recent_one_sided" and found.forecast is None
    assert (found.first, found.last) == (datetime.date(2022, 1, 1), datetime.date(2022, 12, 31))
    one_sided = [
        r for r in ged_rows if r["type_of_violence"] == "3" and r["date_start"].startswith("2022")
    ]
    ouaka = next(r for r in found.rows if r.unit == "CAF.ouaka")
    assert ouaka.risk == sum(1 for r in one_sided if r["adm_1"] == "Ouaka province")
    assert sum(r.risk for r in found.rows) + found.unknown_area_events == len(one_sided)


@pytest.mark.django_db
def test_a_planted_high_risk_area_with_nobody_there_ranks_first(presence: ImportRun) -> None:
    rows = presence_rows()
    assert not [r for r in rows if r["admin1"] == "Sangha-Mbaéré province"]  # nobody on record
    risk = dict.fromkeys(("CAF.ouaka", "CAF.vakaga", "CAF.bangui", "CAF.kemo"), 0.2)
    plant_forecast({**risk, "CAF.sangha-mbaere": 0.6})

    found = country_coverage(None, "CAF")

    assert found is not None and found.basis == "forecast"
    assert found.forecast is not None and found.forecast.model_name == "planted"
    assert (found.first, found.last) == (FIRST, LAST)
    first = found.rows[0]
    assert first.unit == "CAF.sangha-mbaere" and first.protection == "none"
    assert first.risk == pytest.approx(1 - 0.4**3)


@pytest.mark.django_db
def test_presence_is_deduplicated_and_undated_presence_is_uncertain(presence: ImportRun) -> None:
    plant_forecast({"CAF.ouaka": 0.5, "CAF.ouham-pende": 0.5})
    rows = presence_rows()

    found = country_coverage(None, "CAF")

    assert found is not None
    for row in found.rows:
        name = {"CAF.ouaka": "Ouaka province", "CAF.ouham-pende": "Ouham-Pendé province"}
        in_file = [r for r in rows if r["admin1"] == name[row.unit]]
        assert len(row.actors) == len({(r["organization_acronym"], r["place"]) for r in in_file})
        judged = {s: st for a in row.actors for s, st in zip(a.sources, a.statuses, strict=True)}
        undated = [r for r in in_file if not r["start"] and not r["end"]]
        assert undated, "the file has records with neither start nor end here"
        for r in undated:
            stated_in_period = "2023-01" <= r["source_date"][:7] <= "2023-03"
            assert judged[r["id"]] == ("present" if stated_in_period else "uncertain"), r["id"]


@pytest.mark.django_db
def test_restricted_presence_counts_only_for_those_who_may_see_it(
    presence: ImportRun, cast: dict[str, User]
) -> None:
    plant_forecast({"CAF.sangha-mbaere": 0.6})
    jmac = Organization.objects.get(slug="minusca-jmac")
    planted = Presence.objects.filter(area__code="CAF.vakaga").first()
    assert planted is not None
    planted.pk, planted.source_id = None, "JMAC-P-1"
    planted.owner, planted.sensitivity = jmac, Sensitivity.RESTRICTED
    planted.area = Area.objects.get(code="CAF.sangha-mbaere")
    planted.start_date, planted.end_date, planted.source_date = None, None, "2023-02"
    planted.save()

    public = country_coverage(None, "CAF")
    mission = country_coverage(cast["marc"], "CAF")

    assert public is not None and mission is not None
    assert public.rows[0].protection == "none"
    assert mission.rows[0].protection == "present"
