"""HTML (a saved page or a fetched URL): the article's title and body through trafilatura.

trafilatura (Barbaresi, 2021, ACL demo; Apache-2.0) drops navigation, related links and
footers and keeps the article's paragraphs; its metadata gives the title. The text is the
title on the first line (the splitter reads a short first line as the headline), then one
paragraph per line.
"""

from __future__ import annotations

import logging
import re

from .document import Document, join_list, make_document, markdown_tables, paragraphs_text
from .text import decode_text
from ..errors import DocumentError, isolate
from ..text import block_tags, html_fragment


# What may come before a page's first tag: a byte order mark, white space, an XML
# declaration, comments.
_LEAD = r"(?:\ufeff|\s|<\?xml[^>]*>|<!--.*?-->)*"
# A whole page's source, as "View page source" or a saved page gives it: it opens with
# <!DOCTYPE html>, <html>, <head> or <body>.
_PAGE_START = re.compile(_LEAD + r"<(?:!doctype\s+html|html|head|body)[\s>/]", re.I | re.S)
# A fragment's first tag ("<article class=...>", "<h1>"), as a browser's "Copy outer HTML" gives it
_FIRST_TAG = re.compile(_LEAD + r"<([a-z][a-z0-9]*)[\s>/]", re.I | re.S)
# a fragment is markup when at least this many block elements hold all of its text
MIN_FRAGMENT_BLOCKS = 2


def is_html_page(text: str) -> bool:
    """Whether pasted ``text`` is the HTML source of a page (or of a page's article) rather
    than prose, so that it is read as an ``.html`` file is.

    It is when either
      * it opens with ``<!DOCTYPE html>``, ``<html>``, ``<head>`` or ``<body>`` (after white
        space, a byte order mark, an XML declaration or comments): a whole page's source; or
      * it opens with a block-level tag (``<article>``, ``<div>``, ``<p>``, ``<h1>``...), and
        lxml's HTML parser finds at least ``MIN_FRAGMENT_BLOCKS`` block elements that hold
        all of its text (``qa.text.block_tags``): a copied fragment of markup.

    Prose is neither: "Is 3 < 5?", "I <3 Tripoli", a mention of the ``<p>`` tag, or an article
    that merely starts with one tag and goes on as plain text stay text.
    """
    if _PAGE_START.match(text):
        return True
    first = _FIRST_TAG.match(text)
    blocks = block_tags()
    if not first or first.group(1).lower() not in blocks:
        return False
    root = html_fragment(text)
    if root is None:
        return False
    if sum(1 for e in root.iterdescendants() if e.tag in blocks) < MIN_FRAGMENT_BLOCKS:
        return False
    loose = [root.text or ""]  # text not inside any top-level block element
    for child in root:
        if child.tag not in blocks:
            loose.append(child.text_content() if isinstance(child.tag, str) else "")
        loose.append(child.tail or "")
    return bool(root.text_content().split()) and not "".join(loose).split()


def _min_extracted_size() -> int:
    """trafilatura's ``MIN_EXTRACTED_SIZE`` (characters): under it, trafilatura itself deems
    an extraction too small and looks further."""
    from trafilatura.settings import DEFAULT_CONFIG

    return DEFAULT_CONFIG.getint("DEFAULT", "MIN_EXTRACTED_SIZE", fallback=250)


# A publication date as ``Document.date`` keeps it: ISO ``YYYY-MM-DD``.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def html_article(html: str, url: str | None = None) -> tuple[str, list[str], str]:
    """``(title, paragraphs, date)`` of an HTML page's main article: title ``""`` when the
    page states none; ``date`` its publication date as ISO ``YYYY-MM-DD`` as trafilatura reads
    it from the page's markup (htmldate without its extensive search:
    ``article:published_time``, JSON-LD, ``<time>``…), ``""`` when none is found. The date
    filters (``filters={"date_from": …}``, ``--date-from``) read it: no reader set a date, so
    a date filter passed no file (a trial).

    Raises:
        DocumentError: no article text found in the page.
    """
    import trafilatura

    # its "discarding data: None" warnings on an empty page printed before our own refusal
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    # dates from the page's markup only: htmldate's extensive search made "© 2024" in a footer
    # the date 2024-01-01 (a byline said 14 May 2024)
    result = trafilatura.bare_extraction(html, url=url, include_comments=False, include_tables=True,
                                         favor_precision=True, with_metadata=True,
                                         date_extraction_params={"extensive_search": False, "original_date": True})
    body = (getattr(result, "text", None) or "") if result is not None else ""
    if not body.strip():  # precision mode found nothing: try the recall mode before giving up
        body = trafilatura.extract(html, url=url, include_comments=False, favor_recall=True) or ""
        # the recall mode takes what it finds: on a page of links alone, "Home | News". Below
        # trafilatura's own MIN_EXTRACTED_SIZE (its settings.cfg; 250 characters) it is no article
        if len(body.strip()) < _min_extracted_size():
            body = ""
    if not body.strip():
        raise DocumentError("no article text found in the page (it may be built by JavaScript, or be "
                            "a list of links); copy the article's text and paste it instead",
                            "لم يوجد نص مقال في الصفحة (ربما تبنيها JavaScript أو هي قائمة روابط)؛ "
                            "انسخ نص المقال والصقه بدلا منها.")
    title = " ".join(((getattr(result, "title", None) or "") if result is not None else "").split())
    # a table as trafilatura writes it (Markdown rows) is written as ``table_lines`` writes a
    # Word table: a row a line, each cell after its column's heading
    lines = markdown_tables(body.splitlines())
    tree = getattr(result, "body", None) if result is not None and getattr(result, "text", None) == body else None
    date = str(getattr(result, "date", None) or "") if result is not None else ""
    paragraphs = list_paragraphs(lines, tree) if tree is not None else lines
    byline = page_byline(html, (getattr(result, "author", None) or "") if result is not None else "")
    if byline and not any(" ".join(p.split()) == byline for p in paragraphs):
        # under the headline, where the page had it (and where a text upload has it)
        at = 1 if paragraphs and title and " ".join(paragraphs[0].split()) == title else 0
        paragraphs = paragraphs[:at] + [byline] + paragraphs[at:]
    return title, paragraphs, date if ISO_DATE.fullmatch(date) else ""


