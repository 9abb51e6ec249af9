"""Paging for every list: ``page`` and ``page_size`` in, ``count``, ``next``, ``previous`` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from ninja import Schema
from pydantic import Field

from commonground.core.paging import CountedPaginator

#: The largest page a caller may ask for; a bigger export is ``commonground export``'s job.
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class Paging(Schema):
    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page, 1 to {MAX_PAGE_SIZE}.",
    )


class Page(Schema, Generic[T]):
    count: int = Field(description="How many items match, on every page.")
    next: str | None = Field(description="URL of the next page, or null on the last one.")
    previous: str | None = Field(description="URL of the previous page, or null on the first.")
    results: list[T]


def page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(
    request: HttpRequest,
    items: QuerySet[M] | Sequence[M],
    paging: Paging,
    serialize: Callable[[M], Any],
    count: int | None = None,
) -> dict[str, Any]:
    """One page of ``items``; a page past the last is a 404 (page 1 always exists).

    ``count``: the number of items when the caller knows it without counting them.
    """
    paginator = (
        Paginator(items, paging.page_size)
        if count is None
        else CountedPaginator(items, paging.page_size, count)
    )
    try:
        page = paginator.page(paging.page)
    except EmptyPage as exc:
        raise Http404(
            f"page {paging.page} does not exist; the last page is {paginator.num_pages}"
        ) from exc
    return {
        "count": paginator.count,
        "next": page_url(request, page.next_page_number()) if page.has_next() else None,
        "previous": page_url(request, page.previous_page_number()) if page.has_previous() else None,
        "results": [serialize(item) for item in page.object_list],
    }
