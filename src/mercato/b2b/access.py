"""Who may do what in the wholesale store: the seed's permission matrix in one place.

Roles hold permission strings as everywhere in Mercato; on top of them, a member of a
*verified* company gets the verified-buyer permissions (wholesale prices, placing orders) for
as long as the company stays verified. Every module of the store asks this module, so the
matrix has one implementation (docs/decisions.md, "Wholesale store").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity.api_deps import api_key_scheme, bearer_scheme, get_principal
from mercato.identity.deps import SignInRequired
from mercato.identity.permissions import has_permission, permissions_of
from mercato.models import User
from mercato.models.b2b import Company, CompanyMember, ProductSeller, Seller
from mercato.web.deps import get_db, get_runtime

# The seed's permission matrix as permission strings (admin holds "*").
PROFIT_READ = "wholesale.profit.read"  # View Profit %
PROFIT_WRITE = "wholesale.profit.write"  # Set Profit %
REPORTS_ALL = "wholesale.reports.read"  # View Reports
REPORTS_OWN = "wholesale.reports.read_own"
PRODUCTS_ALL = "wholesale.products.manage"  # Manage Products
PRODUCTS_OWN = "wholesale.products.manage_own"
VERIFY = "b2b.verify"  # Verify Business
ORDERS_PLACE = "wholesale.orders.place"  # Place Orders
INVENTORY_ALL = "wholesale.inventory.read"  # View Inventory
INVENTORY_OWN = "wholesale.inventory.read_own"
PRICES_VIEW = "wholesale.prices.view"  # View Wholesale $
COMPANY_MANAGE = "b2b.company.manage"  # register a business and upload its documents

PERMISSIONS = {
    PROFIT_READ: "See the platform and seller profit percentages",
    PROFIT_WRITE: "Change the profit configuration",
    REPORTS_ALL: "See every profit report",
    REPORTS_OWN: "See the profit reports of one's own products",
    PRODUCTS_ALL: "Manage every wholesale product",
    PRODUCTS_OWN: "Manage one's own products",
    VERIFY: "Review business verifications and grant payment terms",
    ORDERS_PLACE: "Place wholesale orders",
    INVENTORY_ALL: "See all inventory",
    INVENTORY_OWN: "See the inventory of one's own products",
    PRICES_VIEW: "See wholesale prices and tiers",
    COMPANY_MANAGE: "Register a business and submit it for verification",
}

# Granted by a verified company, never by a role: unverifying takes them away at once.
VERIFIED_BUYER_PERMISSIONS = frozenset({ORDERS_PLACE, PRICES_VIEW})

DEFAULT_ROLES = {
    "buyer": [COMPANY_MANAGE],
    "customer": [COMPANY_MANAGE],  # a customer who signs up can register a business
    "seller": [PRICES_VIEW, REPORTS_OWN, PRODUCTS_OWN, INVENTORY_OWN],
    "admin": ["*"],
}

Scope = Literal["all", "own"] | None


@dataclass(frozen=True)
class Abilities:
    """One field per row of the seed's permission matrix, for one user."""

    view_profit_pct: bool = False
    set_profit_pct: bool = False
    reports: Scope = None
    products: Scope = None
    verify_business: bool = False
    place_orders: bool = False
    inventory: Scope = None
    view_wholesale_prices: bool = False
    seller_id: int | None = None  # set when an "own" scope applies
    company_id: int | None = None
    company_status: str | None = None


NOBODY = Abilities()


async def buyer_company(session: AsyncSession, user: User | None) -> Company | None:
    """The company this user acts for, whatever its verification status."""
    if user is None:
        return None
    return await session.scalar(
        select(Company)
        .join(CompanyMember, CompanyMember.company_id == Company.id)
        .where(CompanyMember.user_id == user.id)
    )


async def is_verified_buyer(session: AsyncSession, user: User | None) -> bool:
    company = await buyer_company(session, user)
    return company is not None and company.status == "verified"


async def seller_for_user(session: AsyncSession, user: User | None) -> Seller | None:
    if user is None:
        return None
    return await session.scalar(select(Seller).where(Seller.user_id == user.id))


async def product_ids_of_seller(session: AsyncSession, seller_id: int) -> set[int]:
    rows = await session.scalars(
        select(ProductSeller.product_id).where(ProductSeller.seller_id == seller_id)
    )
    return set(rows)


async def sellers_of_products(session: AsyncSession, product_ids: list[int]) -> dict[int, int]:
    """product id → seller id for the products that have a seller."""
    if not product_ids:
        return {}
    rows = await session.execute(
        select(ProductSeller.product_id, ProductSeller.seller_id).where(
            ProductSeller.product_id.in_(product_ids)
        )
    )
    return {p: s for p, s in rows.all()}


