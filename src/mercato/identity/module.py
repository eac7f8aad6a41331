"""The identity module: accounts, sign-in, sessions, API auth, roles."""

from pathlib import Path

from mercato.identity import api, oauth, pages
from mercato.platform.modules import Module

identity_module = Module(
    name="identity",
    title="Accounts",
    core=True,
    pages=[pages.router, oauth.router],
    api=[api.router],
    permissions={
        "admin.access": "Open the admin",
        "identity.user.read": "See customer and staff accounts",
        "identity.user.write": "Block users, end their sessions, assign roles",
        "identity.apikey.write": "Create and revoke API keys",
        "platform.audit.read": "Read the audit log",
        "platform.email.read": "Read the email outbox",
        "platform.jobs.write": "Retry dead-lettered jobs",
        "platform.settings.write": "Change store settings",
    },
    default_roles={
        "customer": [],
        "staff": ["admin.access", "identity.user.read", "platform.email.read"],
        "admin": ["*"],
    },
    template_dir=str(Path(__file__).parent / "templates"),
)
