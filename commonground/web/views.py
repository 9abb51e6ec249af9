"""Thin page views: each asks a query function for data the access policy allows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from commonground.analysis import actor_figures
from commonground.analysis.cache import cached_response
from commonground.core.paging import CountedPaginator
from commonground.events import queries
from commonground.events.models import ViolenceType
from commonground.events.schemas import EventFilters, parse_event_filters
from commonground.events.sources import source_fields
from commonground.registry.models import Actor
from commonground.sharing.policy import AnyUser, policy, record_denied

#: Rows per page of the events list: a screenful to scan, small enough for a slow link.
EVENTS_PER_PAGE = 50


def narrowing(user: AnyUser | None, filters: EventFilters) -> dict[str, Any]:
    """The area and actor that links narrow a list to (``admin2``, ``actor_id``), by name.

    The filter form has no menu for them (an admin-2 area or an actor comes from a link on an
    area or actor page), so the page names them and lets the reader drop them. An actor the
    viewer may not see is not named: it is treated as unknown, like a missing one.
    """
    area = queries.area_by_code(user, filters.admin2) if filters.admin2 else None
    actor = Actor.objects.filter(pk=filters.actor_id).first() if filters.actor_id else None
    if actor is not None and not actor_figures.actor_rows(user, actor).exists():
        actor = None
    return {"narrowed_area": area, "narrowed_actor": actor}


@policy("public")
@cached_response(anonymous_only=True)
def event_list(request: HttpRequest) -> HttpResponse:
    """Filtered, paged events; a bad filter is named in the page and left out (status 400)."""
    parsed = parse_event_filters(request.GET)
    events = queries.event_list(request.user, parsed.filters)
    count = queries.event_list_count(request.user, parsed.filters)
    paginator = CountedPaginator(events, EVENTS_PER_PAGE, count)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": parsed.filters,
        "errors": parsed.errors,
        "choices": queries.filter_choices(request.user),
        "violence_types": ViolenceType.choices,
        **narrowing(request.user, parsed.filters),
    }
    status = 400 if parsed.errors else 200
    return render(request, "web/event_list.html", context, status=status)


@policy("public")
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    """One event with its provenance; a hidden event answers exactly as a missing one does."""
    event = queries.visible_event(request.user, event_id)
    if event is None:
        if queries.event_exists(event_id):
            record_denied(request.user, f"event:{event_id}", "not visible under access policy")
        raise Http404(_("No such event."))
    context = {
        "event": event,
        "duplicates": queries.duplicate_flags(request.user, event),
        "source_fields": source_fields(event),
    }
    return render(request, "web/event_detail.html", context)


login = policy("public")(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", redirect_authenticated_user=True
    )
)
logout = policy("public")(auth_views.LogoutView.as_view())
