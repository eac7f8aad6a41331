"""The Qala demo seed: the brief's numbers (8+ brands, 2–3 collections each with lookbooks,
60+ products with sizes and images, press, 3 approved boutiques and 1 pending, one user per
brand) and idempotence (a second run adds nothing)."""

from __future__ import annotations

import yaml
from sqlalchemy import func, select

from mercato.config import PROJECT_ROOT
from mercato.models import Product, ProductImage
from mercato.models.brands import (
    Boutique,
    Brand,
    BrandCollection,
    BrandMember,
    BrandProduct,
    LookbookImage,
    PressFeature,
    ProductSize,
)
from mercato.platform.files import LocalStorage
from mercato.platform.seeding import SeedContext, ensure_user

SEED_DIR = PROJECT_ROOT / "stores" / "qala" / "seed"


async def _count(db, model) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def test_seed_loads_the_demo_and_a_second_run_adds_nothing(qdb, qala, qroles, tmp_path):
    # Given the users the seed refers to (store.toml makes them in a real store)
    data = yaml.safe_load((SEED_DIR / "brands.yaml").read_text(encoding="utf-8"))
    ctx = SeedContext(
        config=qala.config,
        settings=qala.settings,
        seed_dir=SEED_DIR,
        storage=LocalStorage(tmp_path, url_prefix="/qala/files"),
    )
    emails = [b["user"] for b in data["brands"]] + [b["user"] for b in data["boutiques"]]
    for email in emails:
        user, _ = await ensure_user(
            qdb, qroles, email=email, password="x", name=email, role_names=["customer"]
        )
        ctx.users[user.email] = user
    from mercato.brands.seed import seed_brands

    # When the seed runs twice
    await seed_brands(qdb, ctx)
    counts = {
        m: await _count(qdb, m)
        for m in (
            Brand,
            BrandCollection,
            BrandProduct,
            ProductImage,
            LookbookImage,
            PressFeature,
            ProductSize,
            Boutique,
            BrandMember,
        )
    }
    second = await seed_brands(qdb, ctx)

    # Then the brief's numbers hold, and the second run changed nothing
    assert counts[Brand] >= 8
    assert counts[BrandProduct] >= 60
    assert counts[ProductImage] >= 60
    assert counts[PressFeature] >= 8
    assert counts[BrandMember] == counts[Brand]
    per_brand = dict(
        (
            await qdb.execute(
                select(BrandCollection.brand_id, func.count()).group_by(BrandCollection.brand_id)
            )
        ).all()
    )
    assert all(2 <= n <= 3 for n in per_brand.values())
    assert (
        await qdb.scalar(
            select(func.count()).select_from(Boutique).where(Boutique.status == "approved")
        )
        == 3
    )
    assert (
        await qdb.scalar(
            select(func.count()).select_from(Boutique).where(Boutique.status == "pending")
        )
        == 1
    )
    assert await qdb.scalar(select(Brand.id).where(Brand.slug == "maison-solene"))
    # every product has a size run, a cut-out for the try-on and images
    no_sizes = await qdb.scalar(
        select(func.count())
        .select_from(BrandProduct)
        .where(~BrandProduct.product_id.in_(select(ProductSize.product_id)))
    )
    assert no_sizes == 0
    assert (
        await qdb.scalar(
            select(func.count()).select_from(BrandProduct).where(BrandProduct.cutout_key == "")
        )
        == 0
    )
    assert (
        second == "0 new brands, 0 new collections, 0 new products, 0 new images, 0 new boutiques"
    )
    assert {m: await _count(qdb, m) for m in counts} == counts
    assert await _count(qdb, Product) >= 60
