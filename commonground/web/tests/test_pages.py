"""The first pages, read through Django's test client on the real UCDP GED file.

Expected figures are computed from the CSV with Python's csv module, not from our own code,
so an importer or query bug cannot make both sides agree.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db.models import Q
from django.test import Client, override_settings
from django.urls import resolve

from commonground.analysis.figures import refresh_figures
from commonground.core.models import ImportRun
from commonground.core.queries import running_process
from commonground.events.models import Event, LikelyDuplicate
from commonground.events.queries import visible_events
from commonground.sharing.models import AuditEvent, Organization, Sensitivity
from commonground.testing.cast import DEMO_PASSWORD
from commonground.web.tests.conftest import RealData
from commonground.web.views import EVENTS_PER_PAGE

pytestmark = pytest.mark.django_db


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: object) -> str:
    """The page's text with tags removed and spaces collapsed, as a reader sees it."""
    html = response.content.decode()  # type: ignore[attr-defined]  # test client response
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def restricted_copy(event: Event, owner: Organization, source_id: str) -> Event:
    """A mission's own restricted incident, shaped like a real event."""
    event.pk = None
    event._state.adding = True
    event.dataset, event.source_id = "jmac-incidents", source_id
    event.owner, event.sensitivity = owner, Sensitivity.RESTRICTED
    event.save()
    return event


# --- Overview ---------------------------------------------------------------------------------


def test_home_shows_what_is_loaded(real_data: RealData, client: Client) -> None:
    rows = csv_rows(real_data.path)
    deaths = sum(int(row["best"]) for row in rows)
    civilians = sum(int(row["deaths_civilians"]) for row in rows)
    assert len(rows) == visible_events(None).count() == 1848

    page = text(client.get("/"))

    assert "Events 1,848" in page
    assert f"Deaths (best estimate) {deaths:,}" in page
    assert f"Civilian deaths {civilians:,}" in page
    assert "ucdp-ged 23.1 1,848 1991-08-08 to 2022-12-30 Central African Republic (CAF)" in page
    assert "CC BY 4.0" in page and "Sundberg" in page


def test_latest_imports_only_for_signed_in_users(real_data: RealData, client: Client) -> None:
    assert "ged_23_1_CAF.csv" not in text(client.get("/"))

    page = text(signed_in(real_data.cast["jean"]).get("/"))

    assert "ucdp-ged 23.1 ged_23_1_CAF.csv" in page
    assert "Succeeded 1,848 0 0" in page


# --- Events list ------------------------------------------------------------------------------


def test_filter_one_sided_violence_in_2014(real_data: RealData, client: Client) -> None:
    rows = csv_rows(real_data.path)
    expected = sum(1 for r in rows if r["type_of_violence"] == "3" and r["year"] == "2014")

    response = client.get(
        "/events/",
        {"violence_type": "one_sided", "date_from": "2014-01-01", "date_to": "2014-12-31"},
    )

    assert response.status_code == 200
    assert response.context["page"].paginator.count == expected == 292
    assert f"{expected} events" in text(response)
    shown = response.context["page"].object_list
    assert all(e.violence_type == "one_sided" and e.date_start.year == 2014 for e in shown)


def test_filter_by_admin1_and_actor(real_data: RealData, client: Client) -> None:
    rows = csv_rows(real_data.path)
    expected = sum(
        1
        for r in rows
        if r["adm_1"] == "Ouaka province" and ("FPRC" in r["side_a"] or "FPRC" in r["side_b"])
    )
    assert expected > 0

    response = client.get("/events/", {"admin1": "CAF.ouaka", "actor": "fprc"})

    assert response.context["page"].paginator.count == expected


def test_paging_newest_first(real_data: RealData, client: Client) -> None:
    first = client.get("/events/").context["page"]
    second = client.get("/events/", {"page": 2}).context["page"]
    last = client.get("/events/", {"page": 999}).context["page"]
    newest = max(row["date_start"][:10] for row in csv_rows(real_data.path))

    assert len(first) == EVENTS_PER_PAGE
    assert first.paginator.num_pages == 37
    assert second[0].date_start <= first[EVENTS_PER_PAGE - 1].date_start
    assert {e.pk for e in first}.isdisjoint(e.pk for e in second)
    assert last.number == 37 and len(last) == 1848 - 36 * EVENTS_PER_PAGE
    assert str(first[0].date_start) == newest


