"""Photos and claim documents in the store's file storage. Keys live under ``private/`` and
are served only through routes that check who asks (owner, their agent, staff)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

from mercato.kit.errors import ValidationFailed
from mercato.platform import files as platform_files
from mercato.platform.files import LocalStorage, Storage, clean_image, new_key

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MIN_PHOTOS = 2
MAX_PHOTOS = 6


@dataclass(frozen=True)
class Upload:
    """A file as received, before checking: from a form or decoded from base64 JSON."""

    data: bytes
    filename: str = ""


@dataclass(frozen=True)
class Stored:
    key: str
    content_type: str
    size: int
    width: int = 0
    height: int = 0
    sha256: str = ""


def from_base64(value: str, *, field: str) -> bytes:
    raw = value.split(",", 1)[1] if value.startswith("data:") else value
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("The file is not valid base64.", field=field) from None


def check_photos(photos: list[Upload], field: str = "photos") -> list:
    """Every photo must be a readable image; at least two (the animal, and its ear tag)."""
    if len(photos) < MIN_PHOTOS:
        raise ValidationFailed(
            f"Add at least {MIN_PHOTOS} photos of the animal, one showing its ear tag.",
            field=field,
        )
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"Add at most {MAX_PHOTOS} photos.", field=field)
    return [
        clean_image(p.data, max_bytes=MAX_PHOTO_BYTES, field=f"{field}.{i}")
        for i, p in enumerate(photos)
    ]


async def save_image(storage: Storage, clean, prefix: str) -> Stored:
    key = new_key(f"private/{prefix}", clean.extension)
    await storage.save(key, clean.data)
    return Stored(key, clean.content_type, len(clean.data), clean.width, clean.height, clean.sha256)


def check_document(upload: Upload, field: str):
    """A claim document: an image (re-encoded like photos) or a PDF (checked by its header,
    stored as received and always served as an attachment)."""
    if upload.data.startswith(b"%PDF-"):
        if len(upload.data) > MAX_DOCUMENT_BYTES:
            raise ValidationFailed("The file is larger than 10 MB.", field=field)
        return None
    return clean_image(upload.data, max_bytes=MAX_DOCUMENT_BYTES, field=field)


async def save_document(storage: Storage, upload: Upload, clean, prefix: str) -> Stored:
    if clean is not None:
        return await save_image(storage, clean, prefix)
    key = new_key(f"private/{prefix}", "pdf")
    await storage.save(key, upload.data)
    digest = hashlib.sha256(upload.data).hexdigest()
    return Stored(key, "application/pdf", len(upload.data), sha256=digest)


def private_storage(runtime: Any) -> LocalStorage:
    """Where photos and claim documents live: outside the store's public /files mount."""
    return platform_files.private_storage(runtime.settings.uploads_dir, runtime.slug)


async def read_private(runtime: Any, key: str) -> bytes:
    """A private file's bytes. Files stored before they moved out of the public mount are
    moved on their first read, so none stays reachable at /files/<key>."""
    store = private_storage(runtime)
    try:
        return await store.read(key)
    except FileNotFoundError:
        data = await runtime.storage.read(key)
        await store.save(key, data)
        await runtime.storage.delete(key)
        return data
