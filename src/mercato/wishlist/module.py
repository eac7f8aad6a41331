"""The wishlist module: saved products for signed-in customers."""

from mercato.platform.modules import Module

wishlist_module = Module(
    name="wishlist",
    title="Wishlist",
    requires=("catalog",),
)
