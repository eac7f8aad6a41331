"""The cart module: guest and customer carts, the header count and the drawer."""

from pathlib import Path

from mercato.cart import api, jobs, pages
from mercato.cart.deps import load_cart_count
from mercato.cart.signin import merge_at_signin
from mercato.platform.modules import Module, Schedule

cart_module = Module(
    name="cart",
    title="Cart",
    requires=("catalog", "inventory", "pricing"),
    pages=[pages.router],
    api=[api.router],
    hot_routes={("POST", "/api/v1/cart/items"): api.add_cart_item_hot},
    page_dependencies=[load_cart_count],
    jobs={"delete_expired": jobs.delete_expired_carts},
    schedules=[
        Schedule(name="cart.delete_expired", cron="17 3 * * *", job=jobs.delete_expired_carts)
    ],
    template_dir=str(Path(__file__).parent / "templates"),
    on_signin=merge_at_signin,
)
