"""The insurance module: plans, policies, payments, underwriting and claims (seed 001)."""

from pathlib import Path

from mercato.insurance import api, assets, pages, payments
from mercato.platform.modules import Module

insurance_module = Module(
    name="insurance",
    title="Cattle insurance",
    pages=[pages.router, assets.router],
    api=[api.router],
    permissions={
        "insurance.read": "See policies, payments and claims",
        "insurance.underwrite": "Approve, reject and cancel policies",
        "insurance.plans": "Create and edit policy plans",
        "insurance.claims": "Review, settle and pay claims",
    },
    default_roles={
        "staff": ["insurance.read", "insurance.claims"],
        "admin": ["*"],
    },
    event_handlers={payments.SANDBOX_EVENT: [payments.deliver_sandbox_event]},
    template_dir=str(Path(__file__).parent / "templates"),
)
