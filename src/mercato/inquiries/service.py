"""The rules of inquiries: the buyer's draft list, sending it as one inquiry per brand, the
brand's quote, the buyer's decision, and the timeline both sides see.

State machine (``TRANSITIONS``): pending → quoted (brand), quoted → quoted (the brand revises
its quote), quoted → accepted | declined (buyer), pending | quoted → withdrawn (buyer). Every
transition is one conditional UPDATE (``WHERE status IN (allowed)``) checked by row count, so
two racing requests (the brand revising while the buyer accepts) cannot both win.

Side effects go through the outbox in the caller's transaction: ``inquiry.updated`` (live
push to both sides), in-app notifications and emails.

Import as ``from mercato.inquiries import service as inquiry_service``.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.inquiries import parties
from mercato.kit.errors import Conflict, NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models import Product, User
from mercato.models.brands import Brand, BrandProduct, ProductSize
from mercato.models.inquiries import Inquiry, InquiryEvent, InquiryLine, InquiryListItem
from mercato.platform import notifications, outbox
from mercato.platform.email import queue_email

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

INQUIRY_UPDATED = "inquiry.updated"
MAX_QUANTITY = 100_000
MAX_TEXT = 1000
MAX_LEAD_TIME_DAYS = 730
MAX_PRICE = 10**12
MAX_LIST_ITEMS = 200

# action → (states it may start from, state it ends in, the side allowed to do it)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    "quote": (frozenset({"pending", "quoted"}), "quoted", "brand"),
    "accept": (frozenset({"quoted"}), "accepted", "buyer"),
    "decline": (frozenset({"quoted"}), "declined", "buyer"),
    "withdraw": (frozenset({"pending", "quoted"}), "withdrawn", "buyer"),
}
OPEN_STATES = frozenset({"pending", "quoted"})
STATUS_LABELS = {
    "pending": "Awaiting the brand's answer",
    "quoted": "Quoted",
    "accepted": "Accepted",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}


# ---------------------------------------------------------------- the draft list


@dataclass(frozen=True)
class ItemIn:
    product_id: int
    quantity: int
    size: str = ""
    colour: str = ""
    customisation: str = ""


@dataclass
class CheckedItem:
    product: Product
    brand: Brand
    details: BrandProduct
    item: ItemIn


def _text(value: str, field: str, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationFailed(f"At most {limit} characters.", field=field)
    return value


async def check_item(db: AsyncSession, item: ItemIn, *, field: str = "") -> CheckedItem:
    """The seed's validation: the product exists and is available, the size is one of its
    size run (and not sold out), the colour is one it comes in, and the quantity is at
    least one. The brand's minimum per style is checked over the whole style by the caller."""
    prefix = f"{field}." if field else ""
    product = await db.scalar(
        select(Product).where(Product.id == item.product_id, Product.deleted_at.is_(None))
    )
    found = None
    if product is not None:
        found = (
            await db.execute(
                select(BrandProduct, Brand)
                .join(Brand, Brand.id == BrandProduct.brand_id)
                .where(BrandProduct.product_id == product.id)
            )
        ).first()
    if product is None or found is None:
        raise NotFound("No such product.", field=f"{prefix}product_id")
    details, brand = found
    if not product.is_active or not brand.is_active:
        raise ValidationFailed(
            f"{product.name} is not available at the moment.", field=f"{prefix}product_id"
        )
    if not isinstance(item.quantity, int) or isinstance(item.quantity, bool):
        raise ValidationFailed("Enter a whole number of units.", field=f"{prefix}quantity")
    if item.quantity < 1:
        raise ValidationFailed("Ask for at least one unit.", field=f"{prefix}quantity")
    if item.quantity > MAX_QUANTITY:
        raise ValidationFailed(f"At most {MAX_QUANTITY:,} units.", field=f"{prefix}quantity")
    sizes = list(
        await db.scalars(
            select(ProductSize)
            .where(ProductSize.product_id == product.id)
            .order_by(ProductSize.sort, ProductSize.id)
        )
    )
    size = (item.size or "").strip()
    if sizes:
        chosen = next((s for s in sizes if s.label.lower() == size.lower()), None)
        if chosen is None:
            labels = ", ".join(s.label for s in sizes)
            raise ValidationFailed(
                f"Choose one of the sizes of {product.name}: {labels}.", field=f"{prefix}size"
            )
        if not chosen.available:
            raise ValidationFailed(
                f"Size {chosen.label} of {product.name} is sold out.", field=f"{prefix}size"
            )
        size = chosen.label
    elif size:
        raise ValidationFailed(f"{product.name} comes in one size.", field=f"{prefix}size")
    colours = [str(c) for c in (details.colours or [])]
    colour = (item.colour or "").strip()
    if colours:
        match = next((c for c in colours if c.lower() == colour.lower()), None)
        if match is None:
            if colour or len(colours) > 1:
                raise ValidationFailed(
                    f"Choose one of the colours of {product.name}: {', '.join(colours)}.",
                    field=f"{prefix}colour",
                )
            match = colours[0]
        colour = match
    elif colour:
        colour = _text(colour, f"{prefix}colour", 60)
    customisation = _text(item.customisation, f"{prefix}customisation")
    clean = ItemIn(product.id, item.quantity, size, colour, customisation)
    return CheckedItem(product, brand, details, clean)


