"""The wholesale seeder gives the catalogue file's products their MOQ, case pack, tiers and
reorder level, once; every product's terms in the file are sound."""

from __future__ import annotations

from types import SimpleNamespace

import yaml
from sqlalchemy import func, select

from mercato.config import PROJECT_ROOT
from mercato.models.catalog import Product
from mercato.models.wholesale import PriceTier, WholesaleTerms
from mercato.wholesale import pricing, service
from mercato.wholesale.seed import seed_wholesale, terms_in

SEED = PROJECT_ROOT / "stores" / "wholesale" / "seed"


def _products() -> list[dict]:
    return yaml.safe_load((SEED / "catalog.yaml").read_text(encoding="utf-8"))["products"]


def test_every_product_in_the_file_has_sound_terms():
    rows = _products()
    assert len(rows) >= 40
    for row in rows:
        data = terms_in(row, row["price"])
        assert row.get("tiers"), row["sku"]
        service.check_terms_in(data)  # raises on a bad tier, MOQ or pack


async def test_seeder_creates_terms_once(wdb):
    rows = _products()
    for row in rows:
        wdb.add(Product(name=row["name"], slug=row["slug"], sku=row["sku"], price=row["price"]))
    await wdb.flush()
    ctx = SimpleNamespace(seed_dir=SEED)
    summary = await seed_wholesale(wdb, ctx)
    assert summary.startswith(f"{len(rows)} products given wholesale terms"), summary
    again = await seed_wholesale(wdb, ctx)
    assert again.startswith("0 products given"), again
    count = await wdb.scalar(select(func.count()).select_from(WholesaleTerms))
    assert count == len(rows)
    # The seed's worked example prices 100 units at ৳135 each
    example = await wdb.scalar(select(Product).where(Product.sku == "TX-JAM-01"))
    terms, row = await service.terms_for(wdb, example)
    assert row is not None and row.reorder_level == 60
    assert pricing.price_line(terms, 100).unit_price == 13500
    assert await wdb.scalar(select(func.count()).select_from(PriceTier)) >= 2 * len(rows)


async def test_products_are_drawn_as_their_packages_once(wdb, wholesale, tmp_path):
    """The catalogue seeder's phials become bales, sacks and cartons with the product's
    name; a second run draws nothing and a photo staff uploaded is never replaced."""
    from mercato.catalog.seed import seed_catalog
    from mercato.models.catalog import ProductImage
    from mercato.platform.files import LocalStorage
    from mercato.platform.seeding import SeedContext

    ctx = SeedContext(
        config=wholesale.config,
        settings=wholesale.settings,
        seed_dir=SEED,
        storage=LocalStorage(tmp_path, url_prefix="/files"),
    )
    await seed_catalog(wdb, ctx)
    summary = await seed_wholesale(wdb, ctx)
    rows = _products()
    assert summary.endswith(f"{len(rows)} package pictures"), summary
    images = list(await wdb.scalars(select(ProductImage)))
    assert len(images) == len(rows) and all(i.is_primary for i in images)
    assert not [i for i in images if "phial" in i.alt_text]
    example = await wdb.scalar(select(Product).where(Product.sku == "TX-JAM-01"))
    mine = next(i for i in images if i.product_id == example.id)
    assert mine.alt_text == "Jamdani Cotton Orna packed for delivery, labelled TX-JAM-01"
    assert mine.variants and all(v["key"].endswith(".webp") for v in mine.variants)
    assert (tmp_path / mine.variants[0]["key"]).stat().st_size < 40_000
    again = await seed_wholesale(wdb, ctx)
    assert again.endswith(" 0 package pictures"), again
