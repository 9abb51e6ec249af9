"""Who is calling the API: a bearer token, a browser session, or nobody.

Each operation lists the ways it accepts, tried in order; the first that answers wins:

1. ``Authorization: Bearer <token>``: a script. A header that is present but not a valid, active
   token is refused (401) rather than treated as anonymous, so a script learns at once that its
   token was revoked instead of silently seeing public data only.
2. The session cookie of a signed-in browser. Unsafe methods (POST, PUT, PATCH, DELETE) must carry
   Django's CSRF token, as forms do; a bearer token needs none (browsers never send it by
   themselves).
3. Nobody (read routes only): an anonymous caller, who sees public records only.

Whichever answers, ``request.user`` is the person the access policy judges, and
``request.auth`` is that user too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from commonground.sharing.services import do_record_repeatable, use_api_token

#: Methods that change something; a browser session must prove them with a CSRF token.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BearerToken(HttpBearer):
    """An API token made with ``commonground token create`` or ``POST /api/v1/me/tokens``."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if header is None:
            return None  # not this scheme: try the next one
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            raise AuthenticationError(message="the Authorization header must be 'Bearer <token>'")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        record = use_api_token(token)
        if record is None:
            # Audited like a failed sign-in; repeats are counted on one row (bounded).
            do_record_repeatable(
                "api_token.refused",
                None,
                "api_token",
                {"address": str(request.META.get("REMOTE_ADDR", ""))},
            )
            raise AuthenticationError(message="invalid or revoked API token")
        request.user = record.user
        request.api_token = record  # type: ignore[attr-defined]  # read by /me
        return record.user


class SessionCookie(APIKeyCookie):
    """A signed-in browser: Django's session cookie, with CSRF checked on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)  # checked below, after we know someone is signed in

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method in UNSAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return user


def anonymous(request: HttpRequest) -> Any:
    """Nobody signed in: allowed on read routes; the access policy shows public records only."""
    request.user = AnonymousUser()
    return request.user


Auth = Callable[[HttpRequest], Any]

#: Read routes: a token, a session, or anonymous.
READ: list[Auth] = [BearerToken(), SessionCookie(), anonymous]

#: Routes for signed-in users only: a token or a session.
SIGNED_IN: list[Auth] = [BearerToken(), SessionCookie()]

#: Routes that only a person in a browser may use (never a token: a leaked token must not be
#: able to mint new ones).
SESSION_ONLY: list[Auth] = [SessionCookie()]

#: Added to each read route's OpenAPI ``security``: the empty requirement means "or none".
ANONYMOUS_ALLOWED: dict[str, Any] = {"security": [{}]}


def auth_method(request: HttpRequest) -> Literal["token", "session"] | None:
    """How the caller authenticated: ``token``, ``session`` or ``None`` (anonymous)."""
    if getattr(request, "api_token", None) is not None:
        return "token"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return "session"
    return None
