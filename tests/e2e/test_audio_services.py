"""Browser journeys of Audio Tài Lộc's services, support and content (issue 7, part 2),
in Vietnamese, against the seeded demo store.

(a) The demo customer books an acoustic consultation for next Monday (only Phạm Thị
Phương works Mondays, so each slot has one technician); a second customer, in a second
browser context, no longer sees that slot. Phương's own schedule shows the booking; the
admin confirms it.
(b) A customer opens a support ticket; staff reply from the admin in a second context; the
customer's open page shows the reply live (``message:new`` over the store WebSocket),
without reloading.
(c) The blog, projects, analytics, webhooks and backups pages render, pass axe, and are
photographed at desktop and phone widths.

Screenshots go to /tmp/shots-audiobook/.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from tests.e2e.conftest import DESKTOP, MOBILE, assert_accessible

STORE = "/audio-tai-loc"
ADMIN = ("admin@audio-tai-loc.test", "Loa-Karaoke-Phong-Khach-6")
CUSTOMER = ("khach@audio-tai-loc.test", "Tai-Nghe-Hi-Fi-Ban-Dem-2")
PHUONG = ("ktv.phuong@audio-tai-loc.test", "Do-Am-Phong-Nghe-Nhac-Chuan-8")
PASSWORD = "Cap-Loa-Moi-Cho-Phong-Hat-9"
SHOTS = Path("/tmp/shots-audiobook")


def _shots(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    original = page.viewport_size
    for label, size in (("desktop", DESKTOP), ("mobile", MOBILE)):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    if original:
        page.set_viewport_size(original)


def _watch(page: Page) -> Page:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    return page


def _sign_in(context, email: str, password: str) -> Page:
    page = _watch(context.new_page())
    page.goto(f"{STORE}/account/signin")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/signin"))
    return page


def _sign_up(context, name: str) -> Page:
    page = _watch(context.new_page())
    page.goto(f"{STORE}/account/signup")
    page.locator("main input[name=name]").fill(name)
    page.locator("main input[name=email]").fill(f"khach-{secrets.token_hex(4)}@example.vn")
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/account/signup"))
    return page


def _next_monday() -> date:
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    day = today + timedelta(days=2)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return day


def test_a_booked_slot_disappears_for_the_next_customer(new_context) -> None:
    day = _next_monday().isoformat()
    customer = _sign_in(new_context(), *CUSTOMER)
    customer.goto(f"{STORE}/services")
    expect(customer.locator("h1")).to_contain_text("Dịch vụ")
    assert_accessible(customer)
    _shots(customer, "services")

    customer.goto(f"{STORE}/services/tu-van-am-hoc?date={day}")
    slot = customer.locator("input[name=slot]").first
    value = slot.get_attribute("value")
    assert value, "no free slot next Monday"
    slot.check()
    customer.locator("#district").select_option("quan-3")
    customer.locator("#address").fill("120 Võ Văn Tần, Phường 6")
    customer.locator("#phone").fill("0912 000 111")
    customer.locator("#note").fill("Phòng nghe nhạc 20 m², muốn giảm vang.")
    assert_accessible(customer)
    _shots(customer, "book-form")
    customer.get_by_role("button", name="Xác nhận đặt lịch").click()
    expect(customer).to_have_url(re.compile(r"/bookings/DV-\d{6}$"))
    expect(customer.locator("main")).to_contain_text("Chờ xác nhận")
    expect(customer.locator("main")).to_contain_text("Phạm Thị Phương")
    number = customer.url.rsplit("/", 1)[-1]
    assert_accessible(customer)
    _shots(customer, "booking")
    customer.goto(f"{STORE}/bookings")
    expect(customer.locator("main")).to_contain_text(number)
    _shots(customer, "my-bookings")

    # A second customer looking at the same day no longer sees that time
    other = _sign_up(new_context(), "Lê Thị Hoa")
    other.goto(f"{STORE}/services/tu-van-am-hoc?date={day}")
    expect(other.locator("h1")).to_contain_text("Tư vấn âm học")
    assert other.locator(f'input[name=slot][value="{value}"]').count() == 0
    # and trying it anyway (a stale form) is refused on the slot field
    other.evaluate(
        "v => { const i = document.querySelector('input[name=slot]');"
        " if (i) { i.value = v; i.checked = true; } }",
        value,
    )
    if other.locator("input[name=slot]").count():
        other.locator("#district").select_option("quan-1")
        other.locator("#address").fill("1 Lê Lợi, Bến Nghé")
        other.get_by_role("button", name="Xác nhận đặt lịch").click()
        expect(other.locator("#slot-error")).to_be_visible()

    # Phương sees it on her own schedule; the admin confirms it
    tech = _sign_in(new_context(), *PHUONG)
    tech.goto(f"{STORE}/technician/schedule")
    expect(tech.locator("main")).to_contain_text(number)
    assert_accessible(tech)
    _shots(tech, "technician-schedule")
    admin = _sign_in(new_context(), *ADMIN)
    admin.goto(f"{STORE}/admin/bookings?status=pending")
    row = admin.locator("tr", has_text=number)
    row.get_by_role("button", name=re.compile("Xác nhận")).click()
    expect(admin.locator("main")).to_contain_text("Đã xác nhận")
    admin.goto(f"{STORE}/admin/bookings")
    assert_accessible(admin)
    _shots(admin, "admin-bookings")
    admin.goto(f"{STORE}/admin/technicians")
    _shots(admin, "admin-technicians")
    customer.reload()
    expect(customer.locator("main")).to_contain_text("Đã xác nhận")
    for p in (customer, other, tech, admin):
        assert not [e for e in p.console_errors if "Content Security Policy" in e], p.console_errors


def test_staff_reply_reaches_the_customer_live(new_context) -> None:
    customer = _sign_up(new_context(), "Ngô Văn Bình")
    customer.goto(f"{STORE}/support")
    assert_accessible(customer)
    _shots(customer, "support")
    customer.locator("#subject").fill("Amply không lên nguồn")
    customer.locator("#priority").select_option("high")
    customer.locator("#body").fill("Amply mua tuần trước bật không sáng đèn nguồn.")
    customer.get_by_role("button", name="Gửi yêu cầu").click()
    expect(customer).to_have_url(re.compile(r"/support/HT-\d{6}$"))
    number = customer.url.rsplit("/", 1)[-1]
    expect(customer.locator("[data-chat-thread]")).to_contain_text("bật không sáng đèn")
    customer.wait_for_timeout(500)  # the page's socket is open before staff answer

    admin = _sign_in(new_context(), *ADMIN)
    admin.goto(f"{STORE}/admin/support")
    expect(admin.locator("main")).to_contain_text(number)
    assert_accessible(admin)
    _shots(admin, "admin-support")
    admin.get_by_role("link", name=number).click()
    reply = "Chào anh Bình, kỹ thuật viên sẽ gọi lại trong 15 phút."
    admin.locator("#body").fill(reply)
    admin.get_by_role("button", name="Gửi trả lời").click()
    expect(admin.locator("[data-chat-thread]")).to_contain_text(reply)
    assert_accessible(admin)
    _shots(admin, "admin-ticket")

    # The customer's page, not reloaded, shows the reply when it arrives
    expect(customer.locator("[data-chat-thread]")).to_contain_text(reply, timeout=15_000)
    assert_accessible(customer)
    _shots(customer, "ticket-live")
    assert not customer.console_errors, customer.console_errors


def test_content_and_admin_pages_render(new_context) -> None:
    visitor = _watch(new_context().new_page())
    visitor.goto(f"{STORE}/blog")
    expect(visitor.locator("h1")).to_contain_text("Blog")
    assert_accessible(visitor)
    _shots(visitor, "blog")
    visitor.locator(".post-card h2 a").first.click()
    expect(visitor.locator("article h1")).to_be_visible()
    assert_accessible(visitor)
    _shots(visitor, "blog-post")
    visitor.goto(f"{STORE}/du-an")
    assert_accessible(visitor)
    _shots(visitor, "projects")
    visitor.locator(".post-card h2 a").first.click()
    expect(visitor.locator("main")).to_contain_text("Thiết bị sử dụng")
    assert_accessible(visitor)
    _shots(visitor, "project")
    assert not visitor.console_errors, visitor.console_errors

    admin = _sign_in(new_context(), *ADMIN)
    for path, name in (
        ("admin/analytics", "admin-analytics"),
        ("admin/webhooks", "admin-webhooks"),
        ("admin/backups", "admin-backups"),
        ("admin/blog", "admin-blog"),
        ("admin/site-sections", "admin-site-sections"),
    ):
        admin.goto(f"{STORE}/{path}")
        expect(admin.locator("h1")).to_be_visible()
        assert_accessible(admin)
        _shots(admin, name)
    admin.goto(f"{STORE}/admin/backups")
    admin.get_by_role("button", name="Tạo bản sao lưu ngay").click()
    expect(admin.locator("main")).to_contain_text(re.compile(r"\.(sqlite3|dump)"))
    assert not admin.console_errors, admin.console_errors
