"""One page of a list, for every paginated page and API in the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
MAX_PAGE = 100_000


@dataclass
class Page(Generic[T]):
    """The items of one page with what a template needs to draw the pager."""

    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers for a pager: the first, the last and ``around`` on each side of the
        current page, ``None`` where pages are skipped; a long list stays a short pager."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out

    @property
    def first_index(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def page_number(raw: Any) -> int:
    """A page number from the query string; nonsense means the first page, never a 500."""
    try:
        value = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(value, 1), MAX_PAGE)


async def paginate(
    db: AsyncSession,
    stmt: Select[Any],
    page: int,
    per_page: int,
    *,
    clamp: bool = False,
    count: Select[Any] | None = None,
) -> Page[Any]:
    """Run ``stmt`` for one page plus one COUNT. ``clamp`` moves a page past the end to
    the last page (lists people page through) instead of showing it empty. ``count`` is a
    cheaper statement for the total when the caller has one (without the joins that only
    load related rows for display)."""
    if count is None:
        count = select(func.count()).select_from(stmt.order_by(None).subquery())
    total = int(await db.scalar(count) or 0)
    if clamp:
        page = min(page, max(1, -(-total // per_page)))
    rows = list(await db.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=rows, total=total, page=page, per_page=per_page)
