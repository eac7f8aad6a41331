"""Demo pictures of the Qala seed, drawn with Pillow (DESIGN.md §1: no copied assets):
brand logos (a monogram in the brand's colour), lookbook plates (a figure in a garment on a
tinted studio backdrop), product shots (the garment flat on paper, front, back and a fabric
detail) and the transparent cut-out of each garment used by the 2D try-on.

Garments are polygons in a 0..1 box, one shape per category; small sizes keep the seed well
under ten seconds per store.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PHOTO = (480, 600)  # product shots and lookbook plates, portrait 4:5
LOGO = 240
CUTOUT = (360, 480)
_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)

# Garment outlines in a unit box (x right, y down), closed polygons.
SHAPES: dict[str, list[tuple[float, float]]] = {
    "dress": [
        (0.40, 0.05),
        (0.46, 0.09),
        (0.54, 0.09),
        (0.60, 0.05),
        (0.68, 0.10),
        (0.64, 0.32),
        (0.60, 0.40),
        (0.82, 0.95),
        (0.18, 0.95),
        (0.40, 0.40),
        (0.36, 0.32),
        (0.32, 0.10),
    ],
    "top": [
        (0.36, 0.12),
        (0.44, 0.16),
        (0.56, 0.16),
        (0.64, 0.12),
        (0.88, 0.28),
        (0.80, 0.42),
        (0.70, 0.36),
        (0.70, 0.80),
        (0.30, 0.80),
        (0.30, 0.36),
        (0.20, 0.42),
        (0.12, 0.28),
    ],
    "knitwear": [
        (0.34, 0.10),
        (0.44, 0.15),
        (0.56, 0.15),
        (0.66, 0.10),
        (0.86, 0.24),
        (0.92, 0.78),
        (0.80, 0.80),
        (0.74, 0.40),
        (0.74, 0.84),
        (0.26, 0.84),
        (0.26, 0.40),
        (0.20, 0.80),
        (0.08, 0.78),
        (0.14, 0.24),
    ],
    "outerwear": [
        (0.34, 0.06),
        (0.46, 0.14),
        (0.54, 0.14),
        (0.66, 0.06),
        (0.86, 0.18),
        (0.94, 0.84),
        (0.82, 0.86),
        (0.76, 0.40),
        (0.78, 0.95),
        (0.22, 0.95),
        (0.24, 0.40),
        (0.18, 0.86),
        (0.06, 0.84),
        (0.14, 0.18),
    ],
    "trousers": [
        (0.30, 0.06),
        (0.70, 0.06),
        (0.74, 0.30),
        (0.70, 0.95),
        (0.55, 0.95),
        (0.50, 0.36),
        (0.45, 0.95),
        (0.30, 0.95),
        (0.26, 0.30),
    ],
    "skirt": [(0.34, 0.12), (0.66, 0.12), (0.68, 0.20), (0.84, 0.85), (0.16, 0.85), (0.32, 0.20)],
}
CATEGORY_SHAPES = {
    "dresses": "dress",
    "tops": "top",
    "knitwear": "knitwear",
    "outerwear": "outerwear",
    "trousers": "trousers",
    "skirts": "skirt",
}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in _FONTS:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    if len(colour) != 6:
        return (90, 90, 90)
    return (int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16))


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def _png(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def _seeded(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


# Named colours of the seed's garments; anything else gets a colour derived from its name.
COLOURS = {
    "navy": "#1f2a44",
    "cream": "#efe6d2",
    "black": "#161616",
    "ivory": "#f4efe3",
    "ecru": "#e6dcc6",
    "sage": "#9aab8f",
    "rust": "#a4502c",
    "indigo": "#2e3a6e",
    "saffron": "#e0a526",
    "charcoal": "#3a3a3c",
    "camel": "#b88a57",
    "oat": "#d8c9ac",
    "forest": "#2f4f3a",
    "burgundy": "#6b1f2e",
    "sky": "#9cc3dc",
    "blush": "#e8b7b0",
    "olive": "#6d6b3a",
    "stone": "#bdb5a6",
    "teal": "#256d6a",
    "gold": "#c89b2c",
    "white": "#fafafa",
    "grey": "#8a8a8a",
    "terracotta": "#c0623f",
    "lilac": "#b9a3c9",
    "chocolate": "#4a2e23",
    "moss": "#5d6b3c",
    "emerald": "#1f6b4f",
    "coral": "#e07a5f",
}


def colour_of(name: str) -> tuple[int, int, int]:
    known = COLOURS.get(name.strip().lower())
    if known:
        return rgb(known)
    n = _seeded(name)
    return (60 + n % 150, 60 + (n >> 8) % 150, 60 + (n >> 16) % 150)


def _garment(
    draw: ImageDraw.ImageDraw,
    shape: str,
    box: tuple[int, int, int, int],
    fill: tuple[int, ...],
    outline: tuple[int, ...],
    *,
    mirror: bool = False,
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    points = [((1 - x) if mirror else x, y) for x, y in SHAPES.get(shape, SHAPES["top"])]
    poly = [(x0 + x * w, y0 + y * h) for x, y in points]
    draw.polygon(poly, fill=fill, outline=outline, width=3)


def logo(name: str, colour: str) -> bytes:
    """A round monogram: the brand's initials in its colour on a pale ground."""
    base = rgb(colour)
    img = Image.new("RGB", (LOGO, LOGO), _mix(base, (255, 255, 255), 0.88))
    draw = ImageDraw.Draw(img)
    draw.ellipse((14, 14, LOGO - 14, LOGO - 14), outline=base, width=6)
    draw.ellipse((30, 30, LOGO - 30, LOGO - 30), outline=base, width=2)
    words = [w for w in name.replace("&", " ").split() if w[:1].isalpha()]
    initials = "".join(w[0] for w in words[:2]).upper() or name[:1].upper()
    font = _font(84 if len(initials) == 1 else 68)
    draw.text((LOGO / 2, LOGO / 2 + 2), initials, fill=base, font=font, anchor="mm")
    return _png(img)


