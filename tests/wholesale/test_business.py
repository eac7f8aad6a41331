"""Business checkout: PO number, company address, offline payment methods (net terms only
when granted), invoice PDF with a due date, overdue invoices for admins and the payment
recorded by staff once, audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from mercato.b2b import access
from mercato.cart import service as cart_service
from mercato.inventory import repository as inventory_repo
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.models.commerce import ShippingRate, ShippingZone
from mercato.models.platform import AuditEntry
from mercato.payments import offline as offline_payments
from mercato.wholesale import business
from tests.helpers import csrf_in
from tests.wholesale.conftest import ROOT, signin

ADDRESS = {
    "first_name": "Tanvir",
    "last_name": "Hossain",
    "line1": "House 12, Road 5, Tejgaon I/A",
    "city": "Dhaka",
    "country": "BD",
}


async def _rate(db) -> int:
    zone = ShippingZone(name="Bangladesh (business test)", countries=["BD"], position=1)
    db.add(zone)
    await db.flush()
    rate = ShippingRate(zone_id=zone.id, name="Covered van", kind="flat", amount=150000)
    db.add(rate)
    await db.flush()
    return rate.id


async def _buyer_with_cart(wdb, wholesale, make_buyer, product, email, terms="none", qty=100):
    buyer = await make_buyer(email)
    company = await access.buyer_company(wdb, buyer)
    company.net_terms = terms
    cart, _ = await cart_service.open_cart(wdb, user_id=buyer.id)
    await cart_service.add_item(wdb, cart, product.id, qty, runtime=wholesale)
    return buyer, cart


async def test_net_30_order_is_accepted_unpaid_with_a_due_date(
    wdb, wholesale, make_buyer, make_product
):
    product = await make_product(stock=1000)
    rate = await _rate(wdb)
    buyer, cart = await _buyer_with_cart(wdb, wholesale, make_buyer, product, "n30@x.com", "net30")
    order, details = await business.place(
        wdb, wholesale, cart, buyer,
        business.BusinessCheckout("PO-7781", ADDRESS, rate, "net_30"),
    )  # fmt: skip
    assert (order.status, order.payment_status, order.payment_provider) == (
        "confirmed", "unpaid", "net_terms",
    )  # fmt: skip
    assert order.subtotal == 1_350_000 and order.total == 1_500_000
    assert details.po_number == "PO-7781" and details.terms_days == 30
    assert details.due_date == business.local_date(wholesale) + timedelta(days=30)
    assert order.reservation_expires_at is None
    # the units are sold, not held: no expiry can release them
    inventory = await inventory_repo.get_inventory(wdb, product.id)
    assert (inventory.quantity, inventory.reserved) == (900, 0)


async def test_net_terms_need_the_grant(wdb, wholesale, make_buyer, make_product):
    product = await make_product()
    rate = await _rate(wdb)
    buyer, cart = await _buyer_with_cart(wdb, wholesale, make_buyer, product, "plain@x.com")
    assert business.methods_for(await access.buyer_company(wdb, buyer)) == ["bank_transfer", "cod"]
    try:
        await business.place(
            wdb, wholesale, cart, buyer, business.BusinessCheckout("", ADDRESS, rate, "net_30")
        )
    except ValidationFailed as exc:
        assert exc.code == "terms_not_granted"
    else:
        raise AssertionError("net terms without a grant")
    n15 = await make_buyer("n15@x.com")
    (await access.buyer_company(wdb, n15)).net_terms = "net15"
    assert business.methods_for(await access.buyer_company(wdb, n15))[-1] == "net_15"


async def test_admin_sees_overdue_and_records_the_payment_once(
    client, wdb, wholesale, make_buyer, make_user, make_product
):
    product = await make_product()
    rate = await _rate(wdb)
    buyer, cart = await _buyer_with_cart(wdb, wholesale, make_buyer, product, "late@x.com", "net15")
    order, details = await business.place(
        wdb, wholesale, cart, buyer, business.BusinessCheckout("PO-1", ADDRESS, rate, "net_15")
    )
    details.due_date = business.local_date(wholesale) - timedelta(days=3)
    await wdb.flush()
    admin = await make_user("ledger@x.com", "admin")
    rows = await business.open_invoices(wdb, wholesale)
    assert [(r.order.number, r.overdue_days) for r in rows] == [(order.number, 3)]
    await signin(client, "ledger@x.com")
    page = await client.get(f"{ROOT}/admin/wholesale/invoices")
    assert page.status_code == 200 and "overdue 3 days" in page.text and order.number in page.text
    # A wrong amount is refused; the whole total with a reference marks it paid
    try:
        await offline_payments.record_payment(
            wdb, order, amount=order.total - 1, reference="BRAC-1", actor=admin
        )
    except ValidationFailed as exc:
        assert exc.field == "amount"
    else:
        raise AssertionError("a part payment was recorded")
    answer = await client.post(
        f"{ROOT}/admin/wholesale/invoices/{order.number}/payment",
        data={"csrf_token": csrf_in(page.text), "amount": str(order.total), "reference": "BRAC-99"},
    )
    assert answer.status_code == 303
    await wdb.refresh(order)
    assert (order.payment_status, order.payment_id) == ("paid", "BRAC-99")
    entry = await wdb.scalar(select(AuditEntry).where(AuditEntry.entity_id == order.number))
    assert entry is not None and entry.action == "order.payment_recorded"
    assert await business.open_invoices(wdb, wholesale) == []
    try:
        await offline_payments.record_payment(
            wdb, order, amount=order.total, reference="again", actor=admin
        )
    except Conflict:
        pass
    else:
        raise AssertionError("a payment was recorded twice")


async def test_buyers_and_others_on_the_business_pages(
    client, wdb, wholesale, make_buyer, make_product
):
    product = await make_product(name="Rice Sack")
    await _rate(wdb)
    await make_buyer("nosy@x.com")
    buyer, _ = await _buyer_with_cart(wdb, wholesale, make_buyer, product, "page@x.com")
    await signin(client, "page@x.com")
    cart_page = await client.get(f"{ROOT}/cart")
    assert f"{ROOT}/wholesale/checkout" in cart_page.text
    form = await client.get(f"{ROOT}/wholesale/checkout")
    assert form.status_code == 200
    assert "Purchase order number" in form.text and "Net 30" not in form.text
    assert "House 12, Road 5" in form.text  # the company's address is the default
    values = dict(ADDRESS) | {
        "csrf_token": csrf_in(form.text),
        "po_number": "PO-2026-17",
        "payment_method": "bank_transfer",
        "rate_id": form.text.split('name="rate_id" value="')[1].split('"')[0],
    }
    placed = await client.post(f"{ROOT}/wholesale/checkout", data=values)
    assert placed.status_code == 303, placed.text[:500]
    assert placed.headers["location"].endswith("/wholesale/orders")
    listing = await client.get(f"{ROOT}/wholesale/orders")
    assert "PO-2026-17" in listing.text and "Awaiting payment" in listing.text
    number = listing.text.split("/invoice.pdf")[0].rsplit("/wholesale/orders/", 1)[1]
    pdf = await client.get(f"{ROOT}/wholesale/orders/{number}/invoice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # another buyer gets nothing
    await client.post(f"{ROOT}/account/signout", data={"csrf_token": csrf_in(form.text)})
    client.cookies.clear()
    await signin(client, "nosy@x.com")
    assert (await client.get(f"{ROOT}/wholesale/orders/{number}/invoice.pdf")).status_code == 404
    assert (await client.get(f"{ROOT}/admin/wholesale/invoices")).status_code in (303, 403, 404)
