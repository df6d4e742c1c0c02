"""Markdown (``.md``): the text a reader of the rendered page sees, through markdown-it-py.

A ``.md`` file used to be read as plain text, so answers quoted its markup («المدير الجهوي
للشركة، **سامي بن علي**»), the headline came as «# أزمة المياه …» and the article panel showed
the marks (a trial). Citations are offsets into ``Document.text``, so the markup has to go
before the document is made, not when an answer is shown.

The bytes are decoded as a ``.txt`` file's are (``qa.ingest.text.decode_text``: UTF-8,
UTF-16, legacy code pages), then parsed by markdown-it-py (CommonMark, with GitHub's pipe
tables and strikethrough; MIT, the executablebooks project) and its token stream is walked:

* a heading, a paragraph and each paragraph of a block quote is a line; a list (its items,
  nested lists' too) is one with the paragraph just before it, which introduces it ("The
  works went in three stages:"), each item after a ``LIST_BREAK`` (a list after a heading,
  a table or code, or opening the text, is a line of its own): a passage and a quote hold
  the list whole, each item stays a sentence unit (``qa.splitting``). An ordered list's
  items keep the numbers a rendered page shows, "2. Building …"; a bullet's marker is
  dropped; a hard line break starts a new line, a single newline inside a
  paragraph is a space (as on the rendered page: lines not parted by a blank line are one
  paragraph);
* emphasis, strong, strikethrough and code marks are dropped and their text kept; a link
  reads as its text; an image inside a sentence as its alt text, a paragraph of images alone
  gives nothing;
* a pipe table is written as a Word or HTML table is (``qa.ingest.document.table_lines``: a
  row a line, each cell after its column's heading);
* a fenced or indented code block keeps its lines; a thematic break (``---``) gives nothing;
* raw HTML blocks are read as HTML (lxml): tags and comments dropped, each block element's
  text a line, a ``<table>`` through ``table_lines``; inline tags are dropped (``<br>`` breaks
  the line);
* YAML front matter (a first line ``---``, a closing ``---`` or ``...``, a mapping between;
  Jekyll's and Hugo's) is left out; its ``title``, when it has one, is ``Document.title`` and
  the first line, unless the body opens with a heading (its headline) or with the title.

So the first heading (``# `` or a ``===`` underline) becomes the plain first line the UI names
the article by. ``docs/formats.md`` has what was measured against rendering to HTML and reading
it with the HTML reader (trafilatura), and why this walk was chosen.

Sources: the CommonMark spec 0.31.2 (https://spec.commonmark.org/0.31.2/, which markdown-it-py
follows), GitHub Flavored Markdown's table and strikethrough extensions
(https://github.github.com/gfm/), Jekyll's front matter (https://jekyllrb.com/docs/front-matter/).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .document import Document, join_list, make_document, paragraphs_text, table_lines
from .text import decode_text

# markdown-it-py's optional rules turned on over CommonMark: GitHub's pipe tables and ~~strike~~
EXTENSIONS = ("table", "strikethrough")
# HTML elements whose text is no part of what a reader sees
_HIDDEN_HTML = ("script", "style", "template", "noscript")
# the lines that may close YAML front matter
_FRONT_MATTER_END = ("---", "...")


# A mark of Markdown: emphasis, strikethrough, code, a link's "](", an escape, or a line opening
# on a heading's "#", a quote's ">" or a list's marker.
_MARKS = re.compile(r"[*_`~\\]|\]\(|^\s*(?:#|>|[-+]\s|\d+[.)]\s)", re.M)
_BETWEEN_DIGITS = re.compile(r"(?<=\d)\*(?=\d)")


@lru_cache(maxsize=1)
def markdown_parser():
    """The one ``markdown_it.MarkdownIt`` parser: CommonMark with raw HTML allowed (it is read
    as HTML, ``html_lines``) and ``EXTENSIONS``."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable(list(EXTENSIONS))


