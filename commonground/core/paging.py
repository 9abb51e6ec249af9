"""Paging over a list whose size is already known.

Why: counting the rows a filter selects means visiting every one of them, which on a million
events takes most of a second, while the stored monthly figures (``analysis.figures``) give
the same number in milliseconds. Django's ``Paginator`` counts on first use; this one is told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.utils.functional import cached_property

if TYPE_CHECKING:  # django-stubs make Paginator generic; Django's own class is not subscriptable
    _Paginator = Paginator[Any]
else:
    _Paginator = Paginator


class CountedPaginator(_Paginator):
    """A ``Paginator`` that takes the number of items instead of counting them."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count
