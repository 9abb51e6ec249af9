"""The review calendar on the real files: intervals, the two-year flag, and what changed,
recomputed here from the GED and implementation-events CSV files with the csv module."""

from __future__ import annotations

import csv
import datetime
import itertools
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.forecasts.models import ForecastRun, ForecastValue
from commonground.mandates import reviews
from commonground.mandates.models import ImplementationScore, Resolution, ReviewItem, ReviewKind
from commonground.mandates.services import do_demo_scores, do_seed_review_calendar
from commonground.mandates.tests.conftest import EVENTS, TASKS
from commonground.sharing import gate
from commonground.sharing.models import Organization, OrganizationKind, Sensitivity
from commonground.sharing.releases import Release
from commonground.sharing.tests.gate_synthetic import make_synthetic
from commonground.voices import published

pytestmark = pytest.mark.django_db


def test_intervals_follow_the_renewals_and_say_what_is_missing(
    client: Client, tasks_run: ImportRun
) -> None:
    page = client.get("/mandates/MINUSCA/reviews/")
    assert page.status_code == 200
    windows = page.context["windows"]
    assert [w.before.number for w in windows][:3] == [2149, 2217, 2301]
    assert windows[-1].after is None and windows[-1].end == datetime.date.today()
    for w in windows:
        assert w.too_long is ((w.end - w.start).days > 731)
    assert "No strategic review is recorded" in page.content.decode()
    assert client.get("/mandates/MINUSCA/reviews/?lang=fr").status_code == 200


