"""The payments module: payment providers and their webhooks."""

from pathlib import Path

from mercato.payments import pages, service, vnpay
from mercato.platform.modules import Module

payments_module = Module(
    name="payments",
    title="Payments",
    requires=("orders",),
    pages=[pages.router, pages.webhooks, vnpay.router],
    event_handlers={service.SANDBOX_EVENT: [service.deliver_sandbox_event]},
    template_dir=str(Path(__file__).parent / "templates"),
)
