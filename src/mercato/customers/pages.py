"""Account pages: the landing page and the address book (signed-in customers).

Every address route looks the address up with the signed-in user's id, so another
customer's address id answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from mercato.customers import service
from mercato.customers.forms import parse_address
from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError
from mercato.kit.i18n import _
from mercato.models import Address
from mercato.models.commerce import AddressKind
from mercato.web.deps import Db
from mercato.web.flash import redirect
from mercato.web.templating import render

router = APIRouter(prefix="/account")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.get("/overview")
async def overview(request: Request, user: CurrentUser, db: Db) -> Response:
    addresses = await service.list_addresses(db, user.id)
    return render(
        request,
        "customers/overview.html",
        {"addresses": [a for a in addresses if a.is_default]},
    )


@router.get("/addresses")
async def address_list(request: Request, user: CurrentUser, db: Db) -> Response:
    addresses = await service.list_addresses(db, user.id)
    return render(
        request,
        "customers/addresses.html",
        {
            "shipping": [a for a in addresses if a.kind == AddressKind.SHIPPING],
            "billing": [a for a in addresses if a.kind == AddressKind.BILLING],
        },
    )


def _address_form(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    address: Address | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "customers/address_form.html",
        {"values": values, "errors": errors, "address": address},
        status_code=status,
    )


@router.get("/addresses/new")
async def new_address_form(request: Request, user: CurrentUser, kind: str = "shipping") -> Response:
    kind = kind if kind in service.KINDS else "shipping"
    return _address_form(request, {"kind": kind, "country": "US"}, {})


@router.post("/addresses/new")
async def create_address(request: Request, user: CurrentUser, db: Db) -> Response:
    values = await _form(request)
    data, errors = parse_address(values)
    kind = values.get("kind", "shipping")
    if kind not in service.KINDS:
        errors["kind"] = [_("Choose shipping or billing.")]
    if data is None or errors:
        return _address_form(request, values, errors, status=422)
    try:
        await service.create_address(
            db, user.id, data, kind=kind, make_default=values.get("is_default") == "on"
        )
    except DomainError as exc:
        return _address_form(request, values, {exc.field or "__all__": [exc.message]}, status=422)
    return redirect(request, "account/addresses", _("The address is saved."))


@router.get("/addresses/{address_id:int}/edit")
async def edit_address_form(
    request: Request, address_id: int, user: CurrentUser, db: Db
) -> Response:
    address = await service.get_address(db, user.id, address_id)  # NotFound → 404
    values = {**address.snapshot(), "kind": address.kind, "is_default": address.is_default}
    return _address_form(request, values, {}, address)


@router.post("/addresses/{address_id:int}/edit")
async def edit_address(request: Request, address_id: int, user: CurrentUser, db: Db) -> Response:
    address = await service.get_address(db, user.id, address_id)
    values = await _form(request)
    data, errors = parse_address(values)
    kind = values.get("kind", address.kind)
    if kind not in service.KINDS:
        errors["kind"] = [_("Choose shipping or billing.")]
    if data is None or errors:
        return _address_form(request, values, errors, address, status=422)
    await service.update_address(
        db, user.id, address.id, data, kind=kind, make_default=values.get("is_default") == "on"
    )
    return redirect(request, "account/addresses", _("The address is updated."))


@router.post("/addresses/{address_id:int}/delete")
async def delete_address(request: Request, address_id: int, user: CurrentUser, db: Db) -> Response:
    await service.delete_address(db, user.id, address_id)
    return redirect(request, "account/addresses", _("The address is removed."), "info")


@router.post("/addresses/{address_id:int}/default")
async def make_default(request: Request, address_id: int, user: CurrentUser, db: Db) -> Response:
    address = await service.set_default(db, user.id, address_id)
    return redirect(
        request,
        "account/addresses",
        _("This is now your default shipping address.")
        if address.kind == "shipping"
        else _("This is now your default billing address."),
    )
