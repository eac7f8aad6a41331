"""The payments module: payment providers and their webhooks."""

from mercato.platform.modules import Module

payments_module = Module(
    name="payments",
    title="Payments",
    requires=("orders",),
)
