"""The offline form's server side: the JSON send with a key made on the device, and the worker.

The browser half (offline, three reports, back online, replays) is in test_browser_offline.py.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from commonground.voices.models import Report, ReportForm
from commonground.voices.tests.test_form_and_inbox import URL, answers

SEND = URL + "send/"

pytestmark = pytest.mark.django_db


def test_a_device_key_is_accepted_and_every_retry_gets_the_same_receipt(
    bambari_form: ReportForm,
) -> None:
    key = str(uuid.uuid4())  # what crypto.randomUUID() makes
    first = Client().post(SEND, answers(client_key=key))
    assert first.status_code == 200
    assert first.json()["created"] is True and first.json()["key"] == key
    for _ in range(3):
        again = Client().post(SEND, answers(client_key=key, narrative="changed on retry"))
        assert again.json() == {**first.json(), "created": False}
    assert Report.objects.filter(client_key=key).count() == 1


def test_the_same_key_on_another_form_is_refused(bambari_form: ReportForm) -> None:
    other = ReportForm.objects.create(
        owner=bambari_form.owner, slug="autre", title="Autre", published=True
    )
    key = str(uuid.uuid4())
    assert Client().post(SEND, answers(client_key=key)).status_code == 200
    refused = Client().post(f"/voices/femmes-bambari/{other.slug}/send/", answers(client_key=key))
    assert refused.status_code == 409 and refused.json()["error"] == "key_reused"
    page = Client().post(f"/voices/femmes-bambari/{other.slug}/", answers(client_key=key))
    assert page.status_code == 200 and "expired" in page.content.decode()
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"client_key": "short"}, "client_key"),
        ({"client_key": "x" * 30 + "<script>"}, "client_key"),
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"category": None}, "category"),
    ],
)
def test_a_bad_answer_says_which_and_stores_nothing(
    bambari_form: ReportForm, change: dict[str, str | None], field: str
) -> None:
    refused = Client().post(SEND, answers(**change))
    assert refused.status_code == 400
    assert field in refused.json()["errors"]
    assert not Report.objects.exists()


def test_the_send_needs_the_csrf_token_like_the_page(bambari_form: ReportForm) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(SEND, answers(client_key=str(uuid.uuid4()))).status_code == 403
    client.get(URL)
    token = client.cookies["csrftoken"].value
    sent = client.post(SEND, answers(client_key=str(uuid.uuid4()), csrfmiddlewaretoken=token))
    assert sent.status_code == 200


def test_the_worker_is_served_from_the_form_path(bambari_form: ReportForm) -> None:
    worker = Client().get(URL + "sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    assert b"caches.open" in worker.content
    page = Client().get(URL).content.decode()
    assert 'id="voices-outbox"' in page and "voices/offline.js" in page
    assert 'data-worker="/voices/femmes-bambari/signaler/sw.js"' in page


def test_an_unpublished_form_has_no_worker_and_no_send(bambari_form: ReportForm) -> None:
    bambari_form.published = False
    bambari_form.save()
    assert Client().get(URL + "sw.js").status_code == 404
    missing = Client().post(SEND, answers(client_key=str(uuid.uuid4())))
    nowhere = Client().post("/voices/nobody/nothing/send/", answers(client_key=str(uuid.uuid4())))
    assert missing.status_code == nowhere.status_code == 404
    assert missing.json() == nowhere.json()
    assert not Report.objects.exists()