def minimum_problem(brand: Brand, product: Product, units: int) -> str | None:
    minimum = brand.min_units_per_style
    if minimum and units < minimum:
        return f"{brand.name} takes at least {minimum} units per style; {product.name} has {units}."
    return None


async def add_to_list(db: AsyncSession, buyer: User, item: ItemIn) -> InquiryListItem:
    """Add a product to the buyer's draft list; the same product, size and colour adds to
    the existing line. The style's total must reach the brand's minimum per style."""
    await parties.require_approved_buyer(db, buyer.id)
    checked = await check_item(db, item)
    clean = checked.item
    existing = await db.scalar(
        select(InquiryListItem).where(
            InquiryListItem.buyer_id == buyer.id,
            InquiryListItem.product_id == clean.product_id,
            InquiryListItem.size_label == clean.size,
            InquiryListItem.colour == clean.colour,
        )
    )
    style_units = int(
        await db.scalar(
            select(func.coalesce(func.sum(InquiryListItem.quantity), 0)).where(
                InquiryListItem.buyer_id == buyer.id,
                InquiryListItem.product_id == clean.product_id,
            )
        )
        or 0
    )
    problem = minimum_problem(checked.brand, checked.product, style_units + clean.quantity)
    if problem:
        raise ValidationFailed(problem, field="quantity", code="below_minimum")
    if existing is not None:
        if existing.quantity + clean.quantity > MAX_QUANTITY:
            raise ValidationFailed(f"At most {MAX_QUANTITY:,} units.", field="quantity")
        existing.quantity += clean.quantity
        if clean.customisation:
            existing.customisation = clean.customisation
        await db.flush()
        return existing
    count = await db.scalar(
        select(func.count())
        .select_from(InquiryListItem)
        .where(InquiryListItem.buyer_id == buyer.id)
    )
    if (count or 0) >= MAX_LIST_ITEMS:
        raise ValidationFailed(
            f"Your list holds at most {MAX_LIST_ITEMS} lines; send it first.", field="product_id"
        )
    row = InquiryListItem(
        buyer_id=buyer.id,
        product_id=clean.product_id,
        brand_id=checked.brand.id,
        size_label=clean.size,
        colour=clean.colour,
        quantity=clean.quantity,
        customisation=clean.customisation,
    )
    db.add(row)
    await db.flush()
    return row


async def list_items(db: AsyncSession, buyer_id: int) -> list[InquiryListItem]:
    return list(
        await db.scalars(
            select(InquiryListItem)
            .where(InquiryListItem.buyer_id == buyer_id)
            .order_by(InquiryListItem.brand_id, InquiryListItem.id)
        )
    )


