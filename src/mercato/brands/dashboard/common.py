"""What every dashboard page shares: which brand (a user may manage several), the page
frame, the uploaded file, form refusals shown on the form, and the audit record."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError

from mercato.brands import service
from mercato.brands.pages import errors_of
from mercato.kit.errors import DomainError
from mercato.models import User
from mercato.models.brands import Brand
from mercato.platform import audit
from mercato.web.templating import render

MAX_UPLOAD = service.MAX_IMAGE_BYTES
Errors = dict[str, list[str]]


def as_int(raw: Any) -> int | None:
    """An id from a form or query: digits only, bounded (no exponent, sign or overflow)."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def optional_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() and len(text) < 12 else None


async def brand_of(request: Request, db: Any, user: User, form: Any = None) -> Brand:
    """The brand this request is about: ``brand_id`` of a form, ``?brand=`` of a page, or
    the user's first brand; a brand the user does not manage is a 404."""
    raw = form.get("brand_id") if form is not None else request.query_params.get("brand")
    return await service.managed_brand(db, user.id, as_int(raw))


async def posted(request: Request, db: Any, user: User) -> tuple[Any, Brand]:
    """The submitted form and the brand it is for."""
    form = await request.form()
    return form, await brand_of(request, db, user, form)


def to(brand: Brand, where: str = "") -> str:
    return f"brand{'/' + where if where else ''}?brand={brand.id}"


async def render_page(
    request: Request,
    db: Any,
    user: User,
    brand: Brand,
    template: str,
    ctx: dict[str, Any],
    *,
    status_code: int = 200,
    section: str = "",
) -> Response:
    ctx = {
        "brand": brand,
        "my_brands": await service.brands_of_user(db, user.id),
        "section": section,
        "errors": {},
        **ctx,
    }
    return render(request, f"brands/dashboard/{template}", ctx, status_code=status_code)


async def upload(form: Any, name: str = "file") -> bytes:
    sent = form.get(name)
    if sent is None or not hasattr(sent, "read"):
        return b""
    return await sent.read(MAX_UPLOAD + 1)


class FormErrors(Exception):
    """Problems found while reading a form, before the schema or the service saw it."""

    def __init__(self, errors: Errors) -> None:
        self.errors = errors


REFUSALS = (FormErrors, ValidationError, DomainError)


def refusal(exc: Exception, *, field: str = "") -> tuple[Errors, int]:
    """What the form shows for a refusal, and the status: field messages and 422 for bad
    input, the service's message (next to ``field`` when given) and its status otherwise."""
    if isinstance(exc, FormErrors):
        return exc.errors, 422
    if isinstance(exc, ValidationError):
        return errors_of(exc), 422
    assert isinstance(exc, DomainError)
    return {field or exc.field or "__all__": [exc.message]}, exc.status_code


async def record(
    request: Request,
    db: Any,
    user: User,
    action: str,
    entity: tuple[str, int],
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit entry ``brands.<action>`` for ``entity`` (type, id)."""
    await audit.record(
        db,
        actor=user,
        action=f"brands.{action}",
        entity_type=entity[0],
        entity_id=entity[1],
        before=before,
        after=after,
        request=request,
    )
