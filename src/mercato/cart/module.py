"""The cart module: guest and customer carts."""

from mercato.platform.modules import Module

cart_module = Module(
    name="cart",
    title="Cart",
    requires=("catalog", "inventory", "pricing",),
)
