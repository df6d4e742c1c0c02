"""PDF text extraction measured on the seed article printed to PDF by headless Chromium.

    python -m bench.formats

Prints, per extractor, the similarity of the extracted text to the source article:
``words`` is the word-sequence similarity (Indel over NFKC ``\\w+`` tokens: same words in
the same order) and ``chars`` the character similarity with whitespace collapsed.
Candidates: pdfplumber (raw, and NFKC + per-line reversal as design.md measured),
pypdfium2, PyMuPDF, and ``qa.ingest.pdf`` (pdfplumber + bidi + NFKC + mark placement).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

from rapidfuzz.distance import Indel

from bench.fixtures import article_parts, chromium_pdf

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_c53a8d77ccf2062b.txt"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text))


def scores(source: str, extracted: str) -> dict[str, float]:
    """``{"words", "chars"}`` similarities in [0, 1]."""
    return {"words": round(Indel.normalized_similarity(_words(source), _words(extracted)), 4),
            "chars": round(Indel.normalized_similarity(" ".join(source.split()), " ".join(extracted.split())), 4)}


def extractors() -> dict[str, callable]:
    def plumber(path):
        import pdfplumber

        with pdfplumber.open(path) as pdf:
            return "\n".join(p.extract_text() or "" for p in pdf.pages)

    def plumber_reversed(path):
        return "\n".join(line[::-1] for line in unicodedata.normalize("NFKC", plumber(path)).splitlines())

    def pdfium(path):
        import pypdfium2

        return "\n".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(str(path)))

    def mupdf(path):
        import pymupdf

        return "\n".join(p.get_text() for p in pymupdf.open(str(path)))

    def ours(path):
        from qa.ingest.pdf import load_pdf

        return load_pdf(path.name, path.read_bytes()).text

    return {"pdfplumber (raw)": plumber, "pdfplumber + NFKC + line reversal": plumber_reversed,
            "pypdfium2 (raw)": pdfium, "PyMuPDF (raw)": mupdf, "qa.ingest.pdf": ours}


def main() -> int:
    source = SEED.read_text(encoding="utf-8")
    title, paragraphs = article_parts(source)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        pdf = chromium_pdf(title, paragraphs, Path(tmp))
        for name, extract in extractors().items():
            try:
                results[name] = scores(source, extract(pdf))
            except ImportError as err:
                results[name] = {"error": str(err)}
    json.dump(results, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