def front_matter(text: str) -> tuple[dict, str]:
    """Split YAML front matter off ``text``.

    Front matter is a first line ``---``, then YAML that PyYAML reads as a mapping, then a line
    ``---`` or ``...``. Anything else (a thematic break on the first line, YAML that does not
    parse or is not a mapping) is no front matter and ``text`` is returned whole.

    Returns:
        ``(fields, body)``: the mapping (``{}`` when there is none) and the text after it.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        return {}, text
    for i in range(1, len(lines)):
        if lines[i].rstrip() in _FRONT_MATTER_END:
            import yaml

            try:
                fields = yaml.safe_load("".join(lines[1:i]))
            except yaml.YAMLError:
                return {}, text
            if not isinstance(fields, dict):
                return {}, text
            return fields, "".join(lines[i + 1:])
    return {}, text


def _inline_text(children) -> str:
    """The text an inline token's children show: marks dropped, a soft break a space, a hard
    break (and ``<br>``) ``"\\n"``, an image its alt text."""
    out = []
    for token in children or ():
        kind = token.type
        if kind in ("text", "code_inline", "text_special"):
            out.append(token.content)
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("\n")
        elif kind == "image":
            out.append(_inline_text(token.children))
        elif kind == "html_inline" and _tag_name(token.content) == "br":
            out.append("\n")
    return "".join(out)


def inline_markdown_text(text: str) -> str:
    """The words a question typed or pasted with Markdown shows (``markdown_parser().parse``):
    emphasis, strikethrough, code and link marks dropped, a link its words, a heading's "#", a
    quote's ">" and a list's marker dropped, code kept as written; text without a mark is
    returned unchanged. "**Who** attended the _conference_?", "# Who attended…" and "> Who
    attended…" each got another answer than the plain question (trials 52 and 53)."""
    if not _MARKS.search(text):
        return text
    # "5*3*2" is arithmetic, not emphasis of "3" (CommonMark reads it so)
    words = []
    for token in markdown_parser().parse(_BETWEEN_DIGITS.sub(r"\\*", text)):
        if token.type == "inline":
            words.append(_inline_text(token.children))
        elif token.type in ("code_block", "fence"):
            words.append(token.content)
    return " ".join(" ".join(words).split()) or text


def _tag_name(tag: str) -> str:
    """The element name of one HTML tag as markdown-it gives it (``"<br />"`` -> ``"br"``)."""
    words = tag.strip("<>/ \t\n").split()
    return words[0].rstrip("/").lower() if words else ""


def _images_alone(children) -> bool:
    """Whether an inline token holds images and nothing else but white space and breaks."""
    kinds = {t.type for t in children or ()}
    if "image" not in kinds:
        return False
    loose = "".join(t.content for t in children if t.type in ("text", "code_inline", "text_special"))
    return kinds <= {"image", "text", "softbreak", "hardbreak"} and not loose.strip()


def html_lines(html: str) -> list[str]:
    """The lines a block of raw HTML shows, read with lxml's HTML parser: each block element's
    text a line (``<br>`` breaks one), a ``<table>`` through ``table_lines``, comments and the
    contents of ``script``/``style`` left out. ``[]`` for HTML without text (``<!-- -->``,
    ``<div dir="rtl">``) or that lxml cannot parse."""
    import lxml.etree

    from ..text import block_tags, html_fragment

    root = html_fragment(html)
    if root is None:
        return []
    lxml.etree.strip_elements(root, lxml.etree.Comment, *_HIDDEN_HTML, with_tail=False)
    blocks = block_tags()
    lines: list[str] = []
    line: list[str] = []  # the text of the line being read

    def end_line() -> None:
        lines.append(" ".join("".join(line).split()))
        line.clear()

    def read(element) -> None:
        if element.tag == "table":
            end_line()
            rows = [[cell.text_content() for cell in tr.xpath("./th | ./td")] for tr in element.iter("tr")]
            lines.extend(table_lines(rows))
            return
        block = element.tag in blocks or element.tag == "br"
        if block:
            end_line()
        line.append(element.text or "")
        for child in element:
            if isinstance(child.tag, str):
                read(child)
            line.append(child.tail or "")
        if block:
            end_line()

    read(root)
    end_line()
    return [x for x in lines if x]


