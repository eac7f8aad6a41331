"""PDF documents drawn with fpdf2's core fonts (no font files to ship).

Core fonts cover Windows-1252, which holds accented Latin names and the € and £ signs; any
other character is reduced to its closest plain letter (NFKD) or "?", so an unusual name in
an address can never break a document.

fpdf2 brings fontTools and costs about 50 MiB of memory once imported, while most workers
never draw a PDF: it is imported when the first document is made, not when the app starts.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fpdf import FPDF

    from mercato.platform.stores import StoreConfig

ENCODING = "windows-1252"
_PUNCTUATION = str.maketrans({"\u2212": "-", "\u2009": " ", "\u202f": " ", "\xa0": " "})


def text(value: object) -> str:
    """``value`` as the core fonts can print it."""
    out = []
    for ch in str(value).translate(_PUNCTUATION):
        try:
            ch.encode(ENCODING)
            out.append(ch)
        except UnicodeEncodeError:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(plain or "?")
    return "".join(out)


def document(title: str, author: str, *, orientation: str = "portrait") -> FPDF:
    """A new A4 document with its metadata set and the first page added."""
    from fpdf import FPDF

    pdf = FPDF(format="A4", orientation=orientation)
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(text(title))
    pdf.set_author(text(author))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
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
