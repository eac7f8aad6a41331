"""CPU time to draw a one-page report-like PDF with the document font (Noto Sans, cached
static instances) against fpdf2's core fonts, and the one-off cost of cutting the instances.

    flock /tmp/mercato-bench.lock uv run python bench/pdf_cpu.py
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time

os.environ["MERCATO_FONT_CACHE"] = tempfile.mkdtemp()  # measure the first cut too

from mercato.kit import pdf  # noqa: E402 - after the cache folder is chosen

RUNS = 20
LINE = "Dòng {n}: Loa karaoke Tài Lộc 12.500.000 ₫"


def draw(core: bool) -> None:
    if core:
        from fpdf import FPDF

        doc = FPDF()
        doc.core_fonts_encoding = pdf.ENCODING
        doc.add_page()
        clean = pdf.core_text
    else:
        doc = pdf.document("Báo cáo", "Audio Tài Lộc")
        clean = pdf.text
    for n in range(40):
        doc.set_font("helvetica", "B" if n % 10 == 0 else "", 10)
        doc.cell(0, 6, clean(LINE.format(n=n)), new_x="LMARGIN", new_y="NEXT")
    bytes(doc.output())


def median_ms(core: bool) -> float:
    draw(core)  # imports and first use outside the measurement
    runs = []
    for _ in range(RUNS):
        start = time.process_time()
        draw(core)
        runs.append(time.process_time() - start)
    return sorted(runs)[RUNS // 2] * 1000


def main() -> None:
    start = time.process_time()
    pdf.font_files()
    cut = time.process_time() - start
    print(f"Noto Sans : median {median_ms(False):.1f} ms CPU per document ({RUNS} runs)")
    print(f"core fonts: median {median_ms(True):.1f} ms CPU per document ({RUNS} runs)")
    print(f"one-off cut of the static instances (3 styles): {cut:.2f} s CPU")
    shutil.rmtree(os.environ["MERCATO_FONT_CACHE"])


if __name__ == "__main__":
    main()