async def list_count(db: AsyncSession, buyer_id: int) -> int:
    count = await db.scalar(
        select(func.count())
        .select_from(InquiryListItem)
        .where(InquiryListItem.buyer_id == buyer_id)
    )
    return int(count or 0)


async def _own_item(db: AsyncSession, buyer_id: int, item_id: int) -> InquiryListItem:
    row = await db.scalar(
        select(InquiryListItem).where(
            InquiryListItem.id == item_id, InquiryListItem.buyer_id == buyer_id
        )
    )
    if row is None:
        raise NotFound("That line is not in your inquiry list.", field="item_id")
    return row


async def update_item(db: AsyncSession, buyer_id: int, item_id: int, quantity: int) -> None:
    row = await _own_item(db, buyer_id, item_id)
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationFailed(f"Enter a quantity from 1 to {MAX_QUANTITY:,}.", field="quantity")
    row.quantity = quantity
    await db.flush()


async def remove_item(db: AsyncSession, buyer_id: int, item_id: int) -> None:
    row = await _own_item(db, buyer_id, item_id)
    await db.delete(row)
    await db.flush()


# ---------------------------------------------------------------- sending


async def _number(db: AsyncSession) -> str:
    # Random, not sequential: an inquiry number tells nobody how busy a brand is.
    for _ in range(10):
        number = f"INQ-{secrets.randbelow(900_000) + 100_000}"
        if await db.scalar(select(Inquiry.id).where(Inquiry.number == number)) is None:
            return number
    return f"INQ-{secrets.randbelow(90_000_000) + 10_000_000}"


async def create_inquiries(
    db: AsyncSession,
    runtime: StoreRuntime,
    buyer: User,
    items: list[ItemIn],
    *,
    note: str = "",
) -> list[Inquiry]:
    """One inquiry per brand with its lines, status pending. Every line is validated first
    (all or nothing); the brand's minimum per style is checked over each style's total."""
    await parties.require_approved_buyer(db, buyer.id)
    if not items:
        raise ValidationFailed("Add at least one product to your inquiry.", field="items")
    if len(items) > MAX_LIST_ITEMS:
        raise ValidationFailed(f"At most {MAX_LIST_ITEMS} lines.", field="items")
    note = _text(note, "note")
    checked = [await check_item(db, item, field=f"items.{i}") for i, item in enumerate(items)]
    style_units: dict[int, int] = defaultdict(int)
    for c in checked:
        style_units[c.product.id] += c.item.quantity
    for i, c in enumerate(checked):
        problem = minimum_problem(c.brand, c.product, style_units[c.product.id])
        if problem:
            raise ValidationFailed(problem, field=f"items.{i}.quantity", code="below_minimum")
    by_brand: dict[int, list[CheckedItem]] = defaultdict(list)
    for c in checked:
        by_brand[c.brand.id].append(c)
    created: list[Inquiry] = []
    for brand_id in sorted(by_brand):
        inquiry = Inquiry(
            number=await _number(db),
            buyer_id=buyer.id,
            brand_id=brand_id,
            status="pending",
            currency=runtime.config.currency,
            note=note,
        )
        db.add(inquiry)
        await db.flush()
        for c in by_brand[brand_id]:
            db.add(
                InquiryLine(
                    inquiry_id=inquiry.id,
                    product_id=c.product.id,
                    product_name=c.product.name,
                    list_price=c.product.price,
                    size_label=c.item.size,
                    colour=c.item.colour,
                    quantity=c.item.quantity,
                    customisation=c.item.customisation,
                )
            )
        await _event(db, inquiry, "sent", "", "pending", buyer.id, "buyer", note)
        created.append(inquiry)
    await db.flush()
    brands = {c.brand.id: c.brand for c in checked}
    await _announce_sent(db, runtime, buyer, created, brands)
    return created


