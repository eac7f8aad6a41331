"""Numbers, dates, stock labels and emails follow the language being rendered."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

from mercato.catalog.presenters import stock_state
from mercato.kit.i18n import use_language
from mercato.web.templating import _date_full


def _audio(app):
    return app.state.runtimes["audio-tai-loc"]


def test_money_and_dates_by_language(app):
    env = _audio(app).templates
    # A variable, not a literal: Jinja would fold a filter of a constant at compile time.
    money = env.from_string("{{ amount | money }}")
    moment = env.from_string("{{ when | datetime('short') }}")
    when = datetime(2026, 11, 30, 17, 30, tzinfo=UTC)  # 00:30 next day in Ho Chi Minh City
    with use_language("vi", "vi-VN"):
        assert money.render(amount=12_500_000) == "12.500.000\xa0₫"
        assert moment.render(when=when) == "00:30 1/12/26"  # store time, Vietnamese order
        assert _date_full(date(2026, 12, 7), "vi-VN") == "Thứ Hai, 7 tháng 12, 2026"
    with use_language("en", "en"):
        assert money.render(amount=12_500_000) == "₫12,500,000"
        assert _date_full(date(2026, 12, 7), "en") == "Monday 07 December 2026"


def test_stock_labels_in_vietnamese():
    stock = SimpleNamespace(available=7, low_stock_threshold=3)
    low = SimpleNamespace(available=2, low_stock_threshold=3)
    with use_language("vi", "vi-VN"):
        assert stock_state(stock).label == "Còn hàng"
        assert stock_state(low).label == "Chỉ còn 2"
        assert stock_state(None).label == "Hết hàng"
    assert stock_state(None).label == "Sold out"


def test_order_email_in_vietnamese_and_unchanged_english(app):
    order = SimpleNamespace(
        number="TL-123456", currency="VND", subtotal=12_500_000, discount_total=0,
        shipping_method="", shipping_total=0, gift_wrap_total=0, tax_lines=[],
        tax_inclusive=False, total=12_500_000, gift_message="", delivery_date=None,
    )  # fmt: skip
    lines = [SimpleNamespace(name="Loa JBL", quantity=1, line_total=12_500_000)]
    values = {"order": order, "lines": lines, "name": "", "link": "http://x/o", "subject": "s",
              "absolute_url": lambda p: "http://x/" + p}  # fmt: skip
    template = _audio(app).templates.get_template("emails/order_confirmed.txt")
    with use_language("vi", "vi-VN"):
        text = template.render(values)
    assert "Kính gửi quý khách," in text and "Tổng cộng: 12.500.000\xa0₫" in text
    with use_language("en", "en"):
        text = template.render(values)
    assert text.startswith("Dear customer,\n\nThank you: we have received your payment")
    assert "Total: ₫12,500,000" in text
