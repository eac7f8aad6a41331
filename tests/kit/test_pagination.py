"""The pager's page numbers: short whatever the number of pages."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mercato.kit.pagination import Page


def _page(page: int, pages: int) -> Page[int]:
    return Page(items=[], total=pages * 10, page=page, per_page=10)


def test_window_of_a_long_list():
    assert _page(1, 4167).window() == [1, 2, 3, None, 4167]
    assert _page(50, 4167).window() == [1, None, 48, 49, 50, 51, 52, None, 4167]
    assert _page(4167, 4167).window() == [1, None, 4165, 4166, 4167]


def test_window_of_a_short_list_shows_every_page():
    assert _page(2, 4).window() == [1, 2, 3, 4]
    assert _page(1, 1).window() == [1]


@given(pages=st.integers(1, 100_000), data=st.data())
def test_window_is_short_ordered_and_holds_the_ends_and_the_current_page(pages, data):
    page = data.draw(st.integers(1, pages))
    window = _page(page, pages).window()
    numbers = [n for n in window if n is not None]
    assert numbers == sorted(set(numbers))
    assert {1, pages, page} <= set(numbers)
    assert len(window) <= 9
    assert all(a is not None or b is not None for a, b in zip(window, window[1:], strict=False))
