"""All tables, imported in one place so Alembic sees the whole metadata."""

from mercato.models.base import Base
from mercato.models.identity import (
    ApiKey,
    EmailToken,
    RefreshToken,
    Role,
    User,
    UserRole,
    WebSession,
)
from mercato.models.platform import (
    AuditEntry,
    EmailMessage,
    Notification,
    OutboxEvent,
    ScheduledRun,
    StoredFile,
    StoreSetting,
)

__all__ = [
    "ApiKey",
    "AuditEntry",
    "Base",
    "EmailMessage",
    "EmailToken",
    "Notification",
    "OutboxEvent",
    "RefreshToken",
    "Role",
    "ScheduledRun",
    "StoreSetting",
    "StoredFile",
    "User",
    "UserRole",
    "WebSession",
]
