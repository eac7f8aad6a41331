"""Demo product pictures for the audio shop, drawn with Pillow by our own code: a speaker
cabinet with its cones, an amplifier face with knobs, a microphone, headphones, a mixer's
faders or a coil of cable, on a warm studio backdrop. Small (600 px) so seeding stays fast;
mercato.catalog.media.store_image re-encodes it and makes the WebP sizes."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 600
BACKDROP = (246, 239, 226)
CABINET = (38, 32, 30)
METAL = (150, 146, 140)
GOLD = (201, 154, 46)
RED = (143, 29, 29)
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if Path(_FONT).is_file():
        return ImageFont.truetype(_FONT, size)
    return ImageFont.load_default(size)


def _cone(d: ImageDraw.ImageDraw, cx: int, cy: int, r: int) -> None:
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(20, 18, 17), outline=METAL, width=6)
    d.ellipse((cx - r * 0.72, cy - r * 0.72, cx + r * 0.72, cy + r * 0.72), fill=(55, 50, 48))
    d.ellipse((cx - r * 0.25, cy - r * 0.25, cx + r * 0.25, cy + r * 0.25), fill=(90, 84, 80))


def _speaker(d: ImageDraw.ImageDraw, rng: random.Random, wide: bool) -> None:
    w = 360 if wide else 260
    left = (SIZE - w) // 2
    d.rounded_rectangle((left, 70, left + w, 500), radius=18, fill=CABINET)
    _cone(d, SIZE // 2, 175, 50 if not wide else 40)
    _cone(d, SIZE // 2, 350, rng.randint(90, 110) if not wide else 120)
    d.rectangle((left + 20, 470, left + w - 20, 478), fill=GOLD)


def _amplifier(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    d.rounded_rectangle((70, 200, 530, 400), radius=12, fill=(58, 56, 54))
    d.rectangle((70, 200, 530, 230), fill=METAL)
    for i in range(rng.randint(3, 5)):
        x = 130 + i * 90
        d.ellipse((x - 28, 290, x + 28, 346), fill=METAL, outline=(30, 30, 30), width=3)
        d.line((x, 318, x + 16, 296), fill=(30, 30, 30), width=4)
    d.ellipse((480, 260, 500, 280), fill=GOLD)


def _microphone(d: ImageDraw.ImageDraw) -> None:
    d.ellipse((220, 90, 380, 250), fill=METAL, outline=(60, 60, 60), width=5)
    for y in range(110, 240, 18):
        d.line((232, y, 368, y), fill=(110, 108, 104), width=2)
    d.polygon([(250, 240), (350, 240), (320, 500), (280, 500)], fill=CABINET)
    d.rectangle((284, 300, 316, 320), fill=GOLD)


def _headphones(d: ImageDraw.ImageDraw) -> None:
    d.arc((150, 100, 450, 420), start=180, end=360, fill=CABINET, width=28)
    d.rounded_rectangle((125, 250, 215, 430), radius=30, fill=CABINET)
    d.rounded_rectangle((385, 250, 475, 430), radius=30, fill=CABINET)
    d.rounded_rectangle((150, 280, 190, 400), radius=16, fill=GOLD)
    d.rounded_rectangle((410, 280, 450, 400), radius=16, fill=GOLD)


def _mixer(d: ImageDraw.ImageDraw, rng: random.Random) -> None:
    d.polygon([(70, 460), (530, 460), (490, 160), (110, 160)], fill=(58, 56, 54))
    for i in range(8):
        x = 140 + i * 45
        d.line((x, 300, x, 430), fill=(20, 20, 20), width=5)
        y = rng.randint(310, 410)
        d.rectangle((x - 12, y - 7, x + 12, y + 7), fill=METAL)
        d.ellipse((x - 10, 200, x + 10, 220), fill=GOLD if i % 3 == 0 else METAL)


def _accessory(d: ImageDraw.ImageDraw) -> None:
    for r in range(60, 190, 22):
        d.ellipse((300 - r, 300 - r, 300 + r, 300 + r), outline=CABINET, width=10)
    d.rectangle((470, 285, 540, 315), fill=METAL)
    d.rectangle((540, 292, 560, 308), fill=GOLD)


def draw(sku: str, category: str, brand: str) -> bytes:
    """A JPEG of the product's kind, varied by its SKU, with the brand on a plate."""
    rng = random.Random(sku)
    image = Image.new("RGB", (SIZE, SIZE), BACKDROP)
    d = ImageDraw.Draw(image)
    d.rectangle((0, 520, SIZE, SIZE), fill=(232, 220, 200))
    if category in ("loa-karaoke", "loa-hi-fi", "loa-bluetooth"):
        _speaker(d, rng, wide=category == "loa-bluetooth")
    elif category == "loa-sub":
        _speaker(d, rng, wide=True)
    elif category in ("amply", "vang-so"):
        _amplifier(d, rng)
    elif category == "micro":
        _microphone(d)
    elif category == "tai-nghe":
        _headphones(d)
    elif category == "mixer":
        _mixer(d, rng)
    else:
        _accessory(d)
    # The brand plate is centred: listing cards crop the picture's sides.
    label = brand.upper()[:16]
    font = _font(30)
    left, top, right, bottom = d.textbbox((0, 0), label, font=font)
    width = right - left
    x = (SIZE - width) // 2
    d.rounded_rectangle((x - 14, 538, x + width + 14, 588), radius=6, fill=RED)
    d.text((x - left, 545 - top + 4), label, fill=(255, 248, 231), font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()
