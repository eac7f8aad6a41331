"""PDF documents drawn with Noto Sans, a Unicode font, so Vietnamese marks ("Tài Lộc"), "₫"
and "₹" print as they are.

The font comes from PyPI at install time (``fontpkg-noto-sans``, SIL Open Font Licence; no
font file is kept in this repository). It ships as a *variable* font of 2 MB; drawing with it
directly costs fpdf2 about 3 s of CPU per document (it instantiates the font each time). So
the first document of a machine cuts static regular, bold and italic instances down to the
characters our documents use (Latin with Vietnamese, punctuation, currency signs: about
130 KB each, 4–10 s of CPU once) and keeps them in a private cache folder; every later
document in any process loads the styles it uses (~20 ms each) from there.

Documents keep calling ``set_font("helvetica", ...)``: ``document()`` maps the core family
names onto Noto Sans. ``text()`` keeps every character the font holds and reduces any other
(a Bengali "৳", an emoji) to its closest plain letter (NFKD) or "?", so an unusual name in
an address can never break a document. ``core_text()`` is the Windows-1252 reduction for
code that still draws with fpdf2's core fonts.

fpdf2 brings fontTools and costs about 50 MiB of memory once imported, while most workers
never draw a PDF: it is imported when the first document is made, not when the app starts.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

    from mercato.platform.stores import StoreConfig

ENCODING = "windows-1252"  # of fpdf2's core fonts (core_text)
FAMILY = "notosans"
CORE_FAMILIES = frozenset({"helvetica", "arial", "times", "courier"})
# What the cached instances keep: Latin (Vietnamese included), combining marks, punctuation,
# currency signs (₫ ₹ € £ ৳ is not in Noto Sans), letterlike symbols (№ ™), arrows, minus.
RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x300, 0x36F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x2122),
    (0x2190, 0x2193),
    (0x2212, 0x2212),
)
STYLES = {"": ("NotoSans[wdth,wght].ttf", 400), "B": ("NotoSans[wdth,wght].ttf", 700),
          "I": ("NotoSans-Italic[wdth,wght].ttf", 400)}  # fmt: skip
RECIPE = "1"  # change when RANGES or STYLES change, so old cached instances are not used
_PUNCTUATION = str.maketrans({"\u2009": " ", "\u202f": " ", "\xa0": " "})
_build_lock = threading.Lock()


def _covered(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in RANGES)


def text(value: object) -> str:
    """``value`` as the document font can print it."""
    out = []
    for ch in str(value).translate(_PUNCTUATION):
        if _covered(ch) or ch in "\n\t":
            out.append(ch)
        else:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


def core_text(value: object) -> str:
    """``value`` as fpdf2's core fonts (Windows-1252) can print it."""
    out = []
    for ch in str(value).translate(_PUNCTUATION).replace("\u2212", "-"):
        try:
            ch.encode(ENCODING)
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


def _cache_dir() -> Path:
    """A folder only this user can write: a font planted by someone else is never loaded."""
    base = Path(os.environ.get("MERCATO_FONT_CACHE") or tempfile.gettempdir())
    folder = base / f"mercato-fonts-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    info = folder.lstat()
    if (
        not stat.S_ISDIR(info.st_mode)
        or info.st_uid != os.getuid()
        or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        return Path(tempfile.mkdtemp(prefix="mercato-fonts-"))
    return folder


def _instance(source: Path, weight: int, target: Path) -> None:
    """Cut the variable font to RANGES, pin its axes, and write a static TTF atomically."""
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
    from fontTools.varLib import instancer  # type: ignore[import-untyped]

    font = TTFont(source)
    options = subset.Options()
    options.layout_features = ["*"]  # keep kerning and mark positioning for Vietnamese
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for low, high in RANGES for c in range(low, high + 1)])
    subsetter.subset(font)
    static = instancer.instantiateVariableFont(font, {"wght": weight, "wdth": 100})
    partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    static.save(partial)
    os.replace(partial, target)  # readers never see half a font


def _targets() -> dict[str, Path]:
    """Where each style's cached instance lives (whether or not it is cut yet)."""
    import importlib.metadata

    version = importlib.metadata.version("fontpkg-noto-sans")
    folder = _cache_dir()
    return {style: folder / f"NotoSans-{version}-r{RECIPE}-{style or 'R'}.ttf" for style in STYLES}


@lru_cache(maxsize=1)
def font_files() -> dict[str, Path]:
    """Static Noto Sans instances per style (built once per machine, then read from cache)."""
    import fontpkg_noto_sans  # type: ignore[import-untyped]

    files = _targets()
    with _build_lock:
        for style, target in files.items():
            if not target.is_file():
                name, weight = STYLES[style]
                _instance(fontpkg_noto_sans.ROOT / "files" / name, weight, target)
    return files


def prepare_fonts_in_background() -> None:
    """Cut the instances in a child process now (``mercato migrate``, ``mercato demo``), so
    the first invoice a customer asks for does not wait the several seconds of the cut.
    A child, not a thread: fontTools would stay in the caller's memory for good."""
    if all(target.is_file() for target in _targets().values()):
        return
    import subprocess
    import sys

    subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed statement
        [sys.executable, "-c", "from mercato.kit.pdf import font_files; font_files()"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@lru_cache(maxsize=1)
def _document_class() -> type[FPDF]:
    from fpdf import FPDF

    class Document(FPDF):
        """An FPDF whose core family names draw with Noto Sans."""

        def set_font(self, family=None, style="", size=0):  # noqa: ANN001, ANN202
            if family and family.lower() in CORE_FAMILIES:
                family = FAMILY
            style = getattr(style, "style", style)  # a TextEmphasis names its letters
            if isinstance(style, str) and "B" in style and "I" in style:
                style = style.replace("I", "")  # no bold italic instance: bold says enough
            if (family or self.font_family) == FAMILY and isinstance(style, str):
                # Each style is loaded on first use: parsing a font costs ~20 ms a style.
                plain = style.replace("U", "").replace("S", "")
                if FAMILY + plain not in self.fonts:
                    self.add_font(FAMILY, plain, font_files()[plain])
            return super().set_font(family, style, size)

    return Document


def document(title: str, author: str, *, orientation: str = "portrait") -> FPDF:
    """A new A4 document with Noto Sans registered, its metadata set, the first page added."""
    pdf = _document_class()(format="A4", orientation=orientation)
    pdf.set_title(text(title))
    pdf.set_author(text(author))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(FAMILY, "", 10)
    return pdf


def letterhead(pdf: FPDF, store: StoreConfig, heading: str) -> None:
    """The store's name and contact address, then the document's heading."""
    pdf.set_font("helvetica", "B", 18)
    pdf.cell(0, 10, text(store.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    if store.contact_email:
        pdf.cell(0, 5, text(store.contact_email), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 8, text(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
