"""Admin: a product's wholesale terms (price, MOQ, case pack, reorder level, volume tiers)
with the suggested-price calculator (cost and target margin → price). Works without
JavaScript: the calculator is a GET form on the same page. Saves are audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from mercato.admin.pages import admin_render
from mercato.identity.deps import require_permission
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.money import format_money
from mercato.models import User
from mercato.models.catalog import Product
from mercato.platform import audit
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash
from mercato.wholesale import pricing
from mercato.wholesale import service as wholesale_service
from mercato.wholesale.pricing import Tier

PRODUCTS = "wholesale.products.manage"  # b2b's "Manage Products" (all) permission
TIER_ROWS = wholesale_service.MAX_TIERS

router = APIRouter(prefix="/wholesale/products")
Manager = Annotated[User, Depends(require_permission(PRODUCTS))]


def _taka(value: str, field: str) -> int:
    """ "145" or "145.50" taka → poisha."""
    try:
        amount = Decimal(value.strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ValidationFailed("Enter an amount such as 145.50.", field=field) from None
    if amount != amount.quantize(Decimal("0.01")) or amount < 0:
        raise ValidationFailed("Enter an amount with at most two decimals.", field=field)
    return int(amount * 100)


def _count(value: str, field: str, default: int = 0) -> int:
    if not (value or "").strip():
        return default
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationFailed("Enter a whole number.", field=field) from None


async def _product(db: Any, product_id: int) -> Product:
    product = await db.scalar(
        select(Product).where(Product.id == product_id, Product.deleted_at.is_(None))
    )
    if product is None:
        raise NotFound("No such product.")
    return product


@router.get("")
async def product_list(request: Request, db: Db, _: Manager) -> Response:
    products = list(
        await db.scalars(select(Product).where(Product.deleted_at.is_(None)).order_by(Product.name))
    )
    rows = await wholesale_service.terms_rows(db, [p.id for p in products])
    return admin_render(
        request,
        "wholesale/admin_products.html",
        {"products": products, "terms": rows},
        section="wholesale",
    )


def _suggestion(request: Request, product: Product, runtime: Any) -> dict[str, Any]:
    """The calculator's answer for ?cost=&margin= (cost defaults to the product's)."""
    query = request.query_params
    cost_text = query.get("cost") or (
        f"{Decimal(product.cost_price) / 100:.2f}" if product.cost_price is not None else ""
    )
    margin_text = query.get("margin", "")
    out: dict[str, Any] = {"cost": cost_text, "margin": margin_text, "price": None, "error": ""}
    if not margin_text:
        return out
    try:
        cost = _taka(cost_text, "cost")
        suggested = pricing.calculate_suggested_wholesale_price(cost, margin_text, step=100)
    except ValidationFailed as exc:
        out["error"] = exc.message
        return out
    except (ValueError, InvalidOperation):
        out["error"] = "Enter a margin from 0 to below 100 %."
        return out
    out["price"] = suggested
    out["price_text"] = f"{Decimal(suggested) / 100:.2f}"
    out["formatted"] = format_money(suggested, runtime.config.currency, runtime.config.locale)
    return out


async def _page(
    request: Request,
    db: Any,
    runtime: Any,
    product: Product,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    terms, row = await wholesale_service.terms_for(db, product)
    if values is None:
        values = {
            "price": f"{Decimal(product.price) / 100:.2f}",
            "moq": str(terms.moq),
            "order_multiple": str(terms.order_multiple),
            "reorder_level": str(row.reorder_level if row else 0),
        }
        for i, tier in enumerate(terms.tiers):
            values[f"tiers.{i}.min_qty"] = str(tier.min_qty)
            values[f"tiers.{i}.unit_price"] = f"{Decimal(tier.unit_price) / 100:.2f}"
    return admin_render(
        request,
        "wholesale/admin_terms.html",
        {
            "product": product,
            "values": values,
            "errors": errors or {},
            "tier_rows": range(TIER_ROWS),
            "suggestion": _suggestion(request, product, runtime),
        },
        section="wholesale",
        status_code=status_code,
    )


@router.get("/{product_id}")
async def terms_form(
    request: Request, product_id: int, db: Db, runtime: Runtime, _: Manager
) -> Response:
    return await _page(request, db, runtime, await _product(db, product_id))


def _terms_in(values: dict[str, str]) -> wholesale_service.TermsIn:
    tiers = []
    for i in range(TIER_ROWS):
        qty = values.get(f"tiers.{i}.min_qty", "").strip()
        price = values.get(f"tiers.{i}.unit_price", "").strip()
        if not qty and not price:
            continue
        tiers.append(
            Tier(
                _count(qty, f"tiers.{i}.min_qty"),
                _taka(price, f"tiers.{i}.unit_price"),
            )
        )
    return wholesale_service.TermsIn(
        price=_taka(values.get("price", ""), "price"),
        moq=_count(values.get("moq", ""), "moq", 1),
        order_multiple=_count(values.get("order_multiple", ""), "order_multiple", 1),
        reorder_level=_count(values.get("reorder_level", ""), "reorder_level", 0),
        tiers=tuple(tiers),
    )


@router.post("/{product_id}")
async def save(
    request: Request, product_id: int, db: Db, runtime: Runtime, actor: Manager
) -> Response:
    product = await _product(db, product_id)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    before, row = await wholesale_service.terms_for(db, product)
    try:
        await wholesale_service.save_terms(db, product, _terms_in(values))
    except ValidationFailed as exc:
        return await _page(
            request, db, runtime, product, values=values,
            errors={exc.field or "__all__": exc.message}, status_code=422,
        )  # fmt: skip
    after, row = await wholesale_service.terms_for(db, product)

    def snapshot(t: pricing.Terms, reorder: int | None) -> dict[str, Any]:
        return {
            "price": t.wholesale_price,
            "moq": t.moq,
            "order_multiple": t.order_multiple,
            "reorder_level": reorder,
            "tiers": [[x.min_qty, x.unit_price] for x in t.tiers],
        }

    await audit.record(
        db,
        actor=actor,
        action="wholesale.terms_saved",
        entity_type="product",
        entity_id=product.id,
        before=snapshot(before, None),
        after=snapshot(after, row.reorder_level if row else None),
        request=request,
    )
    response = RedirectResponse(
        runtime.path(f"admin/wholesale/products/{product.id}"), status_code=303
    )
    flash(request, response, f"Wholesale terms of {product.name} saved.")
    return response
