"""Image attachments of messages: checked by content, re-encoded without metadata (Pillow,
via platform.files.clean_image), scaled down to a sensible size, and kept in private
storage, outside the store's public /files mount: only the two sides of the conversation
can fetch one, through the conversation's attachment route."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from mercato.conversations.service import Attachment
from mercato.kit.errors import ValidationFailed
from mercato.platform.files import LocalStorage, clean_image, new_key

MAX_BYTES = 5 * 1024 * 1024
MAX_SIDE = 1600  # px; a chat picture needs no more, and it keeps the stored file small
MIN_SIDE = 16


def private_storage(runtime: Any) -> LocalStorage:
    root = Path(runtime.settings.uploads_dir) / ".private" / runtime.slug
    return LocalStorage(root, url_prefix="")


def _shrink(data: bytes, content_type: str) -> tuple[bytes, int, int]:
    # Imported here, with the first attachment: Pillow is about 5 MiB in every server worker.
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        img.load()
        if max(img.size) <= MAX_SIDE:
            return data, img.width, img.height
        img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        if content_type == "image/png":
            img.save(out, "PNG", optimize=True)
        else:
            img.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue(), img.width, img.height


async def store_attachment(runtime: Any, conversation_id: int, raw: bytes) -> Attachment:
    clean = clean_image(raw, max_bytes=MAX_BYTES, field="attachment")
    if min(clean.width, clean.height) < MIN_SIDE:
        raise ValidationFailed("That image is too small to show.", field="attachment")
    data, width, height = _shrink(clean.data, clean.content_type)
    key = new_key(f"messages/{conversation_id}", clean.extension)
    await private_storage(runtime).save(key, data)
    return Attachment(key=key, width=width, height=height)


async def read_attachment(runtime: Any, key: str) -> tuple[bytes, str]:
    data = await private_storage(runtime).read(key)
    return data, "image/png" if key.endswith(".png") else "image/jpeg"
