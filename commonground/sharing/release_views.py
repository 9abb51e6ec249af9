"""``/sharing/releases/``: the owner reads what the disclosure gate released and pauses a circle.

Analysts and administrators of an organization read the release log of its records and pause
(or resume) releases to each circle it owns. Anyone else: not found, as for a missing page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commonground.sharing.models import ROLE_RANK, Role, SharingCircle
from commonground.sharing.policy import policy, request_viewer
from commonground.sharing.releases import do_set_releases_paused, releases_of

#: Log rows shown on the page (newest first).
LOG_PAGE = 200


def owned_by_reader(request: HttpRequest) -> list[Any]:
    """The organizations whose release log this request may read (analysts and above)."""
    viewer = request_viewer(request)
    return [org for org in viewer.roles if viewer.rank_in(org) >= ROLE_RANK[Role.ANALYST]]


@policy("circle_owner")
def release_log(request: HttpRequest) -> HttpResponse:
    owners = owned_by_reader(request)
    if not owners:
        raise Http404(_("No such page."))
    context = {
        "circles": SharingCircle.objects.filter(owner_id__in=owners).prefetch_related("members"),
        "releases": releases_of(owners)[:LOG_PAGE],
    }
    return render(request, "sharing/releases.html", context)


@policy("circle_owner")
@require_POST
def pause_circle(request: HttpRequest, circle_id: str) -> HttpResponse:
    circle = SharingCircle.objects.filter(
        pk=circle_id, owner_id__in=owned_by_reader(request)
    ).first()
    if circle is None or not isinstance(request.user, User):
        raise Http404(_("No such page."))
    do_set_releases_paused(circle, request.POST.get("paused") == "1", request.user)
    return redirect("sharing_releases:log")
