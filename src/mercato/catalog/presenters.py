"""What the storefront templates and the JSON API draw from catalogue rows: image sources
with their WebP srcset, Roman folio numerals, stock wording, filters read from a query
string. Pure functions: no queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from mercato.catalog.schemas import ProductFilters, ProductSort
from mercato.kit.i18n import N_, _
from mercato.kit.money import minor_digits
from mercato.models.catalog import ProductImage, Rarity, Season
from mercato.models.inventory import Inventory
from mercato.platform.files import Storage

_NUMERALS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip
RARITY_LABELS = {
    Rarity.COMMON.value: N_("Common"),
    Rarity.RARE.value: N_("Rare"),
    Rarity.LIMITED.value: N_("Limited edition"),
    Rarity.SEASONAL.value: N_("Seasonal"),
}
SEASON_LABELS = {
    Season.SPRING.value: N_("Spring"),
    Season.SUMMER.value: N_("Summer"),
    Season.AUTUMN.value: N_("Autumn"),
    Season.WINTER.value: N_("Winter"),
    Season.ALL_YEAR.value: N_("All year"),
}
SORT_LABELS = {
    ProductSort.FEATURED.value: N_("Curator's order"),
    ProductSort.RELEVANCE.value: N_("Best match"),
    ProductSort.NEWEST.value: N_("Newest"),
    ProductSort.PRICE_ASC.value: N_("Price, low to high"),
    ProductSort.PRICE_DESC.value: N_("Price, high to low"),
    ProductSort.NAME.value: N_("Name, A to Z"),
}


def roman(value: Any) -> str:
    """4 → "IV"; a folio already written in numerals ("XII") is kept as it is."""
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit():
            return text
        value = int(text)
    number = int(value)
    if not 0 < number < 4000:
        return str(number)
    out = []
    for size, numeral in _NUMERALS:
        count, number = divmod(number, size)
        out.append(numeral * count)
    return "".join(out)


@dataclass(frozen=True)
class ImageView:
    src: str
    width: int | None
    height: int | None
    alt: str
    srcset: str = ""
    variants: list[dict[str, Any]] = field(default_factory=list)


def image_view(storage: Storage, image: ProductImage | None) -> ImageView | None:
    """The original as fallback ``src`` (with its size, so the page does not shift) and the
    WebP variants as ``srcset``; the middle variant is the ``src`` when there is one."""
    if image is None:
        return None
    variants = sorted(image.variants or [], key=lambda v: v.get("width", 0))
    srcset = ", ".join(f"{storage.url(v['key'])} {v['width']}w" for v in variants)
    width, height = image.width, image.height
    src = storage.url(image.storage_key)
    if variants:
        middle = variants[len(variants) // 2]
        src = storage.url(middle["key"])
        width, height = middle["width"], middle["height"]
    public = [
        {"url": storage.url(v["key"]), "width": v["width"], "height": v["height"]} for v in variants
    ]
    return ImageView(
        src=src, width=width, height=height, alt=image.alt_text, srcset=srcset, variants=public
    )


@dataclass(frozen=True)
class StockState:
    kind: str  # "in_stock" | "low" | "sold_out"
    label: str
    available: int


def stock_state(inventory: Inventory | None) -> StockState:
    available = max(inventory.available, 0) if inventory is not None else 0
    if available <= 0:
        return StockState("sold_out", _("Sold out"), 0)
    assert inventory is not None
    if available <= inventory.low_stock_threshold:
        return StockState("low", _("Only %(count)s left", count=available), available)
    return StockState("in_stock", _("In stock"), available)


@dataclass
class ListQuery:
    """The catalogue's GET form, read leniently: a bad value is reported, never a 500."""

    filters: ProductFilters
    sort: str
    page: int
    values: dict[str, str]
    errors: dict[str, str]

    @property
    def active(self) -> bool:
        f = self.filters
        return bool(
            f.q
            or f.rarity
            or f.season
            or f.scent_note
            or f.min_price is not None
            or f.max_price is not None
            or f.in_stock
        )


def _price(raw: str, currency: str) -> int:
    number = Decimal(raw.replace(",", "").lstrip("$€£").strip())
    if not number.is_finite() or number < 0 or number > 10**9:
        raise InvalidOperation
    return int(number.scaleb(minor_digits(currency)).to_integral_value())


def read_list_query(
    params: Mapping[str, str], currency: str, *, category: str | None = None
) -> ListQuery:
    values = {k: (params.get(k) or "").strip()[:200] for k in _FORM_FIELDS}
    errors: dict[str, str] = {}
    filters = ProductFilters(q=values["q"] or None, category=category or values["category"] or None)
    if values["rarity"]:
        if values["rarity"] in RARITY_LABELS:
            filters.rarity = values["rarity"]
        else:
            errors["rarity"] = N_("Choose a rarity from the list.")
    if values["season"]:
        if values["season"] in SEASON_LABELS:
            filters.season = values["season"]
        else:
            errors["season"] = N_("Choose a season from the list.")
    filters.scent_note = values["note"] or None
    for key in ("min_price", "max_price"):
        if values[key]:
            try:
                setattr(filters, key, _price(values[key], currency))
            except (InvalidOperation, ValueError):
                errors[key] = N_("Enter an amount such as 40 or 42.50.")
    if (
        filters.min_price is not None
        and filters.max_price is not None
        and filters.min_price > filters.max_price
    ):
        errors["max_price"] = N_("The highest price must be at least the lowest.")
        filters.max_price = None
    filters.in_stock = values["in_stock"] in ("1", "on", "true")
    sort = values["sort"] or (ProductSort.RELEVANCE.value if filters.q else "featured")
    if sort not in SORT_LABELS:
        errors["sort"] = N_("Choose an order from the list.")
        sort = ProductSort.FEATURED.value
    try:
        page = min(max(int(values["page"] or 1), 1), 10_000)
    except ValueError:
        page = 1
    return ListQuery(filters=filters, sort=sort, page=page, values=values, errors=errors)


_FORM_FIELDS = (
    "q", "category", "rarity", "season", "note", "min_price", "max_price", "in_stock", "sort",
    "page",
)  # fmt: skip
