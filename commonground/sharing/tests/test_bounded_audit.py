"""Denied reads stay auditable but bounded: a script guessing ids leaves a trace, not a flood.

Anonymous requests for the real GED events made restricted (a mission's own incidents), through
the real event page.
"""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.sharing.models import AuditEvent, Organization, Sensitivity
from commonground.sharing.services import AUDIT_ROWS_PER_WINDOW, AUDIT_SUMMARY_TARGET
from commonground.testing.cast import ensure_organizations

pytestmark = pytest.mark.django_db


def hidden_events(count: int) -> list[int]:
    """Real GED events, made a mission's restricted records (the mission owns them)."""
    ensure_organizations()
    jmac = Organization.objects.get(slug="minusca-jmac")
    ids = list(Event.objects.order_by("pk").values_list("pk", flat=True)[:count])
    Event.objects.filter(pk__in=ids).update(owner=jmac, sensitivity=Sensitivity.RESTRICTED)
    return ids


def repeats(row: AuditEvent) -> int:
    return 1 + int(row.detail.get("repeats", 0))


def test_two_hundred_guesses_write_a_bounded_number_of_rows(ged_run: ImportRun) -> None:
    hidden = hidden_events(40)
    client = Client()
    for n in range(200):
        assert client.get(f"/events/{hidden[n % len(hidden)]}/").status_code == 404

    denied = AuditEvent.objects.filter(action="access.denied")
    assert denied.count() == AUDIT_ROWS_PER_WINDOW + 1
    assert sum(repeats(row) for row in denied) == 200  # every denial counted
    first = denied.exclude(target=AUDIT_SUMMARY_TARGET).order_by("at", "id")
    assert [row.target for row in first] == [f"event:{i}" for i in hidden[:AUDIT_ROWS_PER_WINDOW]]
    summary = denied.get(target=AUDIT_SUMMARY_TARGET)
    assert summary.detail["sample"][0] == f"event:{hidden[AUDIT_ROWS_PER_WINDOW]}"


def test_a_repeated_denial_adds_to_its_row(ged_run: ImportRun) -> None:
    (hidden,) = hidden_events(1)
    client = Client()
    for _ in range(3):
        client.get(f"/events/{hidden}/")
    (row,) = AuditEvent.objects.filter(action="access.denied")
    assert (row.target, repeats(row)) == (f"event:{hidden}", 3)
