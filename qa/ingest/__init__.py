"""Ingest: files, folders and web addresses become ``Document``s.

One module per format: ``text`` (``.txt``, legacy encodings), ``markdown`` (``.md``: decoded
as text, then the plain text a reader of the rendered page sees), ``pdf``, ``docx``, ``html``
and ``url``; ``document`` holds the ``Document`` and the text cleaning they share.
Every loader raises ``qa.DocumentError`` with a message meant for the user (naming the
file and saying what to do) and never returns partial garbage. ``Document.text`` is the
extracted text: citation offsets index into it.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import DocumentError, isolate
from .document import Document, clean_text, make_document, remove_format_characters
from .url import is_url, load_url

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
# what the web UI accepts for upload (the same as a folder load)
SUFFIXES = TEXT_SUFFIXES + (".pdf", ".docx", ".html", ".htm")
UPLOAD_TYPES = SUFFIXES
# how the web UI names what it accepts
UPLOAD_HINT = "a .pdf, .docx, .html, .txt or .md file, pasted text or a web address"
# Text files are read whole; PDF and Word files carry fonts and images, so their cap is
# higher. The extracted text has its own cap (the index of 200 k characters builds in
# about half a minute on 2 cores).
MAX_TEXT_BYTES = 1_000_000
MAX_BINARY_BYTES = 20 * 1024 * 1024  # 20.0 MB, as messages state it (``size_text``)
MAX_TEXT_CHARS = 200_000
# kept for older callers: the text-upload limit of qa.loading
MAX_UPLOAD_BYTES = 200_000

__all__ = ["Document", "DocumentError", "SUFFIXES", "UPLOAD_HINT", "UPLOAD_TYPES", "check_upload", "load_pasted", "load_upload", "clean_text", "decode_document", "decode_upload", "is_url",
           "load_bytes", "load_documents", "load_source", "load_sources", "load_url", "make_document",
           "remove_format_characters", "size_text", "source_list"]


def load_bytes(name: str, data: bytes, origin: str = "", url: str | None = None,
               max_bytes: int | None = None) -> Document:
    """One file's bytes as a ``Document``, read by its suffix.

    Args:
        name: the file name; its suffix picks the format (``SUFFIXES``).
        data: the raw bytes.
        origin: recorded in ``Document.origin``.
        url: the page's address, for an HTML page (resolves relative links).
        max_bytes: refuse larger files (default: ``MAX_TEXT_BYTES`` for text,
            ``MAX_BINARY_BYTES`` for PDF/DOCX).

    Raises:
        DocumentError: unsupported type, too large, unreadable, empty, or more than
            ``MAX_TEXT_CHARS`` characters of text; the message names the file.
    """
    suffix = _readable_suffix(name)
    limit = max_bytes if max_bytes is not None else (
        MAX_BINARY_BYTES if suffix in (".pdf", ".docx") else MAX_TEXT_BYTES)
    if len(data) > limit:
        raise over_limit(name, len(data), limit)
    if not data:  # a 0-byte .pdf or .docx was called "not a PDF" (a trial): it holds nothing at all
        raise DocumentError(f"{name} is empty: no text found", f"{isolate(name)} فارغ: لا نص فيه.")
    if suffix == ".pdf":
        from .pdf import load_pdf

        document = load_pdf(name, data, origin)
    elif suffix == ".docx":
        from .docx import load_docx

        document = load_docx(name, data, origin)
    elif suffix in (".html", ".htm"):
        from .html import load_html

        document = load_html(name, data, origin, url)
    elif suffix == ".md":
        from .markdown import load_markdown

        document = load_markdown(name, data, origin)
    else:
        from .text import load_text

        document = load_text(name, data, origin)
    if len(document.text) > MAX_TEXT_CHARS:
        raise DocumentError(f"{name} has {len(document.text):,} characters of text, over the limit of "
                            f"{MAX_TEXT_CHARS:,}; split it into smaller files",
                            f"في {isolate(name)} {len(document.text):,} حرفا، فوق الحد ({MAX_TEXT_CHARS:,})؛ "
                            "قسّمه إلى ملفات أصغر.")
    return document


def _readable_suffix(name: str) -> str:
    """``name``'s suffix, lower-cased, when a reader takes it.

    Raises:
        DocumentError: any other suffix, in both languages.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"{name} cannot be read; use a .pdf, .docx, .html, .txt or .md file",
                            f"لا يُقرأ نوع الملف {isolate(name)}؛ استخدم ملف ⁨.pdf⁩ أو ⁨.docx⁩ أو ⁨.html⁩ أو ⁨.txt⁩ أو ⁨.md⁩.")
    return suffix


