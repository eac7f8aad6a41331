"""The confirmation email and the PDF invoice say what the order says."""

from __future__ import annotations

from sqlalchemy import select

from mercato.models import EmailMessage
from mercato.orders import access, invoice
from tests.orders.support import make_order, make_product
from tests.orders.test_lifecycle import _pay


async def test_guest_confirmation_lists_lines_totals_gift_message_and_keyed_link(db, runtime):
    product = await make_product(db, stock=5, price=9600)
    order, key = await make_order(
        db, runtime, items=[(product, 1)], gift_message="Joyeux anniversaire, Hélène"
    )
    await _pay(db, runtime, order)
    mail = await db.scalar(
        select(EmailMessage).where(EmailMessage.template == "emails/order_confirmed")
    )
    assert mail.to_address == "guest@example.test"
    for text in (mail.text_body, mail.html_body):
        assert product.name in text
        assert "$96.00" in text and "$111.00" in text  # line and total (with $15 shipping)
        assert "Joyeux anniversaire, Hélène" in text
        assert f"/atelier-arome/orders/{order.number}?key={key}" in text


async def test_invoice_pdf_is_issued_once_paid(db, runtime):
    order, _ = await make_order(db, runtime)
    assert not invoice.available(order)
    order = await _pay(db, runtime, order)
    from mercato.orders import repository

    loaded = await repository.with_lines(db, order.number)
    pdf = invoice.render_pdf(runtime, loaded)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert invoice.text("Atelier Arôme — “x” ✓ 東") == "Atelier Arôme — “x” ? ?"


def test_guest_key_is_per_order_and_checked_in_constant_time(runtime):
    from mercato.kit.security import hash_token
    from mercato.models.orders import Order

    a = Order(number="A1", access_token_hash="")
    key = access.issue_guest_key(runtime, a)
    assert a.access_token_hash == hash_token(key)
    assert access.key_opens(a, key)
    assert not access.key_opens(a, access.guest_key(runtime, "A2"))
    assert not access.key_opens(Order(number="A3", access_token_hash=""), "")
