"""The newsletter module: double opt-in subscriptions, one-click unsubscribe, admin export."""

from pathlib import Path

from mercato.newsletter import admin, api, pages
from mercato.platform.modules import Module, NavItem

newsletter_module = Module(
    name="newsletter",
    title="Newsletter",
    requires=("identity",),
    pages=[pages.router],
    api=[api.router],
    admin=[admin.router],
    permissions={"newsletter.read": "See newsletter subscribers and export the active ones"},
    default_roles={"staff": ["newsletter.read"]},
    admin_nav=[NavItem("Newsletter", "newsletter", "newsletter.read", order=70)],
    template_dir=str(Path(__file__).parent / "templates"),
)
