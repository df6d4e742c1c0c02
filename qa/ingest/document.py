"""The ``Document`` every format becomes, and the cleaning all extracted text goes through."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import DocumentError, isolate


@dataclass(frozen=True)
class Document:
    """One article.

    Attributes:
        source: the label citations name: a file name (no folder), or for a web page
            ``"<title> — <url>"``; unique within a collection.
        text: the extracted text, one paragraph per line. Citation offsets index into it
            (for a UTF-8 ``.txt`` without invisible format characters it is the file as on
            disk; for a ``.md`` it is the text without the markup, ``qa.ingest.markdown``);
            it is what the article panel shows.
        origin: where it came from (a path or a URL; ``""`` for text given in memory).
        title: the article's title when the format states one (HTML ``<title>``, a web page,
            a Markdown file's front matter).
        date: the article's publication date as ISO ``YYYY-MM-DD`` when known (``""``
            otherwise); retrieval filters by it (``qa.stores.base.StoreFilter``).
    """

    source: str
    text: str
    origin: str = ""
    title: str = ""
    date: str = ""


# Invisible format characters (Unicode category Cf): bidi embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), marks (U+200E/U+200F, U+061C), zero-width space/joiners and
# the byte-order mark. An override such as U+202E shows the text reversed in the article
# panel; none of them carries meaning for retrieval. ZWNJ (U+200C) is kept: it changes how
# Persian and Urdu words are written.
# The Cf characters of Unicode 14 (Python 3.11's unicodedata) but ZWNJ, as ranges: scanning
# all code points at import took 0.33 s; tests/test_ingest.py checks this list against
# unicodedata.
_FORMAT_RE = re.compile("[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b"
                        "\u200d-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
                        "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3"
                        "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
# C0/C1 control characters other than tab, newline and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def remove_format_characters(text: str) -> str:
    """``text`` without invisible format characters (Unicode category Cf, ZWNJ kept)."""
    return _FORMAT_RE.sub("", text)


def clean_text(text: str) -> str:
    """Text ready to index and show: invisible format characters removed, other control
    characters (form feeds, NUL...) turned into spaces, ``\\r\\n``/``\\r`` kept as they are
    (a paragraph is a line either way)."""
    return _CONTROL.sub(" ", remove_format_characters(text))


def make_document(source: str, text: str, *, origin: str = "", title: str = "", date: str = "") -> Document:
    """A ``Document`` of cleaned ``text`` (``date``: ISO ``YYYY-MM-DD`` or ``""``).

    Raises:
        DocumentError: nothing but whitespace is left, or no word: punctuation alone («؟؟ ...»
            was indexed and called an English article, a trial). The message names ``source``.
    """
    text = clean_text(text)
    if not text.strip():
        raise DocumentError(f"{source} is empty: no text found", f"{isolate(source)} فارغ: لا نص فيه.")
    if not re.search(r"\w", text):
        raise DocumentError(f"{source} holds no words (punctuation only)", f"لا كلمات في {isolate(source)}: علامات ترقيم فقط.")
    return Document(source=source, text=text, origin=origin, title=title, date=date)


# Parts a paragraph with its list: a list's items (and the paragraph that introduces it) are
# one paragraph, one line of ``Document.text``, each item after U+2028 LINE SEPARATOR (a line
# break inside a paragraph, Unicode's own; ``str.splitlines`` and the article panel break
# there, the splitter's paragraphs do not). Each item stays a sentence unit of its own
# (``qa.splitting``) and a quote of one takes the whole list (``qa.answering``).
LIST_BREAK = "\u2028"


def paragraphs_text(paragraphs: list[str]) -> str:
    """Paragraphs as the splitter reads them: one per line, inner whitespace runs (line
    breaks within a paragraph, tabs) collapsed to one space, empty ones dropped. A
    ``LIST_BREAK`` inside a paragraph (before each item of its list) is kept, the parts on
    either side collapsed the same way and empty parts dropped."""
    out = []
    for p in paragraphs:
        p = LIST_BREAK.join(part for part in (" ".join(x.split()) for x in p.split(LIST_BREAK)) if part)
        if p:
            out.append(p)
    return "\n".join(out)


def join_list(lines: list[str], items: list[str], lead_in: bool) -> None:
    """Add a list's ``items`` to ``lines`` as one paragraph: after the last line with a
    ``LIST_BREAK`` before each item when ``lead_in`` (that line introduces the list), else as
    a new line, its items parted by ``LIST_BREAK``. Empty items are left out."""
    items = [x for x in items if x.strip()]
    if not items:
        return
    if lead_in and lines:
        lines[-1] = LIST_BREAK.join([lines[-1], *items])
    else:
        lines.append(LIST_BREAK.join(items))


_NUMBER_CELL = re.compile(r"[\d\s.,%+\-−()]+")
_MARKDOWN_RULE = re.compile(r"\|(?:\s*:?-{3,}:?\s*\|)+")


def _plain_rows(rows: list[list[str]]) -> list[str]:
    """Each row as ``"| cell | cell |"``."""
    return ["| " + " | ".join(row) + " |" for row in rows]


def table_lines(rows: list[list[str]]) -> list[str]:
    """A table as lines a reader can quote one at a time: a row a line, ``"| cell | cell |"``.

    When the first row reads as column headings (the table has two rows or more, and every
    cell of the first is filled and not a number) each later row carries them, ``"| Quarter:
    Q3 | Revenue (m EUR): 131 |"``, and the headings get no line of their own: a row alone
    does not say what its numbers are (the twenty-sixth trial asked "What was revenue in the
    third quarter?" and got the headings' row), and a passage is read alone. Empty rows are
    left out; a cell beyond the headings is written as it is.

    Args:
        rows: the table's rows, each a list of cell texts (whitespace inside is collapsed).

    Returns:
        The lines, in row order; ``[]`` for a table without text.
    """
    rows = [[" ".join(c.split()) for c in row] for row in rows]
    rows = [row for row in rows if any(row)]
    if not rows:
        return []
    head = rows[0]
    if len(rows) < 2 or not all(head) or any(_NUMBER_CELL.fullmatch(c) for c in head):
        return _plain_rows(rows)
    lines = []
    for row in rows[1:]:
        cells = [f"{head[i]}: {c}" if i < len(head) else c for i, c in enumerate(row) if c]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown_tables(lines: list[str]) -> list[str]:
    """``lines`` with each Markdown table in them (what trafilatura writes for an HTML
    ``<table>``: ``| a | b |`` rows, the second a ``|---|---|`` rule under the headings)
    written by ``table_lines``; other lines as they are."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not (lines[i].strip().startswith("|") and lines[i].strip().endswith("|")):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].strip().startswith("|") and lines[j].strip().endswith("|"):
            j += 1
        block = [line.strip() for line in lines[i:j]]
        headed = len(block) > 1 and _MARKDOWN_RULE.fullmatch(block[1].replace(" ", "")) is not None
        rows = [[c.strip() for c in line[1:-1].split("|")] for k, line in enumerate(block) if not (headed and k == 1)]
        out.extend(table_lines(rows) if headed else _plain_rows([r for r in rows if any(r)]))
        i = j
    return out
