"""tests/conftest.py swaps in a cheap argon2 hasher so the suite runs fast; these tests make
sure production still hashes at full cost and that the swap is really what tests use."""

from __future__ import annotations

from argon2 import profiles

from mercato.kit import security
from tests.conftest import PRODUCTION_HASHER


def test_production_hashes_with_rfc_9106_low_memory_parameters():
    # argon2id, 3 passes over 64 MiB with 4 lanes (RFC 9106's second recommended option).
    expected = profiles.RFC_9106_LOW_MEMORY
    assert (
        PRODUCTION_HASHER.type,
        PRODUCTION_HASHER.time_cost,
        PRODUCTION_HASHER.memory_cost,
        PRODUCTION_HASHER.parallelism,
    ) == (expected.type, expected.time_cost, expected.memory_cost, expected.parallelism)
    assert (expected.time_cost, expected.memory_cost) == (3, 64 * 1024)


def test_tests_hash_at_the_cheap_cost_and_verify_old_full_cost_hashes():
    cheap = security.hash_password("Copper-Kettle-Meadow-77")
    assert "$m=8,t=1,p=1$" in cheap
    # A hash made at production cost still verifies: parameters travel inside the hash.
    full = PRODUCTION_HASHER.hash("Copper-Kettle-Meadow-77")
    assert security.verify_password(full, "Copper-Kettle-Meadow-77")
