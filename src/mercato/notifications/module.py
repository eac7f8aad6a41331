"""In-app notifications with a live unread badge over the store's WebSocket."""

from pathlib import Path

from mercato.notifications import api, pages, ws
from mercato.notifications.deps import load_unread_count
from mercato.platform.modules import Module
from mercato.platform.notifications import NOTIFICATION_CREATED, push_notification

notifications_module = Module(
    name="notifications",
    title="Notifications",
    requires=("identity",),
    pages=[pages.router],
    api=[api.router],
    websockets=[ws.router],
    page_dependencies=[load_unread_count],
    event_handlers={NOTIFICATION_CREATED: [push_notification]},
    permissions={"notifications.broadcast": "Send a notification to every user or one role"},
    default_roles={"admin": ["*"]},
    template_dir=str(Path(__file__).parent / "templates"),
)