def markdown_paragraphs(text: str) -> tuple[str, list[str]]:
    """The title and the lines a reader sees in Markdown ``text`` (see the module docstring).

    Args:
        text: decoded Markdown (front matter allowed).

    Returns:
        ``(title, lines)``: the front matter's ``title`` (``""`` without one) and the lines in
        reading order, the title first when there is one; lines may be empty or hold runs
        of white space (``paragraphs_text`` collapses and drops them).

    Raises nothing: any text is Markdown (CommonMark has no syntax errors).
    """
    fields, body = front_matter(text)
    title = fields.get("title")
    title = " ".join(title.split()) if isinstance(title, str) else ""
    tokens = markdown_parser().parse(body)
    lines: list[str] = []
    numbers: list[int | None] = []  # per open list: the next item's number, None for bullets
    rows: list[list[str]] | None = None  # the table being read
    pending_number = ""  # an ordered item's number, written before its first line
    items: list[str] = []  # the lines of the list being read (outermost list), joined at its end
    lead_in = False  # whether the last line is a paragraph's, which a list after it belongs to
    list_lead = False  # lead_in when the outermost list opened
    opened = ""  # the last block opened: "paragraph" or "heading"
    for token in tokens:
        kind = token.type
        out = items if numbers else lines  # a list's lines wait for the list's end
        if kind in ("ordered_list_open", "bullet_list_open") and not numbers:
            list_lead = lead_in  # whether the outermost list has a lead-in, read at its end
        if kind == "ordered_list_open":
            numbers.append(int(token.attrGet("start") or 1))
        elif kind == "bullet_list_open":
            numbers.append(None)
        elif kind in ("ordered_list_close", "bullet_list_close"):
            numbers.pop()
            if not numbers:  # the outermost list ends: one paragraph with its lead-in
                join_list(lines, items, list_lead)
                items, lead_in = [], False
        elif kind == "list_item_open" and numbers and numbers[-1] is not None:
            pending_number = f"{numbers[-1]}{token.markup or '.'} "
            numbers[-1] += 1
        elif kind == "list_item_close":
            pending_number = ""  # an empty item ("3.") gives no line
        elif kind in ("paragraph_open", "heading_open"):
            opened = kind[: -len("_open")]
        elif kind == "table_open":
            rows = []
        elif kind == "tr_open" and rows is not None:
            rows.append([])
        elif kind == "table_close" and rows is not None:
            out.extend(table_lines(rows))
            rows, lead_in = None, False
        elif kind == "inline":
            if rows is not None:
                rows[-1].append(_inline_text(token.children))
                continue
            if _images_alone(token.children):
                continue
            parts = _inline_text(token.children).split("\n")
            parts[0], pending_number = pending_number + parts[0], ""
            out.extend(parts)
            lead_in = opened == "paragraph" and bool("".join(parts).strip())
        elif kind in ("fence", "code_block"):
            out.extend(token.content.splitlines())
            lead_in = False
        elif kind == "html_block":
            out.extend(html_lines(token.content))
            lead_in = False
        elif kind in ("hr", "blockquote_close"):
            lead_in = False
    first = next((" ".join(x.split()) for x in lines if x.strip()), "")
    # a body opening with a heading has its headline: the title as well showed it twice, a
    # shorter and a longer one (a trial); themes render the title as the page's heading when
    # the body has none
    opening = next((t.type for t in tokens if t.level == 0 and t.nesting >= 0), "")
    if title and first != title and opening != "heading_open":
        lines.insert(0, title)
    return title, lines


def load_markdown(name: str, data: bytes, origin: str = "") -> Document:
    """A ``.md`` file as a ``Document``: the plain text a reader of the rendered page sees,
    one paragraph per line, the headline first (``markdown_paragraphs``).

    Raises:
        DocumentError: as ``qa.ingest.text.decode_text`` (binary bytes, an undecidable
            encoding), or no text is left without the markup (the message names the file).
    """
    text, _ = decode_text(name, data)
    title, lines = markdown_paragraphs(text)
    return make_document(name, paragraphs_text(lines), origin=origin, title=title)