async def send_list(
    db: AsyncSession, runtime: StoreRuntime, buyer: User, *, note: str = ""
) -> list[Inquiry]:
    """ "Send inquiry": the draft list becomes one inquiry per brand and is emptied."""
    rows = await list_items(db, buyer.id)
    if not rows:
        raise ValidationFailed("Your inquiry list is empty.", field="items")
    items = [
        ItemIn(r.product_id, r.quantity, r.size_label, r.colour, r.customisation) for r in rows
    ]
    created = await create_inquiries(db, runtime, buyer, items, note=note)
    await db.execute(delete(InquiryListItem).where(InquiryListItem.buyer_id == buyer.id))
    return created


async def _event(
    db: AsyncSession,
    inquiry: Inquiry,
    kind: str,
    from_status: str,
    to_status: str,
    actor_id: int | None,
    side: str,
    note: str = "",
) -> None:
    db.add(
        InquiryEvent(
            inquiry_id=inquiry.id,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor_id,
            actor_side=side,
            note=note,
        )
    )
    await db.flush()
    await outbox.emit(
        db,
        INQUIRY_UPDATED,
        {"inquiry_id": inquiry.id, "number": inquiry.number, "kind": kind, "status": to_status},
    )


async def _announce_sent(
    db: AsyncSession,
    runtime: StoreRuntime,
    buyer: User,
    created: list[Inquiry],
    brands: dict[int, Brand],
) -> None:
    """The buyer's confirmation email; each brand's members get a notification and email."""
    summaries = [{"number": i.number, "brand": brands[i.brand_id].name} for i in created]
    await queue_email(
        db,
        runtime,
        to=buyer.email,
        subject=f"Your inquiry was sent to {len(created)} brand{'s' if len(created) > 1 else ''}",
        template="emails/inquiry_sent_buyer",
        context={"name": buyer.name, "inquiries": summaries, "rel": "inquiries"},
    )
    for inquiry in created:
        brand = brands[inquiry.brand_id]
        rel = f"brand/inquiries/{inquiry.number}"
        link = runtime.path(rel)
        for user_id, email, name in await parties.member_emails(db, brand.id):
            await notifications.notify(
                db,
                user_id=user_id,
                title=f"New inquiry {inquiry.number} from {buyer.name or 'a buyer'}",
                link=link,
            )
            await queue_email(
                db,
                runtime,
                to=email,
                subject=f"New inquiry {inquiry.number} for {brand.name}",
                template="emails/inquiry_received_brand",
                context={"name": name, "inquiry": inquiry, "buyer": buyer.name, "rel": rel},
            )


# ---------------------------------------------------------------- reading


async def get_for_buyer(db: AsyncSession, buyer_id: int, number: str) -> Inquiry:
    """Another buyer's number is "not found", never "forbidden", so numbers are not probed."""
    row = await db.scalar(
        select(Inquiry).where(Inquiry.number == number, Inquiry.buyer_id == buyer_id)
    )
    if row is None:
        raise NotFound("No such inquiry.", field="number")
    return row


async def get_for_brand(db: AsyncSession, brand_ids: tuple[int, ...], number: str) -> Inquiry:
    row = None
    if brand_ids:
        row = await db.scalar(
            select(Inquiry).where(Inquiry.number == number, Inquiry.brand_id.in_(brand_ids))
        )
    if row is None:
        raise NotFound("No such inquiry.", field="number")
    return row


async def get_for_user(db: AsyncSession, who: parties.Who, number: str) -> tuple[Inquiry, str]:
    """The inquiry and the side the user reads it from (buyer or brand)."""
    row = await db.scalar(select(Inquiry).where(Inquiry.number == number))
    if row is not None:
        if row.buyer_id == who.user.id:
            return row, "buyer"
        if row.brand_id in who.brand_ids:
            return row, "brand"
    raise NotFound("No such inquiry.", field="number")


async def list_for_buyer(
    db: AsyncSession, buyer_id: int, *, status: str = "", limit: int = 100
) -> list[Inquiry]:
    query = select(Inquiry).where(Inquiry.buyer_id == buyer_id)
    if status in STATUS_LABELS:
        query = query.where(Inquiry.status == status)
    return list(await db.scalars(query.order_by(Inquiry.id.desc()).limit(limit)))


