"""The audio shop's typed specifications, defined through the core's typed attributes
(mercato.catalog.attributes), so they are checked, stored in typed columns and filterable
without a migration of their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import attributes
from mercato.models.catalog import AttributeDefinition, AttributeType

BRANDS = [
    "Tài Lộc",
    "JBL",
    "Yamaha",
    "BMB",
    "Sony",
    "Sennheiser",
    "Shure",
    "Audio-Technica",
    "Denon",
    "Behringer",
    "Marshall",
    "Edifier",
]
CONNECTIONS = [
    "Bluetooth",
    "Dây loa",
    "Dây RCA",
    "Dây 3.5 mm",
    "XLR",
    "Không dây UHF",
    "Không dây 2.4 GHz",
]


@dataclass(frozen=True)
class Spec:
    code: str
    label: str
    type: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    filterable: bool = False


SPECS = (
    Spec("brand", "Thương hiệu", AttributeType.CHOICE, choices=tuple(BRANDS), filterable=True),
    Spec("power_w", "Công suất", AttributeType.INT, unit="W", filterable=True),
    Spec("impedance_ohm", "Trở kháng", AttributeType.INT, unit="Ω"),
    Spec("freq_response", "Dải tần đáp ứng", AttributeType.TEXT),
    Spec(
        "connectivity",
        "Kết nối",
        AttributeType.CHOICE,
        choices=tuple(CONNECTIONS),
        filterable=True,
    ),
    Spec("channels", "Số kênh", AttributeType.INT, filterable=True),
    Spec("driver_mm", "Đường kính củ loa", AttributeType.INT, unit="mm"),
    Spec("warranty_months", "Bảo hành", AttributeType.INT, unit="tháng"),
)
BY_CODE = {s.code: s for s in SPECS}
# Facets shown beside search results, in this order.
FACETS = ("brand", "connectivity", "channels")


async def ensure_definitions(db: AsyncSession) -> dict[str, AttributeDefinition]:
    """Create the specification attributes that do not exist yet (idempotent)."""
    existing = {
        d.code: d
        for d in await db.scalars(
            select(AttributeDefinition).where(AttributeDefinition.code.in_(list(BY_CODE)))
        )
    }
    for position, spec in enumerate(SPECS):
        if spec.code not in existing:
            existing[spec.code] = await attributes.define_attribute(
                db,
                code=spec.code,
                label=spec.label,
                type=spec.type,
                choices=list(spec.choices),
                is_filterable=spec.filterable,
                position=position,
            )
    return existing


def display(code: str, value: Any) -> str:
    """``("power_w", 250)`` → ``"250 W"``; unknown codes show the value as it is."""
    spec = BY_CODE.get(code)
    if value is None:
        return ""
    text = f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)
    return f"{text} {spec.unit}".strip() if spec else text


def table(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, shown value) rows in the shop's order, skipping what the product lacks."""
    return [
        (spec.label, display(spec.code, values[spec.code]))
        for spec in SPECS
        if values.get(spec.code) not in (None, "")
    ]
