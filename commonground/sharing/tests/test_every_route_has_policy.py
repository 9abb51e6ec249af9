"""A page or API route without a declared access policy fails the build."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from commonground.api import api
from commonground.sharing.policy import POLICIES, policy

pytestmark = pytest.mark.access

#: Django's admin checks staff status itself on every view (platform administrators only).
DELEGATED_NAMESPACES = {"admin"}


def page_views(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in DELEGATED_NAMESPACES or pattern.namespace == "api":
                continue
            yield from page_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def api_views() -> Iterator[tuple[str, Any]]:
    for prefix, router in api._routers:
        for path, operations in router.path_operations.items():
            for operation in operations.operations:
                yield f"api/v1/{prefix}{path}", operation.view_func


def test_every_page_declares_a_policy() -> None:
    views = list(page_views(get_resolver().url_patterns))
    assert views, "no pages found"
    missing = [path for path, view in views if getattr(view, "access_policy", None) not in POLICIES]
    assert missing == []


def test_every_api_route_declares_a_policy() -> None:
    views = list(api_views())
    assert views, "no API routes found"
    missing = [path for path, view in views if getattr(view, "access_policy", None) not in POLICIES]
    assert missing == []


def test_admin_refuses_everyone_but_platform_admins(client: Client, cast: dict[str, User]) -> None:
    """The admin is delegated to Django's staff check: prove it holds for the cast."""
    assert client.get("/admin/").status_code == 302
    client.force_login(cast["amina"])
    assert client.get("/admin/").status_code == 302
    client.force_login(cast["admin"])
    assert client.get("/admin/").status_code == 200


def test_a_view_carries_the_policy_it_declares_and_an_unknown_one_is_refused() -> None:
    def view() -> None:
        """A stand-in view: only the mark on it is read."""

    for name in POLICIES:
        assert policy(name)(view).access_policy == name  # type: ignore[attr-defined]  # the mark
    with pytest.raises(ValueError, match="unknown access policy 'everyone'"):
        policy("everyone")
