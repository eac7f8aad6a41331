"""Converting store-currency minor units into a shopper's currency (DESIGN.md §4).

A rate is an integer of millionths (models.commerce.RATE_SCALE): units of the target
currency per one unit of the store's. The result is rounded half-up once, to a multiple of
the rate's ``rounding_minor`` (1 = to the cent, 100 = whole euros), taking into account
that the two currencies may have different minor digits (USD 2, JPY 0, KWD 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mercato.kit.money import half_up, minor_digits
from mercato.models.commerce import RATE_SCALE


@dataclass(frozen=True, slots=True)
class Conversion:
    """How amounts of the store's currency become amounts of ``currency``."""

    store_currency: str
    currency: str
    rate_micros: int = RATE_SCALE
    rounding_minor: int = 1

    @classmethod
    def identity(cls, store_currency: str) -> Conversion:
        return cls(store_currency, store_currency)

    @property
    def is_identity(self) -> bool:
        return self.currency == self.store_currency

    def convert(self, amount: int) -> int:
        """``amount`` minor units of the store currency in minor units of ``currency``."""
        if self.is_identity:
            return amount
        shift = minor_digits(self.currency) - minor_digits(self.store_currency)
        exact = Decimal(amount) * self.rate_micros / RATE_SCALE * (Decimal(10) ** shift)
        step = self.rounding_minor
        return half_up(exact / step) * step


def parse_rate(text: str) -> int:
    """ "0.9234" → 923400 micros; raises ValueError for anything that is not a positive
    decimal with at most six decimal places."""
    value = Decimal(text.strip())
    if not value.is_finite() or value <= 0:
        raise ValueError("not a positive number")
    micros = value * RATE_SCALE
    if micros != micros.to_integral_value():
        raise ValueError("at most six decimal places")
    return int(micros)


def format_rate(rate_micros: int) -> str:
    return f"{Decimal(rate_micros) / RATE_SCALE:f}".rstrip("0").rstrip(".")
