"""The pricing module: currencies, shipping zones and rates, tax rules."""

from mercato.platform.modules import Module

pricing_module = Module(
    name="pricing",
    title="Pricing",
    requires=("catalog",),
)
