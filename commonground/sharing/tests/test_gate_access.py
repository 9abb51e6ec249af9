"""Who receives released figures, what the log keeps, and the owner's pause (SYNTHETIC data).

Members of the owner and of organizations in a circle the owner owns (not paused) receive the
published tables; anyone else gets exactly the answer of a page that does not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.test import Client

from commonground.sharing.models import AuditEvent
from commonground.sharing.releases import Release
from commonground.sharing.tests.gate_synthetic import Synthetic, make_synthetic

pytestmark = pytest.mark.django_db

TABLE = "voices-area-month"
ROUTES = (
    "/voices/figures/?owner=femmes-bambari",
    f"/voices/figures/femmes-bambari/{TABLE}.csv",
    f"/api/v1/voices/figures/femmes-bambari/{TABLE}",
)
MISSING = (
    "/voices/figures/?owner=nobody",
    f"/voices/figures/nobody/{TABLE}.csv",
    f"/api/v1/voices/figures/nobody/{TABLE}",
)


@pytest.fixture(autouse=True)
def key_home(settings: LazySettings, tmp_path: Path) -> Path:
    settings.COMMONGROUND_HOME = tmp_path
    return tmp_path


@pytest.fixture
def synthetic(cast: dict[str, User]) -> Synthetic:
    return make_synthetic(cast, bulk=40)


@pytest.mark.parametrize("who", ["amina", "marc", "ousmane", "lucie", "grace", "jean"])
def test_the_owner_and_the_circle_receive_released_tables(
    who: str, client: Client, cast: dict[str, User], synthetic: Synthetic
) -> None:
    client.force_login(cast[who])
    for route in ROUTES:
        assert client.get(route).status_code == 200, route
    listed = client.get("/api/v1/voices/figures").json()
    assert "femmes-bambari" in [source["owner"] for source in listed]
    page = client.get(ROUTES[0]).content.decode()
    assert "fewer than 10" in page
    assert "What was done to these figures" in page
    assert "TLP:GREEN" in page
    assert client.get(ROUTES[2]).json()["tlp"] == "TLP:GREEN"


@pytest.mark.parametrize("who", [None, "sofia", "viktor", "admin"])
def test_anyone_else_gets_the_answer_of_a_missing_page(
    who: str | None, client: Client, cast: dict[str, User], synthetic: Synthetic
) -> None:
    if who:
        client.force_login(cast[who])
    for route, missing in zip(ROUTES, MISSING, strict=True):
        hidden, absent = client.get(route), client.get(missing)
        assert hidden.status_code == absent.status_code == 404, route
        if route.startswith("/api/"):
            assert hidden.json()["error"]["code"] == absent.json()["error"]["code"]
    listed = client.get("/api/v1/voices/figures")
    if listed.status_code == 200:  # a member sees only their own organization's tables
        assert "femmes-bambari" not in [source["owner"] for source in listed.json()]
    else:
        assert listed.status_code in (401, 404)
    assert not Release.objects.filter(owner=synthetic.owner).exists()


def test_a_paused_circle_receives_nothing(
    client: Client, cast: dict[str, User], synthetic: Synthetic
) -> None:
    client.force_login(cast["grace"])
    log = client.get("/sharing/releases/")
    assert log.status_code == 200
    assert "Bambari protection circle" in log.content.decode()
    pause = f"/sharing/releases/circles/{synthetic.circle.pk}/pause/"
    assert client.post(pause, {"paused": "1"}).status_code == 302
    assert AuditEvent.objects.filter(action="sharing.releases.paused").exists()
    client.force_login(cast["ousmane"])
    for route in ROUTES:
        assert client.get(route).status_code == 404, route
    assert client.post(pause, {"paused": "0"}).status_code == 404  # not his circle
    client.force_login(cast["grace"])
    client.post(pause, {"paused": "0"})
    client.force_login(cast["ousmane"])
    assert client.get(ROUTES[0]).status_code == 200


def test_every_release_is_logged_without_a_true_value(
    client: Client, cast: dict[str, User], synthetic: Synthetic
) -> None:
    client.force_login(cast["ousmane"])
    answer = client.get(f"/api/v1/voices/figures/femmes-bambari/{TABLE}", {"area": "CAF.ouaka"})
    release = Release.objects.get()
    assert release.recipient == cast["ousmane"]
    assert release.organization is not None and release.organization.slug == "faca-liaison"
    assert release.circle == synthetic.circle
    assert release.channel == "api"
    assert release.restrictions == {"area": ["CAF.ouaka"]}
    suppressed = {c["id"] for c in answer.json()["cells"] if c["status"] != "released"}
    assert set(release.suppressed) == suppressed
    assert set(release.perturbed) <= {c["id"] for c in answer.json()["cells"]}
    client.force_login(cast["grace"])
    log = client.get("/sharing/releases/").content.decode()
    assert "ousmane" in log and TABLE in log
    client.force_login(cast["ousmane"])  # his own organization's log: none of the network's
    own = client.get("/sharing/releases/").content.decode()
    assert TABLE not in own and "Bambari protection circle" not in own
    client.force_login(cast["marc"])  # a viewer reads no log
    assert client.get("/sharing/releases/").status_code == 404


def test_the_csv_is_the_released_table(
    client: Client, cast: dict[str, User], synthetic: Synthetic
) -> None:
    client.force_login(cast["amina"])
    answer = client.get(f"/voices/figures/femmes-bambari/{TABLE}.csv")
    lines = answer.content.decode().splitlines()
    assert lines[0] == "area,month,status,value,tlp"
    statuses = {line.split(",")[-3] for line in lines[1:]}
    assert statuses <= {"released", "fewer_than_10", "hidden", "withheld"}
    assert all(line.split(",")[-2] in ("", *map(str, range(10, 10_000))) for line in lines[1:])
    assert {line.split(",")[-1] for line in lines[1:]} == {"TLP:GREEN"}


def test_the_figures_page_speaks_french(
    client: Client, cast: dict[str, User], synthetic: Synthetic
) -> None:
    client.force_login(cast["ousmane"])
    page = client.get(ROUTES[0], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "moins de 10" in page
