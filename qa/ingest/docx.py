"""Word ``.docx`` through python-docx: the body's paragraphs and tables, in order."""

from __future__ import annotations

import io
import logging

from .document import Document, join_list, make_document, paragraphs_text, table_lines
from .text import sniff
from ..errors import DocumentError, isolate

log = logging.getLogger(__name__)


def table_rows(table) -> list[list[str]]:
    """A python-docx ``Table``'s cell texts, a list a row (for ``table_lines``). A merged cell
    (python-docx gives it once per grid column it spans) is taken once; a cell's paragraphs
    are joined by a space."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        rows.append(cells)
    return rows


def docx_paragraphs(data: bytes, name: str = "file.docx") -> list[str]:
    """The text of a ``.docx``: each body paragraph (a list, ``is_list_paragraph``, one with
    the paragraph before it, each item after a ``LIST_BREAK``: ``join_list``), and each table a line a row
    (``qa.ingest.document.table_lines``: a cell alone, "Q3", was quoted as the answer to
    "What were Q3 sales?", a trial), in document order (headers, footers and comments are
    left out).

    Raises:
        DocumentError: not a ZIP-based Word document (an old binary ``.doc``, a renamed
            file) or damaged.
    """
    if not data.startswith(b"PK\x03\x04"):
        what = sniff(data)
        hint = " (an old Word .doc: save it as .docx)" if what and "old Office" in what else (
            f" (it is {what})" if what else "")
        raise DocumentError(f"{name} is not a Word .docx document{hint}",
                            f"{isolate(name)} ليس مستند Word بصيغة ⁨.docx⁩"
                            + ("؛ احفظه بصيغة ⁨.docx⁩." if "old Word" in hint else "."))
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises KeyError/BadZipFile/ValueError on foreign zips
        # the library's error type is for the log, not for the reader (a trial saw "(BadZipFile)")
        log.info("%s: python-docx could not open it: %s: %s", name, type(err).__name__, err)
        raise DocumentError(f"{name} cannot be read as a Word document; it may be another ZIP file or damaged",
                            f"تعذرت قراءة {isolate(name)} مستندَ Word؛ ربما هو ملف ZIP آخر أو ملف تالف.") from None
    out: list[str] = []
    items: list[str] = []  # the list being read
    lead_in = list_lead = False  # whether the last line may introduce a list; when the list began
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph) and is_list_paragraph(block):
            if not items:
                list_lead = lead_in
            items.append(block.text)
            continue
        if items:
            join_list(out, items, list_lead)
            items = []
        if isinstance(block, Paragraph):
            out.append(block.text)
            lead_in = bool(block.text.strip()) and not _is_heading(block)
        elif isinstance(block, Table):
            out.extend(table_lines(table_rows(block)))
            lead_in = False
    join_list(out, items, list_lead)
    return out


def _is_heading(paragraph) -> bool:
    """Whether a paragraph is a heading or the title (Word's built-in styles)."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    return name.startswith(("Heading", "Title", "Subtitle"))


def is_list_paragraph(paragraph) -> bool:
    """Whether a python-docx ``Paragraph`` is a list item: numbered or bulleted by Word
    (a ``w:numPr`` of its own or from its style or the styles it is based on, numbering id 0
    meaning none; "List Bullet", "List Number"), headings (numbered or not) excepted. Word
    draws the numbers and bullets; the text has neither, as before."""
    if _is_heading(paragraph):
        return False
    elements = [paragraph._p]
    style = paragraph.style
    while style is not None:
        elements.append(style.element)
        style = style.base_style
    for element in elements:
        ppr = element.pPr
        num = ppr.numPr if ppr is not None else None
        if num is not None:
            return num.numId is None or num.numId.val != 0
    return False


def load_docx(name: str, data: bytes, origin: str = "") -> Document:
    """A ``.docx`` as a ``Document``, one paragraph per line.

    Raises:
        DocumentError: as ``docx_paragraphs``, or no text in it.
    """
    return make_document(name, paragraphs_text(docx_paragraphs(data, name)), origin=origin)
