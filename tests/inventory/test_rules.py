"""Stock rules: reserve all-or-nothing, release once, consume, adjust with a reason, expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from mercato.inventory import repository as inventory_repo
from mercato.inventory import service as inventory_service
from mercato.inventory.service import OutOfStock
from mercato.kit.errors import NotFound, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models.inventory import Inventory
from tests.inventory.support import make_product

TTL = timedelta(minutes=15)


async def _ledger_matches(db, product_id: int) -> None:
    inventory = await inventory_repo.get_inventory(db, product_id)
    movements = await inventory_repo.movements(db, product_id)
    assert sum(m.quantity_delta for m in movements) == inventory.quantity
    assert sum(m.reserved_delta for m in movements) == inventory.reserved
    for before, after in zip(movements, movements[1:], strict=False):
        assert after.quantity_before == before.quantity_after
        assert after.reserved_before == before.reserved_after


async def test_reserve_holds_units_and_writes_the_ledger(db):
    # Given 10 units of an essence
    product = await make_product(db, stock=10)
    # When a checkout reserves 3
    holds = await inventory_service.reserve(db, [(product.id, 3)], reference="ORD-1", ttl=TTL)
    # Then 3 are held, 7 are free, and the ledger says so
    inventory = await inventory_service.stock_of(db, product.id)
    assert (inventory.quantity, inventory.reserved, inventory.available) == (10, 3, 7)
    assert [(h.product_id, h.quantity, h.reference) for h in holds] == [(product.id, 3, "ORD-1")]
    last = (await inventory_repo.movements(db, product.id))[-1]
    assert (last.kind, last.reserved_before, last.reserved_after, last.reference) == (
        "reserve",
        0,
        3,
        "ORD-1",
    )
    await _ledger_matches(db, product.id)


async def test_reserve_is_all_or_nothing_and_names_the_short_product(db):
    # Given plenty of one essence and only 2 of another
    plenty = await make_product(db, stock=50)
    scarce = await make_product(db, stock=2, name="Calabrian Bergamot")
    # When one order asks for 1 of the first and 3 of the second
    with pytest.raises(OutOfStock) as caught:
        await inventory_service.reserve(
            db, [(plenty.id, 1), (scarce.id, 3)], reference="ORD-2", ttl=TTL
        )
    # Then the error names the product and what is left, with the line's field path
    error = caught.value
    assert error.message == "Only 2 units of Calabrian Bergamot left; you asked for 3."
    assert (error.product_id, error.available, error.field) == (scarce.id, 2, "items.1.quantity")
    # And nothing was reserved, even though the caller's transaction goes on
    for product in (plenty, scarce):
        assert (await inventory_service.stock_of(db, product.id)).reserved == 0
    assert await inventory_repo.holds_for(db, "ORD-2") == []


async def test_out_of_stock_message_when_nothing_is_left(db):
    product = await make_product(db, stock=0, name="Provence Lavender")
    with pytest.raises(OutOfStock, match="^Provence Lavender is out of stock.$"):
        await inventory_service.reserve(db, [(product.id, 1)], reference="c", ttl=TTL)


async def test_the_same_product_on_two_lines_is_one_hold(db):
    product = await make_product(db, stock=3)
    # Given 3 units, two lines of 2 each cannot both be held
    with pytest.raises(OutOfStock):
        await inventory_service.reserve(
            db, [(product.id, 2), (product.id, 2)], reference="c", ttl=TTL
        )
    holds = await inventory_service.reserve(
        db, [(product.id, 1), (product.id, 2)], reference="c", ttl=TTL
    )
    assert [h.quantity for h in holds] == [3]


@pytest.mark.parametrize(
    ("items", "reference", "field"),
    [
        ([(1, 0)], "ref", "items.0.quantity"),
        ([(1, -2)], "ref", "items.0.quantity"),
        ([], "ref", "items"),
        ([(1, 1)], "  ", "reference"),
    ],
)
async def test_reserve_refuses_bad_input(db, items, reference, field):
    with pytest.raises(ValidationFailed) as caught:
        await inventory_service.reserve(db, items, reference=reference, ttl=TTL)
    assert caught.value.field == field


async def test_reserving_an_unknown_product_is_not_found(db):
    with pytest.raises(NotFound):
        await inventory_service.reserve(db, [(987654, 1)], reference="x", ttl=TTL)


async def test_release_gives_units_back_once(db):
    # Given a hold of 4
    product = await make_product(db, stock=5)
    await inventory_service.reserve(db, [(product.id, 4)], reference="cart-a", ttl=TTL)
    # When it is released twice (a cancel racing the expiry job)
    first = await inventory_service.release(db, "cart-a")
    second = await inventory_service.release(db, "cart-a")
    # Then the units came back once
    assert (first, second) == (1, 0)
    inventory = await inventory_service.stock_of(db, product.id)
    assert (inventory.quantity, inventory.reserved) == (5, 0)
    kinds = [m.kind for m in await inventory_repo.movements(db, product.id)]
    assert kinds == ["restock", "reserve", "release"]
    await _ledger_matches(db, product.id)


async def test_consume_turns_a_hold_into_a_sale(db):
    # Given two products held by one order
    a = await make_product(db, stock=5)
    b = await make_product(db, stock=2)
    await inventory_service.reserve(db, [(b.id, 2), (a.id, 1)], reference="ORD-9", ttl=TTL)
    # When the payment is confirmed
    assert await inventory_service.consume(db, "ORD-9") == 2
    # Then the units have left: quantity and reserved both fell
    stock_a = await inventory_service.stock_of(db, a.id)
    stock_b = await inventory_service.stock_of(db, b.id)
    assert (stock_a.quantity, stock_a.reserved) == (4, 0)
    assert (stock_b.quantity, stock_b.reserved) == (0, 0)
    assert all(h.consumed_at is not None for h in await inventory_repo.holds_for(db, "ORD-9"))
    # And a consumed order can no longer be released, nor consumed again
    assert await inventory_service.release(db, "ORD-9") == 0
    assert await inventory_service.consume(db, "ORD-9") == 0
    assert (await inventory_service.stock_of(db, a.id)).quantity == 4
    await _ledger_matches(db, a.id)
    await _ledger_matches(db, b.id)


async def test_adjust_needs_a_reason_and_keeps_reserved_units(db):
    # Given 6 units of which 4 are reserved
    product = await make_product(db, stock=6)
    await inventory_service.reserve(db, [(product.id, 4)], reference="ORD-3", ttl=TTL)
    # When an admin tries to write off 3 (only 2 are free)
    with pytest.raises(ValidationFailed) as caught:
        await inventory_service.adjust(db, product.id, -3, reason="Broken phials", actor_id=1)
    # Then it is refused with the numbers, and nothing changed
    assert caught.value.field == "delta"
    assert "6 on hand" in caught.value.message and "at most 2" in caught.value.message
    assert (await inventory_service.stock_of(db, product.id)).quantity == 6
    # And a reason is required
    with pytest.raises(ValidationFailed) as no_reason:
        await inventory_service.adjust(db, product.id, -1, reason="  ")
    assert no_reason.value.field == "reason"
    # When 2 are written off with a reason
    inventory = await inventory_service.adjust(
        db, product.id, -2, reason="Broken phials", actor_id=7
    )
    # Then stock falls and the ledger records who and why
    assert (inventory.quantity, inventory.reserved) == (4, 4)
    last = (await inventory_repo.movements(db, product.id))[-1]
    assert (last.kind, last.quantity_delta, last.reason, last.actor_id) == (
        "adjustment",
        -2,
        "Broken phials",
        7,
    )
    await _ledger_matches(db, product.id)


async def test_restock_sets_last_restocked(db):
    product = await make_product(db, stock=0)
    assert (await inventory_service.stock_of(db, product.id)).last_restocked_at is None
    inventory = await inventory_service.adjust(
        db, product.id, 12, reason="Delivery", kind=inventory_service.MovementKind.RESTOCK
    )
    assert inventory.quantity == 12 and inventory.last_restocked_at is not None


async def test_adjust_without_stock_record_is_not_found(db):
    with pytest.raises(NotFound):
        await inventory_service.adjust(db, 987654, 1, reason="x")


async def test_release_expired_only_touches_expired_holds(db):
    # Given one hold that expired and one that is still valid
    product = await make_product(db, stock=5)
    now = utcnow()
    await inventory_service.reserve(
        db, [(product.id, 2)], reference="old", ttl=TTL, now=now - timedelta(hours=1)
    )
    await inventory_service.reserve(db, [(product.id, 1)], reference="new", ttl=TTL, now=now)
    # When the job runs
    released = await inventory_service.release_expired(db, now)
    # Then only the expired hold is released
    assert released == 1
    assert (await inventory_service.stock_of(db, product.id)).reserved == 1
    assert (await inventory_repo.holds_for(db, "old"))[0].released_at is not None
    assert (await inventory_repo.holds_for(db, "new"))[0].is_open
    assert await inventory_service.release_expired(db, now) == 0


async def test_the_database_refuses_negative_stock_even_past_the_service(db):
    # Given a product with 1 unit, when something bypasses the service to go below zero
    product = await make_product(db, stock=1)
    # Then the CHECK constraint refuses it
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            await db.execute(
                update(Inventory).where(Inventory.product_id == product.id).values(quantity=-1)
            )
