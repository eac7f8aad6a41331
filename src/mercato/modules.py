"""Registers the built-in modules; a store's store.toml picks which of them it runs."""

from mercato.admin.module import admin_module
from mercato.identity.module import identity_module
from mercato.inventory.module import inventory_module
from mercato.notifications.module import notifications_module
from mercato.platform.email import mail_module
from mercato.platform.housekeeping import housekeeping_module
from mercato.platform.modules import registry
from mercato.site.module import site_module

for _module in (
    site_module,
    identity_module,
    admin_module,
    notifications_module,
    mail_module,
    housekeeping_module,
    inventory_module,
):
    registry.register(_module)
