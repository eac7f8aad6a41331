"""The wholesale module: volume tiers, MOQ and case packs on products, tier prices in the
cart, business checkout details, requests for quotation (seed 002, issue 4)."""

from __future__ import annotations

from pathlib import Path

from mercato.cart.service import CartRules
from mercato.platform.modules import Module, NavItem, lazy_seed
from mercato.wholesale import (
    admin,
    admin_terms,
    api,
    assets,
    checkout_pages,
    events,
    pages,
    service,
)
from mercato.wholesale.pricing import MAX_WHOLESALE_LINE_QUANTITY

wholesale_module = Module(
    name="wholesale",
    title="Wholesale pricing and ordering",
    requires=("catalog", "cart", "checkout", "orders"),
    cart_rules=CartRules(
        adjust=service.adjust_cart_lines,
        check=service.check_cart_quantity,
        max_line_quantity=MAX_WHOLESALE_LINE_QUANTITY,
    ),
    pages=[pages.router, checkout_pages.router, assets.router],
    admin=[admin.router, admin_terms.router],
    page_dependencies=[checkout_pages.checkout_link],
    permissions={
        admin.INVOICES: "See business invoices and record offline payments",
        admin.QUOTES: "Answer requests for quotation",
    },
    admin_nav=[
        NavItem("Business invoices", "wholesale/invoices", admin.INVOICES, 45),
        NavItem("Quotes", "wholesale/quotes", admin.QUOTES, 46),
        NavItem("Wholesale terms", "wholesale/products", admin_terms.PRODUCTS, 44),
    ],
    api=[api.router],
    event_handlers={"order.placed": [events.close_ordered_quotes]},
    product_page=pages.product_page,
    product_cards=pages.product_cards,
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.wholesale.seed", "seed_wholesale"),
)
