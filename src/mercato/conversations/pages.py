"""Conversation pages: a buyer's messages, the brand inbox (filters: unread, by buyer), the
conversation page (history paged by ``?before=``, send with an optional image, mark read,
report), and image attachments served only to the two sides.

The page works without JavaScript (forms post and redirect back); ``chat.js`` sends with
fetch, adds ``message:new`` pushes as they arrive, marks them read while the page is
visible and shows the other side's read receipt (``message:read``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select

from mercato.conversations import attachments
from mercato.conversations import service as conversation_service
from mercato.conversations.events import deliver_after_commit
from mercato.identity.deps import limit_attempts, require_user
from mercato.inquiries import parties
from mercato.inquiries import service as inquiry_service
from mercato.kit.errors import DomainError, NotFound
from mercato.models import Product, User
from mercato.models.inquiries import Inquiry
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash
from mercato.web.templating import render

router = APIRouter()


def _int(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def _who(request: Request, db: Any) -> parties.Who:
    return await parties.who(db, await require_user(request))


async def rate_limit_send(request: Request, user_id: int) -> None:
    await limit_attempts(
        request,
        (conversation_service.SEND_RATE, f"message-send:{user_id}"),
        (conversation_service.SEND_RATE_HOURLY, f"message-send-hour:{user_id}"),
    )


# ---------------------------------------------------------------- lists


@router.get("/messages")
async def my_conversations(request: Request, db: Db) -> Response:
    who = await _who(request, db)
    rows = await conversation_service.inbox(db, side="buyer", buyer_id=who.user.id)
    brands = await parties.brands_by_id(db, {r.conversation.brand_id for r in rows})
    return render(
        request,
        "conversations/list.html",
        {"rows": rows, "brands": brands, "side": "buyer", "filters": {}, "buyers": {}},
    )


@router.get("/brand/inbox")
async def brand_inbox(request: Request, db: Db) -> Response:
    who = await _who(request, db)
    if not who.is_brand:
        raise NotFound("This page is for brand users.")
    unread_only = request.query_params.get("unread") == "1"
    buyer_id = _int(request.query_params.get("buyer"))
    brand, mine = await parties.dashboard_brand(db, who, request.query_params.get("brand"))
    rows = await conversation_service.inbox(
        db, side="brand", brand_ids=(brand.id,), unread_only=unread_only, buyer_id=buyer_id
    )
    buyers = await parties.users_by_id(
        db, await conversation_service.buyer_ids_of_brand(db, brand.id)
    )
    boutiques = await parties.boutiques_by_user(db, set(buyers))
    brands = {b.id: b for b in mine}
    return render(
        request,
        "conversations/inbox.html",
        {
            "brand": brand,
            "my_brands": mine,
            "rows": rows,
            "brands": brands,
            "side": "brand",
            "buyers": buyers,
            "boutiques": boutiques,
            "filters": {"unread": unread_only, "buyer": buyer_id},
        },
    )


# ---------------------------------------------------------------- starting


@router.post("/messages/start")
async def start(request: Request, db: Db, runtime: Runtime) -> Response:
    """From a brand page, a product page or an inquiry: open (or create) the conversation
    with that brand; a product or inquiry is remembered as the first message's reference."""
    who = await _who(request, db)
    form = await request.form()
    inquiry = None
    number = str(form.get("inquiry") or "")
    if number:
        inquiry = await inquiry_service.get_for_buyer(db, who.user.id, number)
    product_id = _int(form.get("product_id"))
    brand_id = await conversation_service.brand_for_start(
        db, brand_id=_int(form.get("brand_id")), product_id=product_id, inquiry=inquiry
    )
    try:
        conversation = await conversation_service.start(db, who.user, brand_id)
    except DomainError as exc:
        response = RedirectResponse(
            str(request.headers.get("referer") or runtime.path("")), status_code=303
        )
        flash(request, response, exc.message, "error")
        return response
    query = ""
    if inquiry is not None:
        query = f"?inquiry={inquiry.number}"
    elif product_id:
        query = f"?product={product_id}"
    return RedirectResponse(runtime.path(f"messages/{conversation.id}{query}"), status_code=303)


# ---------------------------------------------------------------- one conversation


@router.get("/messages/{conversation_id}")
async def conversation_page(conversation_id: int, request: Request, db: Db) -> Response:
    who = await _who(request, db)
    conversation, side = await conversation_service.get_for_user(db, who, conversation_id)
    return await _render(request, db, who, conversation, side, {}, {})


