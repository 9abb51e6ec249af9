"""The permission battery: every cast member x every route, API answer and export that carries
owned records x every kind of record -> exactly what docs/access-policy.md says. 0 leaks.

Read the tables as the policy:

- ``KINDS``: each kind of record that exists, who sees it (``SEEN_BY``), what it is marked
  (TLP 2.0) and whether it may leave the platform raw (downloads, ``commonground export``);
- ``ROUTES``: each place that shows records of a family (events, voices) and how it answers a
  record someone may not see (a detail route: 404 like a missing one; a list: not in it).

Kinds: public event, restricted incident, partners record in a circle, voice report, alert,
survey response, survey estimates (the weighted shares made from the responses), the owner's
sharing circle and sharing agreement (their management pages) and released table. Adding a
kind is one ``Kind`` row with its maker; adding a route is one ``Route`` row.
The test collects every mismatch of a person and prints them all, one line each:
"<who> <route> <kind>: leaks | misses". The command line reads as the operator (it holds the
database): its tests check what leaves the machine.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.sharing.circles import do_set_record_circle
from commonground.sharing.demo import ensure_demo_circles
from commonground.sharing.models import Licence, Organization, Sensitivity
from commonground.sharing.services import local_organization
from commonground.testing.cast import CAST

pytestmark = pytest.mark.access

EVERYONE = {"anonymous"} | {member.username for member in CAST}

#: The Bambari women's network's circle of the demo (sharing.demo): JMAC, the army liaison
#: office, the mission's force, OCHA and the local peace committee, up to restricted. Its armed
#: members (ousmane, kofi) never see the network's raw records: separation.
CIRCLE_SEES = {"amina", "marc", "lucie", "awa"}


@dataclass(frozen=True)
class Kind:
    """A kind of record, who sees it on screen and in API answers, and its marking."""

    name: str
    family: str  # which routes show it: "events", "voices", "alerts", "surveys", "released"
    make: Callable[[dict[str, Organization]], Any]
    seen_by: frozenset[str]
    tlp: str
    exported: bool = False  # may leave the platform raw (downloads, command-line export)
    #: What in an answer gives the record away, besides its marker (its id, say).
    tells: Callable[[Any], list[str]] = lambda record: []
    owners: frozenset[str] = frozenset()  # the owner's members (routes for the owner only)


def marker(name: str) -> str:
    return f"BATTERY-{name.replace(' ', '-')}"


def its_id(record: Any) -> list[str]:
    return [str(record.pk)]


def event_maker(
    name: str, owner: str, sensitivity: int, licence: str = Licence.OWNER, circle: bool = False
) -> Callable[[dict[str, Organization]], Event]:
    def make(orgs: dict[str, Organization]) -> Event:
        run = ImportRun.objects.create(dataset="battery", file_name="b", sha256="0" * 64)
        event = Event.objects.create(
            dataset="battery",
            dataset_version="1",
            source_id=marker(name),
            import_run=run,
            source_row=2,
            content_hash="x",
            date_start=datetime.date(2021, 5, 9),
            date_end=datetime.date(2021, 5, 9),
            date_precision=1,
            latitude=5.76,
            longitude=20.67,
            location_precision=1,
            country_code="CAF",
            priogrid_gid=1,
            violence_type="one_sided",
            fatalities_best=1,
            place=marker(name),
            description=marker(name),
            owner=orgs[owner],
            sensitivity=sensitivity,
            licence=licence,
        )
        if circle:
            do_set_record_circle(event, ensure_demo_circles(), None)
        return event

    return make


def make_report(orgs: dict[str, Organization]) -> Any:
    """A SYNTHETIC community report of the women's network (made in code; no real person)."""
    from commonground.voices.models import ReportForm
    from commonground.voices.services import ReportInput, do_submit_report

    form = ReportForm.objects.create(
        owner=orgs["femmes-bambari"], slug="signaler", title="Signaler", published=True
    )
    data = ReportInput(
        category="threat",
        occurred_on=datetime.date(2021, 5, 9),
        narrative=marker("voice report"),
        may_count=True,
    )
    report, _code, _new = do_submit_report(form, form.owner, "b" * 20, data, is_synthetic=True)
    return report


def areas() -> dict[str, Any]:
    from commonground.sharing.tests.gate_synthetic import ensure_areas

    return ensure_areas()