def test_paging_links_keep_the_filters(real_data: RealData, client: Client) -> None:
    html = client.get("/events/", {"violence_type": "one_sided"}).content.decode()

    assert "?violence_type=one_sided&amp;page=2" in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"country": "C4F"}, "Country: “C4F” — use a three-letter ISO code"),
        ({"date_from": "2014-13-40"}, "From: “2014-13-40” — write the date as YYYY-MM-DD"),
        ({"min_deaths": "-1"}, "Minimum deaths: “-1” — use a whole number"),
        ({"violence_type": "genocide"}, "Violence type: “genocide” — use one of"),
        (
            {"date_from": "2015-01-01", "date_to": "2014-01-01"},
            "Dates: “2015-01-01 &gt; 2014-01-01” — the start date is after the end date",
        ),
    ],
)
def test_bad_filter_is_named_and_ignored(
    real_data: RealData, client: Client, params: dict[str, str], message: str
) -> None:
    response = client.get("/events/", params)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["page"].paginator.count == 1848


def test_bad_filter_keeps_the_good_ones(real_data: RealData, client: Client) -> None:
    response = client.get("/events/", {"violence_type": "one_sided", "min_deaths": "many"})

    assert response.status_code == 400
    assert response.context["page"].paginator.count == 1076


# --- Event detail -----------------------------------------------------------------------------


def test_event_detail_shows_provenance(real_data: RealData, client: Client) -> None:
    event = Event.objects.get(dataset="ucdp-ged", source_id="36211")
    sha256 = hashlib.sha256(real_data.path.read_bytes()).hexdigest()

    page = text(client.get(f"/events/{event.pk}/"))

    assert "File ged_23_1_CAF.csv" in page
    assert "Row in the file row 3" in page
    assert f"File SHA-256 {sha256}" in page
    assert "Record id in the source 36211" in page
    assert "Imported by Platform Admin" in page
    assert "Owner This installation" in page
    assert "Licence Creative Commons Attribution 4.0" in page
    assert "Actor 1 Government of Uganda" in page
    assert "dyad_name Government of Uganda - LRA" in page


@pytest.mark.parametrize(
    ("username", "status"),
    [(None, 404), ("jean", 404), ("sofia", 404), ("marc", 200), ("amina", 200), ("admin", 200)],
)
def test_restricted_event_only_for_its_owner(
    real_data: RealData, username: str | None, status: int
) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    hidden = restricted_copy(Event.objects.first(), jmac, "JMAC-1")  # type: ignore[arg-type]  # the real data is loaded
    client = signed_in(real_data.cast[username]) if username else Client()

    assert client.get(f"/events/{hidden.pk}/").status_code == status


def test_hidden_event_is_a_404_like_a_missing_one(real_data: RealData, client: Client) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    hidden = restricted_copy(Event.objects.first(), jmac, "JMAC-2")  # type: ignore[arg-type]  # the real data is loaded
    missing_id = hidden.pk + 1000

    hidden_page = client.get(f"/events/{hidden.pk}/")
    missing_page = client.get(f"/events/{missing_id}/")

    assert hidden_page.status_code == missing_page.status_code == 404
    assert hidden_page.content.replace(str(hidden.pk).encode(), b"N") == (
        missing_page.content.replace(str(missing_id).encode(), b"N")
    )
    denied = AuditEvent.objects.filter(action="access.denied")
    assert list(denied.values_list("target", flat=True)) == [f"event:{hidden.pk}"]


def test_hidden_events_are_not_listed_or_linked(real_data: RealData, client: Client) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    public = Event.objects.get(dataset="ucdp-ged", source_id="36210")
    hidden = restricted_copy(Event.objects.get(pk=public.pk), jmac, "JMAC-3")
    LikelyDuplicate.objects.create(
        event=hidden, other=public, distance_km=0.0, days_apart=0, flagged_by=real_data.run
    )

    assert client.get("/events/").context["page"].paginator.count == 1848
    assert f"/events/{hidden.pk}/" not in client.get(f"/events/{public.pk}/").content.decode()
    amina = signed_in(real_data.cast["amina"])
    assert f"/events/{hidden.pk}/" in amina.get(f"/events/{public.pk}/").content.decode()
    assert amina.get("/events/").context["page"].paginator.count == 1849


