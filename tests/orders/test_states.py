"""The transition table: only the documented moves, each by its allowed means."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mercato.models.orders import OrderStatus
from mercato.orders import states

ALL = [s.value for s in OrderStatus]
VIAS = ["payment", "staff", "customer", "system", "refund"]

EXPECTED = {
    ("pending", "confirmed", "payment"),
    ("pending", "cancelled", "staff"),
    ("pending", "cancelled", "customer"),
    ("pending", "cancelled", "system"),
    ("confirmed", "processing", "staff"),
    ("confirmed", "cancelled", "staff"),
    ("confirmed", "cancelled", "system"),
    ("confirmed", "cancelled", "refund"),
    ("processing", "shipped", "staff"),
    ("processing", "cancelled", "staff"),
    ("processing", "cancelled", "system"),
    ("processing", "cancelled", "refund"),
    ("shipped", "delivered", "staff"),
    ("shipped", "refunded", "refund"),
    ("delivered", "refunded", "refund"),
}


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
@pytest.mark.parametrize("via", VIAS)
def test_table(current, target, via):
    assert states.allowed(current, target, via) == ((current, target, via) in EXPECTED)


@given(st.sampled_from(ALL), st.sampled_from(ALL), st.sampled_from(VIAS))
def test_rules_hold_for_every_move(current, target, via):
    ok = states.allowed(current, target, via)
    if current in states.FINAL:
        assert not ok  # cancelled and refunded are final
    if target == "confirmed":
        assert ok == (current == "pending" and via == "payment")  # only a payment confirms
    if target == "pending":
        assert not ok  # nothing ever goes back to awaiting payment
    if target == "refunded":
        assert not ok or via == "refund"


def test_staff_buttons_follow_the_lifecycle():
    assert states.next_states("confirmed", "staff") == ["processing", "cancelled"]
    assert states.next_states("processing", "staff") == ["shipped", "cancelled"]
    assert states.next_states("shipped", "staff") == ["delivered"]
    assert states.next_states("delivered", "staff") == []
    assert states.next_states("pending", "staff") == ["cancelled"]
