"""PDF: the text layer, read with pdfplumber (pdfminer.six), in logical order.

PDF files store glyphs in the order they are drawn. For Arabic that is visual order
(right-to-left text drawn left to right) and often in Arabic Presentation Forms (shaped
glyphs such as U+FEB3). Every extractor measured returns some of that as is (pypdf#1296,
pdfminer.six#850, docling#1938). Each line is therefore put back into logical order with
the Unicode bidirectional algorithm (python-bidi, the Rust ``unicode-bidi`` crate) run on
the visual line with a right-to-left base direction when the line holds Arabic letters:
reordering twice is the identity for lines of right-to-left letters with left-to-right
runs (digits, Latin words), which is what a news line holds. Only then is the line
NFKC-normalised, which turns presentation forms into letters; normalising first would
split a lam-alef ligature into "لأ" and the reversal would then write "أل".

Lines become paragraphs by layout: a vertical gap larger than ``PARAGRAPH_GAP`` times the
line height, or a change of page, starts a new paragraph; the lines of one paragraph are
joined with a space. Measured on the seed article printed to PDF by headless Chromium
(``python -m bench.formats``; figures in docs/formats.md): word-sequence similarity with
the source 0.995 here, against 0.002 for pdfplumber's raw text, 0.35 for pypdfium2 and
0.98 for PyMuPDF (AGPL; not taken).
"""

from __future__ import annotations

import io
import re
import unicodedata

from .document import Document, make_document, paragraphs_text
from .text import sniff
from ..errors import DocumentError

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# A gap between lines larger than the page's usual line gap plus this share of the line's
# height starts a paragraph. Chromium prints <p> with a 1em margin: on the seed article
# (14 pt Noto Naskh) gaps are 10 pt inside a paragraph and 23-24 pt between paragraphs.
PARAGRAPH_GAP = 0.5
# Characters of another font (a fallback font for quotes or dashes) sit a few points
# higher or lower on the same line: group characters whose tops differ by less than this
# share of the page's median character size (pdfplumber's y_tolerance).
Y_TOLERANCE_RATIO = 0.6
# Fewer letters than this per page on average means there is no usable text layer.
MIN_LETTERS_PER_PAGE = 20
MAX_PAGES = 200


def logical_line(visual: str) -> str:
    """One line of a PDF's text layer in logical order, NFKC-normalised (see the module notes)."""
    if _ARABIC.search(visual):
        from bidi import get_display

        visual = get_display(visual, base_dir="R")
    return unicodedata.normalize("NFKC", visual)


def pdf_paragraphs(data: bytes, name: str = "file.pdf") -> list[str]:
    """The paragraphs of a PDF's text layer, in logical order.

    Raises:
        DocumentError: not a PDF (with what it is instead, e.g. a ZIP archive), encrypted,
            damaged, more than ``MAX_PAGES`` pages, or without a text layer (scanned pages).
    """
    if not data.lstrip()[:5] == b"%PDF-":
        what = sniff(data)
        raise DocumentError(f"{name}: is not a PDF" + (f" (it is {what})" if what else "")
                            + "; upload the original file")
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    paragraphs: list[str] = []
    letters = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise DocumentError(f"{name}: has {len(pdf.pages)} pages; the limit is {MAX_PAGES}")
            n_pages = len(pdf.pages)
            for page in pdf.pages:
                sizes = sorted(c["size"] for c in page.chars)
                if not sizes:
                    continue
                lines = page.extract_text_lines(return_chars=False,
                                                y_tolerance=Y_TOLERANCE_RATIO * sizes[len(sizes) // 2])
                gaps = sorted(b["top"] - a["bottom"] for a, b in zip(lines, lines[1:]))
                usual = gaps[len(gaps) // 5] if gaps else 0.0  # the 20th percentile: a line gap
                current: list[str] = []
                for i, line in enumerate(lines):
                    text = logical_line(line["text"])
                    letters += sum(ch.isalpha() for ch in text)
                    height = max(line["bottom"] - line["top"], 1.0)
                    if current and line["top"] - lines[i - 1]["bottom"] > usual + PARAGRAPH_GAP * height:
                        paragraphs.append(" ".join(current))
                        current = []
                    current.append(text)
                if current:
                    paragraphs.append(" ".join(current))
    except DocumentError:
        raise
    except PDFPasswordIncorrect:
        raise DocumentError(f"{name}: is password-protected; save an unprotected copy and upload that") from None
    except Exception as err:  # pdfminer raises many types on damaged files
        raise DocumentError(f"{name}: cannot be read as a PDF ({type(err).__name__}); it may be damaged") from None
    if letters < MIN_LETTERS_PER_PAGE * max(n_pages, 1):
        raise DocumentError(f"{name}: has no text layer (a scanned or image-only PDF); run it through OCR "
                            "(for example ocrmypdf) or copy the text into a .txt file")
    return paragraphs


def load_pdf(name: str, data: bytes, origin: str = "") -> Document:
    """A PDF's text layer as a ``Document``: one paragraph per line (see ``pdf_paragraphs``).

    Raises:
        DocumentError: as ``pdf_paragraphs``.
    """
    return make_document(name, paragraphs_text(pdf_paragraphs(data, name)), origin=origin)
