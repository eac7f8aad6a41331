"""Demo product pictures of the wholesale store, drawn with Pillow: the way the goods leave
the warehouse — a strapped bale for textiles, a tied jute sack for groceries, a taped carton
for household goods — with the product's name and SKU stencilled on the label.

Our own drawing (DESIGN.md §1: demo images come from the project's code). Same inputs, same
picture. The result is a JPEG at the catalogue's 4:5 card shape; the catalogue's
``media.store_image`` re-encodes it and makes the small WebP variants like any upload.
"""

from __future__ import annotations

import io
import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 1000
KRAFT = (196, 154, 108)
KRAFT_DARK = (150, 110, 70)
JUTE = (190, 160, 110)
JUTE_DARK = (140, 112, 70)
INK = (30, 36, 40)
LABEL = (248, 246, 238)
_SANS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
# The package each department ships in; anything else goes in a carton.
KINDS = {"textiles": "bale", "groceries": "sack", "household": "carton"}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in _SANS:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _rgb(colour: str, fallback: tuple[int, int, int]) -> tuple[int, int, int]:
    try:
        value = colour.lstrip("#")
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except (ValueError, IndexError):
        return fallback


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _label(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], name: str, sku: str) -> None:
    """A white stencilled label: the name on up to three lines, the SKU below a rule."""
    x0, y0, x1, y1 = box
    draw.rectangle(box, fill=LABEL, outline=INK, width=4)
    size = 44
    lines = textwrap.wrap(name.upper(), width=max(8, (x1 - x0) // 26))[:3]
    font = _font(size)
    while size > 20 and any(draw.textlength(line, font=font) > x1 - x0 - 40 for line in lines):
        size -= 2
        font = _font(size)
    y = y0 + 24
    for line in lines:
        width = draw.textlength(line, font=font)
        draw.text(((x0 + x1 - width) / 2, y), line, font=font, fill=INK)
        y += size + 10
    draw.line((x0 + 24, y1 - 62, x1 - 24, y1 - 62), fill=INK, width=3)
    small = _font(30)
    width = draw.textlength(sku, font=small)
    draw.text(((x0 + x1 - width) / 2, y1 - 50), sku, font=small, fill=INK)


def _carton(draw: ImageDraw.ImageDraw, name: str, sku: str) -> None:
    left, right, top, bottom, depth = 130, 600, 330, 860, 90
    draw.polygon(  # top
        [(left, top), (left + depth, top - depth), (right + depth, top - depth), (right, top)],
        fill=_mix(KRAFT, (255, 255, 255), 0.18),
        outline=KRAFT_DARK,
    )
    draw.polygon(  # side
        [(right, top), (right + depth, top - depth), (right + depth, bottom - depth),
         (right, bottom)],
        fill=KRAFT_DARK,
    )  # fmt: skip
    draw.rectangle((left, top, right, bottom), fill=KRAFT, outline=KRAFT_DARK, width=3)
    tape = (214, 190, 140)
    mid = (left + right) // 2
    draw.polygon(
        [(mid - 28, top), (mid - 28 + depth, top - depth), (mid + 28 + depth, top - depth),
         (mid + 28, top)],
        fill=tape,
    )  # fmt: skip
    draw.rectangle((mid - 28, top, mid + 28, top + 70), fill=tape)
    for x in (left + 22, left + 46):  # the "this side up" arrows of a shipping carton
        draw.line((x, bottom - 30, x, bottom - 90), fill=INK, width=5)
        draw.polygon([(x - 10, bottom - 86), (x + 10, bottom - 86), (x, bottom - 106)], fill=INK)
    _label(draw, (left + 60, top + 130, right - 60, top + 420), name, sku)


def _sack(
    image: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random, name: str, sku: str
) -> None:
    body = [(170, 330), (630, 330), (680, 520), (690, 760), (650, 880), (150, 880), (110, 760),
            (120, 520)]  # fmt: skip
    weave = Image.new("RGB", image.size, JUTE)
    lines = ImageDraw.Draw(weave)
    for y in range(340, 880, 14):  # the weave, kept inside the sack by the mask below
        lines.line((100, y, 700, y + rng.randint(-3, 3)), fill=_mix(JUTE, JUTE_DARK, 0.35), width=2)
    mask = Image.new("L", image.size, 0)
    ImageDraw.Draw(mask).polygon(body, fill=255)
    image.paste(weave, (0, 0), mask)
    draw.polygon(body, outline=JUTE_DARK)
    draw.polygon([(250, 330), (550, 330), (470, 240), (330, 240)], fill=JUTE_DARK)  # gathered neck
    draw.rectangle((318, 226, 482, 252), fill=(120, 60, 40))  # the tie
    draw.polygon([(330, 240), (470, 240), (500, 170), (300, 170)], fill=JUTE)  # the tuft
    _label(draw, (210, 470, 590, 760), name, sku)


def _bale(
    draw: ImageDraw.ImageDraw, rng: random.Random, name: str, sku: str, tint: tuple[int, int, int]
) -> None:
    box = (110, 280, 690, 880)
    draw.rounded_rectangle(box, radius=60, fill=_mix(tint, (255, 255, 255), 0.25), outline=tint)
    for y in range(300, 870, 22):  # folded cloth seen through the wrap
        shade = _mix(tint, (255, 255, 255), 0.1 + 0.3 * rng.random())
        draw.line((130, y, 670, y), fill=shade, width=8)
    strap = (70, 55, 40)
    for x in (230, 570):
        draw.rectangle((x - 14, 280, x + 14, 880), fill=strap)
    draw.rectangle((110, 560, 690, 586), fill=strap)
    _label(draw, (260, 380, 540, 680), name, sku)


def draw_package(*, name: str, sku: str, category: str, colour: str) -> bytes:
    """A JPEG of the product as it ships: bale, sack or carton by department."""
    rng = random.Random(sku)
    tint = _rgb(colour, (15, 76, 92))
    image = Image.new("RGB", (WIDTH, HEIGHT), _mix((246, 247, 247), tint, 0.08))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 900, WIDTH, HEIGHT), fill=_mix((210, 214, 214), tint, 0.12))  # the floor
    draw.ellipse((120, 860, 700, 930), fill=_mix((170, 176, 176), tint, 0.1))  # its shadow
    kind = KINDS.get(category, "carton")
    if kind == "sack":
        _sack(image, draw, rng, name, sku)
    elif kind == "bale":
        _bale(draw, rng, name, sku, tint)
    else:
        _carton(draw, name, sku)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()
