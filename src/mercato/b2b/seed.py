"""Demo businesses and sellers of the wholesale store (``stores/<slug>/seed/b2b.yaml``) and
the seller of each product (the ``seller`` key of ``catalog.yaml``). Idempotent: a user who
already has a company or a seller profile, and a product that already has a seller, are
left as they are."""

from __future__ import annotations

from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.b2b import service
from mercato.kit.security import FieldCipher
from mercato.kit.time import utcnow
from mercato.models import Product
from mercato.models.b2b import Company, ProductSeller, Seller, VerificationEvent
from mercato.platform.files import LocalStorage


def _licence_pdf(company: str, number: str) -> bytes:
    """A one-page PDF standing in for a scanned trade licence."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.cell(0, 12, "Trade Licence (demo document)", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, f"Business: {company}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 10, f"Licence number: {number}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


async def _sellers(db: AsyncSession, ctx: Any, rows: list[dict]) -> dict[str, Seller]:
    found: dict[str, Seller] = {}
    for row in rows:
        user = ctx.users.get(row["user"])
        if user is None:
            continue
        seller = await db.scalar(select(Seller).where(Seller.user_id == user.id))
        if seller is None:
            seller = Seller(
                user_id=user.id,
                display_name=row["display_name"],
                is_profit_partner=bool(row.get("is_profit_partner", True)),
            )
            db.add(seller)
            await db.flush()
        found[row["user"]] = seller
    return found


async def _companies(db: AsyncSession, ctx: Any, rows: list[dict]) -> int:
    fields = FieldCipher(ctx.settings.secret_key.get_secret_value())
    storage = LocalStorage(ctx.settings.uploads_dir / ".private" / ctx.config.slug, url_prefix="")
    admin = next((u for e, u in ctx.users.items() if e.startswith("admin@")), None)
    made = 0
    for row in rows:
        user = ctx.users.get(row["user"])
        if user is None or await service.company_of(db, user) is not None:
            continue
        data = service.CompanyIn(**{k: row[k] for k in service.CompanyIn.model_fields if k in row})
        company = await service.register(db, user, data, fields)
        await service.add_document(
            db,
            storage,
            company,
            user,
            kind="trade_license",
            filename="trade-licence.pdf",
            raw=_licence_pdf(company.name, company.trade_license_number),
        )
        await service.submit(db, company, user)
        if row.get("status") == "verified":
            # Written directly: the seeder has no store runtime for notifications.
            before = company.status
            company.status = "verified"
            company.reviewed_by = admin.id if admin else None
            company.reviewed_at = utcnow()
            company.net_terms = row.get("net_terms", "none")
            db.add(
                VerificationEvent(
                    company_id=company.id,
                    action="approved",
                    from_status=before,
                    to_status="verified",
                    actor_id=company.reviewed_by,
                )
            )
        made += 1
    await db.flush()
    return made


async def _product_sellers(db: AsyncSession, ctx: Any, sellers: dict[str, Seller]) -> int:
    path = ctx.seed_dir / "catalog.yaml"
    if not path.is_file():
        return 0
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    owners = {r["sku"]: r["seller"] for r in data.get("products", []) if r.get("seller")}
    if not owners:
        return 0
    products = dict(
        (await db.execute(select(Product.sku, Product.id).where(Product.sku.in_(owners)))).all()
    )
    taken = set(await db.scalars(select(ProductSeller.product_id)))
    linked = 0
    for sku, email in owners.items():
        product_id = products.get(sku)
        if product_id is None or product_id in taken or email not in sellers:
            continue
        db.add(ProductSeller(product_id=product_id, seller_id=sellers[email].id))
        linked += 1
    await db.flush()
    return linked


async def seed_b2b(db: AsyncSession, ctx: Any) -> str:
    path = ctx.seed_dir / "b2b.yaml"
    if not path.is_file():
        return "no b2b.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    sellers = await _sellers(db, ctx, data.get("sellers", []))
    companies = await _companies(db, ctx, data.get("companies", []))
    linked = await _product_sellers(db, ctx, sellers)
    count = await db.scalar(select(Company.id).limit(1))
    return f"{len(sellers)} sellers, {companies} new companies, {linked} products linked" + (
        "" if count else " (none)"
    )
