"""The insurance module: plans, policies, payments, underwriting and claims (seed 001)."""

from pathlib import Path

from mercato.insurance import (
    admin,
    admin_more,
    api,
    assets,
    checkout,
    jobs,
    pages,
    payments,
    report_pages,
)
from mercato.platform.modules import Module, NavItem, Schedule, lazy_seed

insurance_module = Module(
    name="insurance",
    title="Cattle insurance",
    pages=[pages.router, checkout.router, assets.router],
    api=[api.router, report_pages.api_router],
    admin=[admin.router, admin_more.router, report_pages.admin_router],
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
    admin_nav=[
        NavItem(label="Insurance", path="insurance", permission="insurance.read", order=15),
        NavItem(
            label="Approval queue",
            path="insurance/policies?status=PENDING_APPROVAL",
            permission="insurance.read",
            order=16,
        ),
        NavItem(label="Policies", path="insurance/policies", permission="insurance.read", order=17),
        NavItem(label="Claims", path="insurance/claims", permission="insurance.read", order=18),
        NavItem(label="Plans", path="insurance/plans", permission="insurance.read", order=19),
        NavItem(
            label="Premium payments",
            path="insurance/payments",
            permission="insurance.read",
            order=19,
        ),
        NavItem(
            label="Broadcast",
            path="insurance/broadcast",
            permission="notifications.broadcast",
            order=21,
        ),
        NavItem(
            label="Insurance reports",
            path="insurance/reports",
            permission="insurance.read",
            order=20,
        ),
    ],
    event_handlers={payments.SANDBOX_EVENT: [payments.deliver_sandbox_event]},
    jobs={"renewal_reminders": jobs.renewal_reminders, "expire_policies": jobs.expire_policies},
    # Early morning in the store's time zone: expiry first, so a reminder never goes to a
    # policy that ended yesterday.
    schedules=[
        Schedule("insurance.expire_policies", "5 0 * * *", jobs.expire_policies),
        Schedule("insurance.renewal_reminders", "30 8 * * *", jobs.renewal_reminders),
    ],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.insurance.seed", "seed_insurance"),
)