def _file_limit(name: str, max_bytes: int | None) -> int:
    """The most bytes a file of this name may have: ``max_bytes``, else ``MAX_BINARY_BYTES``
    for PDF and Word, ``MAX_TEXT_BYTES`` for the rest."""
    if max_bytes is not None:
        return max_bytes
    return MAX_BINARY_BYTES if Path(name).suffix.lower() in (".pdf", ".docx") else MAX_TEXT_BYTES


def _upload_limit(name: str, max_text_bytes: int | None) -> int | None:
    """``load_upload``'s file limit: the text limit for a text file, whose bytes are its text;
    the format's own for PDF, Word and HTML, whose text is checked once extracted."""
    return None if Path(name).suffix.lower() in (".pdf", ".docx", ".html", ".htm") else max_text_bytes


def check_upload(name: str, size: int, max_text_bytes: int | None = MAX_UPLOAD_BYTES) -> None:
    """Refuse an upload by its name and size alone, as ``load_upload`` refuses the file before
    reading it: for a file the browser held back (the web page does not send a file over
    ``MAX_BINARY_BYTES``; Gradio's own refusal was an English pop-up that left the status line
    as it was, a trial).

    Args:
        name: the file's name (its suffix picks the limit).
        size: its size in bytes.
        max_text_bytes: as ``load_upload``'s.

    Raises:
        DocumentError: an unsupported type, or over the limit (``over_limit``'s wording).
    """
    _readable_suffix(name)
    limit = _file_limit(name, _upload_limit(name, max_text_bytes))
    if size > limit:
        raise over_limit(name, size, limit)


def load_file(path: str | Path, max_bytes: int | None = None) -> Document:
    """A file on disk as a ``Document`` (``load_bytes``; its size is checked before reading).

    Raises:
        DocumentError: missing, unreadable, or as ``load_bytes``.
    """
    path = Path(path)
    _readable_suffix(path.name)  # the type first: a 225 KB picture was refused as "over the limit" (a trial)
    try:
        size = path.stat().st_size
        limit = _file_limit(path.name, max_bytes)
        if size > limit:  # don't read a big file just to refuse it
            raise over_limit(path.name, size, limit)
        data = path.read_bytes()
    except OSError as err:
        raise DocumentError(f"{path} cannot be read ({err.strerror or type(err).__name__})") from None
    return load_bytes(path.name, data, origin=str(path), max_bytes=max_bytes)


def load_source(source: str | Path, max_bytes: int | None = None) -> Document:
    """A file path or a web address as a ``Document``.

    Raises:
        DocumentError: as ``load_file`` or ``qa.ingest.url.load_url``.
    """
    if isinstance(source, str) and is_url(source):
        return load_url(source)
    return load_file(source, max_bytes)


def _folder_files(folder: Path) -> list[Path]:
    return [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in SUFFIXES]


def _other_files(folder: Path) -> list[Path]:
    """The files of ``folder`` of a type no reader takes (not hidden ones such as
    ``.DS_Store``): named among the skipped, a ``pic.png`` beside the articles was left out
    unsaid (a trial)."""
    return [p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")
            and p.suffix.lower() not in SUFFIXES]


def _subfolders(folder: Path) -> list[Path]:
    """The folders directly inside ``folder`` (not hidden ones such as ``.git``)."""
    return [p for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith(".")]


