"""Voucher rules (percent, fixed, free shipping; minimum order; scope; period; limits),
catalogue promotions in the cart, and a voucher taken off a placed order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from mercato.cart import service as cart_service
from mercato.checkout import service as checkout_service
from mercato.checkout.service import CheckoutDetails
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.kit.time import utcnow
from mercato.models.promotions import Promotion, VoucherRedemption
from mercato.promotions import checkout as voucher_checkout
from mercato.promotions import service
from tests.promotions import support

SLUG = "audio-tai-loc"


@pytest.fixture
def audio(app):
    return app.state.runtimes[SLUG]


@pytest.fixture
async def adb(audio):
    async with audio.db.session(write=True) as session:
        yield session


@given(st.integers(0, 10**12), st.integers(0, 10_000))
def test_percent_is_rounded_half_up_and_never_above_the_amount(amount, bp):
    off = service.percent_of(amount, bp)
    assert 0 <= off <= amount
    assert abs(off * 10_000 - amount * bp) <= 5_000


async def test_percent_voucher_on_its_categories_with_a_cap(adb):
    from mercato.catalog import service as catalog_service
    from mercato.catalog.schemas import CategoryIn

    speakers = await catalog_service.create_category(
        adb, CategoryIn(name="Loa thử", slug="loa-thu")
    )
    loa = await support.product(adb, price=8_000_000, category_id=speakers.id)
    mic = await support.product(adb, price=3_000_000)
    v = await support.voucher(
        adb, kind="percent", value=1000, max_discount=500_000, category_ids=[speakers.id]
    )
    # 10 % of the speaker only (800.000) capped at 500.000; the microphone is out of scope
    found = await service.evaluate(adb, v, [(loa.id, 8_000_000), (mic.id, 3_000_000)])
    assert (found.eligible, found.discount, found.shipping_waived) == (8_000_000, 500_000, False)
    with pytest.raises(ValidationFailed) as refused:
        await service.evaluate(adb, v, [(mic.id, 3_000_000)])
    assert refused.value.field == "voucher"


async def test_fixed_minimum_period_and_free_shipping(adb):
    p = await support.product(adb, price=2_000_000)
    fixed = await support.voucher(adb, kind="fixed", value=500_000, min_order=3_000_000)
    with pytest.raises(ValidationFailed, match="3.000.000"):
        await service.evaluate(adb, fixed, [(p.id, 2_000_000)])
    assert (await service.evaluate(adb, fixed, [(p.id, 4_000_000)])).discount == 500_000
    # never more than the goods
    big = await support.voucher(adb, kind="fixed", value=9_000_000)
    assert (await service.evaluate(adb, big, [(p.id, 2_000_000)])).discount == 2_000_000
    ship = await support.voucher(adb, kind="free_shipping", value=0)
    assert (await service.evaluate(adb, ship, [(p.id, 1)])).shipping_waived
    old = await support.voucher(adb, ends_at=utcnow() - timedelta(days=1))
    with pytest.raises(ValidationFailed, match="expired"):
        await service.evaluate(adb, old, [(p.id, 2_000_000)])
    later = await support.voucher(adb, starts_at=utcnow() + timedelta(days=1))
    with pytest.raises(ValidationFailed):
        await service.evaluate(adb, later, [(p.id, 2_000_000)])
    with pytest.raises(ValidationFailed):
        await service.evaluate(adb, None, [(p.id, 2_000_000)])


async def test_catalogue_promotion_prices_the_cart_and_the_best_one_wins(adb, audio):
    p = await support.product(adb, price=4_000_000)
    adb.add_all(
        [
            Promotion(name="10 %", kind="percent", value=1000, product_ids=[p.id]),
            Promotion(name="−300k", kind="fixed", value=300_000, product_ids=[p.id]),
            Promotion(
                name="ended",
                kind="percent",
                value=9000,
                product_ids=[p.id],
                ends_at=utcnow() - timedelta(hours=1),
            ),  # fmt: skip
        ]
    )
    await adb.flush()
    cart, _ = await support.guest_cart(adb, [(p, 2)])
    view = await cart_service.view(adb, cart, runtime=audio)
    assert view.lines[0].unit_price == 3_600_000  # 10 % beats 300.000; the ended one is gone
    assert view.subtotal == 7_200_000


async def test_a_placed_order_takes_the_voucher_off_and_counts_its_use(adb, audio):
    rate = await support.vn_shipping(adb)
    p = await support.product(adb, price=5_000_000)
    v = await support.voucher(adb, kind="fixed", value=500_000, usage_limit=10)
    cart, _ = await support.guest_cart(adb, [(p, 1)])
    view = await cart_service.view(adb, cart, runtime=audio)
    await voucher_checkout.apply_code(adb, audio, cart, view, v.code.lower())
    placed = await checkout_service.place_order(
        adb, audio, cart, CheckoutDetails("mai@example.vn", support.ADDRESS, rate)
    )
    order = placed.order
    assert (order.subtotal, order.shipping_total, order.discount_total, order.total) == (
        5_000_000,
        30_000,
        500_000,
        4_530_000,
    )
    await adb.refresh(v)
    assert v.used_count == 1
    [redemption] = await adb.scalars(
        select(VoucherRedemption).where(VoucherRedemption.order_id == order.id)
    )
    assert redemption.customer_key == "email:mai@example.vn"


async def test_free_shipping_voucher_waives_delivery(adb, audio):
    rate = await support.vn_shipping(adb, amount=50_000)
    p = await support.product(adb, price=2_500_000)
    v = await support.voucher(adb, kind="free_shipping", value=0, min_order=2_000_000)
    cart, _ = await support.guest_cart(adb, [(p, 1)])
    view = await cart_service.view(adb, cart, runtime=audio)
    await voucher_checkout.apply_code(adb, audio, cart, view, v.code)
    placed = await checkout_service.place_order(
        adb, audio, cart, CheckoutDetails("an@example.vn", support.ADDRESS, rate)
    )
    assert (placed.order.shipping_total, placed.order.total) == (0, 2_500_000)
    [r] = await adb.scalars(select(VoucherRedemption).where(VoucherRedemption.voucher_id == v.id))
    assert r.shipping_waived == 50_000


async def test_per_customer_limit_is_enforced_when_the_order_is_placed(adb, audio):
    rate = await support.vn_shipping(adb)
    p = await support.product(adb)
    v = await support.voucher(adb, per_customer_limit=1)
    for attempt in range(2):
        cart, _ = await support.guest_cart(adb, [(p, 1)])
        view = await cart_service.view(adb, cart, runtime=audio)
        await voucher_checkout.apply_code(adb, audio, cart, view, v.code)  # guest: no email yet
        details = CheckoutDetails("same@example.vn", support.ADDRESS, rate)
        if attempt == 0:
            await checkout_service.place_order(adb, audio, cart, details)
        else:
            with pytest.raises(Conflict) as refused:
                async with adb.begin_nested():
                    await checkout_service.place_order(adb, audio, cart, details)
            assert refused.value.field == "voucher"
    await adb.refresh(v)
    assert v.used_count == 1


async def test_cart_page_form_and_api(client, adb, audio):
    from tests.helpers import csrf_from

    p = await support.product(adb, price=6_000_000)
    v = await support.voucher(adb, kind="percent", value=1000)
    await adb.commit()
    response = await client.post(f"/{SLUG}/cart/items", data={})  # CSRF refused without token
    assert response.status_code in (400, 403)
    token = await csrf_from(client, f"/{SLUG}/san-pham/{p.slug}")
    added = await client.post(
        f"/{SLUG}/cart/items", data={"csrf_token": token, "product_id": p.id, "quantity": 1}
    )
    assert added.status_code == 303, added.text[:300]
    applied = await client.post(f"/{SLUG}/cart/voucher", data={"csrf_token": token, "code": v.code})
    assert applied.status_code == 303
    page = await client.get(f"/{SLUG}/cart")
    assert v.code in page.text and "600.000" in page.text
    assert "tối đa một mã giảm giá" in page.text  # the combination rule is stated
    bad = await client.post(f"/{SLUG}/cart/voucher", data={"csrf_token": token, "code": "NOPE"})
    assert bad.status_code == 303

    # The API: a guest cart by X-Cart-Token
    new = (await client.post(f"/{SLUG}/api/v1/carts")).json()
    headers = {"X-Cart-Token": new["token"]}
    await client.post(
        f"/{SLUG}/api/v1/cart/items", json={"product_id": p.id, "quantity": 1}, headers=headers
    )
    ok = await client.post(f"/{SLUG}/api/v1/cart/voucher", json={"code": v.code}, headers=headers)
    assert ok.status_code == 200 and ok.json()["discount"] == 600_000
    refused = await client.post(
        f"/{SLUG}/api/v1/cart/voucher", json={"code": "KHONGCO"}, headers=headers
    )
    assert refused.status_code == 422
    assert "voucher" in refused.text
    assert (await client.get(f"/{SLUG}/api/v1/promotions")).status_code == 200


async def test_admin_lists_usage_and_switches_a_voucher_off(client, adb, audio):
    from mercato.identity.sessions import SESSION_COOKIE, start_session
    from mercato.models import AuditEntry
    from mercato.models.identity import Role, User, UserRole
    from tests.helpers import csrf_from

    v = await support.voucher(adb, code="ADMINTEST", usage_limit=5, used_count=2)
    people = {}
    for email, role, perms, staff in (
        ("quantri@audio.test", "admin", ["*"], True),
        ("khach.p@audio.test", "customer", [], False),
    ):
        user = User(email=email, name=email)
        adb.add(user)
        await adb.flush()
        found = await adb.scalar(select(Role).where(Role.name == role))
        if found is None:
            found = Role(name=role, permissions=perms, is_staff=staff)
            adb.add(found)
            await adb.flush()
        adb.add(UserRole(user_id=user.id, role_id=found.id))
        people[role] = await start_session(adb, user, days=1)
    await adb.commit()
    client.cookies.set(SESSION_COOKIE, people["customer"], path=f"/{SLUG}/")
    assert (await client.get(f"/{SLUG}/admin/promotions")).status_code in (403, 404)
    client.cookies.set(SESSION_COOKIE, people["admin"], path=f"/{SLUG}/")
    page = await client.get(f"/{SLUG}/admin/promotions")
    assert page.status_code == 200 and "ADMINTEST" in page.text and "2 / 5" in page.text
    token = await csrf_from(client, f"/{SLUG}/admin/promotions")
    off = await client.post(
        f"/{SLUG}/admin/promotions/voucher/{v.id}/toggle", data={"csrf_token": token}
    )
    assert off.status_code == 303
    await adb.refresh(v)
    assert v.is_active is False
    entry = await adb.scalar(select(AuditEntry).where(AuditEntry.action == "voucher.disable"))
    assert entry.before == {"is_active": True}
    missing = await client.post(
        f"/{SLUG}/admin/promotions/voucher/999999/toggle", data={"csrf_token": token}
    )
    assert missing.status_code == 404