def test_events_and_agreement_events_between_two_renewals_equal_the_csv(
    client: Client,
    ged_run: ImportRun,
    tasks_run: ImportRun,
    events_run: ImportRun,
    geopko_run: ImportRun,
    data_dir: Path,
) -> None:
    windows = client.get("/mandates/MINUSCA/reviews/").context["windows"]
    window = next(w for w in windows if w.before.number == 2448)  # 2018-12-13 to 2019-11-15
    start, end = window.start.isoformat(), window.end.isoformat()
    events = deaths = 0
    with (data_dir / "ged_23_1_CAF.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if start <= row["date_start"][:10] < end:
                events += 1
                deaths += int(row["best"])
    assert (window.events, window.deaths) == (events, deaths)
    with (data_dir / EVENTS).open(encoding="utf-8", newline="") as handle:
        dated = [r for r in csv.DictReader(handle) if start <= r["date"] < end]
    # Month-only dates (YYYY-MM) count from the month's first day.
    expected = {r["event_id"] for r in dated if len(r["date"]) == 10 or r["date"] + "-01" >= start}
    assert {e.key for e in window.agreement_events} == expected
    assert window.advances + window.setbacks == len(expected)


def readme_until(path: Path) -> dict[int, datetime.date]:
    """The README's "mandate until" column, read by splitting the table's cells."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 4 and cells[0].isdigit() and len(cells[0]) == 4:
            found[int(cells[0])] = datetime.datetime.strptime(cells[3], "%d %b %Y").date()
    return found


def csv_adoptions(path: Path) -> list[tuple[int, datetime.date]]:
    with path.open(encoding="utf-8", newline="") as handle:
        found = {(int(r["resolution"]), r["adopted"]) for r in csv.DictReader(handle)}
    return sorted((n, datetime.date.fromisoformat(d)) for n, d in found)


def test_end_dates_are_the_readme_s_stated_dates_and_otherwise_the_next_renewal(
    client: Client, tasks_run: ImportRun, owner: Organization, data_dir: Path
) -> None:
    readme = data_dir / "mandates/README.md"
    assert do_seed_review_calendar(owner, readme) == 12
    assert do_seed_review_calendar(owner, readme) == 0  # idempotent
    stated = readme_until(readme)
    assert len(stated) == 12
    items = ReviewItem.objects.filter(kind=ReviewKind.MANDATE_END).select_related("resolution")
    ends = {i.resolution.number: i for i in items if i.resolution}
    assert {n: i.date for n, i in ends.items()} == stated
    assert {i.basis for i in ends.values()} == {"stated"}
    assert ends[2800].date == datetime.date(2026, 11, 15)
    # Without the README, each end date is derived: the next renewal's adoption in the CSV.
    adoptions = csv_adoptions(data_dir / TASKS)
    derived = reviews.derive_end_dates(list(Resolution.objects.all()), {})
    expected = {a[0]: b[1] for a, b in itertools.pairwise(adoptions)}
    assert {d.resolution.number: d.date for d in derived} == expected
    assert {d.basis for d in derived} == {"derived"} and 2800 not in expected
    page = client.get("/mandates/MINUSCA/reviews/")
    body = page.content.decode()
    assert body.count('data-kind="mandate_end"') == 12 and 'data-basis="stated"' in body
    assert client.get("/mandates/MINUSCA/reviews/?lang=fr").status_code == 200
    api = client.get("/api/v1/mandates/missions/MINUSCA/reviews").json()
    assert api[0]["mandate_end_date"] == "2015-04-30"


def test_overdue_without_a_recorded_review_and_a_recorded_review_is_a_review_point(
    client: Client, tasks_run: ImportRun, owner: Organization
) -> None:
    page = client.get("/mandates/MINUSCA/reviews/")
    assert page.context["calendar"].overdue is True
    assert 'data-overdue="1"' in page.content.decode()
    day = datetime.date.today() - datetime.timedelta(days=100)
    mission_body, _created = Organization.objects.get_or_create(
        slug="minusca-jmac", defaults={"name": "MINUSCA JMAC", "kind": OrganizationKind.UN_MISSION}
    )
    ReviewItem.objects.create(
        key="MINUSCA|review|test",
        owner=mission_body,  # a review of the mission is a mission body's (MISSION_BODY_KINDS)
        mission="MINUSCA",
        kind=ReviewKind.STRATEGIC_REVIEW,
        date=day,
        sensitivity=Sensitivity.PUBLIC,
    )
    calendar = client.get("/mandates/MINUSCA/reviews/").context["calendar"]
    assert calendar.overdue is False and calendar.days_since_review == 100
    last = calendar.windows[-1]
    assert last.before.review is not None and last.start == day and last.after is None
    assert calendar.windows[-2].end == day


def test_score_changes_per_interval_equal_the_stored_scores(
    client: Client, tasks_run: ImportRun, events_run: ImportRun, owner: Organization
) -> None:
    do_demo_scores(owner, "appr_rca_2019")
    windows = client.get("/mandates/MINUSCA/reviews/").context["windows"]
    for window in windows:
        start, end = window.start, window.end
        last: dict[str, tuple[datetime.date, int]] = {}
        first: dict[str, tuple[datetime.date, int]] = {}
        for s in ImplementationScore.objects.order_by("period"):
            if s.period < end:
                last[s.provision.key] = (s.period, s.score)
            if s.period < start:
                first[s.provision.key] = (s.period, s.score)
        up = sum(1 for p, (_d, v) in last.items() if v > first.get(p, (None, 0))[1])
        down = sum(1 for p, (_d, v) in last.items() if v < first.get(p, (None, 0))[1])
        (change,) = window.scores
        assert (change.up, change.down) == (up, down)
    assert any(w.scores[0].up for w in windows)


@pytest.fixture
def key_home(settings: LazySettings, tmp_path: Path) -> Path:
    settings.COMMONGROUND_HOME = tmp_path
    return tmp_path


def test_voices_figures_are_the_released_monthly_totals_and_only_for_recipients(
    client: Client, tasks_run: ImportRun, cast: dict[str, User], key_home: Path
) -> None:
    """SYNTHETIC reports of the Bambari network: MINUSCA (in its circle) receives the released
    all-area monthly totals per interval; anyone else gets nothing and no release is logged."""
    synthetic = make_synthetic(cast)  # 260 reports: fewer and the gate withholds the table
    client.force_login(cast["amina"])
    windows = client.get("/mandates/MINUSCA/reviews/").context["windows"]
    released = gate.release(
        published.AREA_MONTH,
        synthetic.owner,
        recipient=cast["amina"],
        organization=Organization.objects.get(slug="minusca-jmac"),
        circle=synthetic.circle,
    )
    totals = {
        c.cell[1][-1]: c.value
        for c in released.cells
        if not c.cell[0] and c.cell[1] and c.status == gate.RELEASED
    }
    assert totals  # the bulk months of 2024 are released
    for window in windows:
        wanted = [
            v for m, v in totals.items() if f"{window.start:%Y-%m}" <= m < f"{window.end:%Y-%m}"
        ]
        got = {v.owner: v.released for v in window.voices}
        assert got.get(str(synthetic.owner), 0) == sum(v or 0 for v in wanted)
    assert any(w.voices for w in windows)
    page = client.get("/mandates/MINUSCA/reviews/").content.decode()
    assert "data-released=" in page
    before = Release.objects.filter(owner=synthetic.owner).count()
    for who in (None, "sofia"):
        other = Client()
        if who:
            other.force_login(cast[who])
        shown = other.get("/mandates/MINUSCA/reviews/").context["windows"]
        assert not any(w.voices for w in shown)
    assert Release.objects.filter(owner=synthetic.owner).count() == before


def test_forecast_risks_per_interval_combine_the_stored_months_in_it(
    client: Client, tasks_run: ImportRun, geopko_run: ImportRun
) -> None:
    """A stored admin-1 forecast made after the last renewal: its months in the last interval
    combine as 1 - prod(1 - p); the interval before has none of its months and no run."""
    made = datetime.datetime(2025, 11, 20, tzinfo=datetime.UTC)
    run = ForecastRun.objects.create(
        country="CAF",
        level="admin1",
        model_name="hand-made test run",
        model_version="0",
        data_cut=datetime.date(2025, 10, 1),
        made_at=made,
        seed=1,
        samples=1,
    )
    p = {"CAF.ouaka": 0.2, "CAF.vakaga": 0.05, "CAF.bangui": 0.01}
    months = [datetime.date(2025 + (10 + s) // 12, (10 + s) % 12 + 1, 1) for s in range(12)]
    for unit, chance in p.items():
        for step, month in enumerate(months, start=1):
            ForecastValue.objects.create(
                run=run, unit=unit, month=month, step=step, deaths_mean=1, q05=0, q25=0,
                q50=1, q75=1, q95=2, p_any_death=chance, p_one_sided=chance,
            )  # fmt: skip
    windows = client.get("/mandates/MINUSCA/reviews/").context["windows"]
    last, before = windows[-1], windows[-2]
    inside = [m for m in months if f"{last.start:%Y-%m}" <= f"{m:%Y-%m}" < f"{last.end:%Y-%m}"]
    expected = {unit: 1 - (1 - chance) ** len(inside) for unit, chance in p.items()}
    assert [r.code for r in last.forecast] == ["CAF.ouaka", "CAF.vakaga", "CAF.bangui"]
    for risk in last.forecast:
        assert risk.risk == pytest.approx(expected[risk.code])
    assert (last.forecast_runs, before.forecast_runs, before.forecast) == (1, 0, [])
