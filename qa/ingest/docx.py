"""Word ``.docx`` through python-docx: the body's paragraphs and tables, in order."""

from __future__ import annotations

import io

from .document import Document, make_document, paragraphs_text, table_lines
from .text import sniff
from ..errors import DocumentError, isolate


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
    """The text of a ``.docx``: each body paragraph, and each table a line a row
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
        raise DocumentError(f"{name} cannot be read as a Word document ({type(err).__name__}); "
                            "it may be another ZIP file or damaged",
                            f"تعذرت قراءة {isolate(name)} مستندَ Word؛ ربما هو ملف ZIP آخر أو ملف تالف.") from None
    out: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            out.extend(table_lines(table_rows(block)))
    return out


def load_docx(name: str, data: bytes, origin: str = "") -> Document:
    """A ``.docx`` as a ``Document``, one paragraph per line.

    Raises:
        DocumentError: as ``docx_paragraphs``, or no text in it.
    """
    return make_document(name, paragraphs_text(docx_paragraphs(data, name)), origin=origin)
