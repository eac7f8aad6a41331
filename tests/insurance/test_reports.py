"""Insurance reports: figures bucketed by day or month in the store's time zone (a payment at
23:30 in Kolhapur counts on that day, not the next UTC one), totals and the claims ratio,
exact CSV amounts, the PDF, the admin page with its charts, the API, and roles refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mercato.insurance import reports
from mercato.kit.errors import ValidationFailed
from mercato.models.insurance import Claim, PolicyPayment
from tests.helpers import signin
from tests.insurance.support import PASSWORD, STORE, apply, make_plan

BASE = f"/{STORE}"
API = f"{BASE}/api/v1"
TZ = "Asia/Kolkata"


async def _figures(db, runtime, customer):
    """A policy paid ₹2,250.00 late on 5 March (IST), a second payment at 00:30 IST on
    6 March refunded on 9 March, and a claim paid ₹1,125.50 on 20 March."""
    plan = await make_plan(db, premium_minor=2_250_00)
    policy = await apply(db, runtime, customer, plan)
    late_evening = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)  # 23:30 IST on 5 March
    after_midnight = datetime(2026, 3, 5, 19, 0, tzinfo=UTC)  # 00:30 IST on 6 March
    db.add_all(
        [
            PolicyPayment(
                policy_id=policy.id,
                customer_id=customer.id,
                provider="sandbox",
                order_ref="r-1",
                amount=2_250_00,
                currency="INR",
                status="succeeded",
                paid_at=late_evening,
            ),
            PolicyPayment(
                policy_id=policy.id,
                customer_id=customer.id,
                provider="sandbox",
                order_ref="r-2",
                amount=2_250_00,
                currency="INR",
                status="refunded",
                paid_at=after_midnight,
                refunded_at=datetime(2026, 3, 9, 5, 0, tzinfo=UTC),
            ),
            Claim(
                claim_number="CL-T-1",
                policy_id=policy.id,
                customer_id=customer.id,
                filed_by=customer.id,
                claim_type="injury",
                incident_date=date(2026, 3, 1),
                amount_minor=2_000_00,
                settled_minor=1_125_50,
                description="Hurt leg.",
                status="paid",
                paid_at=datetime(2026, 3, 20, 10, 0, tzinfo=UTC),
            ),
        ]
    )
    await db.flush()
    return policy


async def test_days_follow_the_store_time_zone_and_totals_add_up(db, ins_runtime, customer):
    await _figures(db, ins_runtime, customer)
    report = await reports.build(db, start=date(2026, 3, 1), end=date(2026, 3, 31), timezone=TZ)
    assert report.granularity == "day" and len(report.rows) == 31
    by_day = {row.start.day: row for row in report.rows}
    assert by_day[5].premium_minor == 2_250_00
    assert by_day[6].premium_minor == 2_250_00
    assert by_day[9].refunds_minor == 2_250_00
    assert by_day[20].claims_paid_minor == 1_125_50
    totals = report.totals
    assert totals.premium_minor == sum(r.premium_minor for r in report.rows) == 4_500_00
    assert totals.net_premium_minor == 2_250_00
    assert totals.claims_ratio == "50.0 %"  # 1,125.50 of 2,250.00
    # The same period read from UTC days would put the second payment on the 5th
    utc = await reports.build(db, start=date(2026, 3, 1), end=date(2026, 3, 31), timezone="UTC")
    assert {r.start.day: r for r in utc.rows}[5].premium_minor == 4_500_00


async def test_a_long_period_is_per_month_and_excludes_what_lies_outside(db, ins_runtime, customer):
    await _figures(db, ins_runtime, customer)
    report = await reports.build(db, start=date(2026, 1, 1), end=date(2026, 12, 31), timezone=TZ)
    assert report.granularity == "month" and [r.label for r in report.rows][:3] == [
        "Jan 2026",
        "Feb 2026",
        "Mar 2026",
    ]
    assert report.rows[2].premium_minor == 4_500_00
    before = await reports.build(db, start=date(2026, 3, 6), end=date(2026, 3, 8), timezone=TZ)
    assert before.totals.premium_minor == 2_250_00  # only the 6 March payment
    assert before.totals.refunds_minor == 0


async def test_csv_amounts_are_exact_and_the_pdf_is_a_pdf(db, ins_runtime, customer):
    await _figures(db, ins_runtime, customer)
    report = await reports.build(db, start=date(2026, 3, 1), end=date(2026, 3, 31), timezone=TZ)
    lines = reports.to_csv(report).splitlines()
    assert lines[0].startswith("Period,Applications,Policies approved,Premium collected")
    assert lines[-1].startswith("Total,") and ",4500.00,2250.00,2250.00," in lines[-1]
    assert lines[-1].endswith("1125.50,50.0 %")
    assert reports.rupees(-5) == "-0.05" and reports.rupees(1_125_50) == "1125.50"
    assert reports.to_pdf(report, "Gau Raksha").startswith(b"%PDF")


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("2026-03-10", "2026-03-01", "end"), ("10/03/2026", "", "start"), ("2010-01-01", "", "start")],
)
def test_a_bad_period_names_its_field(start, end, field):
    with pytest.raises(ValidationFailed) as caught:
        reports.parse_period(start, end, date(2026, 11, 30))
    assert caught.value.field == field


async def test_admin_page_charts_and_exports(client, db, ins_runtime, customer, admin):
    await _figures(db, ins_runtime, customer)
    await signin(client, STORE, admin.email, PASSWORD)
    page = await client.get(
        f"{BASE}/admin/insurance/reports", params={"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert page.status_code == 200
    assert page.text.count('<svg class="ins-chart"') == 2 and " style=" not in page.text
    assert "₹4,500.00" in page.text and "50.0 %" in page.text
    bad = await client.get(f"{BASE}/admin/insurance/reports", params={"end": "1999-01-01"})
    assert bad.status_code == 422 and "The end is before the start." in bad.text
    csv = await client.get(
        f"{BASE}/admin/insurance/reports.csv", params={"start": "2026-03-01", "end": "2026-03-31"}
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.text.splitlines()[-1].startswith("Total,")
    pdf = await client.get(f"{BASE}/admin/insurance/reports.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (await client.get(f"{BASE}/admin/insurance/reports.csv?end=x")).status_code == 422
    overview = await client.get(f"{BASE}/admin/insurance")
    assert "Commissions pending" in overview.text and 'class="ins-chart"' in overview.text


async def test_customers_cannot_read_reports(client, db, customer):
    await signin(client, STORE, customer.email, PASSWORD)
    for url in ("reports", "reports.csv", "reports.pdf"):
        assert (await client.get(f"{BASE}/admin/insurance/{url}")).status_code in (403, 404)


async def _token(client, email: str) -> dict[str, str]:
    answer = await client.post(f"{API}/auth/token", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


async def test_the_api_reports_and_dashboard(client, db, ins_runtime, customer, admin):
    await _figures(db, ins_runtime, customer)
    headers = await _token(client, admin.email)
    answer = await client.get(
        f"{API}/admin/reports",
        params={"start": "2026-03-01", "end": "2026-03-31"},
        headers=headers,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["granularity"] == "day" and body["totals"]["premium_minor"] == 4_500_00
    assert body["totals"]["claims_ratio"] == "50.0 %"
    as_csv = await client.get(f"{API}/admin/reports?format=csv", headers=headers)
    assert as_csv.status_code == 200 and as_csv.text.startswith("Period,")
    bad = await client.get(f"{API}/admin/reports?start=2026-13-01", headers=headers)
    assert bad.status_code == 422
    dashboard = await client.get(f"{API}/admin/dashboard", headers=headers)
    assert dashboard.status_code == 200
    assert set(dashboard.json()["pending"]) == {
        "commissions",
        "commissions_minor",
        "withdrawals",
        "withdrawals_minor",
    }
    assert len(dashboard.json()["months"]) == 12
    mine = await _token(client, customer.email)
    for url in ("admin/reports", "admin/dashboard"):
        assert (await client.get(f"{API}/{url}", headers=mine)).status_code == 403
        assert (await client.get(f"{API}/{url}")).status_code == 401
