"""Admin product terms form: tiers, MOQ, case pack and reorder level saved together and
audited, mistakes shown on their field, the suggested-price calculator, and the refusal for
anyone without the permission."""

from __future__ import annotations

from sqlalchemy import select

from mercato.models.platform import AuditEntry
from mercato.wholesale import pricing
from mercato.wholesale import service as wholesale_service
from tests.helpers import csrf_in
from tests.wholesale.conftest import ROOT, signin


async def test_admin_edits_terms_with_the_calculator(client, wdb, make_user, make_product):
    await make_user("chief@x.com", "admin")
    product = await make_product(name="Hurricane Lantern")
    await signin(client, "chief@x.com")
    listing = await client.get(f"{ROOT}/admin/wholesale/products")
    assert listing.status_code == 200 and "Hurricane Lantern" in listing.text
    url = f"{ROOT}/admin/wholesale/products/{product.id}"
    # The calculator: cost ৳80 (the product's) at 40 % → ৳134 (rounded up to the taka)
    calc = await client.get(url, params={"margin": "40"})
    assert calc.status_code == 200 and "৳134.00" in calc.text and 'value="80.00"' in calc.text
    form = {
        "csrf_token": csrf_in(calc.text),
        "price": "150",
        "moq": "12",
        "order_multiple": "6",
        "reorder_level": "30",
        "tiers.0.min_qty": "12",
        "tiers.0.unit_price": "150",
        "tiers.1.min_qty": "60",
        "tiers.1.unit_price": "140.50",
    }
    saved = await client.post(url, data=form)
    assert saved.status_code == 303, saved.text[:400]
    await wdb.refresh(product)
    terms, row = await wholesale_service.terms_for(wdb, product)
    assert (product.price, terms.moq, terms.order_multiple, row.reorder_level) == (15000, 12, 6, 30)
    assert pricing.price_line(terms, 60).unit_price == 14050
    entry = await wdb.scalar(select(AuditEntry).where(AuditEntry.action == "wholesale.terms_saved"))
    assert entry is not None and entry.after["tiers"] == [[12, 15000], [60, 14050]]
    # A dearer larger tier is refused on its field, nothing saved
    bad = await client.post(url, data=form | {"tiers.1.unit_price": "160"})
    assert bad.status_code == 422
    assert 'aria-invalid="true" aria-describedby="f-tiers-1-unit_price-error"' in bad.text


async def test_buyers_cannot_open_the_terms_admin(client, make_buyer, make_product):
    await make_buyer("curious@x.com")
    product = await make_product()
    await signin(client, "curious@x.com")
    page = await client.get(f"{ROOT}/admin/wholesale/products/{product.id}")
    assert page.status_code in (303, 403, 404)
    assert "Suggested price" not in page.text
