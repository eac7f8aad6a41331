"""The report and the alerts read a fixed number of queries, whatever the number of orders
and products (DESIGN.md §7)."""

from __future__ import annotations

from sqlalchemy import event

from mercato.profit import service as profit_service
from tests.profit.conftest import API, bearer


async def count_queries(client, wholesale, url: str, headers: dict[str, str]) -> int:
    seen: list[str] = []
    engine = wholesale.db.engine.sync_engine
    listener = lambda *a: seen.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = await client.get(url, headers=headers)
        assert response.status_code == 200, response.text
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


async def test_reports_and_alerts_have_a_query_budget(
    client, wdb, wholesale, admin, buyer, seller, make_product, make_order
):
    headers = await bearer(wdb, wholesale, admin)

    async def grow(n: int) -> None:
        for _ in range(n):
            product = await make_product(stock=5, reorder_level=20, seller=seller)
            order = await make_order(buyer, [(product, 2)])
            await profit_service.record_sale(wdb, order, store_currency="BDT")

    await grow(2)
    urls = [
        f"{API}/admin/profit-reports?group=day",
        f"{API}/inventory/alerts",
        f"{API}/inventory/logs",
    ]
    before = [await count_queries(client, wholesale, u, headers) for u in urls]
    await grow(10)
    after = [await count_queries(client, wholesale, u, headers) for u in urls]
    assert after == before
