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

Two things the reordering alone got wrong (a trial's PDFs, printed by Chromium from
right-to-left pages). Mirrored characters: the text layer records the glyph drawn, and a
Bidi_Mirrored character (brackets, « », ‹ ›, < >) at a right-to-left level is drawn with its
mirror's glyph (UAX #9, rule L4), so «(حسب البيان).» read back as «)حسب البيان(.» and
«نحن سعداء» with its guillemets swapped; python-bidi reorders without mirroring, and shows its
levels only in a debug dump (per UTF-8 byte). ``mirror_back`` resolves each mirrored character's direction in the reordered line as
UAX #9 resolves neutrals (bracket pairs by N0, then the strong characters on each side, N1/N2,
the base direction at the ends) and writes the mirror back where it is right to left:
"f(x)" or "Alphabet (Google)" between left-to-right letters stays. Latin lines of a
right-to-left paragraph: an English paragraph on a right-to-left page is a right-to-left
paragraph, its final full stop drawn at its left (".The office will employ 120 engineers, the
company said"), but a line without Arabic letters was never reordered. In a document holding
Arabic letters, a Latin line is reordered too when it starts, at its left, with punctuation that
ends a clause (no line starts so in logical order), or, in a document mostly in Arabic letters,
when it ends its paragraph and is right-aligned in the page's text column but not left-aligned
(``_right_to_left_line``); a line inside a paragraph is not judged by alignment, as its right
end may hold a comma that belongs there. An English document, and a left-aligned
English paragraph of an Arabic one, read as before. Measured on six Chromium prints (Arabic
pages with English paragraphs, one- to three-line, bracketed Latin names, guillemets and
quotations, some ``dir="ltr"`` or centred; English pages with brackets, one with an Arabic
paragraph and a right-aligned signature; docs/formats.md): 34 of 37 paragraphs read exactly as
written, against 21 before; each of the three others is still off by one thing the visual line
alone does not tell ("2025 was a record year" reads "was a record year 2025", «5%» reads «%5»,
an English paragraph opening with a quotation mark has it at its first line's end). The English
pages and the seed article read exactly as before.

Lines become paragraphs by layout: a baseline distance larger than the page's line pitch
(``_line_pitch``) plus ``PARAGRAPH_GAP`` times the font size starts a new paragraph, as does a
change of font size (``SIZE_CHANGE``), and a page ending
mid-sentence continues on the next; the lines of one paragraph are joined with a space.
Running headers and footers (what a browser prints by default: date, title, address, page
"1/2") are left out by their place and size (``MARGIN_BAND``); before, the date and title
became the headline and the address a cited paragraph. On the first page the article starts
at its headline, the first line in the page's largest size when that is a heading's
(``HEADLINE_SIZE``): a site's navigation bar above it is left out. A footer after the
article is kept (nothing in its layout tells it from a last paragraph), except a trailing
copyright notice (``without_copyright_notice``).
Measured on the seed article printed to PDF by headless Chromium (``python -m
bench.formats``; docs/formats.md): word-sequence similarity with the source 1.0 here,
against 0.002 for pdfplumber's raw text, 0.995 for pdfplumber + NFKC + line reversal,
0.35 for pypdfium2 and 0.98 for PyMuPDF (AGPL, not taken).

Tables are found by pdfplumber's table finder with its "lines" strategy (``TABLE_SETTINGS``):
Chromium prints a ``<table>`` with CSS borders as filled rectangles, whose edges enclose the
cells. A grid (``_is_grid``: two rows and two columns or more, every column filled in two
rows) is read cell by cell, each line of a cell through ``logical_line``, a right-to-left
table from the right (``table_rows``), and written as Word and HTML tables are
(``qa.ingest.document.table_lines``: a row a line, each cell after its column's heading) at
the table's place among the paragraphs; its characters are left out of the page's lines. A
table a page break cuts goes on under its first page's headings. Before, a ruled table's
cells ran into one line («Year Containers handled (TEU) Ships 2022 1,650,000 ...»). Measured
on Chromium prints of a 4-row, 3-column table in English and Arabic (docs/formats.md): the
"lines" strategy finds the collapsed-border and ``border="1"`` tables exactly (4 x 3) and
nothing on the seed article; the "text" strategy (columns from aligned words) took each page
of the seed for one table of word fragments (51 x 8 and 21 x 8 cells) and each page holding
a borderless table for one table too (24 x 3, 37 x 8), so it is not used. A table without
vertical rules (borderless, rules between rows only, zebra stripes) is not found: it reads as
before (a row a line without headings when borderless, its rows run together into one line
under rules between rows).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from statistics import median_high

from .document import Document, make_document, paragraphs_text, table_lines

# pdfminer (under pdfplumber) logs a WARNING per font without a bounding box ("Could not get
# FontBBox"), which Chromium's PDFs trigger; the text is extracted all the same
logging.getLogger("pdfminer").setLevel(logging.ERROR)
log = logging.getLogger(__name__)
from .text import sniff
from ..errors import DocumentError, isolate

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
# A distance between baselines larger than the page's usual line pitch plus this share of
# the font size starts a paragraph. Chromium prints <p> with a 1em margin: on the seed
# article (14 pt Noto Naskh) the pitch is 24 pt inside a paragraph and 38 pt between them.
PARAGRAPH_GAP = 0.5
# A line pitch of this many font sizes or more is taken for one between paragraphs: a
# browser sets text at line-height "normal", 1.0-1.2 sizes for most fonts (CSS 2.1,
# section 10.8.1, recommends 1.0-1.2; Noto Naskh Arabic, a tall script, measures 1.71 on
# the seed's PDF), and gives a <p> a margin of one font size (the HTML standard's rendering
# section), so the pitch between one-line paragraphs is 2.0-2.7 sizes.
SINGLE_LINE_PITCH = 2.0
# Two lines whose font sizes differ by more than this share are not one paragraph (a 13 px
# byline above 16 px body text had run into the first paragraph); a share, not points, so
# that the rounding of sizes in a PDF (a few hundredths of a point) never splits a paragraph.
# Adjacent font sizes differ by a factor of about 1.2 (CSS 2.1, section 15.7, suggests 1.2
# between adjacent size keywords; 13 px against 16 px is 1.23), i.e. by 17 % or more of the
# larger: 10 % sits between that and the rounding.
SIZE_CHANGE = 0.1
# Characters of another font (a fallback font for quotes or dashes) sit a few points
# higher or lower on the same line: group characters whose tops differ by less than this
# share of the page's median character size (pdfplumber's y_tolerance).
Y_TOLERANCE_RATIO = 0.6
# Fewer letters than this per page on average means there is no usable text layer.
MIN_LETTERS_PER_PAGE = 20
MAX_PAGES = 200
# Running headers and footers (a browser's date, title, address and "1/2"; a publication's
# running head and page number) sit in the page margin in a smaller font than the body.
# Chromium prints them within the top and bottom 0.4 in of an 11 in page (3.6 %), Word's
# default header and footer sit 0.5 in from the edge (4.5 %): a line wholly inside the outer
# ``MARGIN_BAND`` of the page height, in a font below the body's, is left out.
MARGIN_BAND = 0.05
# A line set this many times the body size or larger is a heading: the HTML standard's
# rendering section gives h1 2em and h2 1.5em. On the first page, lines above the first
# heading in the page's largest size are page furniture (a site's navigation bar printed
# with the page, «الرئيسية | أخبار»), not the article: they had become its headline.
HEADLINE_SIZE = 1.5
# Sentence-final punctuation (closing quotes and brackets allowed after it): a page whose
# last paragraph does not end so continues on the next page.
_FINAL = re.compile(r"[.!?؟…:][\"'”’»)\]]*\s*$")
# A line of Latin text that starts, at its left, with punctuation that ends a clause (after
# closing quotes or brackets, drawn mirrored or not; an ellipsis may open a quotation) is
# the end of a right-to-left paragraph drawn right to left: no line starts so in logical
# order (Unicode's line breaking, UAX #14, breaks before none of them).
_LEFT_FINAL = re.compile(r"[\s\"'“”‘’«»()\[\]]*(?:[,;:!?]|\.(?!\.))")
# A line is aligned with an edge of the page's text column when it ends within this many font
# sizes of it. Measured (2026-12-06) on the 44 body lines of nine Chromium prints of Arabic and
# English pages made by the seventeenth session's trials (docs/formats.md): a line set
# flush to an edge ends within 0.001 font sizes of it; a line filling a right-to-left column
# starts within 0.246 of its left edge (its ragged end), and the least indented line that does
# not fill it starts 0.521 in. The value sits in that gap, on the side of the filled lines.
ALIGN_TOLERANCE = 0.5


def logical_line(visual: str, right_to_left: bool = False) -> str:
    """One line of a PDF's text layer in logical order, NFKC-normalised (see the module notes).

    A line holding Arabic letters, or any line when ``right_to_left`` (a line of Latin text in
    a right-to-left paragraph, ``_right_to_left_line``), is reordered with a right-to-left base
    direction and its mirrored characters at right-to-left levels are written back as the
    characters they stand for (``mirror_back``); any other line is only normalised.
    """
    if right_to_left or _ARABIC.search(visual):
        from bidi import get_display

        visual = mirror_back(get_display(visual, base_dir="R"))
    return unicodedata.normalize("NFKC", visual)


def _strong_types(text: str) -> list[str | None]:
    """Each character's strong direction for UAX #9's rules N0-N2, ``"L"`` or ``"R"``, or
    ``None`` for a neutral: R and AL are R; EN and AN count as R (N0, N1), except that a
    European number after a left-to-right letter is L (W7; the line's start counts as R)."""
    types: list[str | None] = []
    last = "R"
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("L", "R", "AL"):
            last = "L" if kind == "L" else "R"
            types.append(last)
        elif kind == "EN":
            types.append(last)
        elif kind == "AN":
            types.append("R")
        else:
            types.append(None)
    return types


def _bracket_pairs(text: str, opening: str, closing: str, skip: set[int]) -> list[tuple[int, int]]:
    """The bracket pairs of ``text`` by UAX #9's BD16, as (opening index, closing index) sorted by
    the opening: ``opening`` and ``closing`` are the general categories taken for the opening and
    closing bracket (``"Ps"``, ``"Pe"``; swapped, pairs written the wrong way round); positions in
    ``skip`` are no brackets. A bracket is a character with a mirror of the other category."""
    from bidi.mirror import MIRRORED

    stack: list[int] = []
    pairs = []
    for i, ch in enumerate(text):
        if i in skip or ch not in MIRRORED:
            continue
        category = unicodedata.category(ch)
        if category == opening and unicodedata.category(MIRRORED[ch]) == closing:
            stack.append(i)
        elif category == closing:
            for depth in range(len(stack) - 1, -1, -1):
                if MIRRORED[text[stack[depth]]] == ch:
                    pairs.append((stack[depth], i))
                    del stack[depth:]
                    break
    return sorted(pairs)


def _pair_direction(types: list[str | None], start: int, end: int) -> str | None:
    """The direction UAX #9's N0 gives the bracket pair at ``start`` and ``end`` in a line of
    right-to-left base direction (``types`` from ``_strong_types``): R when a strong R lies
    between them; L when only L does and the strong type before the pair is L too (else R);
    ``None`` when nothing strong lies between them (N1 decides each bracket)."""
    inside = set(types[start + 1:end])
    if "R" in inside:
        return "R"
    if "L" not in inside:
        return None
    before = next((t for t in reversed(types[:start]) if t), "R")
    return "L" if before == "L" else "R"


def mirror_back(logical: str) -> str:
    """A line put in logical order with a right-to-left base direction by python-bidi, with each
    Bidi_Mirrored character that sits at a right-to-left level replaced by its mirror
    (``bidi.mirror.MIRRORED``, python-bidi's copy of Unicode's BidiMirroring.txt).

    A PDF's text layer records the glyph drawn, and UAX #9's rule L4 draws a mirrored character
    at a right-to-left level with its mirror's glyph: «(حسب البيان)» is recorded as ")...(" and
    read back as «)حسب البيان(». python-bidi's Rust backend reorders without mirroring and shows
    its levels only in a debug dump, so the direction of each mirrored character is resolved here as UAX #9
    resolves neutrals, in the logical line, with R at both ends (the base direction). Bracket
    pairs first (N0): a pair still written ``(...)`` that N0 makes L (L inside, L before it, as
    "Alphabet (Google)" or "f(x)") stays; then a pair written ``)...(``, the way a right-to-left
    pair reads back, that N0 makes R is mirrored. Every other mirrored character (guillemets,
    ``<``, a lone bracket) takes the strong direction on both its sides when they agree, else R
    (N1, N2). Returns a string of the same length.
    """
    from bidi.mirror import MIRRORED

    if not any(ch in MIRRORED for ch in logical):
        return logical
    types = _strong_types(logical)
    direction: dict[int, str] = {}
    for opening, closing, keep in (("Ps", "Pe", "L"), ("Pe", "Ps", "R")):
        for start, end in _bracket_pairs(logical, opening, closing, set(direction)):
            if _pair_direction(types, start, end) == keep:
                # a resolved bracket is strong for what follows (N0's context, N1)
                direction[start] = direction[end] = types[start] = types[end] = keep
    chars = list(logical)
    for i, ch in enumerate(logical):
        if ch not in MIRRORED:
            continue
        if i not in direction:
            before = next((t for t in reversed(types[:i]) if t), "R")
            after = next((t for t in types[i + 1:] if t), "R")
            direction[i] = before if before == after else "R"
        if direction[i] == "R":
            chars[i] = MIRRORED[ch]
    return "".join(chars)


_ARABIC_MARK = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")


def _place_marks(chars: list[dict]) -> None:
    """Put each Arabic combining mark (shadda, harakat) just left of its base letter, in place.

    A PDF draws a mark as its own zero-width glyph somewhere over its letter; sorted by x it
    can land after the letter, or a space gets inserted, and the reordered line then reads
    "ر ّده" for "ردّه". In visual order a mark must sit just before (left of) its base so
    that the right-to-left reordering puts it after the base. The base is the letter next
    to it in the content stream whose box holds the mark's centre.
    """
    for i, mark in enumerate(chars):
        if not _ARABIC_MARK.fullmatch(mark["text"]):
            continue
        centre = (mark["x0"] + mark["x1"]) / 2
        for j in (i - 1, i + 1, i - 2, i + 2):
            if 0 <= j < len(chars) and not _ARABIC_MARK.fullmatch(chars[j]["text"]):
                base = chars[j]
                if base["x0"] - 0.5 <= centre <= base["x1"] + 0.5 and abs(base["top"] - mark["top"]) < base["size"]:
                    mark["x0"] = mark["x1"] = base["x0"] - 0.01
                    break


# A line that ends in a hyphen right after a Latin letter ("…hydrogen-" above "powered
# ferry"): the next line goes on the same word.
_HYPHEN_END = re.compile(r"[A-Za-z\u00c0-\u024f]-$")


def _joined(lines: list[str]) -> str:
    """The lines of one paragraph as one line: joined with a space, but after a hyphen that
    ends a line with none (a headline read "hydrogen- powered ferry", a trial). The hyphen
    stays: a word broken at its own hyphen keeps it, and the browsers that print these PDFs
    break other words only when told to (CSS ``hyphens: auto``)."""
    out = ""
    for line in lines:
        out = line if not out else out + ("" if _HYPHEN_END.search(out) else " ") + line
    return out


def _right_to_left_line(line: dict, left: float, right: float, tolerance: float, by_alignment: bool) -> bool:
    """True when a line (pdfplumber's ``extract_text_lines`` entry) of a document holding Arabic
    letters is a line of a right-to-left paragraph, so that ``logical_line`` reorders it even
    without Arabic letters (a line holding some is reordered anyway).

    Either it starts, at its left, with punctuation that ends a clause (``_LEFT_FINAL``), which
    starts no line in logical order: the paragraph's final full stop drawn at its left end.
    Or, when ``by_alignment`` (the line ends its paragraph, in a document mostly in Arabic
    letters), it is right-aligned in the page's text column (``left`` to ``right``, PDF points)
    without being left-aligned (within ``tolerance`` points): a right-to-left paragraph's last
    line ends at its start edge, the right. A line inside a paragraph is not judged by its
    alignment: it fills the column and may end, at its right, in a comma that belongs there; nor
    is one in an English document (a right-aligned signature, "The Editors.").
    """
    if _LEFT_FINAL.match(line["text"]):
        return True
    return by_alignment and right - line["x1"] <= tolerance and line["x0"] - left > tolerance


def _running_head(line: dict, body_size: float, page_height: float) -> bool:
    """True when a text line (pdfplumber's ``extract_text_lines`` entry, PDF points) is a
    running header or footer: wholly inside the top or bottom ``MARGIN_BAND`` of the page,
    in a font smaller than the page's median ``body_size``."""
    if not line["chars"] or median_high(ch["size"] for ch in line["chars"]) >= body_size:
        return False
    return _in_margin(line, page_height)


def _in_margin(line: dict, page_height: float) -> bool:
    """True when a text line lies wholly inside the top or bottom ``MARGIN_BAND`` of the page."""
    return line["bottom"] <= MARGIN_BAND * page_height or line["top"] >= (1 - MARGIN_BAND) * page_height


def _body_distances(baselines: list[float], sizes: list[float], body_size: float,
                    after_tables: frozenset[int] = frozenset()) -> list[float]:
    """The distances between the baselines of consecutive lines in the body's font size (within
    ``SIZE_CHANGE``) that do not overlap (at least that size), in PDF points; with no two
    body lines in a row, those of any two lines. A line whose index is in ``after_tables``
    has a table above it: its distance to the line above the table is no line pitch."""
    pairs = [(b - a, s, t) for i, (a, b, s, t) in enumerate(zip(baselines, baselines[1:], sizes, sizes[1:]), start=1)
             if i not in after_tables]
    body = [d for d, s, t in pairs
            if abs(s - body_size) <= SIZE_CHANGE * body_size and abs(t - body_size) <= SIZE_CHANGE * body_size
            and d >= body_size]
    return body or [d for d, _s, _t in pairs if d >= body_size]


def _wrapped_pitch(distances: list[float], body_size: float) -> float | None:
    """The smallest of ``distances``, in font sizes, when it is known to be a wrapped
    paragraph's line pitch: another distance is that one plus a paragraph margin (one size,
    within ``PARAGRAPH_GAP``); ``None`` when nothing says so."""
    if not distances:
        return None
    pitch = min(distances)
    if any(abs(d - pitch - body_size) <= PARAGRAPH_GAP * body_size for d in distances):
        return pitch / body_size
    return None


def _line_pitch(body: list[float], body_size: float, known_pitch: float | None = None) -> float:
    """The distance between the baselines of two lines of one paragraph, in PDF points.

    The smallest of a page's body-line distances (``_body_distances``), or the body size
    when there are none. Not a percentile of all distances: a news page's paragraphs are
    often one line each, and on a page whose pitches are mostly between paragraphs a
    percentile is that larger pitch, so paragraphs ran together.

    A smallest distance of ``SINGLE_LINE_PITCH`` body sizes or more is one between
    paragraphs (no paragraph on the page wraps): the line pitch is then that distance less
    the paragraph margin, one font size. Unless it is ``known_pitch`` (in font sizes: the line
    pitch this page or another page of the document shows for sure, ``_wrapped_pitch``): then
    the smallest is a wrapped paragraph's, set in a tall script (Noto Sans Arabic at
    line-height "normal" measures 2.14 sizes: every wrapped line of a trial's PDF had become
    a paragraph of its own; in a second trial, those of a paragraph alone on its page).
    """
    pitch = min(body) if body else body_size
    if pitch < SINGLE_LINE_PITCH * body_size:
        return pitch
    if known_pitch is not None and abs(pitch / body_size - known_pitch) <= PARAGRAPH_GAP:
        return pitch
    return pitch - body_size


# pdfplumber's table finder with its "lines" strategy: cells are the boxes that ruled lines and
# rectangle edges enclose. Chromium prints a <table> with CSS borders (``border-collapse``, or the
# ``border="1"`` attribute) as filled rectangles, which this finds; the "text" strategy (columns
# from aligned words) took each page of the seed article for one table of word fragments
# (51 x 8 and 21 x 8 cells) and never isolated a borderless table from the prose around it.
TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}


def _is_grid(table) -> bool:
    """True when a pdfplumber ``Table`` is a grid: two rows or more, two columns or more, and
    every column holding cells in two rows or more. Two rows of side-by-side bordered boxes
    (a flex layout) made a 2 x 3 "table" whose inner columns held one box each; a merged
    cell (colspan) leaves a gap in one row only. A lone shaded row (a zebra-striped or filled
    heading row of a table without borders) is one row: no grid."""
    rows, columns = table.rows, table.columns
    return (len(rows) >= 2 and len(columns) >= 2
            and all(sum(cell is not None for cell in column.cells) >= 2 for column in columns))


def _inside(char: dict, bbox: tuple) -> bool:
    """True when a character's centre lies in ``bbox`` (x0, top, x1, bottom; PDF points): the
    rule pdfplumber's ``Table.extract`` assigns characters to cells by."""
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return bbox[0] <= x < bbox[2] and bbox[1] <= y < bbox[3]


def table_rows(table, y_tolerance: float, page_chars: list[dict]) -> list[list[str]]:
    """A pdfplumber ``Table``'s cell texts, a list a row in logical column order (for
    ``table_lines``).

    Each visual line of a cell goes through ``logical_line`` (bidi reordering, NFKC), and a
    cell's lines are joined with a space; a grid position without a cell of its own (a merged
    cell) is ``""``. The columns are reversed (rightmost first) when the table holds more Arabic
    letters than other letters, or, holding no letters, when the page (``page_chars``) does: a
    right-to-left table is laid out from the right. ``y_tolerance`` (PDF points) groups a
    cell's characters into lines, as for the page's lines.
    """
    rows = [[" ".join(logical_line(line) for line in (cell or "").split("\n")) for cell in row]
            for row in table.extract(y_tolerance=y_tolerance)]
    text = "".join(c for row in rows for c in row)
    arabic = sum(1 for ch in text if ch.isalpha() and _ARABIC.match(ch))
    other = sum(1 for ch in text if ch.isalpha()) - arabic
    if arabic == other == 0:
        page = "".join(ch["text"] for ch in page_chars)
        arabic = sum(1 for ch in page if ch.isalpha() and _ARABIC.match(ch))
        other = sum(1 for ch in page if ch.isalpha()) - arabic
    if arabic <= other:
        return rows
    # a merged cell's text sits at its leftmost grid position; right to left it belongs at its
    # rightmost one, the first it spans in reading order (so it takes that column's heading)
    starts = sorted({cell[0] for cell in table.cells})
    for texts, row in zip(rows, table.rows):
        for j, cell in enumerate(row.cells):
            if cell is None:
                continue
            last = max(k for k, x in enumerate(starts) if x < cell[2])
            if last != j and not texts[last]:
                texts[j], texts[last] = "", texts[j]
    return [row[::-1] for row in rows]


def pdf_paragraphs(data: bytes, name: str = "file.pdf") -> list[str]:
    """The paragraphs of a PDF's text layer, in logical order; a ruled table a line a row
    (``table_lines``) at its place among them (see the module notes).

    Raises:
        DocumentError: not a PDF (with what it is instead, e.g. a ZIP archive), encrypted,
            damaged, more than ``MAX_PAGES`` pages, or without a text layer (scanned pages).
    """
    if not data.lstrip()[:5] == b"%PDF-":
        what = sniff(data)
        raise DocumentError(f"{name} is not a PDF" + (f": it is {what}" if what else "")
                            + ". Use the original file instead", f"{isolate(name)} ليس ملف PDF؛ استخدم الملف الأصلي بدلا منه.")
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect

    paragraphs: list[str] = []
    letters = 0
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise DocumentError(f"{name} has {len(pdf.pages)} pages; the limit is {MAX_PAGES}",
                                    f"في {isolate(name)} {len(pdf.pages)} صفحة، والحد {MAX_PAGES}.")
            n_pages = len(pdf.pages)
            # (body size, lines, their sizes, their baselines, body distances, tables), page by page;
            # a table is (the index of the first line below it, its rows)
            pages = []
            for page in pdf.pages:
                _place_marks(page.chars)
                if not page.chars:
                    continue
                size = median_high(c["size"] for c in page.chars)
                y_tolerance = Y_TOLERANCE_RATIO * size
                found = sorted((t for t in page.find_tables(TABLE_SETTINGS) if _is_grid(t)), key=lambda t: t.bbox[1])
                text_page = page
                if found:
                    # a table's characters are read as its rows, not also as lines of the page
                    boxes = [t.bbox for t in found]
                    text_page = page.filter(lambda obj: obj.get("object_type") != "char"
                                            or not any(_inside(obj, box) for box in boxes))
                lines = text_page.extract_text_lines(return_chars=True, y_tolerance=y_tolerance)
                lines = [line for line in lines if not _running_head(line, size, float(page.height))]
                if all(_in_margin(line, float(page.height)) for line in lines):
                    # only the margins hold text: a browser's printed date and address over an
                    # image, all in one size, so none is smaller than the "body" (a trial's scan
                    # became an article of "12/7/26, 4:44 AM" and "file:///…")
                    lines = []
                tables = [(sum(line["top"] < t.bbox[1] for line in lines), table_rows(t, y_tolerance, page.chars))
                          for t in found]
                tables = [(at, rows) for at, rows in tables if any(any(row) for row in rows)]
                if not lines and not tables:
                    continue
                # a line's baseline: the median bottom of its characters (a few glyphs of a
                # fallback font sit higher or lower)
                line_sizes = [median_high(ch["size"] for ch in line["chars"]) for line in lines]
                if not pages and line_sizes and max(line_sizes) >= HEADLINE_SIZE * size:
                    # the article starts at its headline (see HEADLINE_SIZE); a table above it
                    # is page furniture too
                    first = line_sizes.index(max(line_sizes))
                    lines, line_sizes = lines[first:], line_sizes[first:]
                    tables = [(at - first, rows) for at, rows in tables if at > first]
                baselines = [median_high(ch["bottom"] for ch in line["chars"]) for line in lines]
                body = _body_distances(baselines, line_sizes, size, frozenset(at for at, _rows in tables))
                pages.append((size, lines, line_sizes, baselines, body, tables))
            # the line pitch a page shows for sure (a paragraph margin beside it) holds for a page
            # that cannot show it (one paragraph alone on it)
            shown = [_wrapped_pitch(body, size) for size, _l, _s, _b, body, _t in pages]
            document_pitch = min((p for p in shown if p is not None), default=None)
            # a line of Latin text in a document with Arabic letters may belong to a right-to-left
            # paragraph; by its alignment only in one mostly in Arabic (see _right_to_left_line)
            raw = "".join(line["text"] for page in pages for line in page[1])
            arabic = sum(1 for ch in raw if ch.isalpha() and _ARABIC.match(ch))
            rtl_document = arabic > sum(1 for ch in raw if ch.isalpha()) - arabic
            # the rows of the table read last, written (table_lines) when something else follows:
            # a table broken by a page goes on at the top of the next page
            table: list[list[str]] = []

            def end_table() -> None:
                paragraphs.extend(table_lines(table))
                table.clear()

            for number, ((size, lines, line_sizes, baselines, body, tables), own) in enumerate(zip(pages, shown)):
                usual = _line_pitch(body, size, document_pitch if own is None else own)

                def new_paragraph(i: int) -> bool:
                    """Line ``i`` (not the page's first) starts a paragraph by its layout: further
                    below the line above than the line pitch allows (a larger font has a
                    proportionally larger pitch), or in another font size (a byline, a subhead)."""
                    line_size, above = line_sizes[i], line_sizes[i - 1]
                    return (baselines[i] - baselines[i - 1] > usual * line_size / size + PARAGRAPH_GAP * line_size
                            or abs(line_size - above) > SIZE_CHANGE * max(line_size, above))

                # the page's text column (PDF points), for a line's alignment (a page of tables
                # alone has no lines, and then no line to judge: the defaults are never read)
                left = min((line["x0"] for line in lines), default=0.0)
                right = max((line["x1"] for line in lines), default=0.0)
                ended_in_table = bool(table)
                # the table the last page ended with goes on when this page starts with one as
                # wide (Chromium repeats a <thead> on every page; without one the rest has no headings)
                goes_on = ended_in_table and bool(tables) and tables[0][0] == 0 and len(tables[0][1][0]) == len(table[0])
                if ended_in_table and not goes_on:
                    end_table()
                current: list[str] = []
                if not ended_in_table and paragraphs and not _FINAL.search(paragraphs[-1]):
                    # the last page ended mid-sentence: its paragraph goes on here
                    current = [paragraphs.pop()]
                for i in range(len(lines) + 1):
                    for at, rows in tables:
                        if at != i:
                            continue
                        if current:
                            paragraphs.append(_joined(current))
                            current = []
                        letters += sum(ch.isalpha() for row in rows for cell in row for ch in cell)
                        if goes_on:
                            table.extend(rows[1:] if rows[0] == table[0] else rows)  # a repeated <thead> once
                            goes_on = False
                        else:
                            end_table()
                            table.extend(rows)
                    if i == len(lines):
                        break
                    if table:
                        end_table()
                    # the line ends its paragraph: a paragraph or a table follows, or the document ends
                    ends = (i + 1 == len(lines) and number + 1 == len(pages)
                            or i + 1 < len(lines) and new_paragraph(i + 1) or any(at == i + 1 for at, _r in tables))
                    text = logical_line(lines[i]["text"], arabic > 0 and _right_to_left_line(
                        lines[i], left, right, ALIGN_TOLERANCE * size, ends and rtl_document))
                    letters += sum(ch.isalpha() for ch in text)
                    if i and current and new_paragraph(i):
                        paragraphs.append(_joined(current))
                        current = []
                    current.append(text)
                if current:
                    paragraphs.append(_joined(current))
            end_table()
    except DocumentError:
        raise
    except PDFPasswordIncorrect:
        raise DocumentError(f"{name} is password-protected; save an unprotected copy and upload that",
                            f"{isolate(name)} محمي بكلمة سر؛ احفظ نسخة غير محمية وارفعها.") from None
    except Exception as err:  # pdfminer raises many types on damaged files
        # the library's error type is for the log, not for the reader (a trial saw "(PdfminerException)")
        log.info("%s: pdfminer could not read it: %s: %s", name, type(err).__name__, err)
        raise DocumentError(f"{name} cannot be read as a PDF; it may be damaged",
                            f"تعذرت قراءة {isolate(name)} ملفَ PDF؛ ربما هو تالف.") from None
    if letters < MIN_LETTERS_PER_PAGE * max(n_pages, 1):
        raise DocumentError(f"{name} has no text layer (a scanned or image-only PDF); run it through OCR "
                            "(for example ocrmypdf) or copy the text into a .txt file",
                            f"لا طبقة نص في {isolate(name)} (PDF ممسوح ضوئيا أو صور فقط)؛ مرّره على برنامج "
                            "للتعرف الضوئي على الحروف (OCR) أو انسخ نصه في ملف ⁨.txt⁩.")
    return without_copyright_notice(paragraphs)


def without_copyright_notice(paragraphs: list[str]) -> list[str]:
    """``paragraphs`` without the copyright notice a printed web page ends with: the trailing
    paragraphs holding the copyright sign (U+00A9 "©", the notice's form in the Universal
    Copyright Convention, 1952, Art. III: the symbol, the owner's name and the year), and none
    if every paragraph would go. A Chromium print of a news page ends with its footer («© 2026
    جريدة الصباح - جميع الحقوق محفوظة», "© 2026 Example News. All rights reserved."), which the
    HTML reader drops with the page's ``<footer>`` and the PDF reader kept: three trial PDFs of
    four, and it was quoted as the answer ("How much did it cost?"). Nothing else of a footer is
    told from a last paragraph ("Contact us · Privacy policy" stays)."""
    end = len(paragraphs)
    while end > 1 and "©" in paragraphs[end - 1]:
        end -= 1
    return paragraphs[:end]


def load_pdf(name: str, data: bytes, origin: str = "") -> Document:
    """A PDF's text layer as a ``Document``: one paragraph per line (see ``pdf_paragraphs``).

    Raises:
        DocumentError: as ``pdf_paragraphs``.
    """
    return make_document(name, paragraphs_text(pdf_paragraphs(data, name)), origin=origin)
