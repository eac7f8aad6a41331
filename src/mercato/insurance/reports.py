"""Insurance reports by period: applications, approvals, premium collected and refunded,
agents' commissions on policies, claims filed and paid, the claims ratio; per day (periods
up to 62 days) or per month, in the store's time zone. The same numbers feed the admin
page, its CSV and PDF exports, the dashboard chart and ``GET /api/v1/admin/reports``.

Each measure is one query over the period's rows (seven in all, whatever the period), bucketed
here: a date-truncation function differs between SQLite and PostgreSQL, and an insurance
store's rows per year are thousands, not millions.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.errors import ValidationFailed
from mercato.models.agents import Commission
from mercato.models.insurance import Claim, Policy, PolicyPayment

MAX_DAYS = 366 * 5
DAILY_UP_TO = 62
MEASURES = {
    "applications": "Applications",
    "approvals": "Policies approved",
    "premium_minor": "Premium collected",
    "refunds_minor": "Premium refunded",
    "net_premium_minor": "Net premium",
    "commissions_minor": "Agents' commissions",
    "claims_filed": "Claims filed",
    "claims_paid_minor": "Claims paid",
}
MONEY = {k for k in MEASURES if k.endswith("_minor")}


@dataclass
class Row:
    label: str
    start: date
    applications: int = 0
    approvals: int = 0
    premium_minor: int = 0
    refunds_minor: int = 0
    commissions_minor: int = 0
    claims_filed: int = 0
    claims_paid_minor: int = 0

    @property
    def net_premium_minor(self) -> int:
        return self.premium_minor - self.refunds_minor

    @property
    def claims_ratio(self) -> str:
        """Claims paid over net premium, as a percentage with one decimal ("—" without
        premium)."""
        if self.net_premium_minor <= 0:
            return "—"
        return f"{self.claims_paid_minor * 100 / self.net_premium_minor:.1f} %"

    def add(self, other: Row) -> None:
        for f in fields(self):
            if f.name not in ("label", "start"):
                setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass
class Report:
    start: date
    end: date
    granularity: str  # "day" | "month"
    currency: str
    rows: list[Row] = field(default_factory=list)
    totals: Row | None = None


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, this one included."""
    year, month = divmod(today.month - 1 - 11, 12)
    return date(today.year + year, month + 1, 1), today


def parse_period(start_text: str | None, end_text: str | None, today: date) -> tuple[date, date]:
    """Dates from a form or a query string (YYYY-MM-DD); errors name their field."""
    default_start, default_end = default_period(today)

    def parse(text: str | None, name: str, fallback: date) -> date:
        if not text:
            return fallback
        try:
            return date.fromisoformat(text.strip()[:10])
        except ValueError:
            raise ValidationFailed("Enter a date like 2026-04-01.", field=name) from None

    start = parse(start_text, "start", default_start)
    end = parse(end_text, "end", default_end)
    if end < start:
        raise ValidationFailed("The end is before the start.", field="end")
    if (end - start).days > MAX_DAYS:
        raise ValidationFailed("Choose a period of at most five years.", field="start")
    return start, end


def _buckets(start: date, end: date, granularity: str) -> list[Row]:
    rows = []
    if granularity == "day":
        day = start
        while day <= end:
            rows.append(Row(label=day.strftime("%d %b"), start=day))
            day += timedelta(days=1)
        return rows
    month = start.replace(day=1)
    while month <= end:
        rows.append(Row(label=month.strftime("%b %Y"), start=month))
        month = (month + timedelta(days=32)).replace(day=1)
    return rows


async def build(
    db: AsyncSession, *, start: date, end: date, timezone: str, currency: str = "INR"
) -> Report:
    zone = ZoneInfo(timezone)
    low = datetime.combine(start, time.min, zone).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, zone).astimezone(UTC)
    granularity = "day" if (end - start).days < DAILY_UP_TO else "month"
    rows = _buckets(start, end, granularity)

    def row_of(moment: datetime | None) -> Row:
        assert moment is not None  # every query below filters on the column being in range
        local = moment.astimezone(zone).date()
        if granularity == "day":
            return rows[(local - start).days]
        return rows[(local.year - start.year) * 12 + local.month - start.month]

    def within(column):  # noqa: ANN001, ANN202 - a SQLAlchemy column
        return (column >= low) & (column < high)

    moment: datetime | None
    amount: int | None
    for moment in await db.scalars(select(Policy.created_at).where(within(Policy.created_at))):
        row_of(moment).applications += 1
    for moment in await db.scalars(select(Policy.approved_at).where(within(Policy.approved_at))):
        row_of(moment).approvals += 1
    paid = await db.execute(
        select(PolicyPayment.paid_at, PolicyPayment.amount).where(
            within(PolicyPayment.paid_at), PolicyPayment.status.in_(("succeeded", "refunded"))
        )
    )
    for moment, amount in paid.all():
        row_of(moment).premium_minor += amount or 0
    refunded = await db.execute(
        select(PolicyPayment.refunded_at, PolicyPayment.amount).where(
            within(PolicyPayment.refunded_at), PolicyPayment.status == "refunded"
        )
    )
    for moment, amount in refunded.all():
        row_of(moment).refunds_minor += amount or 0
    # Reversals are negative rows, so a cancelled sale nets to zero in its period.
    commissions = await db.execute(
        select(Commission.created_at, Commission.amount).where(
            Commission.source_type == "policy", within(Commission.created_at)
        )
    )
    for moment, amount in commissions.all():
        row_of(moment).commissions_minor += amount or 0
    for moment in await db.scalars(select(Claim.created_at).where(within(Claim.created_at))):
        row_of(moment).claims_filed += 1
    claims_paid = await db.execute(
        select(Claim.paid_at, Claim.settled_minor).where(
            within(Claim.paid_at), Claim.status == "paid"
        )
    )
    for moment, amount in claims_paid.all():
        row_of(moment).claims_paid_minor += amount or 0
    totals = Row(label="Total", start=start)
    for row in rows:
        totals.add(row)
    return Report(start, end, granularity, currency, rows, totals)


