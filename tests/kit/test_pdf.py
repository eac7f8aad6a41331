"""Documents print Vietnamese marks and currency signs (Noto Sans from PyPI, cached static
instances); characters the font lacks are reduced, never an error; fpdf2 is imported late."""

from __future__ import annotations

import io
import subprocess
import sys

from pypdf import PdfReader

from mercato.kit import pdf


def _text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_document_holds_vietnamese_dong_and_rupee_as_written():
    doc = pdf.document("Hoá đơn Tài Lộc", "Audio Tài Lộc")
    doc.set_font("helvetica", "B", 14)
    doc.cell(0, 8, pdf.text("Audio Tài Lộc"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("helvetica", "", 10)
    doc.cell(0, 6, pdf.text("Loa kéo di động: 12.500.000 ₫"), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("helvetica", "I", 9)
    doc.cell(0, 6, pdf.text("Premium ₹1,200.00 · €5 · £3"), new_x="LMARGIN", new_y="NEXT")
    extracted = _text_of(bytes(doc.output()))
    assert "Audio Tài Lộc" in extracted
    assert "12.500.000 ₫" in extracted
    assert "₹1,200.00" in extracted and "€5" in extracted
    # the font travels inside the file (subset), so any reader shows the marks
    assert b"/FontFile2" in bytes(doc.output())


def test_characters_the_font_lacks_are_reduced_not_fatal():
    assert pdf.text("Tài Lộc ₫ ₹") == "Tài Lộc ₫ ₹"
    assert pdf.text("৳ 500 😀") == "? 500 ?"
    doc = pdf.document("x", "y")
    doc.multi_cell(0, 6, pdf.text("Người nhận: Nguyễn Văn Ánh 😀 ৳"))
    assert "Nguyễn Văn Ánh" in _text_of(bytes(doc.output()))
    # core fonts keep their Windows-1252 reduction
    assert pdf.core_text("Tài Lộc −5 ₹") == "Tài Loc -5 ?"


def test_the_static_instances_are_cached_and_small():
    files = pdf.font_files()
    assert set(files) == {"", "B", "I"}
    for path in files.values():
        assert path.is_file() and path.stat().st_size < 400_000
        assert not path.parent.stat().st_mode & 0o022  # nobody else can plant a font there


def test_importing_the_kit_does_not_import_fpdf():
    code = "import sys, mercato.kit.pdf; print('fpdf' in sys.modules)"
    # a fresh interpreter: this one has imported fpdf already for the tests above
    out = subprocess.run(  # noqa: S603 - our own interpreter and a constant program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_fonts_are_cut_ahead_in_a_child_process_only_when_missing(tmp_path, monkeypatch):
    started = []
    monkeypatch.setenv("MERCATO_FONT_CACHE", str(tmp_path))
    monkeypatch.setattr(subprocess, "Popen", lambda args, **kw: started.append(args))
    # Missing instances: a child process cuts them (the caller never imports fontTools)
    pdf.prepare_fonts_in_background()
    assert len(started) == 1 and "font_files()" in started[0][-1]
    # Present instances: nothing to do
    for target in pdf._targets().values():
        target.write_bytes(b"cut")
    pdf.prepare_fonts_in_background()
    assert len(started) == 1
