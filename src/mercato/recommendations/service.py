"""Recommendations, named for what they are: "customers also bought" counts how many orders
held both products; "similar products" scores shared categories, brand, connection,
channels, power class and words of the name and description. Neither is machine learning:
both are computed by a scheduled job (``compute_all``) into ``product_recommendations`` and
read back with one query per list, so a product page never does the counting.

Import as ``from mercato.recommendations import service as recommendations_service``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.time import utcnow
from mercato.models.audio import product_categories
from mercato.models.catalog import AttributeDefinition, Product, ProductAttributeValue
from mercato.models.orders import Order, OrderLine
from mercato.models.recommendations import ProductRecommendation
from mercato.seo.text import words

PER_PRODUCT = 8
SHOWN = 4
COUNTED_STATUSES = ("pending", "confirmed", "processing", "shipped", "delivered")
# Weights of the similarity score (out of 1000 for a perfect match).
WEIGHTS = {
    "category": 350,
    "brand": 150,
    "connectivity": 100,
    "channels": 50,
    "power": 100,
    "words": 250,
}
STOP_WORDS = frozenset(
    "va cho cua la co cac mot nhung duoc voi tai trong khi the hang chinh bao thang".split()  # noqa: SIM905
)


async def bought_together(db: AsyncSession) -> dict[int, Counter[int]]:
    """For each product, how many orders (not cancelled) also held each other product."""
    rows = await db.execute(
        select(OrderLine.order_id, OrderLine.product_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.status.in_(COUNTED_STATUSES), OrderLine.product_id.is_not(None))
    )
    baskets: dict[int, set[int]] = defaultdict(set)
    for order_id, product_id in rows:
        if product_id is not None:
            baskets[order_id].add(product_id)
    pairs: dict[int, Counter[int]] = defaultdict(Counter)
    for items in baskets.values():
        for a, b in combinations(sorted(items), 2):
            pairs[a][b] += 1
            pairs[b][a] += 1
    return pairs


def _power_class(watts: Any) -> int | None:
    if not isinstance(watts, int):
        return None
    return 0 if watts < 50 else 1 if watts < 200 else 2 if watts < 600 else 3


async def _features(db: AsyncSession) -> dict[int, dict[str, Any]]:
    products = list(
        await db.execute(
            select(Product.id, Product.name, Product.short_description, Product.category_id).where(
                Product.deleted_at.is_(None), Product.is_active.is_(True)
            )
        )
    )
    features: dict[int, dict[str, Any]] = {}
    for pid, name, short, category_id in products:
        features[pid] = {
            "categories": {category_id} if category_id else set(),
            "words": {w for w in words(f"{name} {short}", limit=40) if w not in STOP_WORDS},
        }
    for pid, cid in await db.execute(
        select(product_categories.c.product_id, product_categories.c.category_id)
    ):
        if pid in features:
            features[pid]["categories"].add(cid)
    rows = await db.execute(
        select(
            ProductAttributeValue.product_id,
            AttributeDefinition.code,
            ProductAttributeValue.value_text,
            ProductAttributeValue.value_int,
        )
        .join(AttributeDefinition, AttributeDefinition.id == ProductAttributeValue.definition_id)
        .where(AttributeDefinition.code.in_(("brand", "connectivity", "channels", "power_w")))
    )
    for pid, code, text, number in rows:
        if pid not in features:
            continue
        if code == "power_w":
            features[pid]["power"] = _power_class(number)
        else:
            features[pid][code] = text if text is not None else number
    return features


def similarity(a: dict[str, Any], b: dict[str, Any]) -> int:
    """0–1000: shared categories and words by Jaccard, equal specifications by weight."""
    score = 0.0
    for key in ("categories", "words"):
        union = a[key] | b[key]
        if union:
            weight = WEIGHTS["category" if key == "categories" else "words"]
            score += weight * len(a[key] & b[key]) / len(union)
    for key in ("brand", "connectivity", "channels", "power"):
        if a.get(key) is not None and a.get(key) == b.get(key):
            score += WEIGHTS[key]
    return round(score)


async def similar_products(db: AsyncSession) -> dict[int, list[tuple[int, int]]]:
    """For each product, the most similar others as (product id, score), best first.
    Only products sharing a category are compared, which bounds the work on a large
    catalogue to the size of its categories."""
    features = await _features(db)
    by_category: dict[int, set[int]] = defaultdict(set)
    for pid, f in features.items():
        for cid in f["categories"]:
            by_category[cid].add(pid)
    found: dict[int, list[tuple[int, int]]] = {}
    for pid, f in features.items():
        candidates = set().union(*(by_category[c] for c in f["categories"])) - {pid}
        scored = [(other, similarity(f, features[other])) for other in candidates]
        scored.sort(key=lambda x: (-x[1], x[0]))
        found[pid] = [(o, s) for o, s in scored[:PER_PRODUCT] if s > 0]
    return found


async def compute_all(db: AsyncSession) -> dict[str, int]:
    """Replace every recommendation with freshly computed ones (one transaction)."""
    now = utcnow()
    live = set(
        await db.scalars(
            select(Product.id).where(Product.deleted_at.is_(None), Product.is_active.is_(True))
        )
    )
    rows: list[dict[str, Any]] = []
    for pid, counts in (await bought_together(db)).items():
        if pid not in live:
            continue
        best = sorted(((o, n) for o, n in counts.items() if o in live), key=lambda x: (-x[1], x[0]))
        rows += [
            {"product_id": pid, "kind": "bought_together", "related_id": o, "score": n,
             "computed_at": now}
            for o, n in best[:PER_PRODUCT]
        ]  # fmt: skip
    for pid, scored in (await similar_products(db)).items():
        rows += [
            {"product_id": pid, "kind": "similar", "related_id": o, "score": s, "computed_at": now}
            for o, s in scored
        ]
    await db.execute(delete(ProductRecommendation))
    if rows:
        await db.execute(insert(ProductRecommendation), rows)
    await db.flush()
    return Counter(r["kind"] for r in rows)


async def related_ids(
    db: AsyncSession, product_ids: list[int], kind: str, limit: int = SHOWN
) -> list[int]:
    """The best recommended products of ``kind`` for these products together (summed
    scores), excluding the products themselves; one query."""
    if not product_ids:
        return []
    rows = await db.execute(
        select(ProductRecommendation.related_id, ProductRecommendation.score)
        .join(Product, Product.id == ProductRecommendation.related_id)
        .where(
            ProductRecommendation.product_id.in_(product_ids),
            ProductRecommendation.kind == kind,
            Product.deleted_at.is_(None),
            Product.is_active.is_(True),
        )
    )
    totals: Counter[int] = Counter()
    for related, score in rows:
        if related not in product_ids:
            totals[related] += score
    return [pid for pid, _ in sorted(totals.items(), key=lambda x: (-x[1], x[0]))[:limit]]
