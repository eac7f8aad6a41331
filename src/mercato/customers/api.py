"""The address book in the JSON API, for the customer of a bearer access token."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from mercato.customers import service
from mercato.customers.schemas import AddressIn
from mercato.identity.api_deps import ApiPrincipal, Principal
from mercato.kit.errors import PermissionDenied
from mercato.models import Address
from mercato.web.deps import Db

router = APIRouter(prefix="/addresses", tags=["addresses"])
NOT_FOUND = {404: {"description": "No such address among yours."}}


class AddressWrite(AddressIn):
    kind: Literal["shipping", "billing"] = "shipping"
    is_default: bool = Field(False, description="Make it the default of its kind.")


class AddressOut(BaseModel):
    id: int
    kind: str
    first_name: str
    last_name: str
    company: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str
    phone: str
    is_default: bool
    created_at: datetime

    @classmethod
    def of(cls, address: Address) -> AddressOut:
        return cls(
            id=address.id,
            kind=address.kind,
            is_default=address.is_default,
            created_at=address.created_at,
            **address.snapshot(),
        )


def _customer(principal: ApiPrincipal) -> int:
    # An address book belongs to a person; an integration's API key does not read it.
    if principal.via != "token":
        raise PermissionDenied("Addresses are read with a customer's access token.")
    return principal.user.id


def _fields(body: AddressWrite) -> AddressIn:
    return AddressIn(**body.model_dump(exclude={"kind", "is_default"}))


@router.get("", response_model=list[AddressOut])
async def list_addresses(principal: Principal, db: Db) -> list[AddressOut]:
    return [AddressOut.of(a) for a in await service.list_addresses(db, _customer(principal))]


@router.post("", status_code=201, response_model=AddressOut)
async def create_address(body: AddressWrite, principal: Principal, db: Db) -> AddressOut:
    address = await service.create_address(
        db, _customer(principal), _fields(body), kind=body.kind, make_default=body.is_default
    )
    return AddressOut.of(address)


@router.get("/{address_id}", response_model=AddressOut, responses=NOT_FOUND)
async def get_address(address_id: int, principal: Principal, db: Db) -> AddressOut:
    return AddressOut.of(await service.get_address(db, _customer(principal), address_id))


@router.put("/{address_id}", response_model=AddressOut, responses=NOT_FOUND)
async def replace_address(
    address_id: int, body: AddressWrite, principal: Principal, db: Db
) -> AddressOut:
    address = await service.update_address(
        db,
        _customer(principal),
        address_id,
        _fields(body),
        kind=body.kind,
        make_default=body.is_default,
    )
    return AddressOut.of(address)


@router.post("/{address_id}/default", response_model=AddressOut, responses=NOT_FOUND)
async def make_default(address_id: int, principal: Principal, db: Db) -> AddressOut:
    return AddressOut.of(await service.set_default(db, _customer(principal), address_id))


@router.delete("/{address_id}", status_code=204, responses=NOT_FOUND)
async def delete_address(address_id: int, principal: Principal, db: Db) -> Response:
    await service.delete_address(db, _customer(principal), address_id)
    return Response(status_code=204)