async def _render(
    request: Request,
    db: Any,
    who: parties.Who,
    conversation: Any,
    side: str,
    errors: dict[str, str],
    values: dict[str, str],
    status_code: int = 200,
) -> Response:
    before = _int(request.query_params.get("before"))
    messages, older = await conversation_service.history(db, conversation.id, before=before)
    brand = (await parties.brands_by_id(db, {conversation.brand_id})).get(conversation.brand_id)
    buyer = await db.get(User, conversation.buyer_id)
    boutique = (await parties.boutiques_by_user(db, {conversation.buyer_id})).get(
        conversation.buyer_id
    )
    product_ids = {m.product_id for m in messages if m.product_id}
    inquiry_ids = {m.inquiry_id for m in messages if m.inquiry_id}
    # A reference chosen on the way in ("Message the brand" on a product or an inquiry).
    ref_product = _int(request.query_params.get("product"))
    ref_inquiry_number = request.query_params.get("inquiry", "")[:20]
    if ref_product:
        product_ids.add(ref_product)
    products = {}
    if product_ids:
        products = {
            p.id: p for p in await db.scalars(select(Product).where(Product.id.in_(product_ids)))
        }
    inquiries: dict[int, Inquiry] = {}
    query = select(Inquiry).where(
        Inquiry.buyer_id == conversation.buyer_id, Inquiry.brand_id == conversation.brand_id
    )
    if inquiry_ids or ref_inquiry_number:
        for row in await db.scalars(query.order_by(Inquiry.id.desc()).limit(50)):
            inquiries[row.id] = row
    ref_inquiry = next((i for i in inquiries.values() if i.number == ref_inquiry_number), None)
    other_read = (
        conversation.brand_read_through if side == "buyer" else conversation.buyer_read_through
    )
    frame: dict[str, Any] = {}
    if side == "brand":
        _, mine = await parties.dashboard_brand(db, who, conversation.brand_id)
        frame = {"my_brands": mine}
        other_name = boutique.name if boutique else (buyer.name if buyer else "Buyer")
    else:
        other_name = brand.name if brand else "Brand"
    return render(
        request,
        "conversations/brand_conversation.html"
        if side == "brand"
        else "conversations/conversation.html",
        {
            **frame,
            "other_name": other_name,
            "conversation": conversation,
            "side": side,
            "messages": messages,
            "older": older,
            "brand": brand,
            "buyer": buyer,
            "boutique": boutique,
            "products": products,
            "inquiries": inquiries,
            "ref_product": products.get(ref_product) if ref_product else None,
            "ref_inquiry": ref_inquiry,
            "other_read": other_read,
            "errors": errors,
            "values": values,
        },
        status_code=status_code,
    )


@router.post("/messages/{conversation_id}")
async def send(conversation_id: int, request: Request, db: Db, runtime: Runtime) -> Response:
    who = await _who(request, db)
    conversation, side = await conversation_service.get_for_user(db, who, conversation_id)
    await rate_limit_send(request, who.user.id)
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    upload = form.get("attachment")
    pushes: list[Any] = []
    try:
        attachment = None
        if upload is not None and not isinstance(upload, str) and upload.filename:
            raw = await upload.read(attachments.MAX_BYTES + 1)
            attachment = await attachments.store_attachment(runtime, conversation.id, raw)
        inquiry_id = None
        if values.get("inquiry"):
            found = await db.scalar(
                select(Inquiry.id).where(
                    Inquiry.number == values["inquiry"],
                    Inquiry.buyer_id == conversation.buyer_id,
                    Inquiry.brand_id == conversation.brand_id,
                )
            )
            if found is None:
                raise NotFound("That inquiry is not part of this conversation.", field="inquiry")
            inquiry_id = found
        message = await conversation_service.send(
            db,
            conversation,
            who.user,
            side,
            values.get("body", ""),
            product_id=_int(values.get("product_id")),
            inquiry_id=inquiry_id,
            attachment=attachment,
            pushes=pushes,
        )
    except DomainError as exc:
        if _wants_json(request):
            raise
        return await _render(
            request,
            db,
            who,
            conversation,
            side,
            {exc.field or "body": exc.message},
            values,
            exc.status_code,
        )
    await deliver_after_commit(request, pushes)
    if _wants_json(request):
        data = conversation_service.message_dict(runtime, message)
        data["sender_name"] = who.user.name
        return JSONResponse({"message": data}, status_code=201)
    return RedirectResponse(
        runtime.path(f"messages/{conversation.id}#message-{message.id}"), status_code=303
    )


@router.post("/messages/{conversation_id}/read")
async def mark_read(conversation_id: int, request: Request, db: Db, runtime: Runtime) -> Response:
    who = await _who(request, db)
    conversation, side = await conversation_service.get_for_user(db, who, conversation_id)
    form = await request.form()
    pushes: list[Any] = []
    through = await conversation_service.mark_read(
        db, conversation, side, _int(form.get("through")), pushes=pushes
    )
    await deliver_after_commit(request, pushes)
    if _wants_json(request):
        return JSONResponse({"read_through": through})
    return RedirectResponse(runtime.path(f"messages/{conversation.id}"), status_code=303)


@router.get("/messages/{conversation_id}/attachments/{message_id}")
async def attachment(
    conversation_id: int, message_id: int, request: Request, db: Db, runtime: Runtime
) -> Response:
    who = await _who(request, db)
    conversation, _ = await conversation_service.get_for_user(db, who, conversation_id)
    message = await conversation_service.message_in(db, conversation, message_id)
    if not message.attachment_key:
        raise NotFound("No such attachment.")
    data, media_type = await attachments.read_attachment(runtime, message.attachment_key)
    return Response(
        data,
        media_type=media_type,
        headers={"cache-control": "private, max-age=86400", "x-content-type-options": "nosniff"},
    )


@router.post("/messages/{conversation_id}/report/{message_id}")
async def report(
    conversation_id: int, message_id: int, request: Request, db: Db, runtime: Runtime
) -> Response:
    who = await _who(request, db)
    conversation, side = await conversation_service.get_for_user(db, who, conversation_id)
    form = await request.form()
    await conversation_service.report(
        db, conversation, side, who.user, message_id, str(form.get("reason") or "")
    )
    response = RedirectResponse(runtime.path(f"messages/{conversation.id}"), status_code=303)
    flash(request, response, "Thank you. The store's team will look at this message.", "info")
    return response
