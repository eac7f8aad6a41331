"""schema.org data for product pages, richer than the catalogue's own: the brand from a
``brand`` specification when the store has one (else the store), the approved reviews'
aggregate rating, and the promoted price as the offer when a promotion runs.

Rendered as ``<script type="application/ld+json">``: data, never executed, so the strict
CSP (``script-src 'self'``) neither blocks nor needs to allow it; ``tojson`` escapes ``<``,
``>`` and ``&`` so a product name cannot close the script element."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from mercato.catalog import attributes, presenters
from mercato.catalog.pages import product_jsonld
from mercato.models.engagement import Review


async def product_page(db: Any, request: Any, product: Any) -> dict[str, Any]:
    runtime = request.state.runtime
    images = [v for v in (presenters.image_view(runtime.storage, i) for i in product.images) if v]
    stock = presenters.stock_state(product.inventory)
    data = product_jsonld(runtime, product, images, stock)
    values = await attributes.attributes_of(db, product.id)
    if values.get("brand"):
        data["brand"] = {"@type": "Brand", "name": str(values["brand"])}
    count, average = (
        await db.execute(
            select(func.count(Review.id), func.avg(Review.rating)).where(
                Review.product_id == product.id, Review.status == "approved"
            )
        )
    ).one()
    if count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": f"{float(average):.1f}",
            "reviewCount": int(count),
        }
    if "promotions" in runtime.modules:
        from mercato.kit.money import minor_digits
        from mercato.promotions import service as promotions_service

        found = (await promotions_service.best_prices(db, [product])).get(product.id)
        if found is not None:
            digits = minor_digits(runtime.config.currency)
            data["offers"]["price"] = f"{found.price / 10**digits:.{digits}f}"
    return {"jsonld": data}
