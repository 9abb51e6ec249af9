"""API composition. Every operation declares its access policy, as views do.

The routers live in one module per domain (``events``, ``areas``, ``registry``, ``accounts``);
this module only composes them, sets who may call (``auth``) and installs the error envelope.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI, Schema
from pydantic import ConfigDict

from commonground.alerts import api as alerts_api
from commonground.analysis.cache import cached_answer
from commonground.analysis.figures import dataset_summary
from commonground.api import accounts, analysis, areas, events, forecasts, registry
from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope, envelope_urls, install_handlers
from commonground.learning import api as learning_api
from commonground.mandates import api as mandates_api
from commonground.sharing.policy import policy
from commonground.voices import api as voices_api
from commonground.voices import api_figures as voices_figures_api

DESCRIPTION = """\
The shared picture of a conflict area, as JSON. Every record passes the access policy of
commonground.sharing: you see through the API exactly what you see in the pages.

**Authentication.** Read routes answer anonymous callers with public records only. Scripts send
`Authorization: Bearer <token>` (tokens from `commonground token create USERNAME --name NAME`);
a browser signed in to the site uses its session, with the CSRF token on unsafe methods.

**Errors** come in one envelope:
`{"error": {"code": "not_found", "message": "No such event.", "details": []}}`
with `code` one of validation_error, unauthorized, forbidden, not_found, method_not_allowed,
server_error. See docs/api.md.
"""


class CommonGroundAPI(NinjaAPI):
    """Ninja's API with every URL answering errors in the envelope (see ``errors``)."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        return envelope_urls(patterns), app_name, namespace


api = CommonGroundAPI(
    title="Common Ground API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=READ,
)
install_handlers(api)


class StatsOut(Schema):
    """What is loaded, as the caller may see it (the home page's figures)."""

    model_config = ConfigDict(extra="allow")

    events: int
    events_by_dataset: dict[str, int]
    events_by_year: dict[str, int]
    events_by_violence_type: dict[str, int]
    fatalities_best: int
    civilian_deaths: int
    period: dict[str, str | None]
    countries: list[str]
    datasets: list[dict[str, Any]]
    operations: int
    parallel_forces: int
    organizations: int
    presence: int


@api.get(
    "/stats",
    tags=["stats"],
    response={200: StatsOut, 401: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def stats(request: HttpRequest) -> dict[str, object] | HttpResponse:
    """What is loaded, as the requesting user may see it (from the stored figures)."""
    if (hit := cached_answer(request)) is not None:
        return hit
    return dataset_summary(request.user)


api.add_router("", events.router)
api.add_router("", areas.router)
api.add_router("", registry.router)
api.add_router("", accounts.router)
api.add_router("", forecasts.router)
api.add_router("", analysis.router)
api.add_router("", mandates_api.router)
api.add_router("", voices_api.router)  # commonground/voices/api.py
api.add_router("", alerts_api.router)  # commonground/alerts/api.py
api.add_router("", learning_api.router)  # commonground/learning/api.py
api.add_router("", voices_figures_api.router)  # released figures, through sharing/gate.py
