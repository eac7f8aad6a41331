"""Money as integer minor units plus an ISO 4217 code (DESIGN.md §4).

Rates and percentages are ``Decimal`` or basis points, never ``float``. Splits use the
largest-remainder method so the parts always add up to the whole.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision

# Babel's English locales print some South Asian currencies as their ISO code ("BDT1,234");
# shoppers expect the sign. Used only when the locale's own symbol is the bare code.
LOCAL_SIGNS = {"BDT": "৳", "INR": "₹", "VND": "₫"}
# Locales CLDR lacks, mapped to the closest one with the same grouping (lakh/crore).
LOCALE_FALLBACKS = {"en_BD": "en_IN"}


class CurrencyMismatch(ValueError):
    pass


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True, order=True)
class Money:
    amount: int  # minor units: cents, paise, poisha; whole đồng for VND
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 code: {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_decimal(cls, value: Decimal | str | int, currency: str) -> Money:
        """From major units ("12.50" USD → 1250), rounding half-up once."""
        scaled = Decimal(value) * (Decimal(10) ** minor_digits(currency))
        return cls(half_up(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-minor_digits(self.currency))

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError("Money arithmetic needs Money")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if not isinstance(quantity, int) or isinstance(quantity, bool):
            raise TypeError("multiply Money by an int quantity; use percent() for rates")
        return Money(self.amount * quantity, self.currency)

    __rmul__ = __mul__

    def percent(self, rate: Decimal | str | int) -> Money:
        """``rate`` percent of this amount, rounded half-up (15 → 15 %, "2.5" → 2.5 %)."""
        return Money(half_up(Decimal(self.amount) * Decimal(rate) / 100), self.currency)

    def basis_points(self, bps: int) -> Money:
        return Money(half_up(Decimal(self.amount) * bps / 10_000), self.currency)

    def allocate(self, weights: Sequence[int | Decimal]) -> list[Money]:
        return [Money(a, self.currency) for a in allocate(self.amount, weights)]

    def convert(self, currency: str, rate: Decimal) -> Money:
        """Convert with ``rate`` = units of ``currency`` per one unit of ours (major units)."""
        major = self.to_decimal() * Decimal(rate)
        return Money.from_decimal(major, currency)

    def format(self, locale: str = "en") -> str:
        return format_money(self.amount, self.currency, locale)

    def __str__(self) -> str:
        return self.format()


def allocate(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split ``total`` in proportion to ``weights``; the parts sum exactly to ``total``.

    Largest remainder: floor every share, then hand the leftover units one by one to the
    shares with the largest fractional parts (earlier shares win ties, so it is stable).
    """
    if not weights:
        raise ValueError("allocate needs at least one weight")
    ws = [Decimal(w) for w in weights]
    if any(w < 0 for w in ws):
        raise ValueError("weights must not be negative")
    weight_sum = sum(ws)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [Decimal(magnitude) * w / weight_sum for w in ws]
    parts = [int(e) for e in exact]  # floor, since all non-negative
    leftover = magnitude - sum(parts)
    order = sorted(range(len(ws)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:leftover]:
        parts[i] += 1
    return [sign * p for p in parts]


@functools.lru_cache(maxsize=64)  # parsing a locale costs more than the formatting
def babel_locale(tag: str) -> Locale:
    """Parse a BCP 47 tag ("vi-VN", "en-BD") into the closest locale Babel knows."""
    name = tag.replace("-", "_")
    name = LOCALE_FALLBACKS.get(name, name)
    try:
        return Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(name.split("_")[0])


@functools.lru_cache(maxsize=4096)  # Babel's pattern formatting is slow; prices repeat
def format_money(amount: int, currency: str, locale: str = "en") -> str:
    loc = babel_locale(locale)
    value = Decimal(amount).scaleb(-minor_digits(currency))
    symbol = loc.currency_symbols.get(currency, currency)
    if symbol == currency and currency in LOCAL_SIGNS:
        pattern = loc.currency_formats["standard"].pattern.replace(
            "¤", f"'{LOCAL_SIGNS[currency]}'"
        )
        return format_currency(value, currency, format=pattern, locale=loc)
    return format_currency(value, currency, locale=loc)