def lookbook_plate(brand_colour: str, garment: str, colour: str, n: int) -> bytes:
    """A studio plate: a graded backdrop, a floor line, a figure (head, neck, arms, legs)
    wearing the garment. ``n`` varies pose and light between plates of one collection."""
    back = _mix(rgb(brand_colour), (250, 246, 240), 0.72 - 0.08 * (n % 3))
    img = Image.new("RGB", PHOTO, back)
    draw = ImageDraw.Draw(img)
    w, h = PHOTO
    for y in range(h // 2, h, 6):  # the floor darkens towards the camera
        draw.line((0, y, w, y), fill=_mix(back, (40, 36, 32), (y - h / 2) / h * 0.35))
    skin = _mix((196, 150, 120), (120, 80, 60), (n * 0.37) % 1)
    cx = w // 2 + (n % 3 - 1) * 40
    draw.ellipse((cx - 26, 70, cx + 26, 130), fill=skin)  # head
    draw.rectangle((cx - 9, 126, cx + 9, 150), fill=skin)  # neck
    draw.line((cx - 70, 170, cx - 92, 360), fill=skin, width=16)  # arms
    draw.line((cx + 70, 170, cx + 92 - (n % 2) * 40, 360), fill=skin, width=16)
    draw.line((cx - 26, 420, cx - 34, 560), fill=skin, width=18)  # legs
    draw.line((cx + 26, 420, cx + 34, 560), fill=skin, width=18)
    fill = colour_of(colour)
    _garment(draw, garment, (cx - 130, 140, cx + 130, 520), fill, _mix(fill, (0, 0, 0), 0.35))
    return _jpeg(img)


def product_shot(garment: str, colour: str, view: int) -> bytes:
    """The garment laid flat: view 0 front, 1 back (mirrored, plainer), 2 a fabric detail."""
    fill = colour_of(colour)
    paper = (246, 243, 238) if view != 1 else (236, 233, 228)
    img = Image.new("RGB", PHOTO, paper)
    draw = ImageDraw.Draw(img)
    w, h = PHOTO
    if view == 2:
        img.paste(fill, (0, 0, w, h))
        weave = _mix(fill, (255, 255, 255), 0.18)
        for x in range(-h, w, 14):
            draw.line((x, 0, x + h, h), fill=weave, width=3)
        for x in range(0, w + h, 22):
            draw.line((x, 0, x - h, h), fill=_mix(fill, (0, 0, 0), 0.15), width=2)
        return _jpeg(img)
    draw.ellipse((60, h - 70, w - 60, h - 30), fill=_mix(paper, (0, 0, 0), 0.08))  # shadow
    _garment(
        draw, garment, (40, 40, w - 40, h - 60), fill, _mix(fill, (0, 0, 0), 0.4), mirror=view == 1
    )
    if view == 0 and garment in ("top", "dress", "outerwear", "knitwear"):
        for i in range(4):  # buttons or a placket down the front
            y = 120 + i * 50
            draw.ellipse((w / 2 - 5, y, w / 2 + 5, y + 10), fill=_mix(fill, (255, 255, 255), 0.5))
    return _jpeg(img)


def cutout(garment: str, colour: str) -> bytes:
    """The garment alone on transparency, for placing over a photo in the 2D try-on."""
    img = Image.new("RGBA", CUTOUT, (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    fill = colour_of(colour)
    _garment(
        draw,
        garment,
        (8, 8, CUTOUT[0] - 8, CUTOUT[1] - 8),
        (*fill, 235),
        (*_mix(fill, (0, 0, 0), 0.4), 255),
    )
    return _png(img)