def make_alert(orgs: dict[str, Organization]) -> Any:
    """The women's network's alert to its Bambari protection circle (from a verified report)."""
    from commonground.alerts.services import AlertInput, do_raise_alert
    from commonground.sharing.policy import viewer_for
    from commonground.voices.models import Status
    from commonground.voices.services import ReportInput, do_submit_report

    ensure_demo_circles()
    area = areas()["CAF.ouaka.bambari"]
    data = ReportInput(
        category="threat", occurred_on=datetime.date(2021, 5, 9), area=area, may_count=True
    )
    report, _code, _new = do_submit_report(None, orgs["femmes-bambari"], "a" * 20, data)
    report.status = Status.VERIFIED
    report.save(update_fields=["status"])
    grace = User.objects.get(username="grace")
    today = datetime.date.today()
    alert_data = AlertInput(
        reports=[report.pk],
        area=area.code,
        category="threat",
        urgency="immediate",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=10),
        text=marker("alert"),
        circles=["bambari-protection"],
    )
    return do_raise_alert(viewer_for(grace), grace, orgs["femmes-bambari"], alert_data)


#: The women's network's SYNTHETIC perception survey: one respondent, whose key is the marker.
SURVEY_RESPONSE = {
    "commune": "bambari",
    "sexe": "femme",
    "age": "30",
    "poids": "1.0",
    "securite_marche": "oui",
    "meta/instanceID": f"uuid:{marker('survey response')}",
}


def make_survey_response(orgs: dict[str, Organization]) -> Any:
    import tempfile

    from commonground.voices.demo_kobo import (
        PERCEPTION_SURVEY,
        SURVEY_FORM_ID,
        survey_choices,
        write_xlsform,
    )
    from commonground.voices.survey_models import PerceptionResponse
    from commonground.voices.surveys import (
        do_create_survey,
        do_define_indicator,
        import_survey_rows,
    )
    from commonground.voices.xlsform import read_xlsform

    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsform(
            Path(folder) / "s.xlsx",
            PERCEPTION_SURVEY,
            survey_choices([areas()["CAF.ouaka.bambari"]]),
            SURVEY_FORM_ID,
        )
        survey = do_create_survey(
            orgs["femmes-bambari"], "battery", read_xlsform(path), is_synthetic=True
        )
    import_survey_rows(survey, 1, [SURVEY_RESPONSE], "battery.csv")
    do_define_indicator(survey, "Feel safe at the market", "securite_marche", ["oui"])
    return PerceptionResponse.objects.get(survey=survey)


def the_circle(orgs: dict[str, Organization]) -> Any:
    """The women's network's Bambari protection circle: its settings and members are managed by
    the network's organization administrators (and platform administrators) only."""
    return ensure_demo_circles()


def the_agreement(orgs: dict[str, Organization]) -> Any:
    """The women's network's agreement with OCHA (partners, no community reports)."""
    from commonground.sharing.circles import do_save_agreement

    return do_save_agreement(
        orgs["femmes-bambari"], orgs["ocha-car"], None, max_sensitivity=Sensitivity.PARTNERS
    )


def agreement_row(agreement: Any) -> list[str]:
    """What gives the agreement away on the agreements page: its row, provider then recipient."""
    from django.utils.html import escape

    return [f"<td>{escape(agreement.provider)}</td><td>{escape(agreement.recipient)}</td>"]


def the_network(orgs: dict[str, Organization]) -> Organization:
    """Released tables are the owner's: the routes name it (its reports feed them)."""
    ensure_demo_circles()
    return orgs["femmes-bambari"]


#: The women's network's members, and everyone its released tables and alerts reach: the owner
#: and the Bambari protection circle's members, forces included (they carry no raw record).
NETWORK = frozenset({"jean", "grace", "clarisse"})
CIRCLE_RECEIVES = NETWORK | {"amina", "marc", "ousmane", "kofi", "lucie", "awa"}