async def list_for_brand(
    db: AsyncSession, brand_ids: tuple[int, ...], *, status: str = "", limit: int = 100
) -> list[Inquiry]:
    if not brand_ids:
        return []
    query = select(Inquiry).where(Inquiry.brand_id.in_(brand_ids))
    if status in STATUS_LABELS:
        query = query.where(Inquiry.status == status)
    return list(await db.scalars(query.order_by(Inquiry.id.desc()).limit(limit)))


async def lines_of(db: AsyncSession, inquiry_ids: list[int]) -> dict[int, list[InquiryLine]]:
    out: dict[int, list[InquiryLine]] = defaultdict(list)
    if inquiry_ids:
        rows = await db.scalars(
            select(InquiryLine)
            .where(InquiryLine.inquiry_id.in_(inquiry_ids))
            .order_by(InquiryLine.inquiry_id, InquiryLine.id)
        )
        for line in rows:
            out[line.inquiry_id].append(line)
    return out


async def timeline(db: AsyncSession, inquiry_id: int) -> list[InquiryEvent]:
    return list(
        await db.scalars(
            select(InquiryEvent)
            .where(InquiryEvent.inquiry_id == inquiry_id)
            .order_by(InquiryEvent.id)
        )
    )


def totals(lines: list[InquiryLine]) -> int:
    """The quoted total of the available lines (minor units)."""
    return sum((ln.unit_price or 0) * ln.quantity for ln in lines if ln.available)


# ---------------------------------------------------------------- transitions


