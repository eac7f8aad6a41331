"""Conversations JSON API under /<store>/api/v1, with the same rules as the pages: only the
two sides read a conversation (anyone else: 404), only approved buyers write, blocked users
cannot send, sending is rate limited. History is keyset paged: ``before`` is the id of the
oldest message already shown; ``next_before`` is null at the start of the conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from mercato.conversations import service as conversation_service
from mercato.conversations.events import deliver_after_commit
from mercato.conversations.pages import rate_limit_send
from mercato.identity.api_deps import Principal
from mercato.inquiries import parties
from mercato.inquiries import service as inquiry_service
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["conversations"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class StartIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    brand_id: Id | None = None
    product_id: Id | None = Field(None, description="Start from a product page: its brand")
    inquiry: str | None = Field(None, max_length=20, description="Start from an inquiry number")


class AttachmentOut(BaseModel):
    url: str
    width: int | None
    height: int | None


class MessageOut(BaseModel):
    id: int
    conversation_id: int
    sender_side: Literal["buyer", "brand"]
    body: str
    product_id: int | None
    inquiry_id: int | None
    attachment: AttachmentOut | None
    created_at: datetime


class ConversationOut(BaseModel):
    id: int
    buyer_id: int
    brand_id: int
    side: Literal["buyer", "brand"] = Field(description="The caller's side")
    unread: int
    last_message: MessageOut | None
    read_through: int = Field(description="The caller's side's read mark (message id)")
    other_read_through: int = Field(description="The other side's read mark: read receipts")


class MessagesOut(BaseModel):
    messages: list[MessageOut] = Field(description="Oldest first")
    next_before: int | None = Field(description="Pass as ?before= for older messages")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=conversation_service.MAX_BODY)
    product_id: Id | None = None
    inquiry: str | None = Field(None, max_length=20)


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    through: Id | None = Field(None, description="Last message read; default all")


class ReadOut(BaseModel):
    read_through: int


def _msg(runtime: Any, message: Any) -> MessageOut:
    return MessageOut(**conversation_service.message_dict(runtime, message))


def _conversation(runtime: Any, c: Any, side: str, unread: int, last: Any) -> ConversationOut:
    other = "brand" if side == "buyer" else "buyer"
    return ConversationOut(
        id=c.id,
        buyer_id=c.buyer_id,
        brand_id=c.brand_id,
        side=side,  # type: ignore[arg-type]
        unread=unread,
        last_message=_msg(runtime, last) if last is not None else None,
        read_through=getattr(c, f"{side}_read_through"),
        other_read_through=getattr(c, f"{other}_read_through"),
    )


@router.get("/conversations", response_model=list[ConversationOut], summary="My conversations")
async def index(
    principal: Principal,
    db: Db,
    runtime: Runtime,
    as_: Annotated[Literal["buyer", "brand"], Query(alias="as")] = "buyer",
    unread: bool = False,
    buyer_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> list[ConversationOut]:
    """As a buyer (default) or as a brand user (``as=brand``, the inbox: filter by
    ``unread`` and ``buyer_id``), latest first."""
    who = await parties.who(db, principal.user)
    if as_ == "brand":
        rows = await conversation_service.inbox(
            db, side="brand", brand_ids=who.brand_ids, unread_only=unread, buyer_id=buyer_id
        )
    else:
        rows = await conversation_service.inbox(
            db, side="buyer", buyer_id=who.user.id, unread_only=unread
        )
    return [_conversation(runtime, r.conversation, as_, r.unread, r.last) for r in rows]


@router.post(
    "/conversations",
    response_model=ConversationOut,
    summary="Start (or find) the conversation with a brand",
    responses={403: {"description": "Not an approved buyer"}},
)
async def start(body: StartIn, principal: Principal, db: Db, runtime: Runtime) -> ConversationOut:
    inquiry = None
    if body.inquiry:
        inquiry = await inquiry_service.get_for_buyer(db, principal.user.id, body.inquiry)
    brand_id = await conversation_service.brand_for_start(
        db, brand_id=body.brand_id, product_id=body.product_id, inquiry=inquiry
    )
    conversation = await conversation_service.start(db, principal.user, brand_id)
    unread = await conversation_service.unread_for(db, conversation, "buyer")
    last = None
    if conversation.last_message_id:
        messages, _ = await conversation_service.history(db, conversation.id, limit=1)
        last = messages[-1] if messages else None
    return _conversation(runtime, conversation, "buyer", unread, last)


@router.get(
    "/conversations/{conversation_id}/messages",
    response_model=MessagesOut,
    summary="Messages, paged by keyset",
)
async def messages(
    conversation_id: int,
    principal: Principal,
    db: Db,
    runtime: Runtime,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=conversation_service.MAX_PAGE_SIZE)] = (
        conversation_service.PAGE_SIZE
    ),
) -> MessagesOut:
    who = await parties.who(db, principal.user)
    conversation, _ = await conversation_service.get_for_user(db, who, conversation_id)
    rows, older = await conversation_service.history(
        db, conversation.id, before=before, limit=limit
    )
    return MessagesOut(messages=[_msg(runtime, m) for m in rows], next_before=older)


@router.post(
    "/conversations/{conversation_id}/messages",
    response_model=MessageOut,
    status_code=201,
    summary="Send a message",
    responses={429: {"description": "Too many messages; see Retry-After"}},
)
async def send(
    conversation_id: int,
    body: MessageIn,
    request: Request,
    principal: Principal,
    db: Db,
    runtime: Runtime,
) -> MessageOut:
    """Text messages (image attachments are sent from the conversation page). The other
    side's open tabs receive it over the store WebSocket as ``message:new``."""
    who = await parties.who(db, principal.user)
    conversation, side = await conversation_service.get_for_user(db, who, conversation_id)
    await rate_limit_send(request, principal.user.id)
    inquiry_id = None
    if body.inquiry:
        found, _ = await inquiry_service.get_for_user(db, who, body.inquiry)
        inquiry_id = found.id
    pushes: list[Any] = []
    message = await conversation_service.send(
        db,
        conversation,
        principal.user,
        side,
        body.body,
        product_id=body.product_id,
        inquiry_id=inquiry_id,
        pushes=pushes,
    )
    await deliver_after_commit(request, pushes)
    return _msg(runtime, message)


@router.post(
    "/conversations/{conversation_id}/read",
    response_model=ReadOut,
    summary="Mark messages read (sends the read receipt)",
)
async def read(
    conversation_id: int,
    request: Request,
    principal: Principal,
    db: Db,
    body: ReadIn | None = None,
) -> ReadOut:
    who = await parties.who(db, principal.user)
    conversation, side = await conversation_service.get_for_user(db, who, conversation_id)
    pushes: list[Any] = []
    through = await conversation_service.mark_read(
        db, conversation, side, body.through if body else None, pushes=pushes
    )
    await deliver_after_commit(request, pushes)
    return ReadOut(read_through=through)
