"""The checkout module: from cart to a placed order."""

from pathlib import Path

from mercato.checkout import api, pages
from mercato.platform.modules import Module

checkout_module = Module(
    name="checkout",
    title="Checkout",
    requires=("cart", "orders", "payments", "customers"),
    pages=[pages.router],
    api=[api.router],
    template_dir=str(Path(__file__).parent / "templates"),
)
