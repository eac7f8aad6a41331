"""Browser journey of a verified buyer in the wholesale store (issue 4, "must hold"): the
product page states the tier rule beside the tier table; at 40 units the calculator offers
the next tier ("add 10 more to pay ৳135.00/unit and save ৳500.00"); 5 units are refused in
the cart with the MOQ message and a one-click fix; 100 units on Net 30 with a PO number give
an invoice PDF with its due date, and the admin's profit report shows the order's split with
the seed's numbers. A business that is not verified sees no price. Screenshots at desktop
and phone widths (also copied to /tmp/shots-wsgaps), checked by axe."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.conftest import assert_accessible, screenshot

STORE = "/wholesale"
ADMIN = ("admin@wholesale.test", "Dhaka-Warehouse-Ledger-9")
BUYER = ("buyer@wholesale.test", "Chittagong-Bulk-Order-5")  # Hossain General, Net 30
PENDING = ("pending@wholesale.test", "Rajshahi-Mango-Cartons-4")  # verification pending
SELLER = ("seller@wholesale.test", "Narayanganj-Loom-Bales-6")
# TX-JAM-01, the seed's example: ৳145, ৳135 from 50, ৳120 from 200
PRODUCT = f"{STORE}/products/jamdani-cotton-orna"
PO_NUMBER = "HG-PO-2026-117"
SHOTS = Path("/tmp/shots-wsgaps")


def _shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    for saved in screenshot(page, name):
        shutil.copy(saved, SHOTS / saved.name)


def _pdf_text(body: bytes) -> str:
    """The text a reader gets out of the PDF (its fonts are embedded subsets: the page
    streams hold glyph numbers, not letters, so only a PDF reader can tell)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _sign_in(page: Page, email: str, password: str) -> None:
    page.goto(f"{STORE}/account/signin")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/signin"))


def test_an_unverified_business_sees_no_price(page: Page) -> None:
    _sign_in(page, *PENDING)
    page.goto(PRODUCT)
    expect(page.locator(".product-summary .price")).to_contain_text(
        "Wholesale price for verified businesses"
    )
    main = page.locator("main")
    for amount in ("145.00", "135.00", "120.00"):
        expect(main).not_to_contain_text(amount)
    expect(page.locator(".tier-table")).to_have_count(0)
    expect(page.locator("form.add-to-cart")).to_have_count(0)
    expect(page.get_by_role("link", name="Verify your business").first).to_be_visible()
    # The catalogue's cards show the MOQ but no price
    page.goto(f"{STORE}/products")
    card = page.locator(".product-card", has_text="Jamdani Cotton Orna")
    expect(card.locator(".card-wholesale")).to_contain_text("MOQ 10")
    expect(card).not_to_contain_text("145.00")
    _shoot(page, "wholesale-unverified-catalogue")
    assert page.console_errors == []


def test_a_seller_moves_through_the_seller_area(page: Page) -> None:
    _sign_in(page, *SELLER)
    page.goto(f"{STORE}/")
    nav = page.get_by_role("navigation", name="Seller area")
    nav.get_by_role("link", name="Your products").click()
    expect(page.locator("h1")).to_have_text("Your products")
    nav = page.get_by_role("navigation", name="Seller area")
    nav.get_by_role("link", name="Your profit").click()
    expect(page.locator("h1")).to_have_text("Your profit")
    assert_accessible(page)
    _shoot(page, "wholesale-seller-profit")
    page.get_by_role("navigation", name="Seller area").get_by_role(
        "link", name="Your inventory"
    ).click()
    expect(page.locator("h1")).to_have_text("Your inventory")
    assert page.console_errors == []