def page_byline(html: str, author: str = "") -> str:
    """The page's byline as the page shows it ("By Omar Haddad", «بقلم: سامي الطرابلسي»): the
    text of the first element that is a byline (``qa.splitting.is_byline``) and, when the
    page's metadata names an ``author`` (trafilatura's reading), holds that name; "" when
    there is none. trafilatura leaves bylines out of the text it extracts, so "Who wrote the
    article?" over an HTML page found no author where the same page printed to PDF quoted it
    (a trial)."""
    from lxml import etree, html as lxml_html

    from ..splitting import is_byline

    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return ""
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "title", "head", "meta"):
            continue
        text = " ".join(element.text_content().split())
        if text and len(text) < 200 and is_byline(text) and (not author or author.split()[-1] in text):
            return text
    return ""


# how trafilatura writes a list item: "- " after two spaces a level of nesting
_ITEM_LINE = re.compile(r"( *)- (.*)")


def list_paragraphs(lines: list[str], tree) -> list[str]:
    """``lines`` (trafilatura's text of a page) with each list of the page joined to the
    paragraph before it, which introduces it, each item after a ``LIST_BREAK``
    (``qa.ingest.document.join_list``; a list after a heading, a table or another list is a
    line of its own): a passage and a quote hold the list whole, each item stays a sentence
    unit. An ordered list's items are numbered as the page shows them ("2. Pay …", which
    trafilatura writes "- Pay …"), a bullet's "- " is dropped.

    Args:
        lines: the text's lines, as ``html_article`` has them.
        tree: trafilatura's ``body`` (its XML: ``<list rend="ol">``, ``<item>``, ``<head>``)
            of the same extraction. A run of "- " lines is a list only when it matches the
            next ``<list>`` of the tree, as many lines as it has items, the first line its first
            item's text (so a paragraph that opens with a dash stays as it is).
    """
    lists = [e for e in tree.iter("list") if not any(a.tag in ("list", "table") for a in e.iterancestors())]
    heads = {" ".join("".join(h.itertext()).split()) for h in tree.iter("head")}
    out: list[str] = []
    lead_in = False  # whether the last line of ``out`` is a paragraph a list may belong to
    i = 0
    while i < len(lines):
        items = list(lists[0].iter("item")) if lists else []
        j = i + len(items)
        if items and j <= len(lines) and all(_ITEM_LINE.fullmatch(x) for x in lines[i:j]) and _item_text(items[0]).startswith(
                " ".join(_ITEM_LINE.fullmatch(lines[i]).group(2).split())):
            lists.pop(0)
            numbered = []
            for line, item in zip(lines[i:j], items):
                parent = item.getparent()
                number = f"{parent.index(item) + 1 - sum(1 for x in parent if x.tag != 'item')}. " \
                    if parent.get("rend") == "ol" else ""
                numbered.append(number + _ITEM_LINE.fullmatch(line).group(2))
            join_list(out, numbered, lead_in)
            lead_in = False
            i = j
            continue
        line = " ".join(lines[i].split())
        out.append(lines[i])
        lead_in = bool(line) and line not in heads and not line.startswith("|")
        i += 1
    return out


def _item_text(item) -> str:
    """The text of a list ``<item>`` alone (its nested lists' left out), whitespace collapsed."""
    parts = [item.text or ""]
    for child in item:
        if child.tag != "list":
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def load_html(name: str, data: bytes, origin: str = "", url: str | None = None) -> Document:
    """An HTML file's article as a ``Document``: the title line, then the paragraphs.

    The source label is ``"<title> (<name>)"`` when the page has a title.

    Raises:
        DocumentError: the bytes are not text, or no article text is in the page.
    """
    html, _ = decode_text(name, data)
    try:
        title, paragraphs, date = html_article(html, url)
    except DocumentError as err:
        raise DocumentError(f"{name}: {err}", f"{isolate(name)}: {err.arabic}" if err.arabic else "") from None
    if title and paragraphs and " ".join(paragraphs[0].split()) == title:
        paragraphs = paragraphs[1:]
    lines = ([title] if title else []) + paragraphs
    source = f"{title} ({name})" if title else name
    return make_document(source, paragraphs_text(lines), origin=origin, title=title, date=date)
