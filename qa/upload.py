"""Checks for an article a user brings to the web UI (an uploaded file or pasted text).

The UI indexes a user's article for that browser session only; before it does, the bytes
must be a small UTF-8 text file.  Every rejection raises ``DocumentError`` with a message
meant for the user (the UI shows it as is).
"""

from __future__ import annotations

from pathlib import PurePath

try:  # the core's error type, so callers catch one class for every document problem
    from qa.errors import DocumentError
except ImportError:  # pragma: no cover - only while the core is being written

    class DocumentError(ValueError):  # type: ignore[no-redef]
        """A document that cannot be indexed (empty, binary, wrong type, too large)."""


MAX_UPLOAD_BYTES = 200 * 1024
ALLOWED_SUFFIXES = (".txt", ".md")


def _human(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"


def check_size(n_bytes: int, limit: int = MAX_UPLOAD_BYTES) -> None:
    """Raise ``DocumentError`` when ``n_bytes`` is over ``limit``."""
    if n_bytes > limit:
        raise DocumentError(
            f"The article is too large ({_human(n_bytes)}); the limit is {_human(limit)}."
        )


def decode_text_bytes(name: str, data: bytes, limit: int = MAX_UPLOAD_BYTES) -> str:
    """Return the text of an uploaded ``.txt``/``.md`` file.

    Raises ``DocumentError`` for a wrong file type, a file over ``limit`` bytes, binary
    content (NUL bytes or not UTF-8) and an empty or whitespace-only file.  A UTF-8 byte
    order mark is dropped and line ends are normalised to ``\\n``.
    """
    suffix = PurePath(name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        shown = suffix or "no extension"
        raise DocumentError(
            f"Wrong file type ({shown}): upload a plain-text .txt or .md file."
        )
    check_size(len(data), limit)
    if b"\x00" in data:
        raise DocumentError("This file looks binary, not text: upload a UTF-8 .txt or .md file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DocumentError(
            "This file is not UTF-8 text (binary or another encoding): save it as UTF-8 and retry."
        ) from None
    return check_text(text, limit=limit, what="file")


def check_text(text: str | None, limit: int = MAX_UPLOAD_BYTES, what: str = "text") -> str:
    """Return pasted ``text`` with normalised line ends, or raise ``DocumentError``."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DocumentError(f"The {what} is empty: paste or upload an article first.")
    check_size(len(text.encode("utf-8")), limit)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t\f\v")
    if controls > max(8, len(text) // 100):
        raise DocumentError(f"The {what} looks binary, not an article.")
    return text
