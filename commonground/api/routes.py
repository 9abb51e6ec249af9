"""API composition. Every operation declares its access policy, as views do."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI

from commonground.events.queries import dataset_summary
from commonground.sharing.policy import policy

api = NinjaAPI(
    title="Common Ground API",
    version="1",
    description="The shared picture of a conflict area, as JSON. Every record passes the "
    "access policy of commonground.sharing.",
    urls_namespace="api",
)


@api.get("/stats", tags=["stats"], auth=None)
@policy("public")
def stats(request: HttpRequest) -> dict[str, object]:
    """What is loaded, as the requesting user may see it."""
    return dataset_summary(request.user)