def source_list(sources) -> list[str | os.PathLike]:
    """``sources`` as a list: one path or address given alone is one source (its characters
    are none: ``from_sources("file.txt")`` read "t" as a folder, a trial), any other iterable
    (``Path("news").glob("*.pdf")``) its items.

    Raises:
        DocumentError: nothing given, ``sources`` not iterable (a number), or an item that is
            no path or address (``None``).
    """
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    elif sources is not None and not isinstance(sources, (list, tuple)):
        if not isinstance(sources, Iterable) or isinstance(sources, (bytes, dict)):
            raise DocumentError(f"sources must be a list of paths or web addresses, not {type(sources).__name__}")
        sources = list(sources)
    if not sources:
        raise DocumentError("no article given: give files, folders or web addresses")
    wrong = [s for s in sources if not isinstance(s, (str, os.PathLike))]
    if wrong:
        raise DocumentError(f"each source must be a path or a web address, not {type(wrong[0]).__name__}")
    return list(sources)


def load_sources(sources) -> tuple[list[Document], list[str]]:
    """Files, folders (their supported files, not recursively) and web addresses as documents
    (``sources`` as ``source_list`` takes them: a list, any iterable, or one alone).

    A source that cannot be read is skipped with a message (logged too) when others load.
    Two documents with the same label get `` (2)``, `` (3)``... appended.

    Returns:
        ``(documents, skipped)``: in the order given (a folder's files by name).

    Raises:
        DocumentError: nothing given, a source that is no path or address (``None``, a
            number), a path that does not exist, or no usable document (the message joins
            the reasons).
    """
    sources = source_list(sources)
    documents: list[Document] = []
    skipped: list[str] = []
    for source in sources:
        if isinstance(source, str) and is_url(source):
            items: list[str | Path] = [source]
        else:
            path = Path(source).expanduser()
            if path.is_dir():
                items = list(_folder_files(path))
                skipped.extend(f"skipped {p.name} is not a .pdf, .docx, .html, .txt or .md file"
                               for p in _other_files(path))
                # folders inside are not read (a folder of articles is one level; pointing at a
                # tree such as a home folder must not index it all), and that is said (a trial)
                skipped.extend(f"skipped {p.name}/ is a folder inside the folder: give it as a source of its own"
                               for p in _subfolders(path))
                if not items:
                    skipped.append(f"{path}: no .pdf, .docx, .html, .txt or .md file in this folder")
            elif path.exists():
                items = [path]
            else:
                raise DocumentError(f"{source}: no such file or folder")
        for item in items:
            try:
                documents.append(load_source(item))
            except DocumentError as err:
                skipped.append(f"skipped {err}")
                log.info("skipped %s", err)
    if not documents:
        # one reason after another, not in brackets: a reason holds brackets of its own, and the
        # command line printed "(skipped junk.txt looks binary (it holds NUL bytes), …)" (trial 50)
        raise DocumentError("no usable document: " + ("; ".join(why.removeprefix("skipped ") for why in skipped)
                                                      or "nothing found"))
    seen: dict[str, int] = {}
    unique = []
    for d in documents:
        seen[d.source] = seen.get(d.source, 0) + 1
        if seen[d.source] > 1:
            d = Document(f"{d.source} ({seen[d.source]})", d.text, d.origin, d.title, d.date)
        unique.append(d)
    return unique, skipped


