"""The public form, the receipt and the inbox, through the real pages."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.sharing.models import AuditEvent
from commonground.voices.models import Report, ReportForm, Status

URL = "/voices/femmes-bambari/signaler/"


def answers(**changes: Any) -> dict[str, Any]:
    base = {
        "client_key": "k" * 32,
        "category": "looting",
        "occurred_on": "2021-03-14",
        "date_precision": "day",
        "area": "",
        "women": "2",
        "men": "1",
        "girls": "0",
        "boys": "0",
        "unknown": "0",
        "perpetrator_kind": "armed_group",
        "narrative": "Our shops were emptied.",
        "may_count": "on",
        "place": "",
        "contact": "",
        "reporter_name": "",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def receipt_in(html: str) -> str:
    found = re.search(r'id="receipt-code">([A-Z2-7-]{19})<', html)
    assert found, "no receipt code on the page"
    return found.group(1)


def test_anyone_reports_and_the_same_submission_twice_stores_one(
    client: Client, bambari_form: ReportForm
) -> None:
    page = client.get(URL)
    assert page.status_code == 200
    assert 'name="client_key"' in page.content.decode()
    first = client.post(URL, answers())
    second = client.post(URL, answers())
    assert first.status_code == second.status_code == 200
    assert receipt_in(first.content.decode()) == receipt_in(second.content.decode())
    assert Report.objects.count() == 1
    report = Report.objects.get()
    assert (report.month, report.women, report.men) == (datetime.date(2021, 3, 1), 2, 1)
    assert (report.may_count, report.may_contact, report.may_quote) == (True, False, False)
    client.post(URL, answers(client_key="z" * 32))
    assert Report.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"category": "gossip"}, "category"),
        ({"women": "100001"}, "women"),
        ({"narrative": "x" * 4001}, "narrative"),
        ({"may_contact": "on", "contact": ""}, "contact"),
        ({"latitude": "5.7"}, "longitude"),
        ({"client_key": "short"}, "client_key"),
    ],
)
def test_bad_answers_store_nothing_and_say_why(
    client: Client, bambari_form: ReportForm, changes: dict[str, str], field: str
) -> None:
    response = client.post(URL, answers(**changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Report.objects.count() == 0


def test_daily_limit_bounds_anonymous_posting(client: Client, bambari_form: ReportForm) -> None:
    bambari_form.daily_limit = 2
    bambari_form.save()
    for n in range(2):
        assert client.post(URL, answers(client_key=f"{n}" * 20)).status_code == 200
    refused = client.post(URL, answers(client_key="9" * 20))
    assert refused.status_code == 429
    assert Report.objects.count() == 2


@pytest.mark.parametrize("url", [URL.replace("signaler", "missing"), "/voices/nobody/signaler/"])
def test_unknown_or_unpublished_forms_are_not_found(
    client: Client, bambari_form: ReportForm, url: str
) -> None:
    assert client.get(url).status_code == 404
    bambari_form.published = False
    bambari_form.save()
    assert client.get(URL).status_code == 404


def test_receipt_shows_status_and_answer_only(
    client: Client, bambari_form: ReportForm, cast: dict[str, User]
) -> None:
    code = receipt_in(client.post(URL, answers()).content.decode())
    report = Report.objects.get()
    report.status = Status.VERIFIED
    report.public_answer = "Une patrouille a été demandée."
    report.save()
    page = client.post("/voices/receipt/", {"code": code.lower()}).content.decode()
    assert "Une patrouille a été demandée." in page
    assert "Our shops were emptied." not in page
    wrong = client.post("/voices/receipt/", {"code": "AAAA-AAAA-AAAA-AAAA"}).content.decode()
    assert "No report has this code" in wrong


def test_analyst_reads_decrypted_and_audited_viewer_reads_coarse(
    client: Client, bambari_form: ReportForm, cast: dict[str, User]
) -> None:
    client.post(
        URL,
        answers(place="Quartier canari", reporter_name="Awa", may_contact="on", contact="+236 70"),
    )
    report = Report.objects.get()
    client.force_login(cast["grace"])
    inbox = client.get("/voices/inbox/?status=new&category=looting&month=2021-03&channel=web_form")
    assert inbox.context["total"] == 1
    assert client.get("/voices/inbox/?category=killing").context["total"] == 0
    page = client.get(f"/voices/inbox/{report.pk}/").content.decode()
    assert "Quartier canari" in page and "+236 70" in page and "2021-03-14" in page
    reads = AuditEvent.objects.filter(action="voices.report.read", target=str(report.pk))
    assert reads.filter(actor=cast["grace"]).count() == 1
    client.force_login(cast["jean"])
    coarse = client.get(f"/voices/inbox/{report.pk}/").content.decode()
    for secret in ("Quartier canari", "+236 70", "Awa", "2021-03-14", "Our shops"):
        assert secret not in coarse
    assert reads.count() == 1  # the viewer's page decrypted nothing


def test_analyst_grades_and_answers_viewer_cannot(
    client: Client, bambari_form: ReportForm, cast: dict[str, User]
) -> None:
    client.post(URL, answers())
    report = Report.objects.get()
    grade = {
        "status": "verified",
        "source_reliability": "B",
        "information_credibility": "2",
        "public_answer": "Merci.",
    }
    client.force_login(cast["jean"])
    assert client.post(f"/voices/inbox/{report.pk}/", grade).status_code == 404
    report.refresh_from_db()
    assert report.status == Status.NEW
    client.force_login(cast["grace"])
    assert client.post(f"/voices/inbox/{report.pk}/", grade).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.source_reliability, report.information_credibility) == (
        "verified",
        "B",
        2,
    )
    assert report.public_answer == "Merci." and report.answered_at is not None
    assert AuditEvent.objects.filter(action="voices.report.graded", actor=cast["grace"]).exists()


def test_the_form_speaks_french(client: Client, bambari_form: ReportForm) -> None:
    page = client.get(URL + "?lang=fr").content.decode()
    assert "Que s\u2019est-il passé ?" in page
    assert "Violence sexuelle ou basée sur le genre" in page
    assert "Vous pouvez me recontacter." in page


def test_admin_lists_forms_but_never_reports(
    client: Client, bambari_form: ReportForm, cast: dict[str, User]
) -> None:
    client.post(URL, answers())
    client.force_login(cast["admin"])
    assert client.get("/admin/voices/reportform/").status_code == 200
    assert client.get("/admin/voices/report/").status_code == 404


def test_areas_in_the_language_and_the_form_lists_only_public_areas(
    client: Client, bambari_form: ReportForm, cast: dict[str, User]
) -> None:
    """A report's area shows in French; an area known only from reports is not offered to all."""
    from commonground.core.models import Area, AreaLevel
    from commonground.voices.services import ReportInput, do_submit_report

    area = Area.objects.create(
        code="ZZZ.riverside.upstream",
        level=AreaLevel.ADMIN2,
        country_code="ZZZ",
        name_en="Upstream",
        name_fr="Amont",
    )
    data = ReportInput(category="return", occurred_on=datetime.date(2022, 2, 2), area=area)
    do_submit_report(bambari_form, bambari_form.owner, "a" * 20, data)
    assert "ZZZ.riverside.upstream" not in client.get(URL).content.decode()
    client.force_login(cast["grace"])
    assert "Amont" in client.get("/voices/inbox/?lang=fr").content.decode()
    assert "Upstream" in client.get("/voices/inbox/?lang=en").content.decode()


def test_the_inbox_link_shows_for_members_only(client: Client, cast: dict[str, User]) -> None:
    assert 'href="/voices/inbox/"' not in client.get("/accounts/login/").content.decode()
    client.force_login(cast["jean"])
    assert 'href="/voices/inbox/"' in client.get("/organizations/").content.decode()


def test_the_inbox_lists_the_latest_month_first(
    client: Client, bambari_form: ReportForm, cast: dict[str, User]
) -> None:
    for n, day in enumerate(("2020-05-01", "2023-01-09", "2021-07-04")):
        client.post(URL, answers(client_key=f"{n}" * 20, occurred_on=day))
    client.force_login(cast["grace"])
    months = [r.month.isoformat() for r in client.get("/voices/inbox/").context["reports"]]
    assert months == ["2023-01-01", "2021-07-01", "2020-05-01"]