KINDS = [
    Kind(
        "public event",
        "events",
        event_maker("public event", "local", Sensitivity.PUBLIC, Licence.CC_BY_4_0),
        frozenset(EVERYONE),
        "TLP:CLEAR",
        exported=True,
    ),
    Kind(
        "restricted incident",
        "events",
        event_maker("restricted incident", "minusca-jmac", Sensitivity.RESTRICTED),
        frozenset({"amina", "marc", "admin"}),
        "TLP:AMBER+STRICT",
    ),
    Kind(
        "partners record in a circle",
        "events",
        event_maker(
            "partners record in a circle", "femmes-bambari", Sensitivity.PARTNERS, circle=True
        ),
        NETWORK | {"admin"} | CIRCLE_SEES,
        "TLP:AMBER",
    ),
    Kind(
        "voice report",
        "voices",
        make_report,
        NETWORK,  # the owner's members; a platform admin sees nothing
        "TLP:AMBER+STRICT",
        tells=its_id,
    ),
    Kind(
        "alert",
        "alerts",
        make_alert,
        CIRCLE_RECEIVES,  # not admin, sofia, viktor: not in the circle
        "TLP:AMBER",
        tells=its_id,
        owners=NETWORK,
    ),
    Kind(
        "survey response",
        "surveys",
        make_survey_response,
        frozenset(),  # sealed: no page, answer or export shows a response, to anyone
        "",
        tells=lambda record: [str(record.pk), record.submission_key],
    ),
    Kind(
        "survey estimates",
        "survey estimates",
        lambda orgs: make_survey_response(orgs).survey,
        frozenset({"grace", "clarisse"}),  # who may read the responses: the owner's analysts+
        "",
        tells=lambda record: ['class="survey-indicator"'],
    ),
    Kind(
        "sharing circle",
        "circles",
        the_circle,
        frozenset({"clarisse", "admin"}),  # its owner's org admins; members do not manage it
        "",
        tells=lambda record: [str(record.pk)],
    ),
    Kind(
        "sharing agreement",
        "agreements",
        the_agreement,
        NETWORK | {"lucie", "admin"},  # the provider's and the recipient's members
        "",
        tells=agreement_row,
    ),
    Kind(
        "released table",
        "released",
        the_network,
        CIRCLE_RECEIVES,  # tables only: never a report
        "TLP:GREEN",
        tells=lambda record: [f'"owner": "{record.slug}"', f'"owner":"{record.slug}"'],
    ),
]


@dataclass(frozen=True)
class Route:
    """A page, API answer or export; ``{id}`` is the record's id, ``{record.x}`` one of its
    fields. ``detail``: one record (hidden answers 404); else a list (hidden is absent).
    ``export``: only raw-exportable kinds. ``owners``: the owner's own page (its members)."""

    family: str
    path: str
    detail: bool = False
    export: bool = False
    marked: bool = True  # the answer carries the TLP marking of what it shows
    owners: bool = False
    #: Anonymous visitors are sent to sign in before any record is looked up (whatever the id:
    #: it tells nothing); everyone else who may not see it gets 404.
    sign_in: bool = False


#: The published tables of the network's reports and of its surveys (through the gate).
REPORTS, SURVEYS = "voices-area-month", "surveys-indicator-area"
SURVEYS_BY_SEX = "surveys-indicator-sex"

ROUTES = [
    Route("events", "/events/?dataset=battery"),
    Route("events", "/events/{id}/", detail=True),
    Route("events", "/map/events/{id}/", detail=True, marked=False),
    Route("events", "/api/v1/events?dataset=battery"),
    Route("events", "/api/v1/events/{id}", detail=True),
    Route("events", "/events/download/csv/?dataset=battery", export=True),
    Route("events", "/events/download/geojson/?dataset=battery", export=True),
    Route("voices", "/voices/inbox/"),
    Route("voices", "/voices/inbox/{id}/", detail=True, marked=False),
    Route("voices", "/api/v1/voices/reports", marked=False),
    Route("voices", "/api/v1/voices/reports/{id}", detail=True, marked=False),
    Route("alerts", "/alerts/"),
    Route("alerts", "/alerts/{id}/", detail=True),
    Route("alerts", "/api/v1/alerts"),
    Route("alerts", "/api/v1/alerts/{id}", detail=True),
    Route("alerts", "/alerts/dashboard.csv", marked=False, owners=True),
    Route("surveys", "/voices/surveys/", marked=False),
    Route("surveys", "/voices/surveys/{record.survey_id}/", marked=False),
    Route("surveys", f"/voices/figures/?owner=femmes-bambari&table={SURVEYS}", marked=False),
    Route("surveys", f"/voices/figures/femmes-bambari/{SURVEYS}.csv", marked=False),
    Route("surveys", f"/api/v1/voices/figures/femmes-bambari/{SURVEYS}", marked=False),
    Route("surveys", f"/voices/figures/?owner=femmes-bambari&table={SURVEYS_BY_SEX}", marked=False),
    Route("surveys", f"/voices/figures/femmes-bambari/{SURVEYS_BY_SEX}.csv", marked=False),
    Route("surveys", f"/api/v1/voices/figures/femmes-bambari/{SURVEYS_BY_SEX}", marked=False),
    Route("survey estimates", "/voices/surveys/{id}/", marked=False),
    Route("circles", "/sharing/circles/", marked=False),
    Route("circles", "/sharing/circles/{id}/", detail=True, marked=False, sign_in=True),
    Route("agreements", "/sharing/agreements/", marked=False),
    Route("released", "/voices/figures/?owner={record.slug}", detail=True),
    Route("released", f"/voices/figures/{{record.slug}}/{REPORTS}.csv", detail=True),
    Route("released", f"/voices/figures/{{record.slug}}/{SURVEYS}.csv", detail=True),
    Route("released", f"/api/v1/voices/figures/{{record.slug}}/{REPORTS}", detail=True),
    Route("released", f"/api/v1/voices/figures/{{record.slug}}/{SURVEYS}", detail=True),
    Route("released", f"/voices/figures/{{record.slug}}/{SURVEYS_BY_SEX}.csv", detail=True),
    Route("released", f"/api/v1/voices/figures/{{record.slug}}/{SURVEYS_BY_SEX}", detail=True),
    Route("released", "/api/v1/voices/figures", marked=False),
]