def test_a_verified_buyer_gets_tiers_prompt_moq_fix_and_net_terms(page: Page) -> None:
    _sign_in(page, *BUYER)
    # The catalogue's cards: wholesale price, MOQ badge, case pack and the best tier
    page.goto(f"{STORE}/products?q=jamdani")
    card = page.locator(".product-card", has_text="Jamdani Cotton Orna")
    expect(card.locator(".price-now")).to_contain_text("145.00")
    expect(card.locator(".card-wholesale")).to_contain_text("MOQ 10")
    expect(card.locator(".card-wholesale")).to_contain_text("Cases of 5")
    expect(card.locator(".card-wholesale")).to_contain_text("৳120.00/unit from 200")
    assert_accessible(page)
    _shoot(page, "wholesale-buying-catalogue")
    card.locator("a.card-link").click()
    expect(page).to_have_url(re.compile(r"/wholesale/products/jamdani-cotton-orna$"))
    # Tier table and the rule stated with the seed's example
    table = page.locator(".tier-table tbody tr")
    expect(table).to_have_count(3)
    expect(table.nth(0)).to_contain_text(re.compile(r"10–49 units\s*৳\s?145\.00"))
    expect(table.nth(1)).to_contain_text(re.compile(r"50–199 units\s*৳\s?135\.00"))
    expect(table.nth(2)).to_contain_text(re.compile(r"200\+ units\s*৳\s?120\.00"))
    expect(page.locator(".tier-rule")).to_contain_text(
        "applies to every unit of the line. For example, 100 units pay ৳135.00 each."
    )
    # 40 units: the calculator (script) offers the next tier
    page.get_by_label("Volume calculator: quantity").fill("40")
    expect(page.locator("#calc-result .next-tier")).to_have_text(
        "Add 10 more to pay ৳135.00/unit and save ৳500.00."
    )
    assert_accessible(page)
    _shoot(page, "wholesale-buying-product")
    # 5 units (below the MOQ of 10): the calculator says so
    page.get_by_label("Volume calculator: quantity").fill("5")
    expect(page.locator("#calc-result .field-error")).to_contain_text("10")

    # Into the cart at the MOQ, then down to 5: refused with the fix one click away
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("[data-cart-drawer]")).to_contain_text("Jamdani")
    page.goto(f"{STORE}/cart")
    line = page.locator(".cart-page .cart-line", has_text="Jamdani")
    line.get_by_label(re.compile("Quantity of")).fill("5")
    line.get_by_role("button", name="Update").click()
    line = page.locator(".cart-page .cart-line", has_text="Jamdani")
    expect(line.locator(".field-error")).to_contain_text(re.compile(r"minimum order.*10", re.I))
    assert_accessible(page)
    _shoot(page, "wholesale-buying-cart-moq")
    page.goto(f"{STORE}/wholesale/checkout")  # checkout is refused while the line is short
    expect(page).to_have_url(re.compile(r"/cart$"))
    line = page.locator(".cart-page .cart-line", has_text="Jamdani")
    line.get_by_role("button", name=re.compile(r"Change to 10")).click()
    line = page.locator(".cart-page .cart-line", has_text="Jamdani")
    expect(line.locator(".field-error")).to_have_count(0)
    expect(line.get_by_label(re.compile("Quantity of"))).to_have_value("10")

    # 100 units: the 50+ tier prices the whole line
    line.get_by_label(re.compile("Quantity of")).fill("100")
    line.get_by_role("button", name="Update").click()
    line = page.locator(".cart-page .cart-line", has_text="Jamdani")
    expect(line).to_contain_text("135.00 each")
    expect(line.locator(".cart-line-total")).to_contain_text("13,500.00")

    # Business checkout: PO number, Net 30, the company's address
    page.goto(f"{STORE}/wholesale/checkout")
    page.get_by_label("Purchase order number").fill(PO_NUMBER)
    page.get_by_label("Net 30 (invoice due in 30 days)").check()
    assert_accessible(page)
    _shoot(page, "wholesale-buying-checkout")
    page.get_by_role("button", name="Place the order").click()
    expect(page).to_have_url(re.compile(r"/wholesale/orders$"))
    row = page.locator("tbody tr", has_text=PO_NUMBER)
    expect(row).to_contain_text("Net 30")
    expect(row.locator("td").nth(3)).to_contain_text(re.compile(r"\d{2} \w{3} \d{4}"))
    number = row.locator("th a").inner_text().strip()
    assert_accessible(page)
    _shoot(page, "wholesale-buying-orders")
    invoice = page.request.get(f"{STORE}/wholesale/orders/{number}/invoice.pdf")
    assert invoice.status == 200
    assert invoice.headers["content-type"] == "application/pdf"
    assert invoice.body().startswith(b"%PDF")
    due = row.locator("td").nth(3).inner_text().strip()  # e.g. "30 Dec 2026"
    drawn = _pdf_text(invoice.body())
    for fact in (PO_NUMBER, "Due date:", "Net 30", "BDT 13,500.00"):
        assert fact in drawn, (fact, drawn[:2000])
    assert re.search(r"\d{4}-\d{2}-\d{2}", drawn.split("Due date:")[1]), due

    # The admin's profit report: the seed's split of this order
    page.context.clear_cookies()
    _sign_in(page, *ADMIN)
    report = page.locator("tbody tr", has_text=number)
    for _ in range(40):  # the server's worker records the sale from the outbox
        page.goto(f"{STORE}/admin/profit/reports?group=day")
        if report.count():
            break
        page.wait_for_timeout(500)
    cells = [re.sub(r"[^0-9.,]", "", c.strip()) for c in report.locator("td").all_inner_texts()]
    assert cells == [
        "100",
        "13,500.00",
        "8,000.00",
        "5,500.00",
        "825.00",
        "935.00",
        "4,565.00",
        "40.74",
    ], cells
    assert page.console_errors == []
