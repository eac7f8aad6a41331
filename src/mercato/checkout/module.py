"""The checkout module: from cart to a placed order."""

from mercato.platform.modules import Module

checkout_module = Module(
    name="checkout",
    title="Checkout",
    requires=("cart", "orders", "payments", "customers",),
)
