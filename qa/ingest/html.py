"""HTML (a saved page or a fetched URL): the article's title and body through trafilatura.

trafilatura (Barbaresi, 2021, ACL demo; Apache-2.0) drops navigation, related links and
footers and keeps the article's paragraphs; its metadata gives the title. The text is the
title on the first line (the splitter reads a short first line as the headline), then one
paragraph per line.
"""

from __future__ import annotations

from .document import Document, make_document, paragraphs_text
from .text import decode_text
from ..errors import DocumentError, isolate


def html_article(html: str, url: str | None = None) -> tuple[str, list[str]]:
    """``(title, paragraphs)`` of an HTML page's main article (title ``""`` when the page
    states none).

    Raises:
        DocumentError: no article text found in the page.
    """
    import trafilatura

    result = trafilatura.bare_extraction(html, url=url, include_comments=False, include_tables=True,
                                         favor_precision=True, with_metadata=True)
    body = (getattr(result, "text", None) or "") if result is not None else ""
    if not body.strip():  # precision mode found nothing: try the recall mode before giving up
        body = trafilatura.extract(html, url=url, include_comments=False, favor_recall=True) or ""
    if not body.strip():
        raise DocumentError("no article text found in the page (it may be built by JavaScript, or be "
                            "a list of links); copy the article's text and paste it instead",
                            "لم يوجد نص مقال في الصفحة (ربما تبنيها JavaScript أو هي قائمة روابط)؛ "
                            "انسخ نص المقال والصقه بدلا منها.")
    title = " ".join(((getattr(result, "title", None) or "") if result is not None else "").split())
    return title, body.splitlines()


def load_html(name: str, data: bytes, origin: str = "", url: str | None = None) -> Document:
    """An HTML file's article as a ``Document``: the title line, then the paragraphs.

    The source label is ``"<title> (<name>)"`` when the page has a title.

    Raises:
        DocumentError: the bytes are not text, or no article text is in the page.
    """
    html, _ = decode_text(name, data)
    try:
        title, paragraphs = html_article(html, url)
    except DocumentError as err:
        raise DocumentError(f"{name}: {err}", f"{isolate(name)}: {err.arabic}" if err.arabic else "") from None
    if title and paragraphs and " ".join(paragraphs[0].split()) == title:
        paragraphs = paragraphs[1:]
    lines = ([title] if title else []) + paragraphs
    source = f"{title} ({name})" if title else name
    return make_document(source, paragraphs_text(lines), origin=origin, title=title)