def load_documents(directory: str | Path) -> tuple[list[Document], list[str]]:
    """Every supported file directly inside ``directory``, sorted by name (see ``load_sources``).

    Raises:
        DocumentError: the folder does not exist, or no usable document is in it.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise DocumentError(f"{folder}: no such folder")
    try:
        return load_sources([folder])
    except DocumentError as err:
        raise DocumentError(f"{folder}: {err}") from None


def decode_document(name: str, data: bytes, max_bytes: int | None = None) -> Document:
    """One file's bytes as a ``Document`` (``load_bytes`` with ``max_bytes``).

    Raises:
        DocumentError: as ``load_bytes``.
    """
    return load_bytes(name, data, max_bytes=max_bytes)


def decode_upload(name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """An uploaded file's text (``decode_document``; default limit 200 kB).

    Raises:
        DocumentError: as ``load_bytes``.
    """
    return decode_document(name, data, max_bytes).text


def size_text(size: int) -> str:
    """A size in bytes as messages state it: KB with one decimal as
    ``qa.conversation.UPLOAD_LIMIT_TEXT`` ("60.0 KB"), MB from 1,024 KB on ("20.0 MB": a
    trial read "21504.0 KB, over the limit of 19531.2 KB")."""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"


def over_limit(what: str, size: int, limit: int, what_ar: str | None = None) -> DocumentError:
    """The one wording of a size refusal, sizes as ``size_text`` states them, so every
    message states the limit alike. ``what_ar`` names ``what`` in Arabic (default: ``what``
    itself, a file name, in directional isolates). Each size in the Arabic sentence is isolated
    too: a bare "68.4 KB" there read «KB 68.4» (a trial)."""
    return DocumentError(f"{what} is {size_text(size)}, over the limit of {size_text(limit)}; "
                         "use a shorter article",
                         f"حجم {what_ar or isolate(what)} {isolate(size_text(size))}، فوق الحد البالغ "
                         f"{isolate(size_text(limit))}؛ "
                         "استخدم مقالا أقصر.")


def _check_text_size(document: Document, max_text_bytes: int | None) -> Document:
    size = len(document.text.encode("utf-8"))
    if max_text_bytes is not None and size > max_text_bytes:
        raise over_limit(f"the text of {document.source}", size, max_text_bytes, f"نص {isolate(document.source)}")
    return document


def load_upload(path: str | Path, max_text_bytes: int | None = MAX_UPLOAD_BYTES) -> Document:
    """An uploaded file (any of ``SUFFIXES``) as a ``Document``, for the web UI.

    Args:
        path: the uploaded file.
        max_text_bytes: most UTF-8 bytes of *extracted text* (what indexing time depends
            on); the file itself may be larger for PDF and Word files (``MAX_BINARY_BYTES``).

    Raises:
        DocumentError: as ``load_file``, or the text is over ``max_text_bytes`` or holds fewer
            than ``qa.splitting.MIN_WORDS`` words (as ``load_pasted``).
    """
    from ..splitting import MIN_WORDS  # (qa.splitting reads qa.ingest's Document)

    path = Path(path)
    document = _check_text_size(load_file(path, max_bytes=_upload_limit(path.name, max_text_bytes)), max_text_bytes)
    if len(re.findall(r"\w+", document.text)) < MIN_WORDS:
        # as a paste is: a file holding "hello" replaced the article and cleared its conversation (a trial)
        raise DocumentError(f"{path.name} is too short to be an article (fewer than {MIN_WORDS} words)",
                            f"{isolate(path.name)} أقصر من أن يكون مقالا (أقل من {MIN_WORDS} كلمات).")
    return document


# how messages name pasted HTML: the user made no file called "pasted-article.html"
PASTED_HTML = "the pasted HTML page"
PASTED_HTML_AR = "صفحة HTML الملصقة"


def _is_a_message(text: str) -> bool:
    """True for pasted text that is a chat message rather than an article: greetings or thanks
    alone (``qa.followups.is_small_talk``), or one line that ends with a question mark."""
    from ..followups import is_small_talk

    line = text.strip()
    return is_small_talk(line) or ("\n" not in line and line.endswith(("?", "؟")))


def load_pasted(text: str, max_text_bytes: int | None = MAX_UPLOAD_BYTES,
                name: str = "pasted-article.txt") -> Document:
    """Pasted text as a ``Document``, for the web UI's paste box.

    * A web address (``is_url``) is fetched and its article extracted. Addresses on loopback,
      private or link-local networks are refused unless ``QA_ALLOW_PRIVATE_URLS=1``.
    * A page's HTML source (``qa.ingest.html.is_html_page``: it opens with ``<!DOCTYPE html>``,
      ``<html>``, ``<head>`` or ``<body>``, or is block-level markup holding nearly all its
      text) is read exactly as an uploaded ``.html`` file (``load_bytes``, trafilatura): the
      headline on the first line, then the article's paragraphs, without tags, navigation or
      footer. The source may be up to ``MAX_TEXT_BYTES``, as an ``.html`` file may; the
      extracted text must fit ``max_text_bytes``. The document is named
      ``"<title> (pasted-article.html)"``, or ``"pasted-article.html"`` for a page without a
      title (``name`` with the suffix ``.html``: a paste, read as HTML); refusals call it
      "the pasted HTML page", as the user made no such file.
    * Anything else, including prose with a "<" in it ("3 < 5"), is the text as pasted.

    Raises:
        DocumentError: empty text; a greeting or a one-line question (the chat box's, not
            an article); an unreachable, private or unreadable page; pasted HTML
            with no article text in it (the HTML reader's message) or over the limits; text
            over ``max_text_bytes``.
    """
    from ..splitting import MIN_WORDS  # (qa.splitting reads qa.ingest's Document)
    from .html import is_html_page
    from .url import private_allowed

    text = text or ""
    if not text.strip():  # named as what the user did: no file called "pasted-article.txt" exists for them
        raise DocumentError("Nothing to index: the paste box is empty", "لا شيء للفهرسة: مربع اللصق فارغ.")
    if not re.search(r"\w", text):
        raise DocumentError("Nothing to index: the paste box holds no words", "لا شيء للفهرسة: لا كلمات في مربع اللصق.")
    if is_url(text):
        return _check_text_size(load_url(text.strip(), public_only=not private_allowed()), max_text_bytes)
    if _is_a_message(text):  # "hello" pasted was indexed as an article of one passage (a trial)
        raise DocumentError("This looks like a greeting or a question, not an article: paste the article's text "
                            "here, and ask questions in the chat box",
                            "يبدو هذا تحية أو سؤالا لا مقالا: الصق نص المقال هنا، واكتب أسئلتك في مربع الأسئلة.")
    if len(re.findall(r"\w+", text)) < MIN_WORDS:
        # no sentence to quote: the splitter's shortest sentence ("hello world" was indexed, and
        # the conversation about the article before it cleared; a trial)
        raise DocumentError(f"This is too short to be an article (fewer than {MIN_WORDS} words): paste the "
                            "article's text here, and ask questions in the chat box",
                            f"هذا أقصر من أن يكون مقالا (أقل من {MIN_WORDS} كلمات): الصق نص المقال هنا، "
                            "واكتب أسئلتك في مربع الأسئلة.")
    data = text.encode("utf-8", "replace")
    if is_html_page(text):
        html_name = Path(name).with_suffix(".html").name
        try:  # as load_upload reads an .html file: the source up to MAX_TEXT_BYTES
            document = load_bytes(html_name, data)
        except DocumentError as err:
            raise _renamed(err, html_name, PASTED_HTML, PASTED_HTML_AR) from None
        size = len(document.text.encode("utf-8"))
        if max_text_bytes is not None and size > max_text_bytes:  # the text, as _check_text_size
            raise over_limit(f"the text of {PASTED_HTML}", size, max_text_bytes, f"نص {PASTED_HTML_AR}")
        return document
    if max_text_bytes is not None and len(data) > max_text_bytes:
        raise over_limit(name, len(data), max_text_bytes)
    return make_document(name, text)


def _renamed(err: DocumentError, name: str, english: str, arabic: str) -> DocumentError:
    """``err`` with the stand-in file ``name`` it opens with called ``english``/``arabic``."""
    message = str(err)
    if message.startswith(name):
        message = english + message[len(name):]
    return DocumentError(message, err.arabic.replace(isolate(name), arabic))