def _scope(perms: frozenset[str], all_perm: str, own_perm: str, seller: Seller | None) -> Scope:
    if has_permission(perms, all_perm):
        return "all"
    if own_perm in perms and seller is not None:
        return "own"
    return None


async def abilities_for(
    session: AsyncSession, user: User | None, perms: frozenset[str] | None = None
) -> Abilities:
    """The matrix row values of ``user``. ``perms`` are the caller's permissions when they
    are narrower than the user's roles (an API key's scopes)."""
    if user is None:
        return NOBODY
    if perms is None:
        perms = await permissions_of(session, user.id)
    company = await buyer_company(session, user)
    if company is not None and company.status == "verified":
        perms = perms | VERIFIED_BUYER_PERMISSIONS
    seller = None
    if any(p in perms for p in (REPORTS_OWN, PRODUCTS_OWN, INVENTORY_OWN)):
        seller = await seller_for_user(session, user)
    return Abilities(
        view_profit_pct=has_permission(perms, PROFIT_READ),
        set_profit_pct=has_permission(perms, PROFIT_WRITE),
        reports=_scope(perms, REPORTS_ALL, REPORTS_OWN, seller),
        products=_scope(perms, PRODUCTS_ALL, PRODUCTS_OWN, seller),
        verify_business=has_permission(perms, VERIFY),
        place_orders=has_permission(perms, ORDERS_PLACE),
        inventory=_scope(perms, INVENTORY_ALL, INVENTORY_OWN, seller),
        view_wholesale_prices=has_permission(perms, PRICES_VIEW),
        seller_id=seller.id if seller else None,
        company_id=company.id if company else None,
        company_status=company.status if company else None,
    )


async def request_abilities(request: Request, session: AsyncSession) -> Abilities:
    """The abilities of whoever is asking, computed once per request. Pages use the web
    session's user; API routes the bearer token or API key (already resolved by
    ``get_principal`` when the route depends on it)."""
    cached = getattr(request.state, "b2b_abilities", None)
    if cached is not None:
        return cached
    principal = getattr(request.state, "api_principal", None)
    if principal is not None:
        found = await abilities_for(session, principal.user, principal.permissions)
    else:
        found = await abilities_for(session, getattr(request.state, "user", None))
    request.state.b2b_abilities = found
    return found


def can_see_wholesale_prices(request: Request) -> bool:
    """Template global: may this visitor see wholesale prices? Filled by the b2b page
    dependency; a page rendered without it shows no prices (fails closed)."""
    found = getattr(request.state, "b2b_abilities", None)
    return bool(found and found.view_wholesale_prices)


def _is_api(request: Request) -> bool:
    return "/api/" in request.url.path


async def api_abilities(
    request: Request,
    session: AsyncSession,
    bearer: HTTPAuthorizationCredentials | None,
    key: str | None,
) -> Abilities:
    """Abilities for an API request that may be anonymous: a missing credential is
    "nobody", a bad one is still a 401."""
    if bearer is None and not key:
        return NOBODY
    runtime = await get_runtime(request)
    await get_principal(request, session, runtime, bearer, key)
    return await request_abilities(request, session)


async def require_verified_buyer(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_db)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    key: Annotated[str | None, Depends(api_key_scheme)],
) -> User:
    """Routes for placing orders: a verified buyer (or an admin acting for the store).

    Pages send the visitor to sign in, then to "verify your business"; the API answers
    401 without credentials and 403 with a JSON reason otherwise."""
    if _is_api(request):
        if bearer is None and not key:
            from mercato.identity.api_deps import unauthorized

            raise unauthorized()
        found = await api_abilities(request, session, bearer, key)
        if not found.place_orders:
            raise HTTPException(
                403, "Only verified businesses can do this. Verify your business first."
            )
        return request.state.user
    user = getattr(request.state, "user", None)
    if user is None:
        raise SignInRequired("Please sign in to continue.")
    found = await request_abilities(request, session)
    if not found.place_orders:
        runtime = request.state.runtime
        raise HTTPException(
            303, "Verify your business first.", {"Location": runtime.path("verify")}
        )
    return user


VerifiedBuyer = Annotated[User, Depends(require_verified_buyer)]


def require_ability(check, message: str = "You do not have permission to do that."):
    """A dependency for pages and API alike: ``check(abilities) -> bool``."""

    async def dependency(
        request: Request,
        session: Annotated[AsyncSession, Depends(get_db)],
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
        key: Annotated[str | None, Depends(api_key_scheme)],
    ) -> Abilities:
        if _is_api(request):
            if bearer is None and not key:
                from mercato.identity.api_deps import unauthorized

                raise unauthorized()
            found = await api_abilities(request, session, bearer, key)
        else:
            if getattr(request.state, "user", None) is None:
                raise SignInRequired("Please sign in to continue.")
            found = await request_abilities(request, session)
        if not check(found):
            raise HTTPException(403, message)
        return found

    return dependency
