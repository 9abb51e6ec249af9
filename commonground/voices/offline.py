"""The public form offline: its service worker, and the JSON send its script retries.

The page works without script (``views.report_form``). With script (``static/voices/offline.js``)
each report goes to an outbox on the device first, with a key the device made
(``crypto.randomUUID()``); the script sends it here when there is a connection, as often as it
must: the key makes every retry after the first answer with the same report and receipt code
(``do_submit_report``, ADR 0023). The service worker is served from the form's own path so that
its scope is that form only, and caches the page and the site's own static files (no CDN).
"""

from __future__ import annotations

from pathlib import Path

from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.sharing.policy import policy
from commonground.voices import queries
from commonground.voices.forms import PublicReportForm
from commonground.voices.models import ReportForm
from commonground.voices.services import KeyReused, LimitReached, do_submit_report

SERVICE_WORKER = Path(__file__).parent / "static" / "voices" / "form-sw.js"


@policy("public")
def service_worker(request: HttpRequest, organization: str, form: str) -> HttpResponse:
    """The service worker of one published form, scoped to ``/voices/<org>/<form>/``."""
    if queries.published_form(organization, form) is None:
        raise Http404(_("No such form."))
    response = HttpResponse(
        SERVICE_WORKER.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"  # a new version of the worker is seen at once
    return response


def error(code: str, message: str, status: int, **extra: object) -> JsonResponse:
    return JsonResponse({"error": code, "message": message, **extra}, status=status)


def submit(found: ReportForm, bound: PublicReportForm) -> JsonResponse:
    """Store (or find again) the report; the receipt code in every success."""
    key = bound.cleaned_data["client_key"]
    try:
        try:
            _report, receipt, new = do_submit_report(found, found.owner, key, bound.report_input())
        except IntegrityError:  # the same key sent twice at the same moment: the other one won
            _report, receipt, new = do_submit_report(found, found.owner, key, bound.report_input())
    except KeyReused:
        return error("key_reused", _("This form has expired; open it again."), 409)
    except LimitReached:
        message = _("This form has received many reports today")
        return error("limit", message, 429)
    return JsonResponse({"receipt": receipt, "created": new, "key": key})


@policy("public")
@require_POST
def send(request: HttpRequest, organization: str, form: str) -> JsonResponse:
    """The offline form's send: 200 with the receipt, 400 with the answers to correct."""
    found = queries.published_form(organization, form)
    if found is None:
        return error("not_found", _("No such form."), 404)
    bound = PublicReportForm(request.POST)
    if not bound.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in bound.errors.items()}
        return error("invalid", _("Please check the answers marked below."), 400, errors=errors)
    return submit(found, bound)