async def _transition(
    db: AsyncSession,
    inquiry: Inquiry,
    action: str,
    *,
    actor: User,
    side: str,
    note: str = "",
) -> Inquiry:
    allowed_from, to_status, allowed_side = TRANSITIONS[action]
    if side != allowed_side:
        raise Conflict(f"Only the {allowed_side} can {action} an inquiry.", field="status")
    now = utcnow()
    values: dict[str, Any] = {"status": to_status, "updated_at": now}
    if to_status == "quoted":
        values["quoted_at"] = now
    else:
        values["decided_at"] = now
    result: CursorResult[Any] = await db.execute(  # type: ignore[assignment]
        update(Inquiry)
        .where(Inquiry.id == inquiry.id, Inquiry.status.in_(allowed_from))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:
        current = await db.scalar(select(Inquiry.status).where(Inquiry.id == inquiry.id))
        raise Conflict(
            f"This inquiry is {current} and cannot be {_past(action)} now.",
            field="status",
            code="invalid_transition",
        )
    before = inquiry.status
    await db.refresh(inquiry)
    kind = "requoted" if action == "quote" and before == "quoted" else _past(action)
    await _event(db, inquiry, kind, before, to_status, actor.id, side, note)
    return inquiry


def _past(action: str) -> str:
    return {"quote": "quoted", "accept": "accepted", "decline": "declined"}.get(action, "withdrawn")


@dataclass(frozen=True)
class LineAnswer:
    line_id: int
    available: bool
    unit_price: int | None = None
    lead_time_days: int | None = None
    note: str = ""


async def quote(
    db: AsyncSession,
    runtime: StoreRuntime,
    inquiry: Inquiry,
    answers: list[LineAnswer],
    *,
    actor: User,
    note: str = "",
) -> Inquiry:
    """The brand answers every line (available, unit price, lead time, note); the inquiry
    becomes quoted. A quoted inquiry may be answered again (a revised quote)."""
    note = _text(note, "note")
    lines = (await lines_of(db, [inquiry.id]))[inquiry.id]
    by_id = {ln.id: ln for ln in lines}
    seen: set[int] = set()
    for i, answer in enumerate(answers):
        field = f"lines.{i}"
        line = by_id.get(answer.line_id)
        if line is None:
            raise ValidationFailed("That line is not part of this inquiry.", field=f"{field}.id")
        if answer.line_id in seen:
            raise ValidationFailed("Each line is answered once.", field=f"{field}.id")
        seen.add(answer.line_id)
        if answer.available:
            price = answer.unit_price
            if not isinstance(price, int) or isinstance(price, bool) or not 0 < price < MAX_PRICE:
                raise ValidationFailed(
                    "Enter the unit price of an available line.", field=f"{field}.unit_price"
                )
            days = answer.lead_time_days
            if not isinstance(days, int) or not 0 <= days <= MAX_LEAD_TIME_DAYS:
                raise ValidationFailed(
                    f"Enter a lead time from 0 to {MAX_LEAD_TIME_DAYS} days.",
                    field=f"{field}.lead_time_days",
                )
        _text(answer.note, f"{field}.note")
    missing = [ln for ln in lines if ln.id not in seen]
    if missing:
        raise ValidationFailed(
            f"Answer every line ({missing[0].product_name} has no answer).",
            field=f"lines.{len(answers)}",
        )
    if inquiry.status not in TRANSITIONS["quote"][0]:
        raise Conflict(
            f"This inquiry is {inquiry.status} and cannot be quoted now.",
            field="status",
            code="invalid_transition",
        )
    for answer in answers:
        line = by_id[answer.line_id]
        line.available = answer.available
        line.unit_price = answer.unit_price if answer.available else None
        line.lead_time_days = answer.lead_time_days if answer.available else None
        line.brand_note = answer.note.strip()
    await db.flush()
    await _transition(db, inquiry, "quote", actor=actor, side="brand", note=note)
    await _tell_buyer(db, runtime, inquiry, f"{inquiry.number} has been quoted")
    return inquiry


async def accept(
    db: AsyncSession, runtime: StoreRuntime, inquiry: Inquiry, *, actor: User, note: str = ""
) -> Inquiry:
    lines = (await lines_of(db, [inquiry.id]))[inquiry.id]
    if inquiry.status == "quoted" and not any(ln.available for ln in lines):
        raise Conflict("Nothing in this quote is available to accept.", field="status")
    await _transition(db, inquiry, "accept", actor=actor, side="buyer", note=_text(note, "note"))
    await _tell_brand(db, runtime, inquiry, f"{inquiry.number} was accepted")
    return inquiry


async def decline(
    db: AsyncSession, runtime: StoreRuntime, inquiry: Inquiry, *, actor: User, note: str = ""
) -> Inquiry:
    await _transition(db, inquiry, "decline", actor=actor, side="buyer", note=_text(note, "note"))
    await _tell_brand(db, runtime, inquiry, f"{inquiry.number} was declined")
    return inquiry


async def withdraw(
    db: AsyncSession, runtime: StoreRuntime, inquiry: Inquiry, *, actor: User, note: str = ""
) -> Inquiry:
    await _transition(db, inquiry, "withdraw", actor=actor, side="buyer", note=_text(note, "note"))
    await _tell_brand(db, runtime, inquiry, f"{inquiry.number} was withdrawn")
    return inquiry


async def _tell_buyer(
    db: AsyncSession, runtime: StoreRuntime, inquiry: Inquiry, title: str
) -> None:
    rel = f"inquiries/{inquiry.number}"
    link = runtime.path(rel)
    await notifications.notify(db, user_id=inquiry.buyer_id, title=title, link=link)
    buyer = await db.get(User, inquiry.buyer_id)
    if buyer is not None and buyer.deleted_at is None:
        await queue_email(
            db,
            runtime,
            to=buyer.email,
            subject=title[0].upper() + title[1:],
            template="emails/inquiry_changed",
            context={"name": buyer.name, "inquiry": inquiry, "title": title, "rel": rel},
        )


async def _tell_brand(
    db: AsyncSession, runtime: StoreRuntime, inquiry: Inquiry, title: str
) -> None:
    rel = f"brand/inquiries/{inquiry.number}"
    link = runtime.path(rel)
    for user_id, email, name in await parties.member_emails(db, inquiry.brand_id):
        await notifications.notify(db, user_id=user_id, title=title, link=link)
        await queue_email(
            db,
            runtime,
            to=email,
            subject=title[0].upper() + title[1:],
            template="emails/inquiry_changed",
            context={"name": name, "inquiry": inquiry, "title": title, "rel": rel},
        )
