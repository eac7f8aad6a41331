"""Registers the built-in modules; a store's store.toml picks which of them it runs."""

from mercato.admin.module import admin_module
from mercato.agents.module import agents_module
from mercato.analytics.module import analytics_module
from mercato.audio.module import audio_module
from mercato.b2b.gate import b2b_gate_module
from mercato.b2b.module import b2b_module
from mercato.backup.module import backup_module
from mercato.blog.module import blog_module
from mercato.bookings.module import bookings_module
from mercato.brands.module import brands_module
from mercato.cart.module import cart_module
from mercato.catalog.module import catalog_module
from mercato.checkout.module import checkout_module
from mercato.content.module import content_module
from mercato.conversations.module import conversations_module
from mercato.customers.module import customers_module
from mercato.identity.module import identity_module
from mercato.inquiries.module import inquiries_module
from mercato.insurance.module import insurance_module
from mercato.inventory.module import inventory_module
from mercato.newsletter.module import newsletter_module
from mercato.notifications.module import notifications_module
from mercato.orders.module import orders_module
from mercato.payments.module import payments_module
from mercato.platform.email import mail_module
from mercato.platform.housekeeping import housekeeping_module
from mercato.platform.modules import registry
from mercato.pricing.module import pricing_module
from mercato.procurement.module import procurement_module
from mercato.profit.module import profit_module
from mercato.promotions.module import promotions_module
from mercato.recommendations.module import recommendations_module
from mercato.reviews.module import reviews_module
from mercato.seo.module import seo_module
from mercato.site.module import site_module
from mercato.support.module import support_module
from mercato.waitlist.module import waitlist_module
from mercato.webhooks.module import webhooks_module
from mercato.wholesale.module import wholesale_module
from mercato.wishlist.module import wishlist_module

for _module in (
    site_module,
    identity_module,
    admin_module,
    notifications_module,
    mail_module,
    housekeeping_module,
    inventory_module,
    catalog_module,
    pricing_module,
    cart_module,
    orders_module,
    payments_module,
    customers_module,
    checkout_module,
    wishlist_module,
    reviews_module,
    newsletter_module,
    waitlist_module,
    content_module,
    wholesale_module,
    insurance_module,
    agents_module,
    b2b_gate_module,
    b2b_module,
    profit_module,
    procurement_module,
    brands_module,
    inquiries_module,
    conversations_module,
    audio_module,
    bookings_module,
    support_module,
    webhooks_module,
    backup_module,
    promotions_module,
    seo_module,
    blog_module,
    analytics_module,
    recommendations_module,
):
    registry.register(_module)
