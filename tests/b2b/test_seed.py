"""The wholesale store's demo data: the shared catalogue file holds together, and the b2b
seeder makes the sellers, the three verified buyers and the pending one, idempotently."""

from __future__ import annotations

from decimal import Decimal

import yaml
from sqlalchemy import func, select

from mercato.b2b import access
from mercato.b2b.seed import seed_b2b
from mercato.config import PROJECT_ROOT
from mercato.models import Product, User
from mercato.models.b2b import Company, ProductSeller
from mercato.platform.seeding import SeedContext, ensure_user
from mercato.platform.stores import discover_stores

SEED = PROJECT_ROOT / "stores" / "wholesale" / "seed"


def _catalog() -> dict:
    return yaml.safe_load((SEED / "catalog.yaml").read_text(encoding="utf-8"))


def test_the_catalogue_file_holds_together():
    data = _catalog()
    products = data["products"]
    categories = {c["slug"] for c in data["categories"]}
    sellers = {s["user"] for s in yaml.safe_load((SEED / "b2b.yaml").read_text())["sellers"]}
    assert len(products) >= 40
    assert len({p["sku"] for p in products}) == len(products)
    assert len({p["slug"] for p in products}) == len(products)
    assert {p["category"] for p in products} == categories
    for p in products:
        tiers = p["tiers"]
        assert tiers[0] == {"min_qty": p["moq"], "unit_price": p["price"]}, p["sku"]
        quantities = [t["min_qty"] for t in tiers]
        prices = [t["unit_price"] for t in tiers]
        assert quantities == sorted(set(quantities)), p["sku"]
        assert prices == sorted(prices, reverse=True), p["sku"]
        assert min(prices) > p["cost_price"], p["sku"]  # no tier sells at a loss
        assert p["moq"] % p["multiple"] == 0, p["sku"]  # the MOQ is whole case packs
        assert p["seller"] in sellers
        if "platform_profit_pct" in p:
            assert 0 <= Decimal(p["platform_profit_pct"]) <= 100
    below = [p["sku"] for p in products if p["stock"] < p["reorder_level"]]
    assert below == ["TX-JAN-14"]
    example = next(p for p in products if p["sku"] == "TX-JAM-01")
    assert example["cost_price"] == 8000
    assert [(t["min_qty"], t["unit_price"]) for t in example["tiers"]] == [
        (10, 14500),
        (50, 13500),
        (200, 12000),
    ]


async def test_the_b2b_seeder_makes_sellers_and_businesses_once(wdb, wholesale, wroles, tmp_path):
    from mercato.platform.files import LocalStorage

    config = next(s for s in discover_stores(PROJECT_ROOT / "stores") if s.slug == "wholesale")
    users = {}
    for demo in config.demo_users:
        user, _ = await ensure_user(
            wdb,
            wroles,
            email=demo.email,
            password=demo.password,
            name=demo.name,
            role_names=demo.roles,
        )
        users[user.email] = user
    # The catalogue seeder's products, without their drawn images.
    for row in _catalog()["products"]:
        wdb.add(Product(name=row["name"], slug=row["slug"], sku=row["sku"], price=row["price"]))
    await wdb.flush()
    ctx = SeedContext(
        config=config,
        settings=wholesale.settings,
        seed_dir=SEED,
        storage=LocalStorage(tmp_path, url_prefix="/files"),
        users=users,
    )
    summary = await seed_b2b(wdb, ctx)
    assert summary.startswith("2 sellers, 4 new companies, 45 products linked"), summary
    again = await seed_b2b(wdb, ctx)
    assert "0 new companies, 0 products linked" in again
    statuses = dict((await wdb.execute(select(Company.name, Company.status))).all())
    assert sorted(statuses.values()) == ["pending", "verified", "verified", "verified"]
    assert await wdb.scalar(select(func.count()).select_from(ProductSeller)) == 45

    async def user(email: str) -> User:
        return users[email]

    assert await access.is_verified_buyer(wdb, await user("buyer@wholesale.test"))
    assert not await access.is_verified_buyer(wdb, await user("pending@wholesale.test"))
    seller = await access.seller_for_user(wdb, await user("seller@wholesale.test"))
    other = await access.seller_for_user(wdb, await user("seller2@wholesale.test"))
    mine = await access.product_ids_of_seller(wdb, seller.id)
    theirs = await access.product_ids_of_seller(wdb, other.id)
    assert mine and theirs and not mine & theirs and len(mine | theirs) == 45
    seller_abilities = await access.abilities_for(wdb, await user("seller@wholesale.test"))
    assert seller_abilities.products == "own" and seller_abilities.seller_id == seller.id
