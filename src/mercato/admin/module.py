"""The admin shell: dashboard, users, audit log, email outbox, jobs, settings."""

from pathlib import Path

from mercato.admin import apikeys, customers, dashboard, system, users
from mercato.admin.deps import load_store_settings
from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem

admin_module = Module(
    name="admin",
    title="Admin",
    core=True,
    requires=("identity",),
    page_dependencies=[load_store_settings],
    permissions={"customers.read": "See customers, their orders, addresses and spending"},
    default_roles={"staff": ["customers.read"], "admin": ["*"]},
    admin=[dashboard.router, users.router, customers.router, system.router, apikeys.router],
    admin_nav=[
        NavItem(N_("Dashboard"), "", "admin.access", 0),
        NavItem(N_("Users"), "users", "identity.user.read", 10),
        NavItem(N_("Customers"), "customers", "customers.read", 15),
        NavItem(N_("API keys"), "api-keys", "identity.apikey.write", 80),
        NavItem(N_("Audit log"), "audit", "platform.audit.read", 90),
        NavItem(N_("Email outbox"), "emails", "platform.email.read", 91),
        NavItem(N_("Jobs"), "jobs", "platform.jobs.write", 92),
        NavItem(N_("Settings"), "settings", "platform.settings.write", 99),
    ],
    template_dir=str(Path(__file__).parent / "templates"),
)
