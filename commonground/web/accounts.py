"""Accounts: your memberships and API tokens; organizations and, for their admins, members.

What a user may see or change is decided by ``sharing.policy`` (``may_see_members``,
``may_manage_members``, ``grantable_roles``); the writes are ``sharing.services`` ``do_*``
functions, each audited. A refused change is named in the page and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commonground.sharing import services
from commonground.sharing.models import (
    API_TOKEN_NAME_LENGTH,
    ApiToken,
    Membership,
    Organization,
    Role,
)
from commonground.sharing.policy import (
    access_members,
    grantable_roles,
    locked_members,
    may_change_member,
    may_manage_members,
    may_see_members,
    policy,
    record_denied,
    viewer_for,
)


def signed_in_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def to_login(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.views import redirect_to_login

    return redirect_to_login(request.get_full_path())


# --- Signing in --------------------------------------------------------------------------------


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any]
) -> HttpResponse:
    """django-axes' answer once a user name and address failed too often (status 429).

    Says how long to wait, in the reader's language; never whether the user name exists.
    """
    from django.conf import settings

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


# --- Your password -----------------------------------------------------------------------------


class PasswordChange(auth_views.PasswordChangeView):
    """Change your own password (old one first); audited; you stay signed in here only.

    Other sessions of the account end, as Django does when the password changes.
    """

    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:password_change_done")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        user = form.user
        services.do_change_password(user, form.cleaned_data["new_password1"], actor=user)
        update_session_auth_hash(self.request, user)
        return redirect(self.get_success_url())


password_change = policy("signed_in")(PasswordChange.as_view())
password_change_done = policy("signed_in")(
    auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html")
)


# --- Your account ------------------------------------------------------------------------------


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("What the token is for"), max_length=API_TOKEN_NAME_LENGTH
    )


@policy("signed_in")
def account_page(request: HttpRequest) -> HttpResponse:
    """Who you are, where you belong with which role, and your API tokens (create, revoke)."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    context: dict[str, Any] = {"form": TokenForm(), "new_token": None}
    if request.method == "POST":
        context.update(token_action(request, user))
    context["memberships"] = (
        Membership.objects.filter(user=user).select_related("organization").order_by("organization")
    )
    context["tokens"] = ApiToken.objects.filter(user=user)
    return render(request, "web/account.html", context, status=context.pop("status", 200))


def token_action(request: HttpRequest, user: User) -> dict[str, Any]:
    """Create or revoke one of the user's own tokens; another user's token is not found."""
    if request.POST.get("action") == "revoke":
        token = ApiToken.objects.filter(user=user, pk=request.POST.get("token") or 0).first()
        if token is None:
            return {"error": _("No such token."), "status": 404}
        services.do_revoke_api_token(token, actor=user)
        return {"message": _("Token %(prefix)s… revoked.") % {"prefix": token.prefix}}
    form = TokenForm(request.POST)
    if not form.is_valid():
        return {"form": form, "status": 400}
    _token, plaintext = services.do_create_api_token(user, form.cleaned_data["name"], actor=user)
    return {"new_token": plaintext}


# --- Organizations -----------------------------------------------------------------------------


@policy("signed_in")
def organization_list(request: HttpRequest) -> HttpResponse:
    """The organizations working on the platform, yours first; member counts where you may know.

    An organization with no members (one the registries name as present in the field, such as
    an armed force) does not work here, so it is not listed; yours always are.
    """
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    viewer = viewer_for(user)
    organizations = sorted(
        Organization.objects.filter(
            Q(memberships__isnull=False) | Q(pk__in=list(viewer.roles))
        ).distinct(),
        key=lambda org: (org.pk not in viewer.roles, org.name.casefold()),
    )
    rows = [
        {
            "organization": organization,
            "role": Role(viewer.roles[organization.pk]).label
            if organization.pk in viewer.roles
            else "",
            "members": (
                organization.memberships.count() if may_see_members(user, organization.pk) else None
            ),
        }
        for organization in organizations
    ]
    return render(request, "web/organizations.html", {"rows": rows})


class NewMemberForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=300, required=False)
    password = forms.CharField(
        label=gettext_lazy("First password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Give it to them in person; they should change it."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"))

    def __init__(self, roles: list[Role], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = [(r.value, r.label) for r in roles]


@policy("signed_in")
def organization_page(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization; its members for members; adding, re-roling, removing for its admins."""
    user = signed_in_user(request)
    if user is None:
        return to_login(request)
    organization = get_object_or_404(Organization, slug=slug)
    roles = grantable_roles(user, organization.pk)
    context: dict[str, Any] = {"organization": organization, "roles": roles, "status": 200}
    context["form"] = NewMemberForm(roles)
    if request.method == "POST":
        if not may_manage_members(user, organization.pk):
            record_denied(user, f"organization:{organization.slug}", "may not manage members")
            raise PermissionDenied(_("You may not manage this organization's members."))
        outcome = member_action(request, user, organization, roles)
        if outcome is None:
            return redirect("web:organization", slug=organization.slug)
        context.update(outcome)
    context["may_see"] = may_see_members(user, organization.pk)
    context["may_manage"] = may_manage_members(user, organization.pk)
    context["members"] = members = access_members(user, organization.pk)
    context["locked"] = locked_members(user, members)
    status = context.pop("status")
    return render(request, "web/organization.html", context, status=status)


def member_action(
    request: HttpRequest, user: User, organization: Organization, roles: list[Role]
) -> dict[str, Any] | None:
    """Apply one POSTed change; None when it succeeded (the page redirects), else the error."""
    action = request.POST.get("action")
    try:
        with transaction.atomic():
            if action == "add":
                return add_member(request, user, organization, roles)
            membership = posted_membership(request, organization)
            if membership is None:
                return {"error": _("No such member."), "status": 404}
            if not may_change_member(user, membership):
                reason = "may not change a platform administrator's membership"
                record_denied(user, f"membership:{membership.pk}", reason)
                return {"error": _("Only a platform administrator may change that."), "status": 403}
            if action == "remove":
                services.do_remove_member(membership, actor=user)
                return None
            role = request.POST.get("role", "")
            if role not in {r.value for r in roles}:
                return {"error": _("You may not give that role."), "status": 400}
            services.do_set_member_role(membership, Role(role), actor=user)
    except services.MembershipRefused as exc:
        return {"error": str(exc), "status": 400}
    return None


def posted_membership(request: HttpRequest, organization: Organization) -> Membership | None:
    """The membership a form names, if it is one of this organization's; never another's."""
    try:
        key = uuid.UUID(request.POST.get("membership", ""))
    except ValueError:
        return None
    return Membership.objects.filter(organization=organization, pk=key).first()


def add_member(
    request: HttpRequest, user: User, organization: Organization, roles: list[Role]
) -> dict[str, Any] | None:
    form = NewMemberForm(roles, request.POST)
    if not form.is_valid():
        return {"form": form, "status": 400}
    data = form.cleaned_data
    try:
        services.do_create_member(
            data["username"],
            data["full_name"],
            data["password"],
            organization,
            Role(data["role"]),
            actor=user,
        )
    except ValidationError as exc:
        form.add_error("password", exc)
        return {"form": form, "status": 400}
    except services.MembershipRefused as exc:
        form.add_error("username", str(exc))
        return {"form": form, "status": 400}
    return None
