"""Per-session articles: each reader's own uploaded article, held in memory within bounds.

A reader who uploads (or pastes) an article gets an ``ArticleQA`` over it, built by
``ArticleQA.with_texts`` and sharing the seed bot's embedding model and answer policy. The
web app keeps that bot here, not in Gradio's session state (Gradio keeps a closed tab's
state for an hour and up to 10,000 sessions), and the session itself holds only an
``ArticleTicket``. Bots are released:

* when the session ends (the app calls ``release_session`` from Gradio's ``unload`` event,
  which fires when a browser tab or a ``gradio_client.Client`` disconnects);
* after ``idle_s`` seconds without a question or upload (``sweep``, run by a background
  thread every ``sweep_interval_s``);
* when a new article would make more than ``max_articles`` live at once: the least
  recently used one goes first.

A reader whose article was released gets ``ArticleReleasedError`` (a ``QuestionError``
whose message says why and what to do) on the next question.

The reader's browser keeps a copy of its article (``KeptArticle``: the name and the text
exactly as indexed, in the tab's ``sessionStorage``, never on the server's disk), so a reload indexes
it again for the new session; ``KeptArticle.from_json`` checks such a copy before use. After releases the sweeper
runs the garbage collector and, on glibc, ``malloc_trim(0)``, so the freed index memory
goes back to the operating system instead of staying in the allocator's free lists
(the resident set size measured by ``article-qa bench --load`` drops only with it).

All methods are thread-safe (one lock; no model work is done while holding it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import DocumentError, QuestionError, isolate

log = logging.getLogger(__name__)

# How many released tickets are remembered (to tell their readers why); older ones get
# the generic message.
REMEMBERED_RELEASES = 10_000


class ArticleReleasedError(QuestionError):
    """The session's own article is no longer in memory; the message says why and what to do."""


@dataclass(frozen=True)
class ArticleTicket:
    """What a session holds for its own article: a key into ``SessionArticles`` and the
    article's name (for messages). Small and immutable, so Gradio may copy it freely."""

    key: str
    name: str


@dataclass
class _Held:
    bot: Any
    session: str
    name: str
    last_used: float
    created: float = field(default=0.0)


# The file in the index folder holding the key of what browsers keep (``browser_secret``).
BROWSER_SECRET_FILE = "browser-secret"


