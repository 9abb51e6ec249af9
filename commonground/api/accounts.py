"""``/me``: who is calling, their organizations and roles, and their API tokens."""

from __future__ import annotations

import datetime
from typing import Literal

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest
from ninja import P, PathEx, Router, Schema
from ninja.responses import Status
from pydantic import Field

from commonground.api.auth import ANONYMOUS_ALLOWED, READ, SESSION_ONLY, SIGNED_IN, auth_method
from commonground.api.errors import ErrorEnvelope
from commonground.api.schemas import MAX_INTEGER_ID
from commonground.sharing.models import API_TOKEN_NAME_LENGTH, ApiToken, Membership, Role
from commonground.sharing.policy import policy, viewer_for
from commonground.sharing.services import do_create_api_token, do_revoke_api_token

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organization: str = Field(description="The organization's slug.")
    name: str
    acronym: str
    role: Role


class TokenOut(Schema):
    id: int
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart.")
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class MeOut(Schema):
    authenticated: bool
    auth: Literal["session", "token"] | None = Field(description="How this request signed in.")
    username: str | None
    full_name: str | None
    is_platform_admin: bool
    organizations: list[MembershipOut]
    token: TokenOut | None = Field(description="The token this request used, if any.")


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=API_TOKEN_NAME_LENGTH, pattern=r"\S")


class NewTokenOut(TokenOut):
    token: str = Field(description="The token itself. Shown this once: it is not stored.")


def token_out(token: ApiToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


def signed_in_user(request: HttpRequest) -> User:
    """The caller; the operation's auth already refused anyone not signed in."""
    user = request.user
    assert isinstance(user, User)
    return user


@router.get(
    "/me", response={200: MeOut, 401: ErrorEnvelope}, auth=READ, openapi_extra=ANONYMOUS_ALLOWED
)
@policy("public")
def me(request: HttpRequest) -> MeOut:
    """Who you are to the API: anonymous, or a user with organizations and roles."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return MeOut(
            authenticated=False,
            auth=None,
            username=None,
            full_name=None,
            is_platform_admin=False,
            organizations=[],
            token=None,
        )
    memberships = Membership.objects.filter(user=user).select_related("organization")
    token: ApiToken | None = getattr(request, "api_token", None)
    return MeOut(
        authenticated=True,
        auth=auth_method(request),
        username=user.get_username(),
        full_name=user.get_full_name() or None,
        is_platform_admin=viewer_for(user).is_platform_admin,
        organizations=[
            MembershipOut(
                organization=m.organization.slug,
                name=m.organization.name,
                acronym=m.organization.acronym,
                role=Role(m.role),
            )
            for m in memberships.order_by("organization__name")
        ],
        token=token_out(token) if token else None,
    )


@router.get("/me/tokens", response={200: list[TokenOut], 401: ErrorEnvelope}, auth=SIGNED_IN)
@policy("signed_in")
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    """Your API tokens, newest first, revoked ones included (never the tokens themselves)."""
    return [token_out(t) for t in ApiToken.objects.filter(user=signed_in_user(request))]


@router.post(
    "/me/tokens",
    response={201: NewTokenOut, frozenset({401, 403, 422}): ErrorEnvelope},
    auth=SESSION_ONLY,
)
@policy("signed_in")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[NewTokenOut]:
    """Create a token for scripts, from a signed-in browser session (with its CSRF token).

    The answer holds the token once; only its SHA-256 is kept. A token cannot create tokens.
    """
    user = signed_in_user(request)
    token, plaintext = do_create_api_token(user, payload.name, actor=user)
    return Status(201, NewTokenOut(**token_out(token).model_dump(), token=plaintext))


@router.delete(
    "/me/tokens/{token_id}",
    response={200: TokenOut, frozenset({401, 403, 404, 422}): ErrorEnvelope},
    auth=SIGNED_IN,
)
@policy("signed_in")
def revoke_token(
    request: HttpRequest, token_id: PathEx[int, P(ge=1, le=MAX_INTEGER_ID)]
) -> TokenOut:
    """Revoke one of your tokens (a token may revoke itself). Someone else's is a 404."""
    user = signed_in_user(request)
    token = ApiToken.objects.filter(pk=token_id, user=user).select_related("user").first()
    if token is None:
        raise Http404("No such token.")
    return token_out(do_revoke_api_token(token, actor=user))