# --- Language and accounts --------------------------------------------------------------------


def test_french_on_request(real_data: RealData, client: Client) -> None:
    home = text(client.get("/", {"lang": "fr"}))
    events = text(client.get("/events/", {"violence_type": "one_sided"}))  # cookie remembers

    assert "Événements" in home and "Vue d\N{RIGHT SINGLE QUOTATION MARK}ensemble" in home
    assert 'lang="fr"' in client.get("/").content.decode()
    assert "Violence unilatérale contre les civils" in events
    assert "République centrafricaine" in events


def test_sign_in_and_sign_out_by_post(real_data: RealData, client: Client) -> None:
    response = client.post(
        "/accounts/login/", {"username": "amina", "password": DEMO_PASSWORD}, follow=True
    )
    assert "Signed in as Amina Diallo" in text(response)

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/", follow=True)

    assert not response.context["user"].is_authenticated
    assert "Sign in" in text(response)


def test_wrong_password_is_told_plainly(real_data: RealData, client: Client) -> None:
    response = client.post("/accounts/login/", {"username": "amina", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in text(response)


def test_admin_link_for_staff_only(real_data: RealData, client: Client) -> None:
    assert 'href="/admin/"' not in client.get("/").content.decode()
    assert 'href="/admin/"' not in signed_in(real_data.cast["amina"]).get("/").content.decode()
    assert 'href="/admin/"' in signed_in(real_data.cast["admin"]).get("/").content.decode()


@pytest.mark.parametrize(
    "url", ["/", "/events/", "/events/1/", "/accounts/login/", "/accounts/logout/"]
)
def test_every_page_declares_its_access_policy(url: str) -> None:
    assert getattr(resolve(url).func, "access_policy", None) == "public"


def test_failed_imports_are_shown_to_their_owner_only(real_data: RealData) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    ImportRun.objects.create(
        dataset="jmac-incidents", file_name="incidents-secret.xlsx", owner=jmac, outcome="rejected"
    )

    assert "incidents-secret.xlsx" in text(signed_in(real_data.cast["marc"]).get("/"))
    assert "incidents-secret.xlsx" not in text(signed_in(real_data.cast["jean"]).get("/"))


def test_an_import_killed_before_its_commit_shows_as_interrupted(real_data: RealData) -> None:
    """Its record says "running", but the process that ran it has ended (issue 11 §15)."""
    import subprocess
    import sys

    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    jmac = Organization.objects.get(slug="minusca-jmac")
    ImportRun.objects.create(
        **running_process(), dataset="ucdp-ged", file_name="killed.csv", owner=jmac
    )
    # The process has ended, and with it (PostgreSQL) its database session: not this test's own.
    ImportRun.objects.filter(file_name="killed.csv").update(pid=ended.pid, database_pid=None)

    page = text(signed_in(real_data.cast["marc"]).get("/"))
    assert "killed.csv" in page
    assert "Interrupted: the process ended before the import committed" in page


# --- Area, operation and actor pages ----------------------------------------------------------


@pytest.fixture(scope="module")
def registries(real_data: RealData, django_db_blocker: Any) -> Iterator[RealData]:
    """The operations, parallel forces and presence registries beside the GED events.

    Imported inside the module's transaction, in a savepoint rolled back when the module ends.
    """
    from django.conf import settings
    from django.db import transaction

    from commonground.core.services import do_import
    from commonground.registry.importers import OPERATIONS, PARALLEL_FORCES, PRESENCE
    from commonground.sharing.services import local_organization

    folder = Path(settings.COMMONGROUND_DATA_DIR)
    with django_db_blocker.unblock(), transaction.atomic():
        owner = local_organization()
        do_import(OPERATIONS, folder / "operations.csv", owner=owner)
        do_import(PARALLEL_FORCES, folder / "parallel_forces.csv", owner=owner)
        do_import(PRESENCE, folder / "presence_CAF.csv", owner=owner)
        yield real_data
        transaction.set_rollback(True)


def ged_figures(rows: list[dict[str, str]]) -> tuple[int, int, int]:
    return (
        len(rows),
        sum(int(r["best"]) for r in rows),
        sum(int(r["deaths_civilians"]) for r in rows),
    )


def headline(page: str) -> tuple[int, int, int]:
    found = re.search(
        r"Events ([\d,]+) Deaths \(best estimate\) ([\d,]+) Civilian deaths ([\d,]+)", page
    )
    assert found, page[:2000]
    events, deaths, civilians = (int(g.replace(",", "")) for g in found.groups())
    return events, deaths, civilians


def test_area_page_figures_match_the_file(registries: RealData, client: Client) -> None:
    rows = [r for r in csv_rows(registries.path) if r["adm_1"] == "Ouaka province"]
    events, deaths, civilians = ged_figures(rows)
    assert (events, deaths) == (302, 2089)

    response = client.get("/areas/CAF.ouaka/")
    page = text(response)

    assert response.status_code == 200
    assert headline(page) == (events, deaths, civilians)
    assert "<h1>Ouaka</h1>" in response.content.decode()
    assert 'href="/areas/CAF/"' in response.content.decode()  # parent
    assert 'href="/areas/CAF.ouaka.bambari/"' in response.content.decode()  # child
    assert 'href="/events/?admin1=CAF.ouaka"' in response.content.decode()
    one_sided = [r for r in rows if r["type_of_violence"] == "3"]
    assert f"One-sided violence against civilians {len(one_sided)}" in page


def test_area_page_equals_the_api(registries: RealData, client: Client) -> None:
    for code in ("CAF", "CAF.ouaka", "CAF.ouaka.bambari"):
        api = client.get(f"/api/v1/areas/{code}").json()["figures"]
        response = client.get(f"/areas/{code}/")  # once: a second would come from the cache
        page = text(response)
        assert headline(page) == (api["events"], api["deaths"], api["civilian_deaths"]), code
        chart = response.context["chart"]
        assert sum(chart["events"]) == api["events"]
        assert sum(chart["civilian_deaths"]) == api["civilian_deaths"]


def test_admin2_and_country_figures_match_the_file(registries: RealData, client: Client) -> None:
    rows = csv_rows(registries.path)
    bambari = [r for r in rows if r["adm_1"] == "Ouaka province" and r["adm_2"] == "Bambari region"]

    assert headline(text(client.get("/areas/CAF.ouaka.bambari/"))) == ged_figures(bambari)
    assert headline(text(client.get("/areas/CAF/"))) == ged_figures(rows)


def test_area_page_ranks_who_attacks_civilians(registries: RealData, client: Client) -> None:
    rows = csv_rows(registries.path)
    one_sided = [r for r in rows if r["adm_1"] == "Ouaka province" and r["type_of_violence"] == "3"]
    ranked = Counter(r["side_a"] for r in one_sided).most_common()

    response = client.get("/areas/CAF.ouaka/")
    shown = [(row["actor"].name, row["events"]) for row in response.context["perpetrators"]]

    assert shown[:3] == ranked[:3] == [("UPC", 94), ("anti-Balaka", 34), ("FPRC", 15)]
    upc = response.context["perpetrators"][0]["actor"]
    assert f'href="/actors/{upc.pk}/"' in response.content.decode()
    assert "Civilians" not in [row["actor"].name for row in response.context["actors"]]


@override_settings(COMMONGROUND_RESPONSE_CACHE=False)  # each list is read, not replayed
def test_every_actor_figure_links_to_exactly_its_events(
    registries: RealData, client: Client
) -> None:
    """The actor tables' counts are links; the events list behind each shows that many."""
    for code in ("CAF", "CAF.ouaka", "CAF.ouaka.bambari"):
        html = client.get(f"/areas/{code}/").content.decode().replace("&amp;", "&")
        links = re.findall(r'<a href="(/events/\?[^"]*actor_id=[^"]+)">([\d,]+)</a>', html)
        assert len(links) > 4, code
        for url, shown in links:
            listed = client.get(url).context["page"].paginator.count
            assert listed == int(shown.replace(",", "")), (code, url)


def test_events_list_filters_an_admin2_area_as_the_file_does(
    registries: RealData, client: Client
) -> None:
    rows = csv_rows(registries.path)
    bambari = [r for r in rows if r["adm_1"] == "Ouaka province" and r["adm_2"] == "Bambari region"]

    response = client.get("/events/", {"admin2": "CAF.ouaka.bambari"})

    assert response.context["page"].paginator.count == len(bambari) > 0
    assert "Admin-2 area: Bambari" in text(response)  # named, and can be dropped
    assert 'name="admin2" value="CAF.ouaka.bambari" checked' in response.content.decode()
    area = client.get("/areas/CAF.ouaka.bambari/").content.decode()
    assert 'href="/events/?admin2=CAF.ouaka.bambari"' in area


def test_events_list_filters_one_actor_exactly(registries: RealData, client: Client) -> None:
    rows = csv_rows(registries.path)
    upc = Event.objects.filter(actor1__name="UPC").values_list("actor1", flat=True).first()
    expected = sum(1 for r in rows if "UPC" in (r["side_a"], r["side_b"]))
    by_name = sum(1 for r in rows if "upc" in (r["side_a"] + "|" + r["side_b"]).lower())

    response = client.get("/events/", {"actor_id": str(upc)})

    assert response.context["page"].paginator.count == expected > 0
    assert "Actor: UPC" in text(response)
    assert by_name >= expected  # the name search may find more; the id finds exactly UPC


def test_area_page_presence_is_deduplicated(registries: RealData, client: Client) -> None:
    path = Path(registries.path).parent / "presence_CAF.csv"
    records = [r for r in csv_rows(path) if r["admin1"] == "Ouaka province"]
    pairs = {(r["organization_acronym"], r["place"]) for r in records}

    response = client.get("/areas/CAF.ouaka/")
    presence = response.context["presence"]["rows"]
    page = text(response)

    assert len(records) == 13 and len(presence) == len(pairs) == 11
    assert sum(len(row["sources"]) for row in presence) == 13
    icrc = next(row for row in presence if "Red Cross" in row["organization"].name)
    assert icrc["start"] is None and icrc["end"] is None  # the source gives no dates
    assert "date unknown" in page
    minusca = [row for row in presence if row["operation"] and row["operation"].slug == "minusca"]
    assert {row["place"] for row in minusca} == {"Bambari", "Kouango"}
    assert 'href="/operations/minusca/"' in response.content.decode()


def test_area_page_lists_the_latest_events(registries: RealData, client: Client) -> None:
    rows = [r for r in csv_rows(registries.path) if r["adm_1"] == "Ouaka province"]
    newest = max(r["date_start"][:10] for r in rows)

    response = client.get("/areas/CAF.ouaka/")
    latest = response.context["latest"]

    assert len(latest) == 10
    assert latest[0].date_start.isoformat() == newest
    assert f'href="/events/{latest[0].pk}/"' in response.content.decode()


def test_restricted_event_counts_only_for_its_owner(registries: RealData, client: Client) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    event = Event.objects.filter(admin1__code="CAF.ouaka").order_by("id").first()
    assert event is not None
    restricted_copy(event, jmac, "JMAC-PAGES-1")

    anonymous = headline(text(client.get("/areas/CAF.ouaka/")))
    amina = headline(text(signed_in(registries.cast["amina"]).get("/areas/CAF.ouaka/")))

    assert anonymous[0] == 302
    assert amina[0] == 303
    assert amina[1] == anonymous[1] + event.fatalities_best


@pytest.mark.parametrize(
    "url",
    [
        "/areas/XXX/",
        "/areas/CAF.nowhere/",
        "/operations/no-such-operation/",
        "/actors/00000000-0000-0000-0000-000000000000/",
    ],
)
def test_unknown_records_are_404(registries: RealData, client: Client, url: str) -> None:
    assert client.get(url).status_code == 404


def test_operation_page_minusca(registries: RealData, client: Client) -> None:
    response = client.get("/operations/minusca/")
    page = text(response)
    html = response.content.decode()

    assert response.status_code == 200
    assert "MINUSCA" in page and "UN peacekeeping operation" in page
    assert 'href="https://undocs.org/S/RES/2149"' in html
    assert "Protection of civilians" in page
    assert "Central African Republic (CAF)" in page
    forces = [force.name for force in response.context["forces"]]
    assert "Operation Sangaris" in forces
    assert "Authorized by the Security Council" in page and "Coordinated" in page
    assert 'href="/operations/sangaris/"' in html
    presence = csv_rows(Path(registries.path).parent / "presence_CAF.csv")
    minusca = [r for r in presence if r["organization_acronym"] == "MINUSCA"]
    assert len(response.context["presence"]) == len(minusca) == 26


def test_operation_page_as_a_parallel_force(registries: RealData, client: Client) -> None:
    response = client.get("/operations/sangaris/")

    assert response.status_code == 200
    assert response.context["own_force"].slug == "sangaris"
    assert 'href="/operations/minusca/"' in response.content.decode()
    assert "2013-12 \N{EN DASH} 2016-10" in text(response)


def test_hidden_operation_is_a_404_like_a_missing_one(registries: RealData, client: Client) -> None:
    from commonground.registry.models import Operation

    jmac = Organization.objects.get(slug="minusca-jmac")
    Operation.objects.filter(slug="sangaris").update(owner=jmac, sensitivity=Sensitivity.RESTRICTED)

    assert client.get("/operations/sangaris/").status_code == 404
    assert signed_in(registries.cast["amina"]).get("/operations/sangaris/").status_code == 200
    assert AuditEvent.objects.filter(target="operation:sangaris").exists()


def test_actor_page_anti_balaka(registries: RealData, client: Client) -> None:
    from commonground.registry.models import Actor

    rows = csv_rows(registries.path)
    mine = [r for r in rows if "anti-Balaka" in (r["side_a"], r["side_b"])]
    others = Counter(r["side_b"] if r["side_a"] == "anti-Balaka" else r["side_a"] for r in mine)
    targeted = sum(1 for r in mine if r["type_of_violence"] == "3" and r["side_b"] == "Civilians")
    actor = Actor.objects.get(name="anti-Balaka")

    response = client.get(f"/actors/{actor.pk}/")
    page = text(response)
    html = response.content.decode()

    assert response.status_code == 200
    assert headline(page) == ged_figures(mine)
    fights = {d["actor"].name: d["count"] for d in response.context["fights"]}
    assert fights["UPC"] == others["UPC"] == 85
    assert fights["FPRC"] == others["FPRC"]
    assert fights["Government of Central African Republic"] == 75
    one_sided = {d["actor"].name: d["count"] for d in response.context["one_sided"]}
    assert one_sided == {"Civilians": targeted}
    upc = Actor.objects.get(name="UPC")
    assert f'href="/actors/{upc.pk}/"' in html
    assert 'href="/areas/CAF.ouaka/"' in html
    assert "UCDP side id" in page


def test_actor_named_only_in_hidden_events_is_a_404(registries: RealData, client: Client) -> None:
    from commonground.registry.models import Actor

    jmac = Organization.objects.get(slug="minusca-jmac")
    actor = Actor.objects.get(name="Anti-Balaka - Mokom")
    Event.objects.filter(Q(actor1=actor) | Q(actor2=actor)).update(
        owner=jmac, sensitivity=Sensitivity.RESTRICTED
    )
    refresh_figures()  # .update() skips the signals through which every write path refreshes

    assert client.get(f"/actors/{actor.pk}/").status_code == 404
    assert signed_in(registries.cast["amina"]).get(f"/actors/{actor.pk}/").status_code == 200


def test_pages_in_french(registries: RealData, client: Client) -> None:
    area = text(client.get("/areas/CAF.ouaka/", {"lang": "fr"}))
    operation = text(client.get("/operations/minusca/", {"lang": "fr"}))

    assert "Événements" in area and "Qui commet des violences contre les civils ici" in area
    assert "date inconnue" in area
    assert "République centrafricaine" in operation
    assert "Protection des civils" in operation
    assert "Forces déployées en parallèle" in operation


@pytest.mark.parametrize(
    "url",
    ["/areas/CAF/", "/operations/minusca/", "/actors/00000000-0000-0000-0000-000000000000/"],
)
def test_new_pages_declare_their_access_policy(url: str) -> None:
    assert getattr(resolve(url).func, "access_policy", None) == "public"
