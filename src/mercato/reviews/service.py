"""Product reviews (behind the ``reviews`` feature flag): 1–5 stars, a title and a plain-text
body, one per customer and product, shown only once staff approve them. A review is marked
"verified purchase" when its author has a paid, not cancelled order line for the product.
Helpful votes: one per customer per review, never on one's own."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.kit.pagination import Page, paginate
from mercato.kit.time import utcnow
from mercato.models import Order, OrderLine, Product, Review, ReviewVote, User
from mercato.models.orders import OrderStatus, PaymentStatus

STATUSES = ("pending", "approved", "rejected")
TITLE_MAX = 150
BODY_MAX = 5000
PAID = (PaymentStatus.PAID.value, PaymentStatus.PARTIALLY_REFUNDED.value)


@dataclass
class Summary:
    count: int
    average: float | None  # one decimal, None without approved reviews

    @property
    def rounded(self) -> int:
        return int((self.average or 0) + 0.5)


async def product_by_slug(db: AsyncSession, slug: str) -> Product:
    product = await db.scalar(
        select(Product).where(
            Product.slug == slug, Product.is_active.is_(True), Product.deleted_at.is_(None)
        )
    )
    if product is None:
        raise NotFound("This essence is not in the catalogue.")
    return product


async def product_by_id(db: AsyncSession, product_id: int) -> Product:
    product = await db.scalar(
        select(Product).where(
            Product.id == product_id, Product.is_active.is_(True), Product.deleted_at.is_(None)
        )
    )
    if product is None:
        raise NotFound("This essence is not in the catalogue.")
    return product


async def bought(db: AsyncSession, user_id: int, product_id: int) -> bool:
    """A paid (or partly refunded) order line for the product, on an order not cancelled."""
    found = await db.scalar(
        select(OrderLine.id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.user_id == user_id,
            OrderLine.product_id == product_id,
            Order.payment_status.in_(PAID),
            Order.status != OrderStatus.CANCELLED.value,
        )
        .limit(1)
    )
    return found is not None


def _clean(rating: object, title: str, body: str) -> tuple[int, str, str]:
    try:
        stars = int(str(rating))
    except ValueError:
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationFailed("Choose from one to five stars.", field="rating")
    title = " ".join((title or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if len(title) > TITLE_MAX:
        raise ValidationFailed(f"Keep the title within {TITLE_MAX} characters.", field="title")
    if not body:
        raise ValidationFailed("Tell other collectors what you thought.", field="body")
    if len(body) > BODY_MAX:
        raise ValidationFailed(f"Keep the review within {BODY_MAX} characters.", field="body")
    if any(ord(c) < 32 and c not in "\n\t" for c in title + body):
        raise ValidationFailed("Please remove the control characters.", field="body")
    return stars, title, body


async def own_review(db: AsyncSession, user_id: int, product_id: int) -> Review | None:
    return await db.scalar(
        select(Review).where(Review.user_id == user_id, Review.product_id == product_id)
    )


async def submit(
    db: AsyncSession, user: User, product_id: int, *, rating: object, title: str, body: str
) -> Review:
    """A new review, pending approval. Everything is checked before anything is written."""
    product = await product_by_id(db, product_id)
    stars, title, body = _clean(rating, title, body)
    if await own_review(db, user.id, product.id) is not None:
        raise Conflict("You have already reviewed this essence.", field="body")
    review = Review(
        product_id=product.id,
        user_id=user.id,
        author_name=(user.name or user.email.split("@")[0])[:120],
        rating=stars,
        title=title,
        body=body,
        is_verified=await bought(db, user.id, product.id),
        status="pending",
    )
    try:
        async with db.begin_nested():  # a double submit meets the unique (product, user)
            db.add(review)
    except IntegrityError:
        raise Conflict("You have already reviewed this essence.", field="body") from None
    return review


async def summary(db: AsyncSession, product_id: int) -> Summary:
    count, average = (
        await db.execute(
            select(func.count(Review.id), func.avg(Review.rating)).where(
                Review.product_id == product_id, Review.status == "approved"
            )
        )
    ).one()
    return Summary(int(count or 0), round(float(average), 1) if average is not None else None)


async def approved(
    db: AsyncSession, product_id: int, page: int = 1, per_page: int = 10
) -> Page[Review]:
    query = (
        select(Review)
        .where(Review.product_id == product_id, Review.status == "approved")
        .order_by(Review.helpful_count.desc(), Review.created_at.desc(), Review.id.desc())
    )
    return await paginate(db, query, page, per_page, clamp=True)


async def voted_ids(db: AsyncSession, user_id: int, review_ids: list[int]) -> set[int]:
    if not review_ids:
        return set()
    return set(
        await db.scalars(
            select(ReviewVote.review_id).where(
                ReviewVote.user_id == user_id, ReviewVote.review_id.in_(review_ids)
            )
        )
    )


async def vote_helpful(db: AsyncSession, user_id: int, review_id: int) -> Review:
    """Count the vote once; a repeated vote changes nothing."""
    review = await db.scalar(
        select(Review).where(Review.id == review_id, Review.status == "approved")
    )
    if review is None:
        raise NotFound("There is no such review.")
    if review.user_id == user_id:
        raise PermissionDenied("You cannot vote for your own review.")
    try:
        async with db.begin_nested():
            db.add(ReviewVote(review_id=review.id, user_id=user_id))
    except IntegrityError:
        return review  # voted already
    # In SQL, so concurrent votes on one review all count.
    await db.execute(
        update(Review)
        .where(Review.id == review.id)
        .values(helpful_count=Review.helpful_count + 1)
        .execution_options(synchronize_session=False)
    )
    await db.refresh(review, ["helpful_count"])
    return review


async def moderation_queue(
    db: AsyncSession, status: str, page: int, per_page: int = 30
) -> Page[tuple[Review, Product]]:
    if status not in STATUSES:
        raise ValidationFailed("Choose a known status.", field="status")
    query = (
        select(Review, Product)
        .join(Product, Product.id == Review.product_id)
        .where(Review.status == status)
        .order_by(Review.created_at, Review.id)
    )
    total = int(
        await db.scalar(select(func.count()).select_from(Review).where(Review.status == status))
        or 0
    )
    rows = (await db.execute(query.limit(per_page).offset((page - 1) * per_page))).all()
    return Page(items=[(r, p) for r, p in rows], total=total, page=page, per_page=per_page)


async def status_counts(db: AsyncSession) -> dict[str, int]:
    rows = await db.execute(select(Review.status, func.count()).group_by(Review.status))
    found = {s: int(n) for s, n in rows.all()}
    return {s: found.get(s, 0) for s in STATUSES}


async def moderate(
    db: AsyncSession, actor: User, review_id: int, decision: str
) -> tuple[str, Review]:
    """Approve or reject; returns the status before, for the audit row."""
    if decision not in ("approved", "rejected"):
        raise ValidationFailed("Approve or reject.", field="decision")
    review = await db.get(Review, review_id)
    if review is None:
        raise NotFound("There is no such review.")
    before = review.status
    review.status = decision
    review.moderated_by = actor.id
    review.moderated_at = utcnow()
    await db.flush()
    return before, review


REPLY_MAX = 2000


async def reply(db: AsyncSession, actor: User, review_id: int, text: str) -> tuple[str, Review]:
    """The shop's public answer to a review (plain text, shown escaped); empty text removes
    it. Returns the reply before, for the audit row."""
    review = await db.get(Review, review_id)
    if review is None:
        raise NotFound("There is no such review.")
    text = "\n".join(line.rstrip() for line in (text or "").strip().splitlines())
    if len(text) > REPLY_MAX:
        raise ValidationFailed(f"A reply has at most {REPLY_MAX} characters.", field="reply")
    before = review.reply
    review.reply = text
    review.replied_by = actor.id if text else None
    review.replied_at = utcnow() if text else None
    await db.flush()
    return before, review
