"""Indicators on released community-report figures (through the disclosure gate only) and on
peace-agreement implementation scores, recomputed here from the gate's released table for the
same viewer and from the stored scores."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import Area, ImportRun
from commonground.learning import compute
from commonground.learning.models import Desired, Indicator, Source
from commonground.learning.services import do_save_indicator
from commonground.mandates.models import ImplementationScore
from commonground.mandates.services import do_demo_scores
from commonground.mandates.tests.conftest import (  # noqa: F401 - fixtures used below
    events_run,
    owner,
    provisions_run,
)
from commonground.sharing import gate
from commonground.sharing.models import Organization
from commonground.sharing.releases import Release
from commonground.sharing.tests.gate_synthetic import Synthetic, make_synthetic
from commonground.voices import published

pytestmark = pytest.mark.django_db

AGREEMENT = "appr_rca_2019"


@pytest.fixture
def key_home(settings: LazySettings, tmp_path: Path) -> Path:
    settings.COMMONGROUND_HOME = tmp_path
    return tmp_path


@pytest.fixture
def synthetic(cast: dict[str, User], key_home: Path) -> Synthetic:
    """SYNTHETIC reports of the Bambari network (260: fewer and the gate withholds the table)."""
    return make_synthetic(cast)


def voices_indicator(level: int, area: Area | None = None) -> Indicator:
    return do_save_indicator(
        None,
        Organization.objects.get(slug="minusca-jmac"),
        f"bambari-reports-{level}",
        name="Reports to the Bambari network",
        name_fr="Signalements au réseau de Bambari",
        source=Source.VOICES_RELEASED,
        kind="femmes-bambari",
        level=level,
        unit="reports",
        desired=Desired.DECREASE,
        area=area,
    )


def released_to_amina(synthetic: Synthetic, cast: dict[str, User]) -> gate.ReleasedTable:
    return gate.release(
        published.AREA_MONTH,
        synthetic.owner,
        recipient=cast["amina"],
        organization=Organization.objects.get(slug="minusca-jmac"),
        circle=synthetic.circle,
    )


def released_cells(table: gate.ReleasedTable, depth: int) -> dict[tuple[str, str], float]:
    """(area code or "", month) -> value of the released cells at one area depth."""
    found = {}
    for c in table.cells:
        area, month = c.cell
        if len(area) != depth or not month or c.status != gate.RELEASED or c.value is None:
            continue
        if area and area[-1] == published.OTHER_AREAS:
            continue
        found[(area[-1] if area else "", month[-1])] = float(c.value)
    return found


@pytest.mark.parametrize("level", [1, 2])
def test_released_reports_per_area_and_month_equal_the_gate_table(
    synthetic: Synthetic, cast: dict[str, User], level: int
) -> None:
    indicator = voices_indicator(level)
    released = released_to_amina(synthetic, cast)
    expected = released_cells(released, level)
    # On these reports the gate releases some admin-2 months and hides every admin-1 month:
    # the admin-1 indicator then has no data at all, not zeros.
    assert bool(expected) is (level == 2)
    assert any(len(c.cell[0]) == level and c.cell[1] for c in released.cells)
    before = Release.objects.filter(owner=synthetic.owner).count()
    table = compute.indicator_table(indicator, cast["amina"])
    got = {(a, f"{m:%Y-%m}"): v for a, m, v, _w, _m in table.iter_rows()}
    assert got == expected
    assert table["women"].null_count() == table.height  # the released table has no sex split
    logged = Release.objects.filter(owner=synthetic.owner).order_by("-at", "-id")
    assert logged.count() == before + 1
    assert logged[0].recipient == cast["amina"] and logged[0].channel == "indicator"


def test_suppressed_cells_are_no_data_and_the_country_series_is_the_released_total(
    synthetic: Synthetic, cast: dict[str, User]
) -> None:
    released = released_to_amina(synthetic, cast)
    series = compute.indicator_series(voices_indicator(2), cast["amina"])
    totals = released_cells(released, 0)
    assert {f"{m:%Y-%m}": v for m, v in series.items()} == {m: v for (_a, m), v in totals.items()}
    hidden = {
        (c.cell[0][-1], c.cell[1][-1])
        for c in released.cells
        if len(c.cell[0]) == 2 and c.cell[1] and c.status != gate.RELEASED
    }
    assert ("CAF.ouaka.kouango", "2024-09") in hidden  # a planted report, alone in its cell
    kouango = Area.objects.get(code="CAF.ouaka.kouango")
    per_area = compute.indicator_series(voices_indicator(2), cast["amina"], kouango)
    assert datetime.date(2024, 9, 1) not in per_area  # no data, not zero, not guessed
    for (area, month), value in released_cells(released, 2).items():
        if area == kouango.code:
            assert per_area[datetime.date.fromisoformat(f"{month}-01")] == value


@pytest.mark.parametrize("who", [None, "sofia"])
def test_a_viewer_who_receives_no_release_gets_no_data_and_nothing_is_logged(
    synthetic: Synthetic, cast: dict[str, User], who: str | None
) -> None:
    indicator = voices_indicator(2)
    user = cast[who] if who else None
    before = Release.objects.count()
    assert compute.indicator_table(indicator, user).is_empty()
    assert compute.indicator_series(indicator, user) == {}
    assert Release.objects.count() == before


def test_the_indicator_page_shows_the_released_source_in_both_languages(
    client: Client, synthetic: Synthetic, cast: dict[str, User]
) -> None:
    indicator = voices_indicator(2)
    client.force_login(cast["amina"])
    page = client.get(f"/learning/indicators/{indicator.slug}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Community reports (released figures)" in text
    assert 'data-month="2024-03"' in text
    assert 'data-released="femmes-bambari"' in text and "never shown as zero" in text
    french = client.get(f"/learning/indicators/{indicator.slug}/?lang=fr").content.decode()
    assert "Signalements communautaires (chiffres publiés)" in french
    assert "jamais affichée comme zéro" in french


def test_mean_implementation_score_per_half_year_equals_the_stored_scores(
    events_run: ImportRun,  # noqa: F811 - the fixture imported above
    owner: Organization,  # noqa: F811 - the fixture imported above
) -> None:
    do_demo_scores(owner, AGREEMENT)
    indicator = do_save_indicator(
        None,
        owner,
        "appr-score",
        name="APPR implementation",
        source=Source.AGREEMENT_SCORES,
        kind=AGREEMENT,
        unit="score 0-3",
        desired=Desired.INCREASE,
    )
    by_period: dict[datetime.date, list[int]] = {}
    for period, score in ImplementationScore.objects.values_list("period", "score"):
        by_period.setdefault(period, []).append(score)
    assert by_period
    series = compute.indicator_series(indicator, None)
    for period, scores in by_period.items():
        for step in range(6):
            month = datetime.date(period.year, period.month + step, 1)
            assert series[month] == pytest.approx(sum(scores) / len(scores))
    assert len(series) == 6 * len(by_period)
    assert all(0 <= v <= 3 for v in series.values())
    assert compute.indicator_table(indicator, None).is_empty()


def test_a_yearly_iati_actual_of_released_reports_is_the_sum_of_the_released_months(
    synthetic: Synthetic, cast: dict[str, User]
) -> None:
    """Reports are a count: a year's actual adds the released months up (as for events), it is
    not their mean. Months the gate withheld add nothing (they are no data, never guessed)."""
    from commonground.learning import iati

    indicator = voices_indicator(2)
    series = compute.indicator_series(indicator, cast["amina"], indicator.area)
    by_year: dict[int, float] = {}
    for month, value in series.items():
        by_year[month.year] = by_year.get(month.year, 0.0) + value
    assert any(sum(1 for m in series if m.year == y) > 1 for y in by_year)  # a mean would differ
    got = {start.year: value for start, _end, value in iati.actuals(indicator, cast["amina"])}
    assert got == pytest.approx(by_year)
