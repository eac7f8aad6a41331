"""Reviews: behind the flag, one per customer and product, verified purchase from paid
orders, staff approval with audit rows, helpful votes once and never on one's own."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from mercato.customers import features
from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.models import AuditEntry, Order, OrderLine, Review
from mercato.reviews import module as reviews_module
from mercato.reviews import service
from tests.customers.factories import STORE, api_token, signin_as
from tests.helpers import csrf_from

ROOT = f"/{STORE}"
_orders = itertools.count(1)


@pytest.fixture
async def reviews_on(db):
    await features.set_enabled(db, "reviews", True)


async def order_for(db, user, product, *, payment="paid", status="confirmed") -> Order:
    n = next(_orders)
    order = Order(
        number=f"T-{n:05}",
        user_id=user.id,
        email=user.email,
        currency="USD",
        store_currency="USD",
        subtotal=product.price,
        total=product.price,
        status=status,
        payment_status=payment,
    )
    db.add(order)
    await db.flush()
    db.add(
        OrderLine(
            order_id=order.id,
            product_id=product.id,
            sku=product.sku,
            name=product.name,
            quantity=1,
            unit_price=product.price,
            line_total=product.price,
        )
    )
    await db.flush()
    return order


async def test_flag_is_off_by_default_routes_404_and_no_section(
    client, db, runtime, make_user, make_product
):
    assert runtime.config.features.get("reviews") is False
    p = await make_product()
    await make_user("clara@example.com")
    assert (await client.get(f"{ROOT}/api/v1/products/{p.slug}/reviews")).status_code == 404
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, f"{ROOT}/account/overview")
    r = await client.post(
        f"{ROOT}/reviews/product/{p.id}", data={"csrf_token": token, "rating": "5", "body": "x"}
    )
    assert r.status_code == 404
    assert await db.scalar(select(Review)) is None

    Req = SimpleNamespace(state=SimpleNamespace(runtime=runtime))
    assert await reviews_module.product_page(db, Req, p) == {"reviews_on": False}
    html = runtime.templates.get_template("reviews/_section.html").render(reviews_on=False)
    assert "Reviews" not in html


async def test_flag_on_write_approve_and_show(
    client, db, runtime, reviews_on, make_user, make_product
):
    p = await make_product()
    clara = await make_user("clara@example.com", name="Clara")
    await order_for(db, clara, p)
    await signin_as(client, "clara@example.com")
    token = await csrf_from(client, f"{ROOT}/account/overview")
    r = await client.post(
        f"{ROOT}/reviews/product/{p.id}",
        data={
            "csrf_token": token,
            "rating": "4",
            "title": "Radiant",
            "body": "<script>alert(1)</script> Deep and honeyed.",
        },
    )
    assert r.status_code == 303 and r.headers["location"].endswith(f"/essences/{p.slug}#reviews")
    review = await db.scalar(select(Review).where(Review.product_id == p.id))
    assert review.status == "pending" and review.is_verified and review.author_name == "Clara"
    # Pending reviews are not shown or counted.
    listing = (await client.get(f"{ROOT}/api/v1/products/{p.slug}/reviews")).json()
    assert listing["count"] == 0 and listing["items"] == []
    admin = await make_user("admin@example.com", role_names=("admin",))
    await service.moderate(db, admin, review.id, "approved")
    listing = (await client.get(f"{ROOT}/api/v1/products/{p.slug}/reviews")).json()
    assert listing["count"] == 1 and listing["average"] == 4.0
    assert listing["items"][0]["is_verified"] is True

    Req = SimpleNamespace(state=SimpleNamespace(runtime=runtime, user=None))
    context = await reviews_module.product_page(db, Req, p)
    html = runtime.templates.get_template("reviews/_section.html").render(
        **context,
        product=p,
        current_user=None,
        csrf_token="t",
        path=runtime.path,
        request=type("R", (), {"url": type("U", (), {"path": "/x"})}),
    )
    assert "Verified purchase" in html and "&lt;script&gt;" in html and "<script>alert" not in html
    assert "4.0" in html


async def test_one_review_per_customer_and_product(db, reviews_on, make_user, make_product):
    p = await make_product()
    user = await make_user()
    await service.submit(db, user, p.id, rating=5, title="", body="Lovely")
    with pytest.raises(Conflict):
        await service.submit(db, user, p.id, rating=1, title="", body="Again")


@pytest.mark.parametrize(
    "rating,title,body,field",
    [
        (0, "", "ok", "rating"),
        (6, "", "ok", "rating"),
        ("x", "", "ok", "rating"),
        (3, "", "   ", "body"),
        (3, "t" * 151, "ok", "title"),
        (3, "", "b" * 5001, "body"),
    ],
)
async def test_invalid_reviews_refused_without_writing(
    db, make_user, make_product, rating, title, body, field
):
    p = await make_product()
    user = await make_user()
    with pytest.raises(ValidationFailed) as caught:
        await service.submit(db, user, p.id, rating=rating, title=title, body=body)
    assert caught.value.field == field
    assert await db.scalar(select(Review)) is None


@pytest.mark.parametrize(
    "payment,status,verified",
    [
        ("paid", "confirmed", True),
        ("partially_refunded", "delivered", True),
        ("unpaid", "pending", False),
        ("paid", "cancelled", False),
        ("refunded", "refunded", False),
    ],
)
async def test_verified_purchase_rule(db, make_user, make_product, payment, status, verified):
    p = await make_product()
    user = await make_user()
    await order_for(db, user, p, payment=payment, status=status)
    review = await service.submit(db, user, p.id, rating=5, title="", body="Fine")
    assert review.is_verified is verified


async def test_someone_elses_order_does_not_verify(db, make_user, make_product):
    p = await make_product()
    buyer = await make_user("buyer@example.com")
    other = await make_user("other@example.com")
    await order_for(db, buyer, p)
    review = await service.submit(db, other, p.id, rating=5, title="", body="Fine")
    assert review.is_verified is False


async def test_helpful_votes_once_and_never_own(client, db, reviews_on, make_user, make_product):
    p = await make_product()
    author = await make_user("author@example.com")
    voter = await make_user("voter@example.com")
    admin = await make_user("admin@example.com", role_names=("admin",))
    review = await service.submit(db, author, p.id, rating=5, title="", body="Fine")
    with pytest.raises(NotFound):  # pending reviews take no votes
        await service.vote_helpful(db, voter.id, review.id)
    await service.moderate(db, admin, review.id, "approved")
    with pytest.raises(PermissionDenied):
        await service.vote_helpful(db, author.id, review.id)
    await signin_as(client, "voter@example.com")
    token = await csrf_from(client, f"{ROOT}/account/overview")
    for _ in range(3):
        r = await client.post(f"{ROOT}/reviews/{review.id}/helpful", data={"csrf_token": token})
        assert r.status_code == 303
    await db.refresh(review)
    assert review.helpful_count == 1


async def test_admin_moderation_queue_with_audit(client, db, reviews_on, make_user, make_product):
    p = await make_product()
    author = await make_user("author@example.com")
    await make_user("admin@example.com", role_names=("admin",))
    await make_user("shopper@example.com")
    review = await service.submit(db, author, p.id, rating=2, title="Meh", body="Thin")
    await signin_as(client, "shopper@example.com")
    assert (await client.get(f"{ROOT}/admin/reviews")).status_code == 403
    await signin_as(client, "admin@example.com")
    queue = await client.get(f"{ROOT}/admin/reviews")
    assert queue.status_code == 200 and "Thin" in queue.text
    token = await csrf_from(client, f"{ROOT}/admin/reviews")
    r = await client.post(f"{ROOT}/admin/reviews/{review.id}/reject", data={"csrf_token": token})
    assert r.status_code == 303
    await db.refresh(review)
    assert review.status == "rejected" and review.moderated_by is not None
    entry = await db.scalar(select(AuditEntry).where(AuditEntry.action == "review.reject"))
    assert entry.before == {"status": "pending"} and entry.after == {"status": "rejected"}
    assert (
        await client.post(f"{ROOT}/admin/reviews/{review.id}/delete", data={"csrf_token": token})
    ).status_code == 422


async def test_admin_switch_overrides_store_toml(client, db, make_user, make_product):
    p = await make_product()
    await make_user("admin@example.com", role_names=("admin",))
    await signin_as(client, "admin@example.com")
    token = await csrf_from(client, f"{ROOT}/admin/reviews")
    r = await client.post(
        f"{ROOT}/admin/reviews/feature", data={"csrf_token": token, "enabled": "on"}
    )
    assert r.status_code == 303
    assert (await client.get(f"{ROOT}/api/v1/products/{p.slug}/reviews")).status_code == 200
    assert await db.scalar(select(AuditEntry).where(AuditEntry.action == "feature.reviews"))
    await client.post(f"{ROOT}/admin/reviews/feature", data={"csrf_token": token})
    assert (await client.get(f"{ROOT}/api/v1/products/{p.slug}/reviews")).status_code == 404


async def test_api_write_needs_a_token_and_validates(
    client, db, reviews_on, make_user, make_product
):
    p = await make_product()
    await make_user("clara@example.com")
    url = f"{ROOT}/api/v1/products/{p.slug}/reviews"
    assert (await client.post(url, json={"rating": 5, "body": "x"})).status_code == 401
    headers = await api_token(client, "clara@example.com")
    assert (
        await client.post(url, json={"rating": 9, "body": "x"}, headers=headers)
    ).status_code == 422
    created = await client.post(url, json={"rating": 5, "body": "Lovely"}, headers=headers)
    assert created.status_code == 201 and created.json()["status"] == "pending"
    assert (
        await client.post(url, json={"rating": 5, "body": "Again"}, headers=headers)
    ).status_code == 409
