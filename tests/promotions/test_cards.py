"""Catalogue promotions on listing cards: the promoted price with the original struck
through on the search and category pages, drawn by the cards' module hook in a number of
queries that does not grow with the promoted products."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from mercato.models.promotions import Promotion
from tests.audio import support

SLUG = "audio-tai-loc"
CATEGORY = "Loa thử khuyến mãi"


@pytest.fixture
def audio(app):
    return app.state.runtimes[SLUG]


@pytest.fixture
async def adb(audio):
    async with audio.db.session(write=True) as session:
        yield session


async def _promoted(adb, name: str, *, price: int, percent_bp: int):
    product = await support.product(adb, name, price=price, categories=(CATEGORY,))
    adb.add(
        Promotion(name=f"Giảm {name}", kind="percent", value=percent_bp, product_ids=[product.id])
    )
    await adb.flush()
    return product


def _card_of(html: str, name: str) -> str:
    """The <article> of the card whose title is ``name``."""
    for article in re.findall(r"<article class=\"product-card.*?</article>", html, re.S):
        if name in article:
            return article
    raise AssertionError(f"no card for {name}")


async def test_cards_show_the_promoted_price_and_strike_the_original(client, adb):
    # Given a speaker at 10 % off and one without a promotion
    await _promoted(adb, "Loa khuyến mãi KM-1", price=12_500_000, percent_bp=1000)
    await support.product(adb, "Loa giá thường KM-2", price=3_000_000, categories=(CATEGORY,))
    await adb.commit()
    for url in (f"/{SLUG}/danh-muc/loa-thu-khuyen-mai", f"/{SLUG}/tim-kiem?q=km"):
        # When a shopper opens the category page or searches
        page = await client.get(url)
        assert page.status_code == 200, page.text[:300]
        # Then the promoted card shows the new price and strikes the old one
        promoted = _card_of(page.text, "Loa khuyến mãi KM-1")
        promo_line = re.search(
            r'<p class="price price-promoted card-promo">.*?</p>', promoted, re.S
        )
        assert promo_line is not None
        assert "11.250.000" in promo_line.group(0)
        assert re.search(r"<s class=\"price-was\">.*12\.500\.000.*</s>", promo_line.group(0), re.S)
        assert "−10%" in promo_line.group(0)
        # And the other card keeps its plain price, with nothing struck through
        plain = _card_of(page.text, "Loa giá thường KM-2")
        assert "3.000.000" in plain and "price-promoted" not in plain


async def _count_queries(audio, client, url: str) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = audio.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = await client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text[:300]
    return len(statements)


async def test_the_query_count_does_not_grow_with_the_promoted_products(client, adb, audio):
    # Given one promoted speaker in the category
    await _promoted(adb, "Loa khuyến mãi Q-0", price=5_000_000, percent_bp=500)
    await adb.commit()
    url = f"/{SLUG}/danh-muc/loa-thu-khuyen-mai"
    one = await _count_queries(audio, client, url)
    # When eight more speakers, each with a promotion of its own, join it
    for n in range(1, 9):
        await _promoted(adb, f"Loa khuyến mãi Q-{n}", price=5_000_000 + n, percent_bp=500 + n)
    await adb.commit()
    nine = await _count_queries(audio, client, url)
    page = await client.get(url)
    assert page.text.count('class="price price-promoted card-promo"') == 9
    # Then the page takes the same number of queries (15 on SQLite when written, two of
    # them the promotions: the active promotions, the cards' categories)
    assert nine == one <= 15
