"""The wholesale theme's product page is the catalogue's page with blocks overridden
(``{% extends "core/catalog/product.html" %}``): the catalogue's layout stays, the offer
leaves the page head for who may not see prices, and the wholesale parts come in."""

from __future__ import annotations

import json
import re

from tests.wholesale.conftest import ROOT, signin


def _jsonld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


async def test_the_theme_overrides_blocks_of_the_catalogue_page(client, make_product, make_buyer):
    product = await make_product(name="Jute Hessian Sack")
    await make_buyer("pending-theme@example.com", status="pending")
    await make_buyer("verified-theme@example.com")
    url = f"{ROOT}/essences/{product.slug}"
    visitor = (await client.get(url)).text
    # The catalogue's own layout (breadcrumbs, gallery, summary) with the theme's blocks
    assert 'class="breadcrumbs"' in visitor and 'class="product-summary"' in visitor
    assert "Specifications" in visitor and "Botanical record" not in visitor
    assert "Verify your business" in visitor and "MOQ 10 units" in visitor
    assert "product:price:amount" not in visitor and "offers" not in _jsonld(visitor)
    assert 'class="add-to-cart"' not in visitor
    await signin(client, "pending-theme@example.com")
    pending = (await client.get(url)).text
    assert "offers" not in _jsonld(pending) and 'class="add-to-cart"' not in pending

    client.cookies.clear()
    await signin(client, "verified-theme@example.com")
    verified = (await client.get(url)).text
    assert _jsonld(verified)["offers"]["price"] == "145.00"
    assert 'property="product:price:amount" content="145.00"' in verified
    assert 'class="add-to-cart"' in verified and "Verify your business" not in verified
    assert "Volume tiers" in verified


async def test_atelier_keeps_its_own_product_page(client):
    """The blocks' defaults are the catalogue's page: Atelier's layout has no theme file."""
    from mercato.config import PROJECT_ROOT

    theme = PROJECT_ROOT / "stores" / "atelier-arome" / "theme" / "templates" / "catalog"
    assert not (theme / "product.html").exists()
    wholesale_page = PROJECT_ROOT / "stores/wholesale/theme/templates/catalog/product.html"
    assert '{% extends "core/catalog/product.html" %}' in wholesale_page.read_text()


async def test_the_catalogue_speaks_wholesale_and_atelier_keeps_its_words(
    client, make_product, make_buyer
):
    await make_product(name="Jute Hessian Sack")
    listing = (await client.get(f"{ROOT}/essences")).text
    assert "All products" in listing and "1 product" in listing
    for atelier in ("The essences", "Scent note", "Rarity", "Search the folio", "Curator"):
        assert atelier not in listing, atelier
    # No price filter or price order for who may not see prices (the gate refuses them)
    assert 'name="min_price"' not in listing and 'value="price_asc"' not in listing
    await make_buyer("verified-list@example.com")
    await signin(client, "verified-list@example.com")
    verified = (await client.get(f"{ROOT}/essences")).text
    assert 'name="min_price"' in verified and 'value="price_asc"' in verified
    empty = (await client.get(f"{ROOT}/essences", params={"q": "zzzznothing"})).text
    assert "No products found" in empty and "No product answers to this." in empty
    atelier = (await client.get("/atelier-arome/essences")).text
    assert "The essences" in atelier and "Scent note" in atelier
