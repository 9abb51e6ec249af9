"""No figure computed from protected records reaches a non-owner except through the gate.

Two checks, in the spirit of ``test_every_route_has_policy``:

1. **source**: every module that reads community reports or perception-survey responses (the
   voices ``Report`` and ``PerceptionResponse`` models or their tables) and aggregates
   (``Count``, ``Sum``, ``annotate``, ``aggregate``, ``.count()``, ``Counter``, pandas/polars
   ``group_by``, SQL ``COUNT``) is listed below with why it may, and with how many aggregations
   it holds: a new module, or a new aggregation in a listed one, fails
   until someone decides it goes through ``sharing.gate`` or is owner-only;
2. **requests**: the army liaison (in the owner's circle) and a peacebuilding NGO (not in it)
   open every page and API route that takes no parameter, then SYNTHETIC reports are added and
   they open them again: every answer is the same, byte for byte (CSRF tokens and nonces
   aside), except the gate's own routes (policy ``released``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import get_resolver

from commonground.sharing.tests.gate_synthetic import make_synthetic
from commonground.sharing.tests.test_every_route_has_policy import api_views, page_views

ROOT = Path(__file__).resolve().parents[2]

#: Reads of the voices reports and survey responses: a model imported, or its table in SQL.
READS_REPORTS = re.compile(
    r"from commonground\.voices\.models import (?:\([^)]*|[^\n]*)\bReport\b|voices_report\b"
    r"|get_model\(\s*[\"']voices[\"'],\s*[\"'](?:Report|PerceptionResponse)[\"']"
    r"|from commonground\.voices\.survey_models import (?:\([^)]*|[^\n]*)\bPerceptionResponse\b"
    r"|voices_perceptionresponse\b"
)
AGGREGATES = re.compile(
    r"\bCount\(|\bSum\(|\bAvg\(|\.annotate\(|\.aggregate\(|group_by\(|groupby\(|\.count\(\)"
    r"|\bCounter\(|COUNT\s*\(",
)

#: module -> (aggregations it holds, why it may).
ALLOWED = {
    "voices/published.py": (5, "the gate's source: rows and a cache fingerprint for sharing.gate"),
    "voices/queries.py": (2, "operator's `commonground stats`: reports and survey responses"),
    "voices/views.py": (1, "the owner's own inbox total (policy voices: members of the owner)"),
    "voices/services.py": (1, "the public form's daily limit: refuses, shows no figure"),
    "voices/sms.py": (1, "an SMS channel's daily limit: counts messages, refuses, shows none"),
    "alerts/queries.py": (
        2,
        "first answer time per alert (answers, not reports) and the operator's alert count",
    ),
}


def aggregating_modules() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative.startswith("testing/"):
            continue
        text = path.read_text(encoding="utf-8")
        if READS_REPORTS.search(text) and (n := len(AGGREGATES.findall(text))):
            found[relative] = n
    return found


def test_every_aggregation_of_reports_is_the_gate_or_owner_only() -> None:
    found = aggregating_modules()
    assert "voices/published.py" in found, "the scan finds nothing: the patterns are wrong"
    assert found == {module: n for module, (n, _why) in ALLOWED.items()}


def test_the_scan_catches_a_new_aggregation(tmp_path: Path) -> None:
    """The patterns catch the usual ways of counting reports."""
    samples = [
        "from commonground.voices.models import Report\nReport.objects.count()",
        "from commonground.voices.models import Category, Report\nqs.annotate(n=Count('id'))",
        "cursor.execute('SELECT COUNT(*) FROM voices_report')",
        "from commonground.voices.models import Report\nframe.group_by('area')",
        "from commonground.voices.models import (\n    Category,\n    Report,\n)\n"
        "x.aggregate(n=Sum('men'))",
        "from commonground.voices.survey_models import PerceptionResponse\nCounter(rows)",
        "cursor.execute('SELECT COUNT(*) FROM voices_perceptionresponse')",
    ]
    for sample in samples:
        assert READS_REPORTS.search(sample) and AGGREGATES.search(sample), sample


#: Per-request values: CSRF tokens, CSP nonces, and the one-time key a form is sent with.
VOLATILE = re.compile(
    rb'(csrfmiddlewaretoken" value="|nonce="|csrftoken=|"csrf_token": "'
    rb'|name="client_key" value=")[^"&;]*'
)

#: Routes that need a path parameter are not walked; those of the gate may change.
GATE_POLICY = "released"


def parameterless_routes() -> list[tuple[str, str]]:
    routes = []
    for path, view in page_views(get_resolver().url_patterns):
        if "<" not in path and "(" not in path:
            routes.append(("/" + path, getattr(view, "access_policy", "")))
    for path, view in api_views():
        if "{" not in path:
            routes.append(("/" + path, getattr(view, "access_policy", "")))
    return routes


def snapshot(client: Client, routes: list[tuple[str, str]]) -> dict[str, tuple[int, bytes]]:
    answers = {}
    for path, access in routes:
        if access == GATE_POLICY:
            continue
        response = client.get(path)
        streamed = getattr(response, "streaming_content", None)
        body = b"".join(streamed) if streamed is not None else response.content
        answers[path] = (response.status_code, VOLATILE.sub(rb"\1", body))
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["ousmane", "sofia"])
def test_no_route_but_the_gate_answers_from_reports_to_a_non_owner(
    who: str, client: Client, cast: dict[str, User], settings: LazySettings, tmp_path: Path
) -> None:
    settings.COMMONGROUND_HOME = tmp_path
    routes = parameterless_routes()
    assert any(access == GATE_POLICY for _p, access in routes), "the gate's routes are not mounted"
    client.force_login(cast[who])
    before = snapshot(client, routes)
    make_synthetic(cast, bulk=40)
    after = snapshot(client, routes)
    changed = [path for path in before if before[path] != after[path]]
    assert changed == []
