"""Circle and agreement pages for organization administrators (``/sharing/``; ADR 0020).

Only administrators of the owner (circles) or provider (agreements), and platform
administrators, see and change them; a circle anyone else asks for answers as a missing one.
Every change goes through ``sharing.circles`` (audited); a change the policy refuses
(humanitarian-military separation) is shown with its reason and audited there.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.sharing import circles
from commonground.sharing.forms import (
    AgreementForm,
    CircleEditForm,
    CircleForm,
    MemberForm,
    RecordCircleForm,
)
from commonground.sharing.models import Organization, SharingAgreement, SharingCircle
from commonground.sharing.policy import (
    ARMED_KINDS,
    CIRCLE_MISMATCH_REASON,
    SEPARATED_OWNER_KINDS,
    access_owned,
    may_place_records,
    policy,
    record_denied,
    request_viewer,
    sharing_organizations,
)


def _user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _to_login(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path())


@policy("signed_in")
def circle_list(request: HttpRequest) -> HttpResponse:
    """The circles of the organizations you administer, and a form to make one."""
    user = _user(request)
    if user is None:
        return _to_login(request)
    owners = sharing_organizations(request_viewer(request))
    form = CircleForm(owners, request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if SharingCircle.objects.filter(owner=data["owner"], slug=data["slug"]).exists():
            error = _("That organization already has a circle with this short name.")
        else:
            circle = circles.do_save_circle(
                data["owner"],
                data["slug"],
                data["name"],
                user,
                description=data["description"],
                max_sensitivity=data["max_sensitivity"],
                releases_paused=data["releases_paused"],
            )
            return redirect("sharing:circle", circle_id=circle.pk)
    listed = (
        SharingCircle.objects.filter(owner__in=owners)
        .select_related("owner")
        .prefetch_related("members")
        .order_by("owner__name", "name")
    )
    context = {"circles": listed, "form": form, "error": error, "may_create": owners.exists()}
    return render(request, "sharing/circles.html", context, status=400 if error else 200)


def _managed_circle(request: HttpRequest, circle_id: uuid.UUID) -> SharingCircle:
    """The circle, if the viewer manages its owner; else 404 exactly as a missing one."""
    owners = sharing_organizations(request_viewer(request))
    circle = SharingCircle.objects.select_related("owner").filter(pk=circle_id).first()
    if circle is None or not owners.filter(pk=circle.owner_id).exists():
        if circle is not None:
            record_denied(request.user, f"circle:{circle_id}", "may not manage this circle")
        raise Http404(_("No such page."))
    return circle


@policy("signed_in")
def circle_page(request: HttpRequest, circle_id: uuid.UUID) -> HttpResponse:
    """One circle: its settings and members, changed by the owner's administrators."""
    user = _user(request)
    if user is None:
        return _to_login(request)
    circle = _managed_circle(request, circle_id)
    action = request.POST.get("action", "")
    initial = {
        "owner": circle.owner,
        "slug": circle.slug,
        "name": circle.name,
        "description": circle.description,
        "max_sensitivity": circle.max_sensitivity,
        "releases_paused": circle.releases_paused,
    }
    form = CircleEditForm(circle, request.POST if action == "edit" else None, initial=initial)
    candidates = Organization.objects.exclude(pk=circle.owner_id).exclude(circles=circle)
    member_form = MemberForm(candidates, request.POST if action == "add" else None)
    if action == "edit" and form.is_valid():
        data = form.cleaned_data
        circles.do_save_circle(
            circle.owner,
            circle.slug,
            data["name"],
            user,
            description=data["description"],
            max_sensitivity=data["max_sensitivity"],
            releases_paused=data["releases_paused"],
        )
        return redirect("sharing:circle", circle_id=circle.pk)
    if action == "add" and member_form.is_valid():
        circles.do_add_circle_member(circle, member_form.cleaned_data["member"], user)
        return redirect("sharing:circle", circle_id=circle.pk)
    if action == "remove":
        member = circle.members.filter(slug=request.POST.get("member", "")).first()
        if member is not None:
            circles.do_remove_circle_member(circle, member, user)
        return redirect("sharing:circle", circle_id=circle.pk)
    if action == "delete":
        circles.do_delete_circle(circle, user)
        return redirect("sharing:circles")
    separated = circle.owner.kind in SEPARATED_OWNER_KINDS
    members = [
        {"organization": org, "separated": separated and org.kind in ARMED_KINDS}
        for org in circle.members.order_by("name")
    ]
    context: dict[str, Any] = {
        "circle": circle,
        "form": form,
        "member_form": member_form,
        "members": members,
    }
    invalid = request.method == "POST"
    return render(request, "sharing/circle.html", context, status=400 if invalid else 200)


