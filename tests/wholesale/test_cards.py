"""Product cards of the wholesale store (the catalogue's ``Module.product_cards`` hook): the
MOQ badge and case pack on every card, the best volume price only for who may see wholesale
prices; other stores' cards are untouched."""

from __future__ import annotations

import re

from tests.wholesale.conftest import ROOT, signin


def _card(html: str, name: str) -> str:
    for card in re.findall(r'<article class="product-card.*?</article>', html, re.S):
        if name in card:
            return card
    raise AssertionError(f"no card for {name}")


async def _listing(client) -> str:
    for segment in ("essences", "products"):
        response = await client.get(f"{ROOT}/{segment}")
        if response.status_code == 200:
            return response.text
    raise AssertionError("no catalogue page")


async def test_cards_show_moq_and_case_pack_to_everyone(client, make_product, make_buyer):
    await make_product(name="Jute Hessian Sack", multiple=5)
    await make_buyer("pending-card@example.com", status="pending")
    for who in ("visitor", "pending"):
        if who == "pending":
            await signin(client, "pending-card@example.com")
        card = _card(await _listing(client), "Jute Hessian Sack")
        assert "MOQ 10" in card and "Cases of 5" in card, who
        assert "৳" not in card and "/unit from" not in card, who
        assert "Wholesale price for verified businesses" in card, who


async def test_cards_show_the_best_tier_price_to_verified_buyers(client, make_product, make_buyer):
    await make_product(name="Mustard Oil Tin")
    await make_buyer("verified-card@example.com")
    await signin(client, "verified-card@example.com")
    card = _card(await _listing(client), "Mustard Oil Tin")
    assert "MOQ 10" in card and "Cases of" not in card
    assert "৳145.00" in card  # the wholesale price
    assert "৳120.00/unit from 200" in card  # the best tier


async def test_other_stores_cards_have_no_wholesale_part(client):
    html = (await client.get("/atelier-arome/essences")).text
    assert 'class="product-card' in html or "No essences found" in html
    assert "card-wholesale" not in html