@pytest.fixture
def made(cast: dict[str, User], settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.COMMONGROUND_HOME = tmp_path  # the women's network's key, for this test only
    local_organization()
    orgs = {org.slug: org for org in Organization.objects.all()}
    return {kind.name: kind.make(orgs) for kind in KINDS}


def reveals(body: str, kind: Kind, record: Any) -> bool:
    """Whether an answer shows the record: its marker, or what else tells it (its id)."""
    return any(text in body for text in [marker(kind.name), *kind.tells(record)])


def answer(client: Client, route: Route, record: Any) -> tuple[int, str]:
    path = route.path.format(id=record.pk, record=record)
    response = client.get(path)
    content = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    # The page may echo the path asked for (a sign-in link): that is not the record.
    return response.status_code, content.decode().replace(path, "")


def signs_in(route: Route, who: str) -> bool:
    return route.sign_in and who == "anonymous"


@pytest.mark.parametrize("who", sorted(EVERYONE))
def test_every_route_shows_each_kind_of_record_exactly_to_whom_the_policy_says(
    who: str, cast: dict[str, User], made: dict[str, Any], client: Client
) -> None:
    if who != "anonymous":
        client.force_login(cast[who])
    wrong = []
    for kind in KINDS:
        record = made[kind.name]
        for route in (r for r in ROUTES if r.family == kind.family):
            status, body = answer(client, route, record)
            audience = kind.owners if route.owners else kind.seen_by
            expected = who in audience and (kind.exported or not route.export)
            shown = reveals(body, kind, record) or (route.detail and status == 200)
            if shown and not expected:
                wrong.append(f"{who} {route.path} {kind.name}: leaks")
            elif expected and not shown:
                wrong.append(f"{who} {route.path} {kind.name}: misses ({status})")
            elif route.detail and not expected and status != 404 and not signs_in(route, who):
                wrong.append(f"{who} {route.path} {kind.name}: answers {status}, not 404")
            elif shown and route.marked and kind.tlp not in body:
                wrong.append(f"{who} {route.path} {kind.name}: no {kind.tlp} marking")
    assert wrong == []


def test_the_command_line_export_carries_only_raw_exportable_records(
    made: dict[str, Any], tmp_path: Path
) -> None:
    """``commonground export events`` reads as the operator; what leaves is public, marked."""
    from commonground.cli.main import cli

    out = tmp_path / "events.csv"
    result = CliRunner().invoke(
        cli,
        ["export", "events", "--dataset", "battery", "--format", "csv", "-o", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    body = out.read_text(encoding="utf-8")
    for kind in KINDS:
        if kind.family == "events":
            assert (marker(kind.name) in body) is kind.exported, kind.name
    assert "TLP:CLEAR" in body and "TLP:AMBER" not in body


def test_the_battery_covers_the_whole_cast() -> None:
    assert {member.username for member in CAST} <= EVERYONE
    for kind in KINDS:
        assert kind.seen_by <= EVERYONE, kind.name
        assert [r for r in ROUTES if r.family == kind.family], f"no route shows {kind.name}"


def test_the_operator_s_alert_list_names_no_text_and_no_source(made: dict[str, Any]) -> None:
    """``commonground alerts list`` (the operator): owner, area, state; never the alert's text
    nor the reports it rests on."""
    from commonground.alerts.models import Alert
    from commonground.cli.main import cli

    result = CliRunner().invoke(cli, ["alerts", "list"], catch_exceptions=False)
    assert result.exit_code == 0
    alert = made["alert"]
    assert "femmes-bambari" in result.output and alert.area.code in result.output
    assert marker("alert") not in result.output
    sources = Alert.objects.get(pk=alert.pk).sources.all()
    assert sources and not [r for r in sources if str(r.pk) in result.output]
