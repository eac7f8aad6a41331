"""Demo product images drawn with Pillow: an apothecary phial on parchment tinted with the
humour's colour, a gilt double frame, and the folio numeral on the phial's label.

Our own drawing (DESIGN.md §1: demo images come from the project's code). The result is a
PNG-free JPEG-ready RGB image; mercato.catalog.media.store_image re-encodes it and makes the
WebP variants like any upload.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

WIDTH, HEIGHT = 960, 1200
PARCHMENT = (241, 230, 206)
INK = (43, 29, 20)
GILT = (166, 124, 46)
WAX = (111, 33, 48)
_SERIF = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)


_SYMBOLS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


def _font(
    size: int, faces: tuple[str, ...] = _SERIF
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in faces:
        if Path(candidate).is_file():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _hex(colour: str, fallback: tuple[int, int, int]) -> tuple[int, int, int]:
    try:
        value = colour.lstrip("#")
        return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))
    except (ValueError, IndexError):
        return fallback


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def draw_phial(*, seed: str, colour: str, numeral: str, symbol: str = "") -> bytes:
    """A JPEG of the phial for one product; the same inputs draw the same picture."""
    rng = random.Random(seed)
    tint = _hex(colour, (184, 169, 201))
    paper = _mix(PARCHMENT, tint, 0.16)
    img = Image.new("RGB", (WIDTH, HEIGHT), paper)
    draw = ImageDraw.Draw(img)

    # Parchment: a darker edge (vignette) and fibres.
    for step in range(60):
        inset = step * 3
        shade = _mix(paper, (150, 120, 80), (60 - step) / 60 * 0.22)
        draw.rectangle([inset, inset, WIDTH - inset, HEIGHT - inset], outline=shade, width=3)
    for _ in range(900):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        length = rng.randrange(4, 22)
        fibre = _mix(paper, (120, 95, 60), rng.uniform(0.08, 0.2))
        draw.line([x, y, x + length, y + rng.randrange(-3, 4)], fill=fibre, width=1)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    draw = ImageDraw.Draw(img)

    # Gilt double frame with corner lozenges.
    for inset, width in ((44, 5), (62, 2)):
        draw.rectangle([inset, inset, WIDTH - inset, HEIGHT - inset], outline=GILT, width=width)
    for cx, cy in ((53, 53), (WIDTH - 53, 53), (53, HEIGHT - 53), (WIDTH - 53, HEIGHT - 53)):
        draw.polygon([(cx, cy - 16), (cx + 16, cy), (cx, cy + 16), (cx - 16, cy)], fill=WAX)

    # The phial: body, shoulders, neck, stopper and wax seal.
    cx = WIDTH // 2
    body = [cx - 190, 520, cx + 190, 1010]
    glass = _mix(tint, (255, 255, 255), 0.35)
    liquid = _mix(tint, (60, 40, 20), 0.25)
    shadow = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(shadow).ellipse([cx - 230, 985, cx + 250, 1060], fill=110)
    img.paste((90, 70, 50), (0, 0), shadow.filter(ImageFilter.GaussianBlur(18)))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle(body, radius=70, fill=glass, outline=INK, width=6)
    draw.rounded_rectangle([cx - 176, 640, cx + 176, 996], radius=60, fill=liquid)
    draw.polygon(
        [(cx - 150, 530), (cx - 62, 430), (cx + 62, 430), (cx + 150, 530)],
        fill=glass,
        outline=INK,
    )
    draw.line([(cx - 150, 530), (cx - 62, 430)], fill=INK, width=6)
    draw.line([(cx + 150, 530), (cx + 62, 430)], fill=INK, width=6)
    draw.rectangle([cx - 62, 330, cx + 62, 436], fill=glass, outline=INK, width=6)
    draw.rounded_rectangle([cx - 80, 270, cx + 80, 338], radius=14, fill=WAX, outline=INK, width=4)
    draw.ellipse([cx - 46, 222, cx + 46, 300], fill=WAX, outline=INK, width=4)
    draw.line([(cx - 160, 570), (cx - 160, 930)], fill=(255, 255, 255), width=10)  # glint

    # The label: parchment with a gilt rule, the folio numeral and the humour's sign.
    label = [cx - 140, 690, cx + 140, 900]
    draw.rectangle(label, fill=PARCHMENT, outline=GILT, width=5)
    draw.rectangle(
        [label[0] + 12, label[1] + 12, label[2] - 12, label[3] - 12], outline=INK, width=2
    )
    small = _font(30)
    draw.text((cx, 730), "FOLIO", font=small, fill=INK, anchor="mm")
    draw.text((cx, 800), numeral or "—", font=_font(78), fill=WAX, anchor="mm")
    if symbol:
        draw.text((cx, 862), symbol, font=_font(40, _SYMBOLS), fill=INK, anchor="mm")

    # Sprigs either side, drawn as leaves on a stem.
    for side in (-1, 1):
        base_x = cx + side * 300
        draw.line([(base_x, 1000), (base_x - side * 10, 600)], fill=(70, 85, 50), width=5)
        for n in range(7):
            y = 960 - n * 55
            leaf = [
                base_x - 34 if side > 0 else base_x,
                y - 12,
                base_x if side > 0 else base_x + 34,
                y + 12,
            ]
            draw.ellipse(leaf, fill=_mix((95, 115, 70), tint, 0.3), outline=(60, 70, 40))

    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()
