"""The orders module: orders, their states, emails and invoices."""

from mercato.platform.modules import Module

orders_module = Module(
    name="orders",
    title="Orders",
    requires=("catalog", "inventory", "pricing",),
)
