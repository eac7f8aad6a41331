"""The audio shop's typed specifications, defined through the core's typed attributes
(mercato.catalog.attributes), so they are checked, stored in typed columns and filterable
without a migration of their own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.catalog import attributes
from mercato.kit.i18n import N_, translate
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
# The stored choice values are the shop's Vietnamese words (data: filters and the search
# index use them); a shopper reading English sees these names instead.
CONNECTION_NAMES = {
    "Dây loa": N_("Speaker cable"),
    "Dây RCA": N_("RCA cable"),
    "Dây 3.5 mm": N_("3.5 mm cable"),
    "Không dây UHF": N_("UHF wireless"),
    "Không dây 2.4 GHz": N_("2.4 GHz wireless"),
}


@dataclass(frozen=True)
class Spec:
    code: str
    label: str
    type: str
    unit: str = ""
    choices: tuple[str, ...] = ()
    filterable: bool = False


SPECS = (
    Spec("brand", N_("Brand"), AttributeType.CHOICE, choices=tuple(BRANDS), filterable=True),
    Spec("power_w", N_("Power"), AttributeType.INT, unit="W", filterable=True),
    Spec("impedance_ohm", N_("Impedance"), AttributeType.INT, unit="Ω"),
    Spec("freq_response", N_("Frequency response"), AttributeType.TEXT),
    Spec(
        "connectivity",
        N_("Connectivity"),
        AttributeType.CHOICE,
        choices=tuple(CONNECTIONS),
        filterable=True,
    ),
    Spec("channels", N_("Channels"), AttributeType.INT, filterable=True),
    Spec("driver_mm", N_("Driver diameter"), AttributeType.INT, unit="mm"),
    Spec("warranty_months", N_("Warranty"), AttributeType.INT, unit=N_("months")),
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


def display(code: str, value: Any, *, translated: bool = True) -> str:
    """``("power_w", 250)`` → ``"250 W"``, units and connection names in the current language
    (``translated=False``: the English source words, for text that is cached or indexed and
    translated where it is shown); unknown codes show the value as it is."""
    spec = BY_CODE.get(code)
    if value is None:
        return ""
    shown = translate if translated else str
    if isinstance(value, int):
        text = f"{value:,}".replace(",", ".")
    else:
        text = str(value)
        if code == "connectivity" and text in CONNECTION_NAMES:
            text = shown(CONNECTION_NAMES[text])
    return f"{text} {shown(spec.unit)}".strip() if spec else text


def table(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, shown value) rows in the shop's order, skipping what the product lacks."""
    return [
        (translate(spec.label), display(spec.code, values[spec.code]))
        for spec in SPECS
        if values.get(spec.code) not in (None, "")
    ]
