"""MINUSCA's reporting deadlines on the review calendar: the seeded dates equal those worked out
here from the cited cycles and the README's "mandate until" column, each keeps its source and
confidence, and the page shows them (upcoming, the next one marked, past ones "reporting due")
in English and French."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.test import Client

from commonground.core.models import ImportRun
from commonground.mandates import reviews
from commonground.mandates.models import ReviewItem, ReviewKind
from commonground.mandates.services import do_seed_reporting_deadlines, do_seed_review_calendar
from commonground.mandates.tests.test_reviews import readme_until
from commonground.sharing.models import Organization, Sensitivity

pytestmark = pytest.mark.django_db

URL = "/mandates/MINUSCA/reviews/"
#: The cycles as read (docs/mandates.md): resolution -> (first stated deadline or None, source).
S_2015_227 = reviews.S_2015_227
S_2020_545 = reviews.S_2020_545
S_2022_762 = reviews.S_2022_762
CITED = {
    2149: (datetime.date(2014, 8, 1), S_2015_227),  # "every four months starting on 1 August 2014"
    2499: (None, S_2020_545),  # "every four months"
    2605: (None, S_2022_762),  # "every four months"
}
#: Resolutions with no cycle read: the latest cited cycle before them is repeated.
REPEATED = {2552: 2499, 2659: 2605, 2709: 2605, 2759: 2605, 2800: 2605}


def four_monthly(first: datetime.date, until: datetime.date) -> list[datetime.date]:
    """``first`` and every four months after it, before ``until``."""
    days, year, month = [], first.year, first.month
    while datetime.date(year, month, first.day) < until:
        days.append(datetime.date(year, month, first.day))
        month += 4
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return days


def back_from_end(adopted: datetime.date, end: datetime.date) -> list[datetime.date]:
    """One month before the end, and every four months before it, after the adoption."""
    days: list[datetime.date] = []
    year, month = end.year, end.month - 1
    while True:
        if month < 1:
            year, month = year - 1, month + 12
        day = datetime.date(year, month, end.day)
        if day <= adopted:
            return sorted(days)
        days.append(day)
        month -= 4


def expected_deadlines(readme: Path) -> dict[int, list[datetime.date]]:
    until = readme_until(readme)
    adopted = {
        2499: datetime.date(2019, 11, 15),
        2552: datetime.date(2020, 11, 12),
        2605: datetime.date(2021, 11, 12),
        2659: datetime.date(2022, 11, 14),
        2709: datetime.date(2023, 11, 15),
        2759: datetime.date(2024, 11, 14),
        2800: datetime.date(2025, 11, 13),
    }
    found = {2149: four_monthly(datetime.date(2014, 8, 1), until[2149])}
    for number, day in adopted.items():
        found[number] = back_from_end(day, until[number])
    return found


@pytest.fixture
def seeded(tasks_run: ImportRun, owner: Organization, data_dir: Path) -> Path:
    readme = data_dir / "mandates/README.md"
    do_seed_review_calendar(owner, readme)
    return readme


def test_seeded_deadlines_equal_the_cited_cycles(seeded: Path, owner: Organization) -> None:
    expected = expected_deadlines(seeded)
    assert expected[2149] == [
        datetime.date(2014, 8, 1),
        datetime.date(2014, 12, 1),
        datetime.date(2015, 4, 1),
    ]
    assert expected[2800] == [
        datetime.date(2026, 2, 15),
        datetime.date(2026, 6, 15),
        datetime.date(2026, 10, 15),
    ]
    items = list(ReviewItem.objects.filter(kind=ReviewKind.REPORTING).select_related("resolution"))
    found: dict[int, list[datetime.date]] = {}
    for item in items:
        assert item.resolution is not None
        found.setdefault(item.resolution.number, []).append(item.date)
    assert {n: sorted(d) for n, d in found.items()} == expected
    assert len(items) == 24
    # No cycle was read for 2217, 2301, 2387, 2448: none is seeded.
    assert not {2217, 2301, 2387, 2448} & set(found)
    for item in items:
        assert item.resolution is not None
        number = item.resolution.number
        cited = REPEATED.get(number, number)
        _first, source = CITED[cited]
        assert item.source_url == source
        assert item.confidence in ("high", "medium")
        assert item.basis == ("stated" if number == 2149 else "derived")
        assert item.sensitivity == Sensitivity.PUBLIC
        if number in REPEATED:
            assert f"S/RES/{cited}" in item.how and item.confidence == "medium"
    assert {i.confidence for i in items if i.resolution and i.resolution.number == 2605} == {"high"}
    # Run again, nothing changes.
    assert do_seed_reporting_deadlines(owner, seeded) == 0


def test_calendar_splits_upcoming_and_past_and_names_the_next(seeded: Path) -> None:
    calendar = reviews.review_calendar(None, "MINUSCA", today=datetime.date(2026, 3, 1))
    assert calendar.next_deadline is not None
    assert calendar.next_deadline.date == datetime.date(2026, 6, 15)
    assert [i.date for i in calendar.upcoming_deadlines] == [
        datetime.date(2026, 6, 15),
        datetime.date(2026, 10, 15),
    ]
    assert calendar.past_deadlines[0].date == datetime.date(2026, 2, 15)
    assert len(calendar.past_deadlines) == 22
    after = reviews.review_calendar(None, "MINUSCA", today=datetime.date(2026, 10, 16))
    assert after.next_deadline is None and len(after.past_deadlines) == 24


def test_page_shows_every_deadline_with_its_source_in_english_and_french(
    client: Client, seeded: Path
) -> None:
    today = datetime.date.today()
    items = list(ReviewItem.objects.filter(kind=ReviewKind.REPORTING))
    body = client.get(URL).content.decode()
    past = [i for i in items if i.date < today]
    upcoming = sorted(i.date for i in items if i.date >= today)
    assert body.count('data-status="due"') == len(past)
    for item in items:
        assert f'data-date="{item.date:%Y-%m-%d}" data-basis="{item.basis}"' in body
    for source in (S_2015_227, S_2020_545, S_2022_762):
        assert f'href="{source}"' in body
    assert "reporting due" in body and "missed" not in body.lower()
    if upcoming:
        assert f'id="next-deadline" data-date="{upcoming[0]:%Y-%m-%d}"' in body
    else:
        assert "No reporting deadline recorded after today" in body
    assert "every 4 months from 2014-08-01" in body
    french = client.get(f"{URL}?lang=fr").content.decode()
    assert "Échéances de rapport" in french and "rapport attendu" in french
    assert "Rapport du Secrétaire général attendu" in french
    assert "tous les 4 mois à compter du 2014-08-01" in french
    assert french.count('data-status="due"') == len(past)


def test_an_upcoming_deadline_is_marked_as_the_next(
    client: Client, seeded: Path, owner: Organization
) -> None:
    """A deadline after today (recorded by hand here: every seeded one may be past) is the next
    one, marked on the page; past ones stay "reporting due"."""
    day = datetime.date.today() + datetime.timedelta(days=40)
    ReviewItem.objects.create(
        key="MINUSCA|reporting|test",
        owner=owner,
        mission="MINUSCA",
        kind=ReviewKind.REPORTING,
        date=day,
        title="Secretary-General's report",
        how="Test deadline",
        sensitivity=Sensitivity.PUBLIC,
    )
    body = client.get(URL).content.decode()
    assert f'id="next-deadline" data-date="{day:%Y-%m-%d}"' in body
    assert 'data-status="next" class="next-deadline"' in body
    assert "<mark><strong>next deadline</strong></mark>" in body
    french = client.get(f"{URL}?lang=fr").content.decode()
    assert "Prochaine échéance de rapport" in french
