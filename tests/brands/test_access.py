"""The service API other Qala modules rely on (inquiries, conversations): who manages which
brand, who is an approved buyer, which brand owns a product."""

from __future__ import annotations

from mercato.brands import access


async def test_brand_ids_for_user_lists_only_the_users_brands(qdb, make_brand, make_user):
    # Given two brands with their own users, and a stranger
    brand, owner, _, _ = await make_brand("Alpha")
    other, other_owner, _, _ = await make_brand("Beta")
    stranger = await make_user("nobody", "customer")
    # Then each user sees only their brand, the stranger none
    assert await access.brand_ids_for_user(qdb, owner.id) == [brand.id]
    assert await access.brand_ids_for_user(qdb, other_owner.id) == [other.id]
    assert await access.brand_ids_for_user(qdb, stranger.id) == []


async def test_only_an_approved_boutique_is_an_approved_buyer(qdb, make_buyer, make_user):
    approved = await make_buyer("approved")
    pending = await make_buyer("pending")
    rejected = await make_buyer("rejected")
    no_boutique = await make_user("plain", "customer")
    assert await access.is_approved_buyer(qdb, approved.id) is True
    assert await access.is_approved_buyer(qdb, pending.id) is False
    assert await access.is_approved_buyer(qdb, rejected.id) is False
    assert await access.is_approved_buyer(qdb, no_boutique.id) is False


async def test_brand_of_product(qdb, make_brand):
    brand, _, _, product = await make_brand()
    assert await access.brand_of_product(qdb, product.id) == brand.id
    assert await access.brand_of_product(qdb, 10**12) is None
