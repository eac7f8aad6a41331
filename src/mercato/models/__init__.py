"""All tables, imported in one place so Alembic sees the whole metadata."""

from mercato.models.base import Base
from mercato.models.catalog import (
    AttributeDefinition,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    Tag,
    product_tags,
)
from mercato.models.identity import (
    ApiKey,
    EmailToken,
    RefreshToken,
    Role,
    User,
    UserRole,
    WebSession,
)
from mercato.models.inventory import Inventory, StockMovement, StockReservation
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
    "AttributeDefinition",
    "AuditEntry",
    "Base",
    "Category",
    "EmailMessage",
    "EmailToken",
    "Inventory",
    "Notification",
    "OutboxEvent",
    "Product",
    "ProductAttributeValue",
    "ProductImage",
    "RefreshToken",
    "Role",
    "ScheduledRun",
    "StockMovement",
    "StockReservation",
    "StoreSetting",
    "StoredFile",
    "Tag",
    "User",
    "UserRole",
    "WebSession",
    "product_tags",
]
