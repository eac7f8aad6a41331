"""Shop replies under reviews (core reviews module): a moderator answers in the admin queue
(audited), the answer shows under the approved review on the product page, escaped, and in
the API; a customer cannot post one."""

from __future__ import annotations

from sqlalchemy import select

from mercato.customers import features
from mercato.identity.sessions import SESSION_COOKIE, start_session
from mercato.models import AuditEntry, Review
from mercato.models.identity import Role, User, UserRole
from tests.audio import support
from tests.helpers import csrf_from

SLUG = "audio-tai-loc"


async def _user(adb, email: str, role: str) -> User:
    user = User(email=email, name=email.split("@")[0].title())
    adb.add(user)
    await adb.flush()
    found = await adb.scalar(select(Role).where(Role.name == role))
    if found is None:
        found = Role(name=role, permissions=["*"] if role == "admin" else [],
                     is_staff=role == "admin")  # fmt: skip
        adb.add(found)
        await adb.flush()
    adb.add(UserRole(user_id=user.id, role_id=found.id))
    await adb.flush()
    return user


async def test_moderator_replies_and_the_shop_shows_it(client, adb, audio):
    await features.set_enabled(adb, "reviews", True)
    product = await support.product(adb, "Tai nghe Sennheiser HD thử", categories=("Tai nghe",))
    author = await _user(adb, "nguoimua@audio.test", "customer")
    admin = await _user(adb, "quantri@audio.test", "admin")
    review = Review(product_id=product.id, user_id=author.id, author_name="Người Mua", rating=4,
                    title="Êm tai", body="Âm trầm hơi mỏng", status="approved")  # fmt: skip
    adb.add(review)
    customer_session = await start_session(adb, author, days=1)
    admin_session = await start_session(adb, admin, days=1)
    await adb.commit()

    # A customer cannot answer for the shop
    client.cookies.set(SESSION_COOKIE, customer_session, path=f"/{SLUG}/")
    token = await csrf_from(client, f"/{SLUG}/san-pham/{product.slug}")
    refused = await client.post(
        f"/{SLUG}/admin/reviews/{review.id}/reply", data={"csrf_token": token, "reply": "x"}
    )
    assert refused.status_code in (403, 404)

    # The moderator answers from the queue
    client.cookies.set(SESSION_COOKIE, admin_session, path=f"/{SLUG}/")
    token = await csrf_from(client, f"/{SLUG}/admin/reviews?status=approved")
    answer = "Cảm ơn anh! Thử bật EQ bass <b>+3</b> nhé."
    saved = await client.post(
        f"/{SLUG}/admin/reviews/{review.id}/reply",
        data={"csrf_token": token, "reply": answer, "status": "approved"},
    )
    assert saved.status_code == 303
    await adb.refresh(review)
    assert review.reply == answer and review.replied_by == admin.id
    entry = await adb.scalar(select(AuditEntry).where(AuditEntry.action == "review.reply"))
    assert entry.after == {"reply": answer}
    too_long = await client.post(
        f"/{SLUG}/admin/reviews/{review.id}/reply",
        data={"csrf_token": token, "reply": "a" * 2001, "status": "approved"},
    )
    assert too_long.status_code == 303
    await adb.refresh(review)
    assert review.reply == answer  # unchanged

    page = await client.get(f"/{SLUG}/san-pham/{product.slug}")
    assert "Thử bật EQ bass &lt;b&gt;+3&lt;/b&gt; nhé." in page.text
    api = await client.get(f"/{SLUG}/api/v1/products/{product.slug}/reviews")
    if api.status_code == 200:
        assert api.json()["items"][0]["reply"] == answer