@policy("signed_in")
def agreement_list(request: HttpRequest) -> HttpResponse:
    """Agreements your organizations give or receive; administrators of a provider change them."""
    user = _user(request)
    if user is None:
        return _to_login(request)
    viewer = request_viewer(request)
    providers = sharing_organizations(viewer)
    form = AgreementForm(providers, request.POST if request.POST.get("action") == "save" else None)
    error, status = "", 200
    action = request.POST.get("action", "")
    if action == "save" and form.is_valid():
        data = form.cleaned_data
        try:
            circles.do_save_agreement(
                data["provider"],
                data["recipient"],
                user,
                max_sensitivity=data["max_sensitivity"],
                covers_voices=data["covers_voices"],
                voices_protected=data["voices_protected"],
                note=data["note"],
            )
        except circles.SharingRefused as refusal:
            error, status = str(refusal), 400
        else:
            return redirect("sharing:agreements")
    elif action == "delete":
        agreement_id = _uuid(request.POST.get("agreement", ""))
        agreement = (
            SharingAgreement.objects.filter(pk=agreement_id, provider__in=providers).first()
            if agreement_id
            else None
        )
        if agreement is None:
            raise Http404(_("No such page."))
        circles.do_delete_agreement(agreement, user)
        return redirect("sharing:agreements")
    elif request.method == "POST":
        status = 400
    mine = list(viewer.roles) if not viewer.is_platform_admin else None
    agreements = SharingAgreement.objects.select_related("provider", "recipient")
    if mine is not None:
        agreements = agreements.filter(Q(provider_id__in=mine) | Q(recipient_id__in=mine))
    managed = set(providers.values_list("pk", flat=True))
    context = {
        "agreements": agreements.order_by("provider__name", "recipient__name"),
        "managed": managed,
        "form": form,
        "error": error,
        "may_create": bool(managed),
    }
    return render(request, "sharing/agreements.html", context, status=status)


#: The owned records whose circle has a page, by the name in its address: the model, the page
#: that shows the record (a URL name) and the record's field that URL takes. A parallel force
#: and a presence record have no page of their own: they are shown (and linked from) the page
#: of their operation, and a presence record also on its area's page.
RECORD_KINDS: dict[str, tuple[str, str, str]] = {
    "event": ("events.Event", "web:event_detail", "pk"),
    "operation": ("registry.Operation", "web:operation", "slug"),
    "parallel-force": ("registry.ParallelForce", "web:operation", "operation.slug"),
    "presence": ("registry.Presence", "web:operation", "operation.slug"),
}


def _detail_url(kind: str, record: Any) -> str:
    """The page that shows the record (its operation's, or its area's for a presence record
    of no operation), or "" when there is none."""
    _model, detail, key = RECORD_KINDS[kind]
    value: Any = record
    for name in key.split("."):
        value = getattr(value, name, None) if value is not None else None
    if value is not None:
        return reverse(detail, args=[value])
    if kind == "parallel-force":
        beside = record.parallel_to.order_by("start_date", "acronym").first()
        return reverse("web:operation", args=[beside.slug]) if beside else ""
    if kind == "presence" and record.area_id:
        return reverse("web:area", args=[record.area.code])
    return ""


def _placeable_record(request: HttpRequest, kind: str, record_id: str) -> Any:
    """The record, if the viewer may see it and move it between its owner's circles; else 404
    exactly as a missing one (and the refusal audited)."""
    from django.apps import apps
    from django.core.exceptions import ValidationError

    if kind not in RECORD_KINDS:
        raise Http404(_("No such page."))
    model = apps.get_model(RECORD_KINDS[kind][0])
    try:
        found = model._default_manager.filter(pk=record_id)
        exists = found.exists()
    except (ValueError, ValidationError):
        exists = False
    if not exists:
        raise Http404(_("No such page."))
    viewer = request_viewer(request)
    record = access_owned(found, viewer).select_related("owner", "circle__owner").first()
    if record is None or not may_place_records(viewer, record.owner_id):
        record_denied(
            request.user, f"{kind}:{record_id}", "may not place this record", records=found
        )
        raise Http404(_("No such page."))
    return record


@policy("circle_owner")
def record_circle_page(request: HttpRequest, kind: str, record_id: str) -> HttpResponse:
    """Move one record to another of its owner's circles, or to the owner alone (audited).

    Only the owner's analysts and above (and platform administrators) reach it; the circles
    offered are the owner's own (``do_set_record_circle`` refuses any other).
    """
    user = _user(request)
    if user is None:
        return _to_login(request)
    record = _placeable_record(request, kind, record_id)
    owned = SharingCircle.objects.filter(owner_id=record.owner_id).order_by("name")
    form = RecordCircleForm(owned, request.POST if request.method == "POST" else None)
    form.fields["circle"].initial = record.circle_id
    if request.method == "POST" and form.is_valid():
        circles.do_set_record_circle(record, form.cleaned_data["circle"], user)
        return redirect("sharing:record_circle", kind=kind, record_id=record.pk)
    misplaced = record.circle is not None and record.circle.owner_id != record.owner_id
    if misplaced:
        record_denied(request.user, f"{kind}:{record_id}", CIRCLE_MISMATCH_REASON)
    context = {
        "record": record,
        "kind": kind,
        "form": form,
        "circles": owned.prefetch_related("members"),
        "misplaced": misplaced,
        "detail_url": _detail_url(kind, record),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "sharing/record_circle.html", context, status=status)
