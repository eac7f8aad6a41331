"""The admin's voucher and catalogue-promotion forms: create and edit (audited), every bad
field shown at once with nothing written, and people without promotions.write refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from mercato.models import AuditEntry
from mercato.models.catalog import Category
from mercato.models.promotions import Promotion, Voucher
from mercato.platform.seeding import ensure_user, sync_roles
from tests.bookings.support import PASSWORD, make_user
from tests.helpers import csrf_from, signin
from tests.promotions import support

SLUG = "audio-tai-loc"
BASE = f"/{SLUG}/admin/promotions"


@pytest.fixture
def audio(app):
    return app.state.runtimes[SLUG]


@pytest.fixture
async def adb(audio):
    async with audio.db.session(write=True) as session:
        yield session


async def _signed_in(client, adb, audio, role: str) -> None:
    seed = await make_user(adb)
    user, _ = await ensure_user(
        adb,
        await sync_roles(adb, audio.modules),
        email=f"promo-{role}-{seed.id}@example.vn",
        password=PASSWORD,
        name="Quản trị",
        role_names=[role],
    )
    await adb.commit()
    await signin(client, SLUG, user.email, PASSWORD)


async def test_admin_creates_a_scoped_voucher_and_edits_it(client, adb, audio):
    speaker = await support.product(adb)
    category = Category(name="Loa thử", slug=f"loa-thu-{speaker.id}")
    adb.add(category)
    await adb.flush()
    await _signed_in(client, adb, audio, "admin")
    token = await csrf_from(client, f"{BASE}/voucher/new")
    made = await client.post(
        f"{BASE}/voucher/new",
        data={
            "csrf_token": token,
            "code": "tet2027",
            "description": "Giảm Tết",
            "kind": "percent",
            "value": "12.5",
            "max_discount": "500.000",
            "min_order": "2.000.000",
            "products": speaker.sku,
            "categories": str(category.id),
            # 08:00 in Ho Chi Minh City is 01:00 UTC
            "starts_at": "2027-01-20T08:00",
            "ends_at": "2027-02-10T23:59",
            "usage_limit": "100",
            "per_customer_limit": "1",
            "is_active": "1",
        },
    )
    assert made.status_code == 303, made.text[:800]
    voucher = await adb.scalar(select(Voucher).where(Voucher.code == "TET2027"))
    assert (voucher.kind, voucher.value, voucher.max_discount, voucher.min_order) == (
        "percent",
        1250,
        500_000,
        2_000_000,
    )
    assert voucher.product_ids == [speaker.id] and voucher.category_ids == [category.id]
    assert voucher.starts_at == datetime(2027, 1, 20, 1, 0, tzinfo=UTC)
    assert (voucher.usage_limit, voucher.per_customer_limit, voucher.is_active) == (100, 1, True)
    assert await adb.scalar(select(AuditEntry).where(AuditEntry.action == "voucher.create"))

    form = await client.get(f"{BASE}/voucher/{voucher.id}")
    assert 'value="12.5"' in form.text and f'value="{speaker.sku}"' in form.text
    edited = await client.post(
        f"{BASE}/voucher/{voucher.id}",
        data={"csrf_token": token, "code": "TET2027", "kind": "fixed", "value": "150000"},
    )
    assert edited.status_code == 303
    await adb.refresh(voucher)
    assert (voucher.kind, voucher.value, voucher.product_ids, voucher.is_active) == (
        "fixed",
        150_000,
        [],
        False,
    )
    entry = await adb.scalar(select(AuditEntry).where(AuditEntry.action == "voucher.update"))
    assert entry.before["value"] == 1250 and entry.after["value"] == 150_000


async def test_a_bad_voucher_form_shows_every_error_and_writes_nothing(client, adb, audio):
    used = await support.voucher(adb, code="DADUNG", usage_limit=10, used_count=4)
    await _signed_in(client, adb, audio, "admin")
    token = await csrf_from(client, f"{BASE}/voucher/new")
    before = await adb.scalar(select(func.count()).select_from(Voucher))
    bad = await client.post(
        f"{BASE}/voucher/new",
        data={
            "csrf_token": token,
            "code": "DADUNG",  # taken
            "kind": "percent",
            "value": "150",  # above 100 %
            "products": "NO-SUCH-SKU",
            "starts_at": "2027-02-01T00:00",
            "ends_at": "2027-01-01T00:00",  # before the start
            "usage_limit": "0",
        },
    )
    assert bad.status_code == 422
    for name in ("code", "value", "products", "ends_at", "usage_limit"):
        assert f'id="{name}-error"' in bad.text, name
    assert 'value="NO-SUCH-SKU"' in bad.text  # what was typed is kept
    assert await adb.scalar(select(func.count()).select_from(Voucher)) == before
    # A limit below the uses already made is refused, and the voucher stays as it was
    lower = await client.post(
        f"{BASE}/voucher/{used.id}",
        data={
            "csrf_token": token,
            "code": "DADUNG",
            "kind": "fixed",
            "value": "1",
            "usage_limit": "3",
        },
    )
    assert lower.status_code == 422 and 'id="usage_limit-error"' in lower.text
    await adb.refresh(used)
    assert (used.usage_limit, used.value) == (10, 100_000)
    assert not await adb.scalar(select(AuditEntry).where(AuditEntry.entity_type == "voucher"))


async def test_admin_creates_and_edits_a_catalogue_promotion(client, adb, audio):
    speaker = await support.product(adb, price=2_000_000)
    await _signed_in(client, adb, audio, "admin")
    token = await csrf_from(client, f"{BASE}/promotion/new")
    made = await client.post(
        f"{BASE}/promotion/new",
        data={"csrf_token": token, "name": "Giảm giá loa", "kind": "percent", "value": "10",
              "products": speaker.sku, "is_active": "1"},
    )  # fmt: skip
    assert made.status_code == 303
    promotion = await adb.scalar(select(Promotion).where(Promotion.name == "Giảm giá loa"))
    assert (promotion.kind, promotion.value, promotion.product_ids) == (
        "percent",
        1000,
        [speaker.id],
    )
    bad = await client.post(
        f"{BASE}/promotion/{promotion.id}",
        data={"csrf_token": token, "name": "", "kind": "fixed", "value": "-5"},
    )
    assert (
        bad.status_code == 422 and 'id="name-error"' in bad.text and 'id="value-error"' in bad.text
    )
    await adb.refresh(promotion)
    assert (promotion.name, promotion.value) == ("Giảm giá loa", 1000)
    ok = await client.post(
        f"{BASE}/promotion/{promotion.id}",
        data={"csrf_token": token, "name": "Giảm giá loa", "kind": "fixed", "value": "200000"},
    )
    assert ok.status_code == 303
    await adb.refresh(promotion)
    assert (promotion.kind, promotion.value, promotion.is_active) == ("fixed", 200_000, False)
    assert await adb.scalar(select(AuditEntry).where(AuditEntry.action == "promotion.update"))


@pytest.mark.parametrize("role", ["customer", "staff"])
async def test_people_without_promotions_write_are_refused(client, adb, audio, role):
    """Staff may read the promotions page but not write; a customer sees no admin at all."""
    await _signed_in(client, adb, audio, role)
    assert (await client.get(f"{BASE}/voucher/new")).status_code in (403, 404)
    page = await client.get(f"/{SLUG}/account/signin")
    from tests.helpers import csrf_in

    token = csrf_in(page.text) if 'name="csrf_token"' in page.text else ""
    before = await adb.scalar(select(func.count()).select_from(Voucher))
    refused = await client.post(
        f"{BASE}/voucher/new",
        data={"csrf_token": token, "code": "HACKER", "kind": "fixed", "value": "999999"},
    )
    assert refused.status_code in (403, 404)
    assert await adb.scalar(select(func.count()).select_from(Voucher)) == before


async def test_unknown_or_oversized_ids_are_4xx_never_5xx(client, adb, audio):
    await _signed_in(client, adb, audio, "admin")
    token = await csrf_from(client, f"{BASE}/voucher/new")
    for path in ("voucher/999999", f"voucher/{2**63}", "promotion/999999", "coupon/new"):
        assert (await client.get(f"{BASE}/{path}")).status_code in (404, 422), path
    toggled = await client.post(f"{BASE}/voucher/{2**64}/toggle", data={"csrf_token": token})
    assert toggled.status_code in (404, 422)
