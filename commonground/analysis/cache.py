"""Cached answers for aggregate endpoints, safe across users and never older than the data.

Why: on a two-core field server even a small Django page costs 4-5 ms, and summing figures
costs 5-40 ms more; a cache hit that skips the work is the only way to hundreds of requests a
second for the map's and the API's aggregates (docs/performance.md).

Every key holds:

- the data generation's stamp (``figures.generation``), renewed by every import, refresh and
  write to events, registries or organizations, so a cached answer is never older than the data;
- the viewer's *visibility signature*: a digest of the exact condition the access policy puts
  on owned records for this viewer (``sharing.policy.owned_records_filter``). Viewers whose
  conditions are the same see the same records and may share an answer; any difference in
  role, organization or sharing agreement gives another key;
- the language and the full address (scheme, host, path and query string).

Whole HTML pages also show who is signed in (and carry their CSRF token), so they are cached
for anonymous visitors only; JSON answers and fragments carry nothing personal.

``COMMONGROUND_RESPONSE_CACHE=false`` switches all of this off (docs/settings.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from commonground.analysis.figures import generation
from commonground.sharing.policy import AnyUser, owned_records_filter, viewer_for

#: Cached answers expire after this long even if nothing changed (memory, not correctness).
TIMEOUT_SECONDS = 3600

#: Larger answers are not cached: a few of them would push everything else out of memory.
MAX_CACHED_BYTES = 2 * 1024 * 1024

T = TypeVar("T")
V = TypeVar("V", bound=Callable[..., HttpResponse])


def enabled() -> bool:
    return bool(settings.COMMONGROUND_RESPONSE_CACHE)


def visibility_signature(user: AnyUser | None) -> str:
    """A digest of what the access policy lets this viewer see (``all`` for administrators)."""
    condition = owned_records_filter(viewer_for(user))
    if condition is None:
        return "all"
    # str(Q) spells out every condition with its values (owners, levels, licences).
    return hashlib.sha256(str(condition).encode()).hexdigest()[:32]


#: The anonymous visitor's signature, kept for one data generation: every write that could
#: change what the policy gives anyone (organizations, agreements) renews the generation.
_anonymous: dict[str, str] = {}


def _signature(user: AnyUser | None, stamp: str) -> str:
    if user is not None and user.is_authenticated:
        return visibility_signature(user)
    if stamp not in _anonymous:
        _anonymous.clear()
        _anonymous[stamp] = visibility_signature(None)
    return _anonymous[stamp]


def key_for(kind: str, user: AnyUser | None, *parts: object) -> str:
    """A cache key: kind, data generation, visibility, language, then the caller's parts."""
    detail = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    language = translation.get_language() or settings.LANGUAGE_CODE
    stamp = generation()
    return f"cg:{kind}:{stamp}:{_signature(user, stamp)}:{language}:{detail}"


def cached_value(name: str, user: AnyUser | None, compute: Callable[[], T], *parts: object) -> T:
    """``compute()``, or what it answered before for the same viewer, data and parts."""
    if not enabled():
        return compute()
    key = key_for(f"value:{name}", user, *parts)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT_SECONDS)
    return found  # type: ignore[no-any-return]  # what compute() returned for this key


#: Set on the request by ``cached_response``: the key the answer cache middleware stores the
#: finished response under (after every inner middleware has added its headers).
KEY_ATTRIBUTE = "answer_cache_key"


def plainly_anonymous(request: HttpRequest) -> bool:
    """No session cookie and no token: the request can only be anonymous."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and (
        "authorization" not in request.headers
    )


def answer_address(request: HttpRequest) -> str:
    """What a cached answer is stored under: scheme, host, path and query.

    The host is part of it because some answers name themselves (the API's ``next`` and
    ``previous`` page links): a server reached by two names must not mix them up.
    """
    return request.build_absolute_uri()


def rebuilt(found: tuple[bytes, list[tuple[str, str]]]) -> HttpResponse:
    content, headers = found
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def cached_answer(request: HttpRequest, anonymous_only: bool = False) -> HttpResponse | None:
    """The cached answer to this GET for this viewer, or None (and mark the answer to store).

    For django-ninja operations, which cannot be wrapped (ninja reads their annotations):
    ``if (hit := cached_answer(request)) is not None: return hit``.
    """
    signed_in = request.user.is_authenticated
    if not enabled() or request.method != "GET" or (anonymous_only and signed_in):
        return None
    key = key_for("response", request.user, answer_address(request))
    found = cache.get(key)
    if found is not None:
        return rebuilt(found)
    setattr(request, KEY_ATTRIBUTE, key)
    return None


def cached_response(anonymous_only: bool = False) -> Callable[[V], V]:
    """Cache a GET view's successful answers per viewer visibility, language, path and data.

    ``anonymous_only``: for whole pages, which show the signed-in person; others pass through.
    The :class:`AnswerCacheMiddleware` stores the finished response.
    """

    def decorate(view: V) -> V:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            found = cached_answer(request, anonymous_only)
            return found if found is not None else view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]  # same signature as the view

    return decorate


class AnswerCacheMiddleware:
    """Store answers ``cached_response`` marked; serve anonymous hits before the heavy layers.

    Placed right after ``LocaleMiddleware`` (the language is known), before URL resolution,
    CSRF, authentication and messages: an anonymous hit then costs about what a static file
    does. Requests with a session cookie or a token go on to the view, whose decorator answers
    them from the cache under their own visibility.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = answer_address(request)
        # Only paths answered from the cache before cost the read of the data generation.
        found = self.hit(path) if self.fast_path(request, path) else None
        if found is not None:
            return found
        response = self.get_response(request)
        key = getattr(request, KEY_ATTRIBUTE, None)
        if key and self.storable(request, response):
            headers = [(name, value) for name, value in response.items()]
            cache.set(key, (response.content, headers), TIMEOUT_SECONDS)
            cache.set(self.marker(path), True, TIMEOUT_SECONDS)
        return response

    def fast_path(self, request: HttpRequest, path: str) -> bool:
        return (
            enabled()
            and request.method == "GET"
            and plainly_anonymous(request)
            and bool(cache.get(self.marker(path)))
        )

    @staticmethod
    def hit(path: str) -> HttpResponse | None:
        found = cache.get(key_for("response", None, path))
        return None if found is None else rebuilt(found)

    @staticmethod
    def marker(path: str) -> str:
        return f"cg:cacheable:{hashlib.sha256(path.encode()).hexdigest()[:32]}"

    @staticmethod
    def storable(request: HttpRequest, response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # a page with a form token
            and len(response.content) <= MAX_CACHED_BYTES
        )
