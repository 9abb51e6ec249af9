"""``commonground import ... --circle SLUG``: new records go straight into one of their owner's
circles (ADR 0020). A circle of another owner, or none of that name, refuses the whole import
(nothing imported, a translated message); records already there keep their circle."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.utils import translation

from commonground.analysis.models import AreaMonthFigure
from commonground.cli.main import cli
from commonground.events.models import Event
from commonground.sharing.circles import SharingRefused, do_save_circle, import_circle
from commonground.sharing.models import AuditEvent, Organization, SharingCircle

pytestmark = pytest.mark.access


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.fixture
def ged(data_dir: Path, tmp_path: Path) -> Path:
    with (data_dir / "ged_23_1_CAF.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))[:12]
    path = tmp_path / "ged_23_1_CAF.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def circles(cast: dict[str, User]) -> dict[str, SharingCircle]:
    jmac = Organization.objects.get(slug="minusca-jmac")
    network = Organization.objects.get(slug="femmes-bambari")
    return {
        "jmac": do_save_circle(jmac, "jmac-partners", "JMAC partners", None),
        "network": do_save_circle(network, "protection", "Protection", None),
    }


def test_new_records_go_into_the_chosen_circle_and_it_is_audited(
    ged: Path, circles: dict[str, SharingCircle]
) -> None:
    args = ("import", "ged", str(ged), "--owner", "minusca-jmac", "--quiet")
    assert run(*args, "--circle", "jmac-partners")[0] == 0
    assert Event.objects.count() == 12
    assert set(Event.objects.values_list("circle_id", flat=True)) == {circles["jmac"].pk}
    figures = set(AreaMonthFigure.objects.values_list("circle_id", flat=True))
    assert figures == {circles["jmac"].pk}  # the figures were built after the placing
    row = AuditEvent.objects.get(action="sharing.import.circle")
    assert row.target == "circle:minusca-jmac/jmac-partners"
    assert row.detail["placed"] == {"events.event": 12}


def test_records_already_there_keep_their_circle(
    ged: Path, circles: dict[str, SharingCircle]
) -> None:
    args = ("import", "ged", str(ged), "--owner", "minusca-jmac", "--quiet")
    assert run(*args)[0] == 0
    other = do_save_circle(circles["jmac"].owner, "other", "Other", None)
    assert run(*args, "--circle", other.slug)[0] == 0
    assert set(Event.objects.values_list("circle_id", flat=True)) == {None}


@pytest.mark.parametrize("slug", ["protection", "nope"])
def test_another_owners_circle_or_an_unknown_one_refuses_the_import(
    slug: str, ged: Path, circles: dict[str, SharingCircle]
) -> None:
    code, err = run(
        "import", "ged", str(ged), "--owner", "minusca-jmac", "--quiet", "--circle", slug
    )
    assert code == 1
    assert slug in err and "nothing was imported" in err.lower()
    assert not Event.objects.exists()


@pytest.mark.parametrize(("language", "words"), [("en", "has no circle"), ("fr", "rien n")])
def test_the_refusal_is_translated(
    language: str, words: str, circles: dict[str, SharingCircle]
) -> None:
    with translation.override(language), pytest.raises(SharingRefused, match=words):
        import_circle(circles["jmac"].owner, "protection")


def test_registry_records_go_into_the_circle_too(
    data_dir: Path, circles: dict[str, SharingCircle]
) -> None:
    from commonground.registry.models import Operation

    args = ("import", "operations", str(data_dir / "operations.csv"), "--owner", "minusca-jmac")
    assert run(*args, "--quiet", "--circle", "jmac-partners")[0] == 0
    assert Operation.objects.exists()
    assert set(Operation.objects.values_list("circle_id", flat=True)) == {circles["jmac"].pk}


def test_the_operation_page_links_to_the_circle_page_for_the_owners_analysts_only(
    data_dir: Path, circles: dict[str, SharingCircle], cast: dict[str, User]
) -> None:
    from django.test import Client

    from commonground.registry.models import Operation

    args = ("import", "operations", str(data_dir / "operations.csv"), "--owner", "minusca-jmac")
    assert run(*args, "--quiet", "--circle", "jmac-partners")[0] == 0
    operation = Operation.objects.order_by("slug").first()
    assert operation is not None
    link = f"/sharing/records/operation/{operation.pk}/circle/"
    for who, linked in [("amina", True), ("admin", True), ("jean", False), ("ousmane", False)]:
        client = Client()
        client.force_login(cast[who])
        body = client.get(f"/operations/{operation.slug}/").content.decode()
        assert (link in body) is linked, who
        assert ("JMAC partners" in body) is linked, who  # the circle's name: the owner's only
