"""The recommendations job: co-purchases counted from orders, similarity from
specifications and text, written to the table and shown on product and cart pages."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from mercato.models.orders import Order
from mercato.models.recommendations import ProductRecommendation
from mercato.recommendations import jobs, service
from tests.audio import support
from tests.helpers import csrf_from
from tests.orders.support import make_order

SLUG = "audio-tai-loc"


@pytest.fixture
def audio(app):
    return app.state.runtimes[SLUG]


@pytest.fixture
async def adb(audio):
    async with audio.db.session(write=True) as session:
        yield session


async def _shop(adb, audio):
    speaker = await support.product(
        adb, "Loa bluetooth JBL Flip thử", categories=("Loa bluetooth",),
        spec={"brand": "JBL", "connectivity": "Bluetooth", "channels": 2, "power_w": 30},
    )  # fmt: skip
    twin = await support.product(
        adb, "Loa bluetooth JBL Charge thử", categories=("Loa bluetooth",),
        spec={"brand": "JBL", "connectivity": "Bluetooth", "channels": 2, "power_w": 40},
    )  # fmt: skip
    other = await support.product(
        adb, "Loa bluetooth Sony thử", categories=("Loa bluetooth",),
        spec={"brand": "Sony", "connectivity": "Dây 3.5 mm", "channels": 1, "power_w": 300},
    )  # fmt: skip
    cable = await support.product(adb, "Dây AUX Tài Lộc thử", categories=("Phụ kiện",))
    stand = await support.product(adb, "Chân loa Tài Lộc thử", categories=("Phụ kiện",))
    # Two orders bought the speaker with a cable, one with a stand, one was cancelled
    for extra in (cable, cable, stand):
        await make_order(adb, audio, items=[(speaker, 1), (extra, 1)], currency="VND")
    cancelled, _ = await make_order(adb, audio, items=[(speaker, 1), (other, 1)], currency="VND")
    cancelled.status = "cancelled"
    await adb.flush()
    return speaker, twin, other, cable, stand


async def test_job_writes_both_kinds(adb, audio):
    speaker, twin, other, cable, stand = await _shop(adb, audio)
    # When the scheduled job runs
    await jobs.compute(SimpleNamespace(db=adb, runtime=audio))
    # Then "also bought" ranks the cable (2 orders) over the stand (1); the cancelled order
    # does not count
    assert await service.related_ids(adb, [speaker.id], "bought_together") == [cable.id, stand.id]
    assert other.id not in await service.related_ids(adb, [speaker.id], "bought_together")
    # and the most similar to the JBL speaker is the other JBL speaker
    similar = await service.related_ids(adb, [speaker.id], "similar")
    assert similar[0] == twin.id and cable.id not in similar
    rows = list(await adb.scalars(select(ProductRecommendation)))
    assert all(r.product_id != r.related_id for r in rows)
    # Running again replaces, never duplicates
    before = len(rows)
    await service.compute_all(adb)
    assert len(list(await adb.scalars(select(ProductRecommendation)))) == before


def test_similarity_is_symmetric_and_bounded():
    a = {"categories": {1, 2}, "words": {"loa", "jbl"}, "brand": "JBL", "power": 1}
    b = {"categories": {2}, "words": {"loa", "sony"}, "brand": "Sony", "power": 1}
    assert service.similarity(a, b) == service.similarity(b, a)
    assert 0 <= service.similarity(a, b) <= 1000
    assert service.similarity(a, a) >= service.similarity(a, b)


async def test_shown_on_product_page_and_in_cart(client, adb, audio):
    speaker, twin, other, cable, stand = await _shop(adb, audio)
    await service.compute_all(adb)
    await adb.commit()
    page = await client.get(f"/{SLUG}/san-pham/{speaker.slug}")
    assert "Khách mua sản phẩm này cũng mua" in page.text and cable.name in page.text
    assert "Sản phẩm tương tự" in page.text and twin.name in page.text
    token = await csrf_from(client, f"/{SLUG}/san-pham/{speaker.slug}")
    await client.post(
        f"/{SLUG}/cart/items", data={"csrf_token": token, "product_id": speaker.id, "quantity": 1}
    )
    cart = await client.get(f"/{SLUG}/cart")
    assert "Thường được mua cùng" in cart.text and cable.name in cart.text
    assert await adb.scalar(select(Order.id).limit(1)) is not None
