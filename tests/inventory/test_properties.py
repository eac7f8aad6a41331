"""Property: whatever sequence of reserve / release / consume / adjust / expiry happens,
0 <= reserved <= quantity holds, and the ledger adds up to the counters."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mercato.inventory import repository as inventory_repo
from mercato.inventory import service as inventory_service
from mercato.kit.errors import DomainError
from mercato.kit.time import utcnow
from tests.inventory.support import make_product

REFERENCES = ["cart-a", "cart-b", "ORD-1", "ORD-2"]

operations = st.lists(
    st.one_of(
        st.tuples(st.just("reserve"), st.sampled_from(REFERENCES), st.integers(1, 6)),
        st.tuples(st.just("release"), st.sampled_from(REFERENCES), st.just(0)),
        st.tuples(st.just("consume"), st.sampled_from(REFERENCES), st.just(0)),
        st.tuples(st.just("adjust"), st.just(""), st.integers(-8, 8).filter(bool)),
        st.tuples(st.just("expire"), st.just(""), st.just(0)),
    ),
    max_size=25,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(start=st.integers(0, 10), steps=operations)
async def test_counters_and_ledger_stay_consistent(db, start, steps):
    # Given a fresh product (one per example; the test transaction is shared)
    product = await make_product(db, stock=start)
    reference_of = {ref: f"{ref}-{product.id}" for ref in REFERENCES}
    now = utcnow()
    # When any sequence of stock operations runs (refusals are allowed, not corruption)
    for step, (kind, ref, n) in enumerate(steps):
        moment = now + timedelta(minutes=step)
        try:
            if kind == "reserve":
                await inventory_service.reserve(
                    db,
                    [(product.id, n)],
                    reference=reference_of[ref],
                    ttl=timedelta(minutes=3),
                    now=moment,
                )
            elif kind == "release":
                await inventory_service.release(db, reference_of[ref], now=moment)
            elif kind == "consume":
                await inventory_service.consume(db, reference_of[ref], now=moment)
            elif kind == "adjust":
                await inventory_service.adjust(db, product.id, n, reason="count", now=moment)
            else:
                await inventory_service.release_expired(db, moment)
        except DomainError:
            pass
        # Then after every step the counters are within bounds
        inventory = await inventory_repo.get_inventory(db, product.id)
        assert 0 <= inventory.reserved <= inventory.quantity
    # And the ledger's deltas sum to the final counters, each row chaining on the last
    inventory = await inventory_repo.get_inventory(db, product.id)
    movements = await inventory_repo.movements(db, product.id)
    assert sum(m.quantity_delta for m in movements) == inventory.quantity
    assert sum(m.reserved_delta for m in movements) == inventory.reserved
    for previous, current in zip(movements, movements[1:], strict=False):
        assert current.quantity_before == previous.quantity_after
        assert current.reserved_before == previous.reserved_after
    # And the open holds account for exactly the reserved units
    open_units = 0
    for ref in REFERENCES:
        open_units += sum(
            h.quantity for h in await inventory_repo.holds_for(db, reference_of[ref]) if h.is_open
        )
    assert open_units == inventory.reserved
