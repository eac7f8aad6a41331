"""The promotions module: catalogue promotions (best promoted price on product pages and
in the cart) and order vouchers with limits (cart form, API, checkout discount hook)."""

from pathlib import Path

from mercato.cart.service import CartRules
from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem, lazy_seed
from mercato.promotions import admin, api, pages, service
from mercato.promotions.checkout import ORDER_DISCOUNTS


async def product_page(db, request, product) -> dict:
    found = await service.best_prices(db, [product])
    return {"promotion_price": found.get(product.id)}


promotions_module = Module(
    name="promotions",
    title="Promotions and vouchers",
    requires=("catalog", "cart", "checkout", "orders"),
    pages=[pages.router],
    admin=[admin.router],
    permissions={
        admin.READ: "See promotions, vouchers and their usage",
        admin.WRITE: "Create, edit and switch promotions and vouchers",
    },
    default_roles={"staff": [admin.READ], "admin": ["*"]},
    admin_nav=[NavItem(N_("Promotions"), "promotions", admin.READ, 35)],
    api=[api.router],
    page_dependencies=[pages.voucher_context],
    cart_rules=CartRules(adjust=service.adjust_cart_lines),
    order_discounts=ORDER_DISCOUNTS,
    product_page=product_page,
    product_cards=pages.product_cards,
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.promotions.seed", "seed_promotions"),
)
