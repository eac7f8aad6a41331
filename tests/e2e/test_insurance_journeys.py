"""Browser journeys of the cattle-insurance store (issue 6), against the seeded demo data.

(a) A customer applies for Gau Suraksha Plus (₹60,000 cover at 3.75 % = ₹2,250 premium)
through Sneha's agent code AG100005 with two photos and pays on the sandbox page; the admin
approves; Sneha (level 1, 10 %), Arjun (level 2, 5 %) and Priya (level 3, 2 %) have pending
commissions of exactly ₹225.00, ₹112.50 and ₹45.00; the admin approves the three; Sneha's
wallet shows the credit; she asks for ₹600.00; the admin approves it with a bank reference;
her ledger shows the debit and the balance is the ledger's sum.
(b) The demo customer files a death claim with the vet certificate and the post-mortem
report on her active policy IN-2745-0193; the admin starts the review, approves ₹55,000.00
and marks it paid with the transfer reference; the customer sees each step.

Customer, admin and agent each have their own browser context. Screenshots at desktop and
phone widths go to /tmp/shots-insgaps/.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, MOBILE, assert_accessible

STORE = "/cattle-insurance"
ADMIN = ("admin@cattle-insurance.test", "Pashu-Bima-Approval-11")
CUSTOMER = ("farmer@cattle-insurance.test", "Gir-Cow-Pasture-Morning-4")
AGENT_PASSWORD = "Commission-Ledger-Village-31"
SNEHA = ("sneha.agent@cattle-insurance.test", AGENT_PASSWORD)
ARJUN = ("arjun.agent@cattle-insurance.test", AGENT_PASSWORD)
SHOTS = Path("/tmp/shots-insgaps")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _shots(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    original = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    if original:
        page.set_viewport_size(original)


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, "PNG")
    return out.getvalue()


def _sign_in(context, email: str, password: str) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    page.goto(f"{STORE}/account/signin")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/signin"))
    return page


def _reload_until(page: Page, text: str, tries: int = 50) -> None:
    """The sandbox's payment event is delivered by the server's worker a moment later."""
    for _ in range(tries):
        if text in page.locator("main").inner_text():
            return
        page.wait_for_timeout(200)
        page.reload()
    expect(page.locator("main")).to_contain_text(text)


def test_a_sale_pays_three_levels_and_the_agent_withdraws(new_context) -> None:
    customer = _sign_in(new_context(), *CUSTOMER)
    admin = _sign_in(new_context(), *ADMIN)
    agent = _sign_in(new_context(), *SNEHA)

    # The customer applies with the agent's code and two photos
    customer.goto(f"{STORE}/insurance/apply")
    plan = customer.locator("#f-plan-id option", has_text="Gau Suraksha Plus")
    customer.get_by_label("Plan", exact=True).select_option(plan.get_attribute("value"))
    customer.get_by_label("Cow or buffalo").select_option("cow")
    customer.get_by_label("Ear-tag id").fill("MH-0914-E2E1")
    customer.get_by_label("Age (years)").fill("5")
    customer.get_by_label("Breed").fill("Gir")
    customer.get_by_label("Sex").select_option("female")
    customer.get_by_label("Milk per day (litres)").fill("13.5")
    customer.get_by_label("Health", exact=True).fill("Healthy; FMD vaccinated in August")
    customer.get_by_label("Photo of the animal").set_input_files(
        {"name": "cow.png", "mimeType": "image/png", "buffer": _png((230, 220, 200))}
    )
    customer.get_by_label("Photo with the ear tag visible").set_input_files(
        {"name": "tag.png", "mimeType": "image/png", "buffer": _png((200, 120, 60))}
    )
    customer.get_by_label("Full name").fill("Sunita Deshmukh")
    customer.get_by_label("Email").fill(CUSTOMER[0])
    customer.get_by_label("Mobile number").fill("98765 43210")
    customer.get_by_label("Pincode").fill("416001")
    customer.get_by_label("Address").fill("House 12, Ward 4, near Hanuman temple")
    customer.get_by_label("Village or city").fill("Kolhapur")
    customer.get_by_label("State").fill("Maharashtra")
    customer.get_by_label("Agent code").fill("AG100005")
    assert_accessible(customer)
    _shots(customer, "ins-apply")
    customer.get_by_role("button", name="Save and continue to payment").click()
    expect(customer).to_have_url(re.compile(r"/account/policies/\d+$"))
    policy_id = int(customer.url.rsplit("/", 1)[1])
    expect(customer.locator("main")).to_contain_text("Awaiting payment")

    # … and pays on the sandbox page; the worker delivers the signed event
    customer.get_by_role("button", name=re.compile(r"Pay ₹2,250\.00")).click()
    expect(customer.locator("h1")).to_have_text("Sandbox payment")
    customer.get_by_label("Card number").fill("4242424242424242")
    _shots(customer, "ins-sandbox")
    customer.get_by_role("button", name="Pay ₹2,250.00").click()
    _reload_until(customer, "Awaiting approval")

    # The admin reviews the photos and approves
    admin.goto(f"{STORE}/admin/insurance/policies?status=PENDING_APPROVAL")
    expect(admin.locator("main")).to_contain_text("MH-0914-E2E1")
    admin.goto(f"{STORE}/admin/insurance/policies/{policy_id}")
    expect(admin.locator(".ins-photos img")).to_have_count(2)
    expect(admin.locator("main")).to_contain_text("AG100005")
    _shots(admin, "ins-admin-policy")
    admin.get_by_role("button", name="Approve and issue the policy").click()
    expect(admin.locator("h1")).to_contain_text(re.compile(r"Policy GR-\d{4}-\d+"))
    number = admin.locator("h1").inner_text().removeprefix("Policy ").strip()

    # Three pending commissions with the frozen rates and exact paise
    admin.goto(f"{STORE}/admin/agents/commissions?status=pending")
    rows = admin.locator("tbody tr", has_text=f"Policy #{number}")
    expect(rows).to_have_count(3)
    expected = {
        1: ("Sneha More", "10", "₹225.00"),
        2: ("Arjun Pawar", "5", "₹112.50"),
        3: ("Priya Kulkarni", "2", "₹45.00"),
    }
    for level, (name, rate, amount) in expected.items():
        row = rows.filter(has_text=name)
        expect(row).to_have_count(1)
        cells = row.locator("td")
        expect(cells.nth(3)).to_have_text(str(level))
        expect(cells.nth(5)).to_contain_text(rate)
        expect(cells.nth(6)).to_have_text(amount)
        row.locator("input[type=checkbox]").check()
    assert_accessible(admin)
    _shots(admin, "ins-admin-commissions")
    admin.get_by_role("button", name="Approve selected").click()
    expect(admin.locator(".flash")).to_be_visible()
    admin.goto(f"{STORE}/admin/agents/commissions?status=approved")
    expect(admin.locator("tbody tr", has_text=f"Policy #{number}")).to_have_count(3)

    # The agent's wallet shows the credit
    agent.goto(f"{STORE}/agents/dashboard")
    ledger = agent.locator("#wallet + .table-wrap")
    credit = ledger.locator("tr", has_text=f"Commission on Policy #{number} (level 1)")
    expect(credit).to_contain_text("₹225.00")
    balance_before = _rupees(ledger.locator("tfoot td").inner_text())
    assert balance_before == _ledger_sum(ledger), "the balance is the ledger's sum"

    # She asks for ₹600.00; the admin pays it with a reference
    agent.get_by_label(re.compile("Amount in INR")).fill("600")
    agent.get_by_role("button", name="Request withdrawal").click()
    expect(agent.locator(".flash")).to_be_visible()
    admin.goto(f"{STORE}/admin/agents/withdrawals?status=pending")
    card = admin.locator(".card", has_text="Sneha More").filter(has_text="₹600.00")
    expect(card).to_have_count(1)
    card.get_by_label("Transfer reference").fill("NEFT-HDFC-E2E-0601")
    _shots(admin, "ins-admin-withdrawals")
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(admin.locator(".flash")).to_be_visible()

    # The ledger shows the debit and the new balance is still the ledger's sum
    agent.goto(f"{STORE}/agents/dashboard")
    ledger = agent.locator("#wallet + .table-wrap")
    expect(ledger.locator("tr", has_text="Withdrawal #")).to_contain_text("₹600.00")
    expect(agent.locator("#withdrawals + .table-wrap")).to_contain_text("NEFT-HDFC-E2E-0601")
    balance_after = _rupees(ledger.locator("tfoot td").inner_text())
    assert balance_after == balance_before - 600_00
    assert balance_after == _ledger_sum(ledger)
    assert_accessible(agent)
    _shots(agent, "ins-agent-dashboard")

    # Arjun, one level up, sees his level-2 share
    arjun = _sign_in(new_context(), *ARJUN)
    arjun.goto(f"{STORE}/agents/dashboard")
    expect(
        arjun.locator("#wallet + .table-wrap tr", has_text=f"Policy #{number} (level 2)")
    ).to_contain_text("₹112.50")
    # The admin dashboard and the report count the sale; the charts are server-drawn SVG
    admin.goto(f"{STORE}/admin/insurance")
    expect(admin.locator("svg.ins-chart")).to_have_count(2)
    _shots(admin, "ins-admin-overview")
    admin.goto(f"{STORE}/admin/insurance/reports")
    expect(admin.locator("tfoot")).to_contain_text("₹")
    assert_accessible(admin)
    _shots(admin, "ins-admin-reports")
    with admin.expect_download() as download:
        admin.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    for page in (customer, admin, agent, arjun):
        assert not page.console_errors, page.console_errors


def _rupees(text: str) -> int:
    """'₹1,725.00' or '-₹600.00' → paise."""
    cleaned = text.strip().replace("₹", "").replace(",", "").replace("\u2212", "-")
    rupees, _, paise = cleaned.partition(".")
    sign = -1 if rupees.startswith("-") else 1
    return sign * (abs(int(rupees)) * 100 + int(paise or 0))


def _ledger_sum(ledger) -> int:
    amounts = ledger.locator("tbody tr td.num").all_inner_texts()
    return sum(_rupees(a) for a in amounts)


def test_a_death_claim_is_reviewed_approved_and_paid(new_context) -> None:
    customer = _sign_in(new_context(), *CUSTOMER)
    admin = _sign_in(new_context(), *ADMIN)

    # The customer files a death claim with the vet certificate and the post-mortem report
    customer.goto(f"{STORE}/account/policies")
    customer.locator("tr", has_text="IN-2745-0193").get_by_role("link").click()
    expect(customer.locator("main")).to_contain_text("Active")
    customer.get_by_role("link", name="File a claim").click()
    incident = _three_days_ago()
    customer.get_by_label("What happened", exact=True).select_option("death")
    customer.get_by_label("Date of the incident").fill(incident)
    customer.get_by_label("Amount claimed (₹)").fill("60000")
    customer.get_by_label("What happened, in your words").fill(
        "Collapsed in the shed after two days of bloat; the village vet could not save her."
    )
    customer.get_by_label("Vet certificate").set_input_files(
        {"name": "vet-certificate.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    customer.get_by_label("Post-mortem report").set_input_files(
        {"name": "post-mortem.png", "mimeType": "image/png", "buffer": _png((120, 40, 40))}
    )
    assert_accessible(customer)
    _shots(customer, "ins-claim-form")
    customer.get_by_role("button", name="File the claim").click()
    expect(customer).to_have_url(re.compile(r"/account/claims/\d+"))
    claim_id = customer.url.rstrip("/").rsplit("/", 1)[1]
    expect(customer.locator("main")).to_contain_text("Received")
    claim_number = customer.locator("h1").inner_text().split()[-1]

    # The admin reviews: start review, approve ₹55,000, pay with a reference
    admin.goto(f"{STORE}/admin/insurance/claims/{claim_id}")
    expect(admin.locator("main")).to_contain_text("vet certificate")
    expect(admin.locator("main")).to_contain_text("post mortem")
    admin.get_by_role("button", name="Start review").click()
    expect(admin.locator(".admin-header .tag")).to_have_text("Under review")
    customer.reload()
    expect(customer.locator("main")).to_contain_text("Under review")
    admin.get_by_label("Settled amount (₹)").fill("55000")
    admin.get_by_role("button", name="Approve", exact=True).click()
    expect(admin.locator(".admin-header .tag")).to_have_text("Approved")
    admin.get_by_label("Bank transfer reference").fill("NEFT-SBIN-E2E-7781")
    _shots(admin, "ins-admin-claim")
    admin.get_by_role("button", name="Mark paid").click()
    expect(admin.locator(".admin-header .tag")).to_have_text("Paid")

    # The customer sees the settlement, and was told at every step
    customer.reload()
    expect(customer.locator("main")).to_contain_text("Paid")
    expect(customer.locator("main")).to_contain_text("₹55,000.00")
    _shots(customer, "ins-claim-paid")
    customer.goto(f"{STORE}/notifications")
    notices = customer.locator("main")
    expect(notices).to_contain_text(claim_number)
    for page in (customer, admin):
        assert not page.console_errors, page.console_errors


def _three_days_ago() -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo("Asia/Kolkata")).date() - timedelta(days=3)).isoformat()
