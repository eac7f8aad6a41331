"""Store settings editable in the admin, kept in ``store_settings`` (key → JSON value).

store.toml gives the defaults; a saved value wins. Only the keys below exist: an unknown
key in a form is ignored, so a crafted POST cannot plant arbitrary settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.time import utcnow
from mercato.models import StoreSetting
from mercato.platform.stores import StoreConfig

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{5,31}$")


@dataclass(frozen=True)
class SettingField:
    key: str
    label: str
    max_length: int
    hint: str = ""
    required: bool = False


FIELDS: tuple[SettingField, ...] = (
    SettingField("display_name", "Display name", 100, "The store's name on every page.", True),
    SettingField(
        "tagline", "Tagline", 200, "One line under the name, also used by search engines."
    ),
    SettingField("contact_email", "Contact email", 254, "Where customers can write to you."),
    SettingField(
        "support_phone", "Support phone", 32, "With the country code, e.g. +33 1 23 45 67 89."
    ),
    SettingField(
        "announcement",
        "Announcement banner",
        200,
        "Shown at the top of every storefront page. Leave empty for no banner.",
    ),
)
KEYS = tuple(f.key for f in FIELDS)


def defaults(config: StoreConfig | None) -> dict[str, str]:
    if config is None:
        return dict.fromkeys(KEYS, "")
    return {
        "display_name": config.name,
        "tagline": config.tagline,
        "contact_email": config.contact_email,
        "support_phone": "",
        "announcement": "",
    }


async def store_settings(db: AsyncSession, config: StoreConfig | None = None) -> dict[str, str]:
    """The store's settings in one query: saved values over store.toml defaults.

    Without ``config`` the defaults are empty strings, which is all the storefront banner
    needs (``store_settings(db)["announcement"]``).
    """
    values = defaults(config)
    rows = await db.execute(
        select(StoreSetting.key, StoreSetting.value).where(StoreSetting.key.in_(KEYS))
    )
    for key, value in rows:
        if isinstance(value, str):
            values[key] = value
    return values


def clean(form: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(values, errors) from a submitted form; errors map a field key to its message."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for f in FIELDS:
        raw = form.get(f.key, "")
        # One line only: a banner or name with line breaks would break the layout.
        value = " ".join(str(raw if isinstance(raw, str) else "").split())
        values[f.key] = value
        if f.required and not value:
            errors[f.key] = f"{f.label} is required."
        elif len(value) > f.max_length:
            errors[f.key] = (
                f"{f.label} must be at most {f.max_length} characters (it has {len(value)})."
            )
    email = values["contact_email"]
    if email and "contact_email" not in errors and not EMAIL.match(email):
        errors["contact_email"] = "Enter an email address like name@example.com."
    phone = values["support_phone"]
    if phone and "support_phone" not in errors and not PHONE.match(phone):
        errors["support_phone"] = "Use digits, spaces and + ( ) - only, e.g. +33 1 23 45 67 89."
    return values, errors


async def save(
    db: AsyncSession, config: StoreConfig, values: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Store the values that changed; return (before, after) of just those keys."""
    current = await store_settings(db, config)
    before = {k: current[k] for k in KEYS if values[k] != current[k]}
    after = {k: values[k] for k in before}
    if not after:
        return before, after
    existing = {
        s.key: s
        for s in await db.scalars(select(StoreSetting).where(StoreSetting.key.in_(list(after))))
    }
    for key, value in after.items():
        row = existing.get(key)
        if row is None:
            db.add(StoreSetting(key=key, value=value, updated_at=utcnow()))
        else:
            row.value = value
            row.updated_at = utcnow()
    await db.flush()
    return before, after
