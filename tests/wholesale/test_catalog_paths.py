"""Catalogue URL segments per store (store.toml ``[catalog]``): Atelier Arôme keeps its
``/essences`` and ``/humours``; the wholesale store writes and answers ``/products`` and
``/categories``; the rule that renames the first segment is exact."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from mercato.platform.runtime import rename_first_segment
from mercato.platform.stores import CatalogPaths
from tests.wholesale.conftest import ROOT

RENAMES = {"essences": "products", "humours": "categories"}


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("essences", "products"),
        ("essences/jute-sack", "products/jute-sack"),
        ("essences?note=rose", "products?note=rose"),
        ("essences#top", "products#top"),
        ("humours/groceries", "categories/groceries"),
        ("essences-of-bengal", "essences-of-bengal"),  # only the whole segment
        ("api/v1/products", "api/v1/products"),
        ("admin/catalog/essences", "admin/catalog/essences"),  # only the first segment
        ("", ""),
    ],
)
def test_the_first_segment_is_renamed_exactly(relative, expected):
    assert rename_first_segment(relative, RENAMES) == expected


def test_catalogue_paths_are_checked():
    assert CatalogPaths().renamed() == {}  # Atelier's names are the defaults
    with pytest.raises(ValidationError):
        CatalogPaths(products_path="Products/All")
    with pytest.raises(ValueError, match="must differ"):
        CatalogPaths(products_path="goods", categories_path="goods").renamed()


async def test_atelier_keeps_its_urls(client):
    page = await client.get("/atelier-arome/essences")
    assert page.status_code == 200
    assert re.search(r'rel="canonical" href="[^"]*/atelier-arome/essences"', page.text)
    assert 'action="/atelier-arome/essences"' in page.text  # the filter form
    assert (await client.get("/atelier-arome/products")).status_code == 404


async def test_wholesale_writes_and_answers_its_own_paths(
    client, wholesale, make_product, monkeypatch
):
    # store.toml's [catalog] as the runtime reads it (set here too, so the mechanism is
    # tested whatever the file says)
    monkeypatch.setattr(wholesale, "catalog_renames", RENAMES)
    monkeypatch.setattr(wholesale, "catalog_routes", {v: k for k, v in RENAMES.items()})
    product = await make_product(name="Jute Hessian Sack")
    listing = await client.get(f"{ROOT}/products")
    assert listing.status_code == 200
    assert f'href="{ROOT}/products/{product.slug}"' in listing.text
    assert f'href="{ROOT}/essences/' not in listing.text
    assert f'href="{ROOT}/humours/' not in listing.text
    page = await client.get(f"{ROOT}/products/{product.slug}")
    assert page.status_code == 200
    assert f'<link rel="canonical" href="http://testserver{ROOT}/products/{product.slug}"' in (
        page.text
    ) or re.search(rf'rel="canonical" href="[^"]*{ROOT}/products/{product.slug}"', page.text)
    assert 'href="' + ROOT + '/products"' in page.text  # the breadcrumb
    home = await client.get(f"{ROOT}/")
    category = re.search(rf'href="{ROOT}/categories/([a-z0-9-]+)"', home.text)
    if category:
        assert (await client.get(f"{ROOT}/categories/{category.group(1)}")).status_code == 200
