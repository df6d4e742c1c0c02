"""Loading: every UTF-8 ``.txt``/``.md`` file of a folder becomes a ``Document``.

Texts are decoded from the file's bytes without newline translation, so character offsets
into ``Document.text`` are offsets into the file as it is on disk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from .errors import DocumentError

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".md")
MAX_UPLOAD_BYTES = 200_000


@dataclass(frozen=True)
class Document:
    """One article.

    Attributes:
        source: the file name (no folder), used in citations.
        text: the whole file, decoded as UTF-8, newlines untouched.
    """

    source: str
    text: str


def decode_document(name: str, data: bytes, max_bytes: int | None = None) -> Document:
    """Check and decode one file's bytes.

    Args:
        name: the file name; its suffix must be ``.txt`` or ``.md``.
        data: the raw bytes.
        max_bytes: reject larger files (``None``: no limit).

    Returns:
        The ``Document``.

    Raises:
        DocumentError: wrong type, too large, binary (holds a NUL byte), not UTF-8, or
            empty (nothing but whitespace). The message names the file.
    """
    if not name.lower().endswith(SUFFIXES):
        raise DocumentError(f"{name}: only .txt and .md files can be read")
    if max_bytes is not None and len(data) > max_bytes:
        raise DocumentError(f"{name}: {len(data):,} bytes is over the limit of {max_bytes:,} bytes")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise DocumentError(f"{name}: is UTF-16 text; save it as UTF-8 and try again")
    if b"\x00" in data:
        raise DocumentError(f"{name}: looks binary (it holds NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise DocumentError(f"{name}: is not UTF-8 text (bad byte at position {err.start})") from None
    if not text.strip():
        raise DocumentError(f"{name}: is empty")
    return Document(source=name, text=text)


def decode_upload(name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Check an uploaded file and return its text (see ``decode_document`` for the checks).

    Raises:
        DocumentError: as ``decode_document``, with a default limit of 200 kB.
    """
    return decode_document(name, data, max_bytes).text


def load_documents(directory: str | Path) -> tuple[list[Document], list[str]]:
    """Load every ``.txt``/``.md`` file directly inside ``directory``, sorted by name.

    A file that is empty, binary or not UTF-8 is skipped and named in the returned
    messages (and logged); the others still load.

    Args:
        directory: the folder of articles.

    Returns:
        ``(documents, skipped)``: the documents, and one message per skipped file.

    Raises:
        DocumentError: the folder does not exist, or no usable document is in it.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise DocumentError(f"{folder}: no such folder")
    documents: list[Document] = []
    skipped: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not path.name.lower().endswith(SUFFIXES):
            continue
        try:
            documents.append(decode_document(path.name, path.read_bytes()))
        except DocumentError as err:
            skipped.append(f"skipped {err}")
            log.info("skipped %s", err)
    if not documents:
        detail = "; ".join(skipped) if skipped else "no .txt or .md files"
        raise DocumentError(f"{folder}: no usable document ({detail})")
    return documents, skipped
