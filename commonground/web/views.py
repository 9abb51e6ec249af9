"""Thin page views: each asks a query function for data the access policy allows."""

from __future__ import annotations

import datetime
import io
import tempfile
from typing import Any

from django.contrib.auth import views as auth_views
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from commonground.analysis import actor_figures
from commonground.analysis.cache import cached_response
from commonground.core.paging import CountedPaginator
from commonground.events import queries
from commonground.events.exports import FORMATS, write_events
from commonground.events.models import Event, ViolenceType
from commonground.events.schemas import EventFilters, FilterError, parse_event_filters
from commonground.events.sources import source_fields
from commonground.registry.models import Actor
from commonground.sharing.geomask import shown_to
from commonground.sharing.models import Sensitivity
from commonground.sharing.policy import (
    AnyUser,
    access_exportable,
    policy,
    record_denied,
    request_viewer,
)
from commonground.web.periods import period_query

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


#: What to tell a person who asked for an order the list does not know.
SORT_ERROR = (gettext_lazy("Order"), gettext_lazy("use date, -date, deaths or -deaths"))


def sort_of(request: HttpRequest) -> tuple[str, list[FilterError]]:
    """The order asked for (``sort``): one of ``queries.EVENT_SORTS``, else newest first."""
    asked = request.GET.get("sort", "").strip()
    if not asked or asked in queries.EVENT_SORTS:
        return asked or queries.DEFAULT_SORT, []
    label, message = SORT_ERROR
    return queries.DEFAULT_SORT, [FilterError(("sort",), asked, label, message)]


@policy("public")
@cached_response(anonymous_only=True)
def event_list(request: HttpRequest) -> HttpResponse:
    """Filtered, sorted, paged events; a bad filter is named and left out (status 400)."""
    parsed = parse_event_filters(request.GET)
    sort, sort_errors = sort_of(request)
    errors = [*parsed.errors, *sort_errors]
    events = queries.event_list(request.user, parsed.filters, sort)
    count = queries.event_list_count(request.user, parsed.filters)
    paginator = CountedPaginator(events, EVENTS_PER_PAGE, count)
    page = paginator.get_page(request.GET.get("page"))
    viewer = request_viewer(request)
    memo: dict[Any, Any] = {}
    # Shared records a non-owner sees: dates as months (and points moved), as on their pages.
    page.object_list = [shown_to(event, viewer, memo) for event in page.object_list]
    context = {
        "page": page,
        "filters": parsed.filters,
        "errors": errors,
        "sort": sort,
        "downloads": download_links(request),
        "period_query": period_query(parsed.filters),
        "choices": queries.filter_choices(request.user),
        "violence_types": ViolenceType.choices,
        **narrowing(request.user, parsed.filters),
    }
    status = 400 if errors else 200
    return render(request, "web/event_list.html", context, status=status)


def download_links(request: HttpRequest) -> list[tuple[str, str]]:
    """(format, address) of each download of the list as filtered and sorted (no page)."""
    params = request.GET.copy()
    params.pop("page", None)
    query = params.urlencode()
    found = []
    for fmt in FORMATS:
        url = reverse("web:event_download", args=[fmt])
        found.append((fmt, f"{url}?{query}" if query else url))
    return found


#: Downloads leave the platform as raw rows: only public records, as the CLI's default.
DOWNLOAD_MAX_SENSITIVITY = Sensitivity.PUBLIC


@policy("public")
@require_GET
def event_download(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """The filtered events as CSV, HXL-tagged CSV or GeoJSON, written by the CLI's exporter.

    What the viewer may see (``access_owned``), then what may leave the platform raw
    (``access_exportable``): public records only, never rows whose licence forbids it (ACLED's).
    A bad filter is refused (400) rather than downloading more than the page showed.
    """
    if fmt not in FORMATS:
        raise Http404(_("No such download format."))
    parsed = parse_event_filters(request.GET)
    sort, sort_errors = sort_of(request)
    errors = [*parsed.errors, *sort_errors]
    if errors:
        names = ", ".join(f"{e.label}: {e.value!r} ({e.message})" for e in errors)
        message = _("Nothing was downloaded; fix these filters first: %(names)s.") % {
            "names": names
        }
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    events = queries.event_list(request.user, parsed.filters, sort)
    allowed = access_exportable(events, DOWNLOAD_MAX_SENSITIVITY)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, mode="w+b")  # noqa: SIM115 (FileResponse closes it)
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    write_events(allowed, fmt, text)
    text.flush()
    text.detach()  # the response reads the bytes; the wrapper must not close the spool
    spool.seek(0)
    media_type, suffix = FORMATS[fmt]
    name = f"commonground-events-{datetime.date.today():%Y%m%d}.{suffix}"
    return FileResponse(spool, as_attachment=True, filename=name, content_type=media_type)


#: Downloads are built in memory up to this size, then in a temporary file.
SPOOL_IN_MEMORY = 16 * 1024 * 1024


@policy("public")
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    """One event with its provenance; a hidden event answers exactly as a missing one does."""
    event = queries.visible_event(request.user, event_id)
    if event is None:
        if queries.event_exists(event_id):
            record_denied(
                request.user,
                f"event:{event_id}",
                "not visible under access policy",
                records=Event.objects.filter(pk=event_id),
            )
        raise Http404(_("No such event."))
    event = shown_to(event, request_viewer(request))  # geomasked for a non-owner
    context = {
        "event": event,
        "duplicates": queries.duplicate_flags(request.user, event),
        # A geomasked record's source columns would give the exact point and day back.
        "source_fields": {} if getattr(event, "geomasked", False) else source_fields(event),
        "actor_pages": actor_pages(request.user, event),
    }
    return render(request, "web/event_detail.html", context)


def actor_pages(user: AnyUser | None, event: Event) -> set[Any]:
    """The event's actors that have a page for this viewer, to link their names to.

    A withdrawn event stays readable, but an actor named only in withdrawn events has no page
    (it would answer 404), so its name is shown without a link.
    """
    sides = [pk for pk in (event.actor1_id, event.actor2_id) if pk is not None]
    if not sides:
        return set()
    return set(actor_figures.actor_list(user).filter(pk__in=sides).values_list("pk", flat=True))


login = policy("public")(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", redirect_authenticated_user=True
    )
)
logout = policy("public")(auth_views.LogoutView.as_view())
