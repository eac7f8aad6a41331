"""File storage behind an interface (local folder by default) and upload validation."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mercato.kit.errors import ValidationFailed
from mercato.kit.security import new_token

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs before decoding


class Storage(Protocol):
    async def save(self, key: str, data: bytes) -> None: ...
    async def read(self, key: str) -> bytes: ...
    async def delete(self, key: str) -> None: ...
    def url(self, key: str) -> str: ...


class LocalStorage:
    def __init__(self, root: Path, url_prefix: str) -> None:
        self.root = root
        self.url_prefix = url_prefix.rstrip("/")

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("storage key escapes the storage root")
        return path

    async def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # readers never see a half-written file

    async def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    async def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return f"{self.url_prefix}/{key}"

    def local_path(self, key: str) -> Path:
        return self._path(key)


def private_storage(uploads_dir: Path, slug: str) -> LocalStorage:
    """Storage for files that only permission-checking routes may serve (documents, cattle
    photos, email attachments): beside, not under, the store's public ``/files`` mount."""
    return LocalStorage(Path(uploads_dir) / ".private" / slug, url_prefix="")


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str
    extension: str


def clean_image(raw: bytes, *, max_bytes: int, field: str = "file") -> CleanImage:
    """Check an upload by its content, not its name, and re-encode it without metadata."""
    if not raw:
        raise ValidationFailed("The file is empty.", field=field)
    if len(raw) > max_bytes:
        raise ValidationFailed(
            f"The file is larger than {max_bytes // (1024 * 1024)} MB.", field=field
        )
    # Imported here: Pillow is ~6 MiB per worker and only uploads need it.
    from PIL import Image, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format or ""
            probe.verify()
        if fmt not in IMAGE_FORMATS:
            raise ValidationFailed("Upload a JPEG, PNG or WebP image.", field=field)
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            has_alpha = img.mode in ("RGBA", "LA") or "transparency" in img.info
            img = img.convert("RGBA" if has_alpha else "RGB")
            out = io.BytesIO()
            # Re-encoding drops EXIF (GPS position, camera serial) and any trailing payload.
            if has_alpha:
                img.save(out, "PNG", optimize=True)
                ctype, ext = "image/png", "png"
            else:
                img.save(out, "JPEG", quality=88, optimize=True)
                ctype, ext = "image/jpeg", "jpg"
            width, height = img.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationFailed("That file is not an image we can read.", field=field) from exc
    data = out.getvalue()
    return CleanImage(data, ctype, width, height, hashlib.sha256(data).hexdigest(), ext)


def new_key(prefix: str, extension: str) -> str:
    return f"{prefix.strip('/')}/{new_token(12)}.{extension}"
