"""Object-level access in Audio Tài Lộc: a customer cannot read another customer's order
(page, status, invoice or API), and the search and product pages keep a bounded number of
SQL queries whatever the number of products they show."""

from __future__ import annotations

from sqlalchemy import event

from mercato.identity import tokens
from mercato.identity.sessions import SESSION_COOKIE, start_session
from mercato.models.identity import User
from tests.audio import support
from tests.cart.support import make_product
from tests.orders.support import make_order

SLUG = "audio-tai-loc"


async def _customer(adb, email: str) -> User:
    user = User(email=email, name=email.split("@")[0].title())
    adb.add(user)
    await adb.flush()
    return user


async def test_a_customer_cannot_read_another_customers_order(client, adb, audio):
    mai = await _customer(adb, "mai.order@audio.test")
    an = await _customer(adb, "an.order@audio.test")
    product = await make_product(adb, price=2_990_000)
    order, _ = await make_order(adb, audio, user=mai, items=[(product, 1)], currency="VND")
    mai_pair = await tokens.issue_token_pair(adb, audio, mai)
    an_pair = await tokens.issue_token_pair(adb, audio, an)
    an_session = await start_session(adb, an, days=1)
    await adb.commit()

    # Mai reads her own order through the API
    own = await client.get(
        f"/{SLUG}/api/v1/orders/{order.number}",
        headers={"Authorization": f"Bearer {mai_pair.access_token}"},
    )
    assert own.status_code == 200
    # An, signed in, is told it does not exist: through the API, the list, and the pages
    other = await client.get(
        f"/{SLUG}/api/v1/orders/{order.number}",
        headers={"Authorization": f"Bearer {an_pair.access_token}"},
    )
    assert other.status_code == 404
    listed = await client.get(
        f"/{SLUG}/api/v1/orders", headers={"Authorization": f"Bearer {an_pair.access_token}"}
    )
    assert order.number not in listed.text
    client.cookies.set(SESSION_COOKIE, an_session, path=f"/{SLUG}/")
    for path in ("", "/status.json", "/invoice.pdf"):
        response = await client.get(f"/{SLUG}/orders/{order.number}{path}")
        assert response.status_code in (403, 404), (path, response.status_code)
        assert order.customer_name not in response.text


async def _count(audio, client, url: str) -> int:
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            statements.append(statement)

    engine = audio.db.engine
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        response = await client.get(url)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert response.status_code == 200, response.text[:300]
    return len(statements)


async def test_search_and_product_query_counts_do_not_grow(client, adb, audio):
    first = await support.product(adb, "Loa karaoke số 1", spec={"brand": "JBL"})
    await support.product(adb, "Loa karaoke số 2", spec={"brand": "JBL"})  # a related one
    await adb.commit()
    small_search = await _count(audio, client, f"/{SLUG}/tim-kiem?q=loa")
    small_page = await _count(audio, client, f"/{SLUG}/san-pham/{first.slug}")
    for n in range(3, 15):
        await support.product(adb, f"Loa karaoke số {n}", spec={"brand": "JBL"})
    await adb.commit()
    assert await _count(audio, client, f"/{SLUG}/tim-kiem?q=loa") == small_search
    assert await _count(audio, client, f"/{SLUG}/san-pham/{first.slug}") == small_page