def browser_secret(settings) -> str:
    """The key the web page encrypts what a reader's browser keeps with (the conversation
    and ``KeptArticle``; ``gr.BrowserState(secret=...)``).

    Gradio draws a new random key at each start when none is given, so after a restart
    every browser's kept conversation and article could no longer be read and were lost
    without a word (a trial). The key is ``QA_BROWSER_SECRET`` when set (a Space without
    persistent storage should set it as a secret); else one drawn once with ``secrets``
    and kept in ``<index folder>/browser-secret`` (owner-only, created atomically; two
    processes starting at once read the same one). Only the key is on the server: what it
    encrypts stays in the browsers.

    Returns:
        The key (a URL-safe string of 43 characters when drawn here). When the index folder
        cannot be written, a key for this process alone (logged as a warning): kept copies
        then last until the next restart, as before.
    """
    import os
    import secrets

    from .config import resolve_index_root

    if settings.browser_secret and settings.browser_secret.strip():
        return settings.browser_secret.strip()
    path = resolve_index_root(settings.index_dir) / BROWSER_SECRET_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            kept = path.read_text(encoding="utf-8").strip()
            if kept:
                return kept
            # an empty file (a start stopped between creating and writing it): draw again
            path.unlink(missing_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        key = secrets.token_urlsafe(32)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(key + "\n")
        return key
    except OSError as exc:
        log.warning("cannot keep the browser key in %s (%s): what browsers keep is readable until the next "
                    "restart only", path, exc)
        return secrets.token_urlsafe(32)


# The form of a ``KeptArticle`` in the browser; a copy of another form is dropped.
KEPT_ARTICLE_FORMAT = 1
# Longest document name taken back from a browser (a web page's name holds its address).
KEPT_NAME_CHARS = 500
KEPT_ARTICLE_DROPPED = ("The article kept in this browser tab could not be used again: {reason}. "
                        "The sample article is in use; upload it again to ask about it. / "
                        "تعذّر استخدام المقال المحفوظ في هذه النافذة: {arabic}. والمقال الأصلي هو المستخدم الآن.")


def _malformed(what: str) -> DocumentError:
    return DocumentError(f"the stored copy is not usable: {what}",
                         "النسخة المحفوظة غير صالحة")


@dataclass(frozen=True)
class KeptArticle:
    """A reader's own article as their browser keeps it, to be indexed again after a reload.

    Attributes:
        name: the document name it was indexed under (``ArticleQA.with_texts``'s key, the
            citations' ``source``).
        text: the text exactly as indexed (``ArticleQA.documents[name]``): citations are
            character offsets into it, so only the same text gives the kept answers' offsets.
        pasted: it was pasted text (named by its headline), not a file.
    """

    name: str
    text: str
    pasted: bool = False

    def to_json(self) -> dict[str, Any]:
        """The JSON-safe form the browser keeps (``from_json`` reads it back)."""
        return {"format": KEPT_ARTICLE_FORMAT, "name": self.name, "text": self.text, "pasted": self.pasted}

    @classmethod
    def from_json(cls, data: Any, max_text_bytes: int) -> "KeptArticle | None":
        """The article ``to_json`` gave, or None when nothing is kept (``None``, ``{}``, ``[]``).

        Args:
            data: the browser's stored value.
            max_text_bytes: the upload limit (``qa.conversation.UPLOAD_LIMIT_BYTES``): a kept
                text over it is refused as an upload over it is.

        Raises:
            DocumentError: the value is of another form or version, its name or text is not
                usable, the text is not as indexing leaves it (it would give other offsets),
                or it is over ``max_text_bytes``. The message is meant for the reader.
        """
        from .ingest import clean_text, over_limit

        if data is None or data == {} or data == []:
            return None
        if not isinstance(data, dict) or data.get("format") != KEPT_ARTICLE_FORMAT:
            raise _malformed("it was stored by another version of the app")
        name, text, pasted = data.get("name"), data.get("text"), data.get("pasted", False)
        if not isinstance(name, str) or not name.strip() or len(name) > KEPT_NAME_CHARS:
            raise _malformed("its name is missing or too long")
        if not isinstance(text, str) or not text.strip() or not isinstance(pasted, bool):
            raise _malformed("its text is missing")
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:  # lone surrogates: not text any indexing gave
            raise _malformed("its text is not valid Unicode") from None
        if size > max_text_bytes:
            raise over_limit(f"the text of {name}", size, max_text_bytes, f"نص {isolate(name)}")
        if clean_text(text) != text:
            raise _malformed("its text is not the text that was indexed")
        return cls(name, text, pasted)

    @staticmethod
    def nothing() -> dict[str, Any]:
        """What the browser keeps when no own article is in use: ``{}`` (``from_json`` gives
        None). Not ``None``: Gradio's ``BrowserState`` does not write a null, so the article
        kept before would stay."""
        return {}

    @staticmethod
    def dropped_message(error: DocumentError) -> str:
        """The status line when a kept article is dropped: ``error``'s reason (English and
        Arabic), and that the sample article is in use."""
        return KEPT_ARTICLE_DROPPED.format(reason=str(error).rstrip(". "),
                                           arabic=error.arabic.rstrip(". ") or "السبب مذكور بالإنجليزية")


def _malloc_trim() -> None:
    """Give freed heap memory back to the OS (glibc ``malloc_trim(0)``); no-op elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def released_message(name: str, reason: str, *, max_articles: int, idle_s: float) -> str:
    """The message a reader gets on the next question after their article ``name`` was released.

    ``reason`` is ``"idle"``, ``"evicted"`` or anything else (generic wording).
    """
    if reason == "idle":
        span = f"{idle_s / 60:.0f} minutes" if idle_s >= 120 else f"{idle_s:.0f} seconds"
        why = f"after {span} without a question"
    elif reason == "evicted":
        why = (f"to make room: at most {max_articles} readers' articles are kept at once, "
               "and yours was the least recently used")
    else:
        why = "when your session ended"
    return (f"Your article “{name}” was released from memory {why}. Upload it again to keep asking "
            "about it, or go back to the seed article. / أُزيل مقالك من الذاكرة: ارفعه مرة أخرى لمتابعة الأسئلة.")


class SessionArticles:
    """The readers' own articles, at most ``max_articles`` at once, each freed after ``idle_s``.

    Args:
        max_articles: how many articles may be held at once (>= 1); putting one more
            evicts the least recently used.
        idle_s: seconds without use after which ``sweep`` releases an article (> 0).
        clock: monotonic seconds (tests pass a fake clock).

    Raises:
        ValueError: a limit is out of range.
    """

    def __init__(self, max_articles: int, idle_s: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if max_articles < 1:
            raise ValueError(f"max_articles must be >= 1, got {max_articles}")
        if idle_s <= 0:
            raise ValueError(f"idle_s must be > 0, got {idle_s}")
        self.max_articles = int(max_articles)
        self.idle_s = float(idle_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._held: OrderedDict[str, _Held] = OrderedDict()  # key -> held, least recently used first
        self._released: OrderedDict[str, str] = OrderedDict()  # key -> reason
        self._trim_pending = False
        # session -> how many times its article changed (``changes``); forgotten with the session
        self._changes: dict[str, int] = {}
        self._stop = threading.Event()
        self._sweeper: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings: Any) -> "SessionArticles":
        """A registry with the limits of ``qa.config.Settings`` (``session_articles``,
        ``session_idle_s``)."""
        return cls(settings.session_articles, settings.session_idle_s)

    # ---- holding and looking up ---------------------------------------------------

    def put(self, session: str | None, bot: Any, name: str) -> ArticleTicket:
        """Hold ``bot`` as ``session``'s article (replacing that session's previous one).

        Evicts the least recently used articles beyond ``max_articles``.

        Returns:
            The ticket the session keeps.
        """
        # an API call without a session gets its own, whose changes nobody can ask for
        counted = bool(session)
        session = session or uuid.uuid4().hex
        key = f"{session}:{uuid.uuid4().hex[:12]}"
        now = self._clock()
        with self._lock:
            for old_key in [k for k, held in self._held.items() if held.session == session]:
                del self._held[old_key]
                self._remember(old_key, "replaced")
            self._held[key] = _Held(bot, session, name, now, now)
            if counted:
                self._changes[session] = self._changes.get(session, 0) + 1
            while len(self._held) > self.max_articles:
                evicted, held = self._held.popitem(last=False)
                self._remember(evicted, "evicted")
                log.info("released the article %r of a session: least recently used of %d", held.name,
                         self.max_articles + 1)
                self._trim_pending = True
        return ArticleTicket(key, name)

    def get(self, ticket: ArticleTicket) -> Any:
        """The bot of ``ticket``, marked as just used.

        Raises:
            ArticleReleasedError: it was released (idle, evicted or its session ended).
        """
        with self._lock:
            held = self._held.get(ticket.key)
            if held is not None:
                held.last_used = self._clock()
                self._held.move_to_end(ticket.key)
                return held.bot
            reason = self._released.get(ticket.key, "")
        raise ArticleReleasedError(released_message(ticket.name, reason, max_articles=self.max_articles,
                                                    idle_s=self.idle_s))

    def peek(self, ticket: ArticleTicket | None) -> Any | None:
        """The bot of ``ticket`` if still held, else None; does not count as a use."""
        if ticket is None:
            return None
        with self._lock:
            held = self._held.get(ticket.key)
            return held.bot if held is not None else None

    def __len__(self) -> int:
        with self._lock:
            return len(self._held)

    def changes(self, session: str | None) -> int:
        """How many times ``session``'s article has changed: an article put for it, or its
        article released by the session (``release_session``: back to the seed). Releases
        the session did not ask for (idle, evicted) do not count. An answer begun at one
        count and finished at another was asked of an article the tab no longer shows
        (``app.py`` drops it: it landed in the new article's chat, a trial). 0 for a session
        never seen or ``None``."""
        if not session:
            return 0
        with self._lock:
            return self._changes.get(session, 0)

    def forget_session(self, session: str | None) -> None:
        """The session ended (its tab closed): its articles are released and its count of
        ``changes`` is forgotten, so the registry does not grow with every tab ever opened."""
        self.release_session(session)
        with self._lock:
            self._changes.pop(session or "", None)

    # ---- releasing ----------------------------------------------------------------

    def release_session(self, session: str | None) -> int:
        """Release every article of ``session`` (its tab closed or it went back to the
        seed); returns how many were released."""
        if not session:
            return 0
        with self._lock:
            keys = [k for k, held in self._held.items() if held.session == session]
            for key in keys:
                del self._held[key]
                self._remember(key, "ended")
            if keys:
                self._trim_pending = True
                self._changes[session] = self._changes.get(session, 0) + 1
        return len(keys)

    def sweep(self) -> int:
        """Release the articles idle for ``idle_s`` or more; then, if anything was released
        since the last sweep, collect garbage and trim the heap. Returns how many were
        released now."""
        now = self._clock()
        with self._lock:
            idle = [k for k, held in self._held.items() if now - held.last_used >= self.idle_s]
            for key in idle:
                del self._held[key]
                self._remember(key, "idle")
            trim, self._trim_pending = self._trim_pending or bool(idle), False
        if idle:
            log.info("released %d article(s) idle for %.0f s or more", len(idle), self.idle_s)
        if trim:
            gc.collect()
            _malloc_trim()
        return len(idle)

    def start_sweeper(self, interval_s: float | None = None) -> None:
        """Sweep every ``interval_s`` seconds (default: a quarter of ``idle_s``, between 1 and
        60 s) on a daemon thread; a second call does nothing."""
        if self._sweeper is not None:
            return
        interval = interval_s if interval_s is not None else min(60.0, max(1.0, self.idle_s / 4))

        def run() -> None:
            while not self._stop.wait(interval):
                try:
                    self.sweep()
                except Exception:  # never let the sweeper die silently
                    log.exception("sweeping idle articles failed")

        self._sweeper = threading.Thread(target=run, name="session-articles-sweeper", daemon=True)
        self._sweeper.start()

    def stop_sweeper(self) -> None:
        """Stop the background sweeper (if started)."""
        self._stop.set()
        if self._sweeper is not None:
            self._sweeper.join(timeout=5)
            self._sweeper = None

    def _remember(self, key: str, reason: str) -> None:
        self._released[key] = reason
        while len(self._released) > REMEMBERED_RELEASES:
            self._released.popitem(last=False)