def rupees(minor: int) -> str:
    """Paise as an exact decimal string: 1125050 → "11250.50" (no float on the way)."""
    sign = "-" if minor < 0 else ""
    whole, paise = divmod(abs(minor), 100)
    return f"{sign}{whole}.{paise:02d}"


def to_csv(report: Report) -> str:
    """One line per period and a total; amounts in rupees with two decimals (a spreadsheet
    reads them as numbers), counts as integers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Period", *MEASURES.values(), "Claims ratio"])
    for row in [*report.rows, report.totals]:
        assert row is not None
        values = []
        for key in MEASURES:
            value = getattr(row, key)
            values.append(rupees(value) if key in MONEY else str(value))
        writer.writerow([row.label, *values, row.claims_ratio])
    return out.getvalue()


def _paper_rupees(minor: int) -> str:
    from mercato.insurance.certificate import rupees as paper

    return ("-" if minor < 0 else "") + paper(abs(minor))


def to_pdf(report: Report, store_name: str) -> bytes:
    """The same table on A4 landscape with fpdf2's core fonts (amounts as "Rs.", like the
    certificate)."""
    from mercato.kit.pdf import document, text

    pdf = document(
        f"Insurance report {report.start} to {report.end}", store_name, orientation="landscape"
    )
    pdf.set_font("helvetica", "B", 15)
    pdf.cell(0, 9, text(f"{store_name}: insurance report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    per = "per day" if report.granularity == "day" else "per month"
    pdf.cell(0, 6, text(f"{report.start} to {report.end}, {per}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    first = 26
    width = (pdf.w - pdf.l_margin - pdf.r_margin - first) / (len(MEASURES) + 1)
    pdf.set_font("helvetica", "B", 7)
    pdf.cell(first, 6, "Period")
    for title in MEASURES.values():
        pdf.cell(width, 6, text(title), align="R")
    pdf.cell(width, 6, "Claims ratio", align="R", new_x="LMARGIN", new_y="NEXT")
    for row in [*report.rows, report.totals]:
        assert row is not None
        pdf.set_font("helvetica", "B" if row is report.totals else "", 7)
        pdf.cell(first, 5, text(row.label))
        for key in MEASURES:
            value = getattr(row, key)
            shown = _paper_rupees(value) if key in MONEY else str(value)
            pdf.cell(width, 5, text(shown), align="R")
        pdf.cell(width, 5, text(row.claims_ratio), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


async def pending_agent_work(db: AsyncSession) -> dict[str, int]:
    """Commissions and withdrawals waiting for an admin (zero without the agents module)."""
    from sqlalchemy import func

    from mercato.models.agents import Withdrawal

    commissions = (
        await db.execute(
            select(func.count(), func.coalesce(func.sum(Commission.amount), 0)).where(
                Commission.status == "pending", Commission.kind == "commission"
            )
        )
    ).one()
    withdrawals = (
        await db.execute(
            select(func.count(), func.coalesce(func.sum(Withdrawal.amount), 0)).where(
                Withdrawal.status == "pending"
            )
        )
    ).one()
    return {
        "commissions": int(commissions[0]),
        "commissions_minor": int(commissions[1]),
        "withdrawals": int(withdrawals[0]),
        "withdrawals_minor": int(withdrawals[1]),
    }


def _chart_labels(report: Report) -> list[str]:
    """Short labels under the columns ("Dec '25", "05 Mar"); the table has the long ones."""
    shape = "%d %b" if report.granularity == "day" else "%b '%y"
    return [row.start.strftime(shape) for row in report.rows]


def money_chart(report: Report):  # noqa: ANN201 - markupsafe.Markup
    from mercato.insurance import charts

    return charts.columns(
        "Net premium and claims paid per period",
        _chart_labels(report),
        {
            "Net premium": [row.net_premium_minor for row in report.rows],
            "Claims paid": [row.claims_paid_minor for row in report.rows],
        },
        charts.rupees_short,
    )


def policy_chart(report: Report):  # noqa: ANN201 - markupsafe.Markup
    from mercato.insurance import charts

    return charts.columns(
        "Applications and approvals per period",
        _chart_labels(report),
        {
            "Applications": [row.applications for row in report.rows],
            "Approvals": [row.approvals for row in report.rows],
        },
    )
