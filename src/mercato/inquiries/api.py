"""Inquiries JSON API under /<store>/api/v1 (API-first: the mobile app uses the same services
as the pages). The seed's validation: is the user signed in (401), approved (403), is the
product available (422 with the field path)?

A buyer reads their own inquiries; a brand user reads their brands' (``?as=brand``). Any
other number is a 404.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from mercato.identity.api_deps import Principal
from mercato.identity.deps import limit_attempts
from mercato.inquiries import parties, pdf
from mercato.inquiries import service as inquiry_service
from mercato.kit.errors import NotFound
from mercato.models.inquiries import Inquiry, InquiryEvent, InquiryLine
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["inquiries"])
SEND_RATE = "10/minute"
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class LineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: Id
    quantity: Annotated[int, Field(ge=1, le=inquiry_service.MAX_QUANTITY)]
    size: str = Field("", max_length=20, examples=["M"])
    colour: str = Field("", max_length=60)
    customisation: str = Field("", max_length=1000, examples=["Add longer sleeves"])


class InquiryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[LineIn] = Field(min_length=1, max_length=inquiry_service.MAX_LIST_ITEMS)
    note: str = Field("", max_length=1000)


class LineOut(BaseModel):
    id: int
    product_id: int | None
    product_name: str
    list_price: int = Field(description="Wholesale price when asked, minor units")
    size: str
    colour: str
    quantity: int
    customisation: str
    available: bool | None
    unit_price: int | None = Field(description="The brand's price, minor units; null until quoted")
    lead_time_days: int | None
    brand_note: str


class EventOut(BaseModel):
    kind: str
    from_status: str
    to_status: str
    actor_side: str
    note: str
    created_at: datetime


class InquiryOut(BaseModel):
    number: str
    status: Literal["pending", "quoted", "accepted", "declined", "withdrawn"]
    brand_id: int
    buyer_id: int
    currency: str
    note: str
    total: int = Field(description="Quoted total of the available lines, minor units")
    created_at: datetime
    quoted_at: datetime | None
    decided_at: datetime | None
    lines: list[LineOut]
    timeline: list[EventOut] | None = None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line_id: Id
    available: bool
    unit_price: Annotated[int, Field(ge=1, lt=inquiry_service.MAX_PRICE)] | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=inquiry_service.MAX_LEAD_TIME_DAYS)] | None = None
    note: str = Field("", max_length=1000)


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lines: list[AnswerIn] = Field(min_length=1, max_length=inquiry_service.MAX_LIST_ITEMS)
    note: str = Field("", max_length=1000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Field(max_length=1000)] = ""


def _line(line: InquiryLine) -> LineOut:
    return LineOut(
        id=line.id,
        product_id=line.product_id,
        product_name=line.product_name,
        list_price=line.list_price,
        size=line.size_label,
        colour=line.colour,
        quantity=line.quantity,
        customisation=line.customisation,
        available=line.available,
        unit_price=line.unit_price,
        lead_time_days=line.lead_time_days,
        brand_note=line.brand_note,
    )


def _out(
    inquiry: Inquiry, lines: list[InquiryLine], events: list[InquiryEvent] | None = None
) -> InquiryOut:
    return InquiryOut(
        number=inquiry.number,
        status=inquiry.status,  # type: ignore[arg-type]
        brand_id=inquiry.brand_id,
        buyer_id=inquiry.buyer_id,
        currency=inquiry.currency,
        note=inquiry.note,
        total=inquiry_service.totals(lines),
        created_at=inquiry.created_at,
        quoted_at=inquiry.quoted_at,
        decided_at=inquiry.decided_at,
        lines=[_line(ln) for ln in lines],
        timeline=None
        if events is None
        else [
            EventOut(
                kind=e.kind,
                from_status=e.from_status,
                to_status=e.to_status,
                actor_side=e.actor_side,
                note=e.note,
                created_at=e.created_at,
            )
            for e in events
        ],
    )


async def _full(db: Db, inquiry: Inquiry) -> InquiryOut:
    lines = (await inquiry_service.lines_of(db, [inquiry.id]))[inquiry.id]
    return _out(inquiry, lines, await inquiry_service.timeline(db, inquiry.id))


@router.post(
    "/inquiries",
    response_model=list[InquiryOut],
    status_code=201,
    summary="Send an inquiry (one per brand)",
    responses={401: {"description": "Not signed in"}, 403: {"description": "Not approved"}},
)
async def create(
    body: InquiryIn, principal: Principal, db: Db, runtime: Runtime, request: Request
) -> list[InquiryOut]:
    """Lines may name products of several brands: one inquiry per brand is created, each
    pending. Every line is validated first (product available, size of its run, colour,
    quantity and the brand's minimum per style); nothing is created if one fails."""
    await limit_attempts(request, (SEND_RATE, f"inquiry-send:{principal.user.id}"))
    items = [
        inquiry_service.ItemIn(ln.product_id, ln.quantity, ln.size, ln.colour, ln.customisation)
        for ln in body.lines
    ]
    created = await inquiry_service.create_inquiries(
        db, runtime, principal.user, items, note=body.note
    )
    return [await _full(db, i) for i in created]


@router.get("/inquiries", response_model=list[InquiryOut], summary="List inquiries")
async def index(
    principal: Principal,
    db: Db,
    as_: Annotated[Literal["buyer", "brand"], Query(alias="as")] = "buyer",
    status: Annotated[str, Query(max_length=12)] = "",
) -> list[InquiryOut]:
    """The caller's own inquiries (``as=buyer``) or their brands' (``as=brand``), newest
    first, with lines."""
    if as_ == "brand":
        who = await parties.who(db, principal.user)
        rows = await inquiry_service.list_for_brand(db, who.brand_ids, status=status)
    else:
        rows = await inquiry_service.list_for_buyer(db, principal.user.id, status=status)
    lines = await inquiry_service.lines_of(db, [r.id for r in rows])
    return [_out(r, lines.get(r.id, [])) for r in rows]


async def _get(db: Db, principal: Principal, number: str) -> tuple[Inquiry, str]:
    who = await parties.who(db, principal.user)
    return await inquiry_service.get_for_user(db, who, number)


@router.get(
    "/inquiries/{number}", response_model=InquiryOut, summary="One inquiry with its timeline"
)
async def get(number: str, principal: Principal, db: Db) -> InquiryOut:
    inquiry, _ = await _get(db, principal, number)
    return await _full(db, inquiry)


@router.post("/inquiries/{number}/answer", response_model=InquiryOut, summary="Quote (brand)")
async def answer(
    number: str, body: QuoteIn, principal: Principal, db: Db, runtime: Runtime
) -> InquiryOut:
    """The brand answers every line: available, unit price (minor units) and lead time for
    available lines, and a note. Pending or quoted inquiries only (a revised quote)."""
    inquiry, side = await _get(db, principal, number)
    if side != "brand":
        raise NotFound("No such inquiry.", field="number")
    answers = [
        inquiry_service.LineAnswer(a.line_id, a.available, a.unit_price, a.lead_time_days, a.note)
        for a in body.lines
    ]
    await inquiry_service.quote(db, runtime, inquiry, answers, actor=principal.user, note=body.note)
    return await _full(db, inquiry)


async def _decide(
    action: str, number: str, body: DecisionIn, principal: Principal, db: Db, runtime: Runtime
) -> InquiryOut:
    inquiry, side = await _get(db, principal, number)
    if side != "buyer":
        raise NotFound("No such inquiry.", field="number")
    await parties.require_approved_buyer(db, principal.user.id)
    await getattr(inquiry_service, action)(
        db, runtime, inquiry, actor=principal.user, note=body.note
    )
    return await _full(db, inquiry)


@router.post(
    "/inquiries/{number}/accept", response_model=InquiryOut, summary="Accept a quote (buyer)"
)
async def accept(
    number: str, principal: Principal, db: Db, runtime: Runtime, body: DecisionIn | None = None
) -> InquiryOut:
    return await _decide("accept", number, body or DecisionIn(), principal, db, runtime)


@router.post(
    "/inquiries/{number}/decline", response_model=InquiryOut, summary="Decline a quote (buyer)"
)
async def decline(
    number: str, principal: Principal, db: Db, runtime: Runtime, body: DecisionIn | None = None
) -> InquiryOut:
    return await _decide("decline", number, body or DecisionIn(), principal, db, runtime)


@router.post("/inquiries/{number}/withdraw", response_model=InquiryOut, summary="Withdraw (buyer)")
async def withdraw(
    number: str, principal: Principal, db: Db, runtime: Runtime, body: DecisionIn | None = None
) -> InquiryOut:
    return await _decide("withdraw", number, body or DecisionIn(), principal, db, runtime)


@router.get(
    "/inquiries/{number}/confirmation.pdf",
    summary="Order confirmation PDF of an accepted inquiry",
    response_class=pdf.Response,
)
async def confirmation(number: str, principal: Principal, db: Db, runtime: Runtime) -> pdf.Response:
    inquiry, _ = await _get(db, principal, number)
    return await pdf.response(db, runtime, inquiry)
