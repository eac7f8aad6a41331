"""The customers module: address book and customer accounts."""

from mercato.platform.modules import Module

customers_module = Module(
    name="customers",
    title="Customers",
)
