"""In-app notifications with a live unread badge over the store's WebSocket."""

from pathlib import Path

from mercato.notifications import api, pages, ws
from mercato.platform.modules import Module

notifications_module = Module(
    name="notifications",
    title="Notifications",
    requires=("identity",),
    pages=[pages.router],
    api=[api.router],
    websockets=[ws.router],
    template_dir=str(Path(__file__).parent / "templates"),
)
