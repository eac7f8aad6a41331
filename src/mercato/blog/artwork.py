"""Demo cover and gallery pictures drawn with Pillow: a room silhouette with speaker cones
and sound waves, in colours derived from the title, so every post and project looks
different without any third-party image."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 1200, 675


def _palette(seed: str) -> tuple[tuple[int, int, int], tuple[int, int, int], tuple[int, int, int]]:
    digest = hashlib.sha256(seed.encode()).digest()
    dark = (40 + digest[0] % 60, 20 + digest[1] % 40, 20 + digest[2] % 40)
    light = (200 + digest[3] % 55, 150 + digest[4] % 80, 60 + digest[5] % 80)
    mid = ((dark[0] + light[0]) // 2, (dark[1] + light[1]) // 2, (dark[2] + light[2]) // 2)
    return dark, mid, light


def cover(seed: str, *, variant: int = 0, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """A WebP picture for ``seed`` (a title); ``variant`` changes the layout for galleries."""
    dark, mid, light = _palette(f"{seed}:{variant}")
    image = Image.new("RGB", (width, height), dark)
    draw = ImageDraw.Draw(image)
    for row in range(height):  # vertical gradient
        t = row / height
        colour = tuple(int(dark[i] * (1 - t) + mid[i] * t) for i in range(3))
        draw.line([(0, row), (width, row)], fill=colour)
    floor = int(height * 0.78)
    draw.rectangle([0, floor, width, height], fill=tuple(max(0, c - 25) for c in dark))
    speakers = 2 + (hashlib.sha256(seed.encode()).digest()[0] + variant) % 3
    for n in range(speakers):
        cx = int(width * (n + 1) / (speakers + 1))
        box_w, box_h = int(width * 0.09), int(height * 0.42)
        top = floor - box_h
        draw.rounded_rectangle([cx - box_w, top, cx + box_w, floor], radius=12, fill=(25, 22, 20))
        for k, r in enumerate((0.55, 0.35)):
            cy = top + int(box_h * (0.3 + 0.4 * k))
            radius = int(box_w * r * 1.3)
            draw.ellipse(
                [cx - radius, cy - radius, cx + radius, cy + radius],
                fill=(60, 55, 50),
                outline=light,
                width=4,
            )
            draw.ellipse(
                [cx - radius // 3, cy - radius // 3, cx + radius // 3, cy + radius // 3], fill=light
            )
    for ring in range(1, 6):  # sound waves from the middle
        r = ring * int(height * 0.09)
        cx, cy = width // 2, int(height * 0.35)
        draw.arc([cx - r * 2, cy - r, cx + r * 2, cy + r], 200, 340, fill=light, width=3)
    out = io.BytesIO()
    image.save(out, "WEBP", quality=70, method=4)
    return out.getvalue()
