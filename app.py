"""Ask the article: the Gradio web chat over the public ``qa.ArticleQA`` API.

Run ``.venv/bin/python app.py`` after ``bash scripts/setup.sh`` (listens on ``--host``:``--port``,
else ``GRADIO_SERVER_NAME``:``GRADIO_SERVER_PORT``, by default 127.0.0.1:7860; a Hugging Face
Space runs this file itself on 0.0.0.0:7860).  Tests call ``build_app(bot)``.

This file is only the UI: answering lives in ``qa``; the conversation (turns, history,
question checks, the upload limit, the plain text a copy gives) in ``qa.conversation``; HTML
rendering in ``qa.ui_render``; reading and checking a user's own article (files, pasted text,
web addresses) in ``qa.ingest``. The conversation and the reader's own article (its name and
indexed text, ``qa.sessions.KeptArticle``) are kept in the browser tab (``gr.BrowserState``,
moved from localStorage to the tab's sessionStorage: ``qa.ui_render.tab_storage_script``), so
they survive a reload and nothing of them is stored on the server: on page load the kept
article is indexed again for the new session before the conversation is restored.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# Gradio rebuilds its monitoring summary (a pandas DataFrame of up to 10,000 past events)
# after every event by default: 1.1 ms per event at 50 past events, 5.6 ms at 10,000
# (measured here), against about 30 ms of CPU for a whole answer. Every 100 events is enough.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")

import logging  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gradio as gr  # noqa: E402

from qa import ArticleQA  # noqa: E402
from qa import ui_render as R  # noqa: E402
from qa.conversation import (  # noqa: E402
    INDEXING_PLACEHOLDER,
    INDEXING_STARTED,
    INDEXING_TIME_HINT,
    PROGRESS_EMBEDDING,
    PROGRESS_INDEXING,
    PROGRESS_RESTORING,
    PROGRESS_SPLITTING,
    PROGRESS_UNIT_EMBEDDED,
    PROGRESS_UNIT_SPLIT,
    QUESTION_NOT_ASKED,
    STILL_INDEXING,
    UPLOAD_LIMIT_BYTES,
    UPLOAD_LIMIT_TEXT,
    Conversation,
    answering_failed,
    article_line,
    article_name,
    back_to_sample_line,
    cleared_article,
    check_question,
    failed_line,
    headline_of,
    held_file,
    indexed_line,
    language_notice,
    article_in_use,
    new_conversation_line,
    not_indexed,
    parse_history,
    upload_label,
)
from qa.errors import DocumentError, QuestionError  # noqa: E402
from qa.ingest import MAX_BINARY_BYTES, UPLOAD_HINT, check_upload, load_pasted, load_upload  # noqa: E402
from qa.sessions import ArticleReleasedError, ArticleTicket, KeptArticle, SessionArticles, browser_secret  # noqa: E402

log = logging.getLogger("ask_the_article.app")

ROOT = Path(__file__).resolve().parent
SEEDS_DIR = ROOT / "seeds"
QUESTION_PLACEHOLDER = "Your question, or drop an article here · سؤالك، أو أسقط مقالا هنا"
CONVERSATION_KEY = "ask-the-article-conversation"  # the tab's sessionStorage key (R.tab_storage_script)
ARTICLE_KEY = "ask-the-article-own-article"  # the reader's own article (KeptArticle.to_json), in the tab

EXAMPLES = [
    "من حضر المؤتمر؟",
    "Who attended the conference?",
    "أين عقد المؤتمر؟",
    "Which country was absent from the conference?",
    "ما هي الملفات التي ناقشها المؤتمر؟",
]

THEME = gr.themes.Default(
    font=[
        gr.themes.LocalFont("Source Sans Pro"),  # shipped inside Gradio, no web font fetch
        "Noto Naskh Arabic",
        "Noto Sans Arabic",
        "ui-sans-serif",
        "system-ui",
        "sans-serif",
    ],
)

LAUNCH_DEFAULTS: dict[str, Any] = {
    "theme": THEME,
    "css": R.CSS,
    "js": R.CLICK_JS,
    "footer_links": ["api", "settings"],
    "max_file_size": MAX_BINARY_BYTES,  # the file; its text is held to qa.conversation.UPLOAD_LIMIT_TEXT
    "i18n": gr.I18n(en=R.GRADIO_TEXTS),  # the upload box's own words, bilingual, and "common.complete"
    "head": R.tab_storage_script([CONVERSATION_KEY, ARTICLE_KEY]),
}


class AskApp(gr.Blocks):
    """``gr.Blocks`` whose ``launch()`` brings the app's theme, CSS and script by default
    (Gradio 6 takes those at launch, not in the constructor)."""

    def launch(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        for key, value in LAUNCH_DEFAULTS.items():
            kwargs.setdefault(key, value)
        return super().launch(*args, **kwargs)


def load_default_bot() -> ArticleQA:
    """The bot over the seed article(s), building the index (``QA_INDEX_DIR``, default
    ``index/``) if it is missing or stale."""
    return ArticleQA.from_directory(str(SEEDS_DIR))


def _user_error(message: str) -> gr.Error:
    """The ``gr.Error`` for a bad request (empty question, malformed history): the client
    gets ``message``; the server log gets one INFO line, not a traceback (Gradio prints the
    traceback of every ``gr.Error`` unless ``print_exception=False``)."""
    log.info("request refused: %s", message)
    return gr.Error(message, print_exception=False)


def _internal_error(what: str, exc: Exception) -> gr.Error:
    """The ``gr.Error`` for a failure of ours: logged with its traceback here, once (call it
    inside the ``except``); Gradio is told not to print a second one, of the re-raise."""
    log.exception("%s failed", what)
    return gr.Error(f"{what.capitalize()} failed ({type(exc).__name__}: {exc})", print_exception=False)



def build_app(bot: ArticleQA | None = None) -> gr.Blocks:
    """Build the UI over ``bot`` (default: the seed article).  Each browser session starts
    on ``bot``; a user's own article replaces it for that session only.  Sessions hold an
    ``ArticleTicket``; the articles themselves live in ``demo.articles``
    (``qa.sessions.SessionArticles``, limits from ``qa.config.Settings``)."""
    base_bot = bot if bot is not None else load_default_bot()
    base_info = base_bot.info()
    # the seed named by its headline in status lines ("sample article “…”", kept on one line on a phone)
    seed_name = article_name("sample article", [headline_of(text) or name for name, text in base_bot.documents.items()])
    articles = SessionArticles.from_settings(base_bot.settings)
    articles.start_sweeper()

    def current(session_bot: ArticleTicket | None) -> ArticleQA:
        """The bot a question goes to (raises ``ArticleReleasedError`` if the session's
        article was released)."""
        return base_bot if session_bot is None else articles.get(session_bot)

    def shown(session_bot: ArticleTicket | None) -> ArticleQA:
        """The bot whose article is shown (the seed once the session's was released)."""
        return articles.peek(session_bot) or base_bot

    def article_label(session_bot: ArticleTicket | None) -> str:
        return "your article" if session_bot is not None else "sample article"

    def answered_from(session_bot: ArticleTicket | None) -> str:
        documents = shown(session_bot).documents
        return article_line(article_label(session_bot),
                            [headline_of(text) or name for name, text in documents.items()])

    # ------------------------------------------------------------------ handlers

    own_outputs: list = []  # what switching the session's article updates (filled with the layout)

    def pending_turn(question: str) -> list[dict]:
        """The chat's messages for a question being answered: its bubble and the pending one."""
        return [{"role": "user", "content": R.render_user(question)},
                {"role": "assistant", "content": R.render_pending()}]

    def render_turns(conversation: Conversation, session_bot: ArticleTicket | None) -> list[dict]:
        """The chat's messages for every turn of ``conversation``."""
        documents = shown(session_bot).documents
        messages = []
        for turn in conversation.turns:
            messages.append({"role": "user", "content": R.render_user(turn.question)})
            messages.append({"role": "assistant",
                             "content": R.render_answer(turn.answer, documents, turn.elapsed_s, article=turn.article,
                                                        question=turn.question)})
        return messages

    def back_in_box(text: str) -> dict:
        """The update putting a refused question back into the box (emptied in the browser as
        it was sent, ``R.CLEAR_QUESTION_JS``), or nothing for one with no text."""
        return {question_box: gr.update(value={"text": text, "files": []})} if text.strip() else {}

    def chat(question, chat_history, kept, session_bot, indexing=False, shown=False, request: gr.Request = None):
        """Stream an answer into the chat (generator: Gradio streams each yield).

        ``question`` is the chat box's value (``{"text", "files"}``; a dropped file is kept
        in ``dropped``, indexed as this tab's article by ``use_dropped``, and the text typed
        with it asked by ``ask_dropped``) or plain text from the API; ``kept`` is the
        conversation as the browser keeps it. A refused question (empty, or asked while
        indexing) adds no bubble: the message under the chat box says why, replacing the
        previous one. ``shown``: the question's bubble and the pending answer are already the
        last two messages of ``chat_history`` (a question typed with a dropped file). If the
        tab's article changes while the answer is being made, the answer is dropped: the
        chat is the new article's by then (``SessionArticles.changes``).
        """
        text = question.get("text", "") if isinstance(question, dict) else (question or "")
        if isinstance(question, dict) and question.get("files"):
            # a dropped file: kept for ``use_dropped`` (the box empties itself once submitted, so
            # the steps after this one would read None), which indexes it; a question typed with
            # it is asked of the new article once indexed (``ask_dropped``). That question is
            # shown at once, pending (it had vanished until the end of indexing, a trial).
            update = {dropped: question, question_box: gr.update(value=None)}
            if text.strip():
                update[chatbot] = [*(chat_history or []), *pending_turn(text.strip())]
            yield update
            return
        conversation = Conversation.from_json(kept)
        # refused before answering: no bubble (a pending one already shown goes)
        unshown = {chatbot: list(chat_history or [])[:-2]} if shown else {}
        try:
            if indexing:
                raise QuestionError(STILL_INDEXING)
            text = check_question(text)
            qa_bot = current(session_bot)  # refused here if the session's article was released
        except ArticleReleasedError as exc:
            # the upload's "Indexed …, questions now go to your article" line is no longer true;
            # the question goes back into the box, which the browser emptied as it was sent
            yield {chat_status: R.render_status(str(exc), ok=False), status: "", **unshown, **back_in_box(text)}
            return
        except QuestionError as exc:
            # an example clicked while the reader's article is indexed asks about the sample
            # article: it does not go into the box, where Ask would send it to the new one (a trial)
            yield {chat_status: R.render_status(str(exc), ok=False), **unshown,
                   **({} if indexing else back_in_box(text))}
            return
        session = getattr(request, "session_hash", None)
        asked_at = articles.changes(session)

        def switched() -> bool:
            """The tab moved to another article since the question: its chat is not this
            answer's. Then a last yield changes nothing, since Gradio redraws a generator's
            last yield when it ends (the pending bubble came back)."""
            return articles.changes(session) != asked_at

        messages = list(chat_history or []) + ([] if shown else pending_turn(text))
        # the box was emptied in the browser as the question was sent (R.CLEAR_QUESTION_JS)
        yield {chatbot: messages, chat_status: "", dropped: None}
        partial = ""
        turn = None
        try:
            for item in conversation.stream(qa_bot, text, article=answered_from(session_bot)):
                if switched():
                    yield {chatbot: gr.skip()}
                    return
                if isinstance(item, str):
                    partial += item
                    messages[-1] = {"role": "assistant", "content": R.render_pending(partial)}
                    yield {chatbot: messages}
                else:
                    turn = item
        except QuestionError as exc:  # the core refused it after all: no bubble either
            yield {chatbot: messages[:-2], chat_status: R.render_status(str(exc), ok=False), **back_in_box(text)}
            return
        except Exception as exc:  # never a traceback in the chat
            log.exception("answering failed")
            yield {chatbot: messages[:-2], chat_status: R.render_status(answering_failed(exc), ok=False),
                   **back_in_box(text)}
            return
        if switched():
            yield {chatbot: gr.skip()}
            return
        answer = turn.answer
        messages[-1] = {"role": "assistant",
                        "content": R.render_answer(answer, qa_bot.documents, turn.elapsed_s, article=turn.article,
                                                   question=turn.question)}
        choices = R.source_choices(answer)
        yield {
            chatbot: messages,
            conversation_state: conversation.to_json(),
            last_answer: answer,
            article: R.render_article(qa_bot.documents, answer),
            sources: gr.update(choices=choices, value=R.first_source(answer) if choices else None, visible=bool(choices)),
            footer: R.render_footer(qa_bot.info(), turn.elapsed_s, article_label(session_bot)),
        }

    def after_question(kept, outcome):
        """After a question: the conversation goes to the browser's storage, and the line
        saying an upload was refused, which was about the turn before, goes away (it stayed
        under the chat after the next answer), as does "New conversation: questions go to …",
        which was about the conversation's start (it stayed above its later turns, a trial).
        Only once the conversation has an answer: this step also runs after an answer
        cancelled by "New conversation", and wiped the line that click had just written."""
        if outcome in ("error", "new") and Conversation.from_json(kept).turns:
            return kept, "", None
        return kept, gr.skip(), gr.skip()

    def restore(kept, session_bot):
        """On page load: the conversation the browser kept, back in the chat."""
        conversation = Conversation.from_json(kept)
        if not conversation.turns:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        answer = conversation.turns[-1].answer
        notice = conversation.article_notice(answered_from(session_bot), article_label(session_bot))
        # under the chat box, where refusals go (a toast from this unqueued load event is never shown)
        status_line = R.render_status(notice, ok=False) if notice else gr.skip()
        # the source buttons come back with the answer, unless it cited an article no longer shown
        choices = [] if notice else R.source_choices(answer)
        return (render_turns(conversation, session_bot), answer,
                R.render_article(shown(session_bot).documents, answer), conversation.to_json(),
                gr.update(choices=choices, value=R.first_source(answer) if choices else None, visible=bool(choices)),
                status_line)

    def ask_api(question: str, history, session_bot) -> dict:
        """JSON endpoint: ``Answer.to_dict()`` for one question.

        ``history`` (optional, default ``[]``): earlier turns as a JSON list of
        ``{"role": "user"|"assistant", "content": str}``, so a follow-up can be asked.
        """
        try:
            turns = parse_history(history)
            question = check_question(question)
        except QuestionError as exc:  # logged as one line, no traceback
            raise _user_error(str(exc)) from None
        try:
            return current(session_bot).ask(question, history=turns).to_dict()
        except QuestionError as exc:
            raise _user_error(str(exc)) from None
        except Exception as exc:
            raise _internal_error("answering", exc) from None

    def article_panel(answer, n, kept, session_bot) -> str:
        """The article panel with ``answer``'s passages, ``n`` in focus, saying so above them
        when ``answer`` is an earlier one than the latest."""
        earlier = Conversation.from_json(kept).earlier_turn(answer)
        return R.render_article(shown(session_bot).documents, answer, focus=n,
                                earlier=earlier.question if earlier else None)

    def focus_source(n, last_answer, kept, session_bot):
        """A source chosen in the selector: the panel's answer (``last_answer``) with it in focus."""
        return article_panel(last_answer, n, kept, session_bot)

    def show_picked(pick, kept, session_bot):
        """A marker or source clicked in the chat (``R.CLICK_JS``): the article panel shows the
        passages of that marker's answer, an earlier one too, with its numbers, focused on the one
        clicked, and the selector lists that answer's sources (``last_answer`` becomes the answer
        the panel shows). An earlier answer's marker had outlined its paragraph amid the latest
        answer's highlights and numbers (a trial)."""
        picked = R.parse_pick(pick)
        turn = Conversation.from_json(kept).shown_turn(picked[0], answered_from(session_bot)) if picked else None
        if turn is None:  # nothing to show but the scroll the page did itself
            return gr.skip(), gr.skip(), gr.skip()
        n = R.picked_source(turn.answer, picked[1])
        return (turn.answer, article_panel(turn.answer, n, kept, session_bot),
                gr.update(choices=R.source_choices(turn.answer), value=n, visible=True))

    def own_article_widgets(name: str | None, messages: list | None = None) -> tuple:
        """The chat (emptied, or holding ``messages``) with its placeholder, the seed examples
        and the note in their place, for the seed (``name`` None) or for the user's own article
        ``name``: the examples are questions about the seed, so they are hidden while the tab's
        own article is active."""
        own = name is not None
        return (
            gr.update(value=messages or [], placeholder=R.chat_placeholder(own)),
            gr.update(visible=not own),
            gr.update(value=R.render_examples_note(name) if own else "", visible=own),
        )

    def _is_indexed_paste(pasted: str | None, indexed_paste: str | None) -> bool:
        """The paste box still holds the pasted text that is (or was) the tab's article, not
        a draft typed since."""
        return indexed_paste is not None and (pasted or "").strip() == indexed_paste.strip()

    def _use_text(name: str, text: str, progress: gr.Progress, request: gr.Request | None, *, upload_update,
                  pasted_update, indexed_paste, pasted: bool | None = None, restored: bool = False,
                  pending: str = "", cleared: str = ""):
        """Index ``text`` for this session; ``upload_update``, ``pasted_update`` and
        ``indexed_paste`` are the upload box, the paste box and the pasted text now indexed (or
        None). ``pasted``: the text was pasted (default: ``indexed_paste`` is set); ``restored``:
        it is the article the browser kept, back after a reload (the status line says so);
        ``pending``: a question typed with the file, asked once it is indexed, stays in the new
        chat as a pending bubble; ``cleared``: the article the conversation this switch clears was
        about (``qa.conversation.cleared_article``), which the status line says."""
        pasted = indexed_paste is not None if pasted is None else pasted
        progress(0, desc=PROGRESS_RESTORING if restored else PROGRESS_INDEXING)

        def report(done: int, total: int) -> None:
            # ``done``/``total`` count every embedded text: passages and sentence units
            progress((done, total), desc=PROGRESS_EMBEDDING, unit=PROGRESS_UNIT_EMBEDDED)

        def report_split(done: int, total: int) -> None:
            # before embedding: the article's paragraphs cut into passages and sentences (the
            # bar stood at 0 % meanwhile, a trial)
            progress((done, total), desc=PROGRESS_SPLITTING, unit=PROGRESS_UNIT_SPLIT)

        new_bot = base_bot.with_texts({name: text}, progress_callback=report, split_callback=report_split)
        # a file is called by its name; pasted text by its headline (its stand-in file name,
        # "pasted-article.txt", is no file the user made); the ticket names it so too
        label = (headline_of(text) or name) if pasted else name
        ticket = articles.put(getattr(request, "session_hash", None), new_bot, label)
        info = new_bot.info()
        notice = language_notice(new_bot.extractive.document_language)
        line = indexed_line(label, pasted, info.get("n_passages", "?"), restored, cleared=cleared)
        status = R.render_status(line + (f" / {notice}" if notice else ""))
        # what the browser keeps: the text exactly as indexed (citations are offsets into it)
        kept = KeptArticle(name, new_bot.documents[name], pasted).to_json()
        chat_update, examples_update, note_update = own_article_widgets(label, pending_turn(pending) if pending else [])
        return (
            ticket,
            status,
            chat_update,
            [],
            None,
            R.render_article(new_bot.documents, None),
            gr.update(choices=[], value=None, visible=False),
            R.render_footer(info, None, "your article"),
            examples_update,
            note_update,
            upload_update,
            pasted_update,
            indexed_paste,
            kept,
            "done",
        )

    def _fail(message: str, clear_upload: bool = False, arabic: str = "", session_bot=None, what: str = "file"):
        """Nothing changes but the status line (and, for a refused upload, the upload box, which
        listed the refused file as if it were the article): the session keeps its article,
        ``session_bot``'s (None: the sample), which the line names. ``arabic``: the reason in
        Arabic (``DocumentError.arabic``), when there is one; ``what``: "file" or "text"."""
        skip = gr.skip()
        in_use = article_in_use(session_bot.name if session_bot else None, seed_name)
        out = [skip, R.render_status(not_indexed(message, arabic, in_use, what), ok=False),
               *([skip] * (len(own_outputs) - 3)), "error"]
        if clear_upload:
            out[own_outputs.index(upload)] = None
        return tuple(out)

    def refuse_held(value, session_bot=None):
        """A file the page held back for its size (``R.CLICK_JS``; Gradio's own refusal was an
        English pop-up that left the status line as it was): refused on the status line in the
        words of an upload over its limit; the article in use stays."""
        try:
            name, size = held_file(value)
            check_upload(name, size, UPLOAD_LIMIT_BYTES)
        except DocumentError as error:
            return _fail(str(error), arabic=error.arabic, session_bot=session_bot)
        return tuple(gr.skip() for _ in own_outputs)  # within every limit: the page holds back no such file

    def use_file(file_path, paste_is_article=False, kept=None, session_bot=None, progress=gr.Progress(),
                 request: gr.Request = None):
        """Index an uploaded file for this session.  Indexed or refused, the file leaves the
        upload box, which is ready for the next one (a second upload needed the first
        removed with its ✕, a trial); the status line names the article in use, and says the
        conversation ``kept`` (about the session's article before) was cleared. The paste
        box is emptied if it still holds the pasted article this file replaces
        (``paste_is_article``, a state set by ``start_indexing``)."""
        return _index_file(file_path, paste_is_article, progress, request, from_upload_box=True,
                           cleared=cleared_article(kept, session_bot is not None), session_bot=session_bot)

    def _index_file(file_path, paste_is_article, progress, request, *, from_upload_box: bool, pending: str = "",
                    cleared: str = "", session_bot=None):
        """``use_file``'s work; a file dropped on the chat box (``from_upload_box`` False) leaves
        the upload box alone when refused (once indexed, it is the article: no earlier file
        stays named there). ``pending``: the question typed with it; ``cleared``: as in
        ``_use_text``."""
        if not file_path:
            return _fail(f"No file received: choose {UPLOAD_HINT}.", clear_upload=from_upload_box,
                         arabic="لم يصل ملف: اختر ملف PDF أو Word أو HTML أو نصا.", session_bot=session_bot)
        path = Path(file_path)
        try:
            document = load_upload(path, max_text_bytes=UPLOAD_LIMIT_BYTES)  # PDF, Word, HTML, any text
            return _use_text(
                document.source,
                document.text,
                progress,
                request,
                # ready for the next file; its label (and the status line) names this one
                upload_update=gr.update(value=None, label=upload_label(document.source)),
                pasted_update="" if paste_is_article else gr.skip(),
                indexed_paste=None,
                pending=pending,
                cleared=cleared,
            )
        except DocumentError as exc:
            return _fail(str(exc), clear_upload=from_upload_box, arabic=exc.arabic, session_bot=session_bot)
        except Exception as exc:
            log.exception("indexing an upload failed")
            return _fail(failed_line("index this file", exc), clear_upload=from_upload_box, session_bot=session_bot)

    def use_text(text, kept=None, session_bot=None, progress=gr.Progress(), request: gr.Request = None):
        """Index pasted text for this session.  An earlier uploaded file is no longer the
        article, so the upload box is emptied; the status line says the conversation ``kept``
        was cleared."""
        try:
            document = load_pasted(text, max_text_bytes=UPLOAD_LIMIT_BYTES)  # a pasted URL is fetched
            return _use_text(
                document.source,
                document.text,
                progress,
                request,
                upload_update=gr.update(value=None, label=upload_label()),  # the file is no longer in use
                pasted_update=gr.skip(),
                indexed_paste=text,
                cleared=cleared_article(kept, session_bot is not None),
            )
        except DocumentError as exc:
            return _fail(str(exc), arabic=exc.arabic, session_bot=session_bot, what="text")
        except Exception as exc:
            log.exception("indexing pasted text failed")
            return _fail(failed_line("index this text", exc), session_bot=session_bot, what="text")

    def start_indexing(pasted=None, indexed_paste=None):
        """Before indexing: lock the question box (a question now would go to the old
        article, and its answer be cleared when indexing ends) and say what is going on.
        Also notes whether the paste box holds the pasted article (it is locked from here
        on), for ``use_file`` to empty it once the file replaces that article, and clears
        the line under the chat box (a trial saw "Your question was not asked…" stay beside
        the next article's "Indexed …")."""
        locked = gr.update(interactive=False, placeholder=INDEXING_PLACEHOLDER)
        return (
            "busy",
            _is_indexed_paste(pasted, indexed_paste),
            True,
            R.render_status(INDEXING_STARTED, busy=True),
            locked,
            gr.update(interactive=False),
            gr.update(interactive=False),
            gr.update(interactive=False),  # the upload box: a second file now would be dropped
            gr.update(interactive=False),  # the paste box
            "",  # the line under the chat box was about the article being replaced
        )

    def end_indexing(outcome):
        """After indexing (done, refused or failed): unlock the question box.  An outcome
        still "busy" means the handler never ran: Gradio refused the file itself (wrong
        type, shown in its own toast), so don't leave "Indexing…" up."""
        status_update = gr.skip()
        if outcome == "busy":
            status_update = R.render_status(
                not_indexed(f"Not indexed: use {UPLOAD_HINT} with up to {UPLOAD_LIMIT_TEXT} of text.",
                            f"لم يُفهرس: استخدم ملف PDF أو Word أو HTML أو نصا، حتى {UPLOAD_LIMIT_TEXT} من النص.",
                            what="file"),  # only a file reaches Gradio's own check
                ok=False)
        unlocked = gr.update(interactive=True)
        return (
            False,
            status_update,
            gr.update(interactive=True, placeholder=QUESTION_PLACEHOLDER),
            unlocked,
            unlocked,
            unlocked,
            unlocked,
            # the line under the chat box: only an example clicked while indexing wrote there
            # since ``start_indexing`` emptied it, "Still indexing…", no longer true (a trial)
            "",
        )

    def release_paste(pasted, indexed_paste):
        """Before going back to the seed: empty the paste box if it holds the pasted article
        (a draft typed since stays)."""
        return ("" if _is_indexed_paste(pasted, indexed_paste) else gr.skip()), None

    def use_seed(kept=None, session_bot=None, request: gr.Request = None):
        """Back to the seed article: the session's own article is released, the upload box
        is emptied (``release_paste`` has seen to the paste box) and the seed examples return;
        the status line says the conversation ``kept`` was cleared."""
        articles.release_session(getattr(request, "session_hash", None))
        chat_update, examples_update, note_update = own_article_widgets(None)
        return (
            None,
            R.render_status(back_to_sample_line(seed_name, cleared_article(kept, session_bot is not None))),
            chat_update,
            [],
            None,
            R.render_article(base_bot.documents, None),
            gr.update(choices=[], value=None, visible=False),
            R.render_footer(base_info, None, "sample article"),
            examples_update,
            note_update,
            gr.update(value=None, label=upload_label()),
            gr.skip(),
            None,
            KeptArticle.nothing(),  # the browser forgets the article too
            "done",
        )

    def start_if_dropped(value, pasted=None, indexed_paste=None):
        """``start_indexing`` when the chat box holds a file, else nothing changes."""
        if isinstance(value, dict) and value.get("files"):
            return start_indexing(pasted, indexed_paste)
        return tuple(gr.skip() for _ in range(10))

    def end_if_dropped(value, outcome):
        """``end_indexing`` when the chat box held a file, else nothing changes: after every
        plain question it redrew the upload box, and a file chosen just as an answer ended
        was lost (CI saw an upload never indexed)."""
        if isinstance(value, dict) and value.get("files"):
            return end_indexing(outcome)
        return tuple(gr.skip() for _ in [*lock_outputs, chat_status])

    def use_dropped(value, paste_is_article=False, kept=None, session_bot=None, progress=gr.Progress(),
                    request: gr.Request = None):
        """A file dropped on (or attached in) the chat box (``value``, kept by ``chat``):
        indexed as this tab's article, as an upload is."""
        files = value.get("files") if isinstance(value, dict) else None
        if not files:
            return tuple(gr.skip() for _ in own_outputs)
        first = files[0]
        path = first if isinstance(first, str) else (first.get("path") if isinstance(first, dict) else None)
        return _index_file(path, paste_is_article, progress, request, from_upload_box=False,
                           pending=(value.get("text") or "").strip(),
                           cleared=cleared_article(kept, session_bot is not None), session_bot=session_bot)

    def ask_dropped(value, outcome, chat_history, kept, session_bot, request: gr.Request = None):
        """The question typed with a dropped file, asked of that file once it is indexed (its
        bubble, shown pending since it was sent, gets the answer); if the file was refused,
        the bubble goes and the question goes back into the box (not to the old article)."""
        text = value.get("text", "").strip() if isinstance(value, dict) else ""
        if not text:
            yield {dropped: None}
            return
        if outcome != "done":
            yield {dropped: None, chatbot: list(chat_history or [])[:-2],
                   chat_status: R.render_status(QUESTION_NOT_ASKED, ok=False), **back_in_box(text)}
            return
        yield {dropped: None}
        yield from chat(text, chat_history, kept, session_bot, shown=True, request=request)

    def _dropped(error: DocumentError) -> tuple:
        """A kept article that cannot be used: the status line says why and that the sample
        article stays; ``after_restore`` makes the browser forget it."""
        log.info("dropped the article a browser kept: %s", error)
        out = list(_fail(str(error)))
        out[own_outputs.index(status)] = R.render_status(KeptArticle.dropped_message(error), ok=False)
        out[own_outputs.index(indexed_article)] = KeptArticle.nothing()
        return tuple(out)

    def on_load(kept_value, kept, session_bot):
        """On page load. The article the browser keeps goes to ``pending_article``, whose change
        indexes it again (``restore_article``) and then restores the conversation
        (``after_restore``); without one, the conversation is restored now. A kept article
        that is not usable is dropped here, with a status line; the sample article stays."""
        try:
            kept_article_ = KeptArticle.from_json(kept_value, UPLOAD_LIMIT_BYTES)
        except DocumentError as exc:
            log.info("dropped the article a browser kept: %s", exc)
            return (gr.skip(), KeptArticle.nothing(), R.render_status(KeptArticle.dropped_message(exc), ok=False),
                    *restore(kept, session_bot))
        if kept_article_ is not None:
            return (kept_value, *(gr.skip() for _ in range(8)))
        return (gr.skip(), gr.skip(), gr.skip(), *restore(kept, session_bot))

    def restore_article(kept_value, progress=gr.Progress(), request: gr.Request = None):
        """The article the browser keeps, indexed again for this session as an upload is (the
        same widgets change; the status line says it is back). One that fails is dropped
        (``_dropped``), never raised."""
        try:
            kept = KeptArticle.from_json(kept_value, UPLOAD_LIMIT_BYTES)
            if kept is None:  # nothing kept after all: nothing changes (outcome None: no message)
                return (*(gr.skip() for _ in own_outputs[:-1]), None)
            upload_update = gr.skip() if kept.pasted else gr.update(label=upload_label(kept.name))
            return _use_text(kept.name, kept.text, progress, request, upload_update=upload_update,
                             pasted_update=gr.skip(), indexed_paste=None, pasted=kept.pasted, restored=True)
        except DocumentError as exc:
            return _dropped(exc)
        except Exception as exc:
            log.exception("indexing the kept article again failed")
            return _dropped(DocumentError(f"{type(exc).__name__}: {exc}"))

    def after_restore(outcome, kept, session_bot):
        """After the kept article was indexed again (or dropped: the browser forgets it), the
        conversation is restored, its answers labelled by the article now in use."""
        return (KeptArticle.nothing() if outcome == "error" else gr.skip(), *restore(kept, session_bot))

    def keep_article(outcome, indexed, conversation):
        """After the session's article changed (upload, paste, back to the sample): the browser
        keeps the article now in use (``KeptArticle.nothing()``: the sample) and the conversation, emptied with it
        (a reload brought back the turns of the article before)."""
        if outcome != "done":
            return gr.skip(), gr.skip()
        return indexed, conversation

    def keep_dropped(value, outcome, indexed, conversation):
        """``keep_article`` after the chat box's indexing step, if a file was dropped on it."""
        if not (isinstance(value, dict) and value.get("files")):
            return gr.skip(), gr.skip()
        return keep_article(outcome, indexed, conversation)

    # ------------------------------------------------------------------ layout

    with AskApp(title="Ask the article · اسأل المقال", analytics_enabled=False) as demo:
        session_bot = gr.State(None)  # this session's ArticleTicket (its own article), or None = seed
        # the conversation (qa.conversation.Conversation.to_json), kept in this browser only
        # one key across restarts: with Gradio's random one per start, kept copies were lost
        secret = browser_secret(base_bot.settings)
        kept_conversation = gr.BrowserState([], storage_key=CONVERSATION_KEY, secret=secret)
        # the same in this session, read by the chat (a BrowserState input would become a
        # required parameter of the /chat endpoint); copied back to the browser after each turn
        conversation_state = gr.State([])
        # the reader's own article (qa.sessions.KeptArticle.to_json), kept in this browser only,
        # indexed again on page load; None or {}: the sample article
        kept_article = gr.BrowserState(None, storage_key=ARTICLE_KEY, secret=secret)
        indexed_article = gr.State(None)  # the same for this session: what _use_text indexed
        pending_article = gr.State(None)  # the kept article to index again, set once on page load
        # how the last indexing of this tab's article ended: busy, done, error; or "new": the
        # status line says "New conversation: …" (until the first answer, ``after_question``)
        outcome = gr.State(None)
        dropped = gr.State(None)  # the chat box's value when a file was dropped on it ({"text", "files"})
        last_answer = gr.State(None)  # the answer whose passages the article panel shows (the latest, or one clicked)
        indexing = gr.State(False)  # True while this session's own article is being indexed
        indexed_paste = gr.State(None)  # the pasted text now indexed as this session's article
        paste_is_article = gr.State(False)  # while a file indexes: the paste box holds indexed_paste

        gr.HTML(
            # each half of the title kept whole on a phone, the Arabic halves in their own
            # direction (in the English line their full stop was drawn where Arabic begins)
            '<div dir="ltr"><h1 style="margin:0"><span style="white-space:nowrap">Ask the article</span> · '
            '<span dir="rtl" lang="ar" style="white-space:nowrap">اسأل المقال</span></h1>'
            "<p style=\"margin:.2em 0 0\">Ask in Arabic or English; every answer quotes the article "
            "with numbered sources. Click a source to see it in the article. "
            '· <span dir="rtl" lang="ar">اسأل بالعربية أو بالإنجليزية، وكل إجابة تقتبس من المقال مع مصادر مرقمة.</span></p></div>'
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=5, min_width=360):
                chatbot = gr.Chatbot(
                    # the floating "Chat" label covered the text of a scrolled message (a trial);
                    # the label stays for screen readers
                    show_label=False,
                    label="Chat · المحادثة",
                    elem_id="qa-chat",
                    height=560,
                    sanitize_html=True,
                    render_markdown=True,
                    latex_delimiters=[],
                    feedback_options=None,
                    buttons=[],  # each answer has its own "Copy" (plain text, not the message's HTML)
                    placeholder=R.chat_placeholder(own=False),
                    # the latest answer is brought into view by SCROLL_TO_FOCUS_JS (its top, on a
                    # phone); Gradio's own scroll to the bottom ran after it and hid a long answer's start
                    autoscroll=False,
                )
                question_box = gr.MultimodalTextbox(
                    show_label=False,
                    label="Your question · سؤالك",  # what a screen reader announces (else "MultimodalTextbox")
                    placeholder=QUESTION_PLACEHOLDER,
                    elem_id="qa-question",
                    sources=["upload"],
                    # no file_types: Gradio refused another type with an English-only toast and
                    # left the previous error on the status line (a trial); qa.ingest refuses
                    # it there, in both languages
                    file_count="single",
                    lines=1,
                    max_lines=4,
                    autofocus=True,
                    submit_btn="Ask · اسأل",
                )
                # Under the chat box: why a question was refused (replacing the previous
                # message) and, while this tab's own article is indexed, its progress.
                chat_status = gr.HTML("", elem_id="qa-chat-status")
                # the largest file the page sends (R.CLICK_JS holds back a larger one: refuse_held)
                gr.HTML(f'<div id="qa-attach-hint" role="status" data-max-file-bytes="{MAX_BINARY_BYTES}"></div>',
                        elem_id="qa-attach-hint-block")
                status = gr.HTML("", elem_id="qa-status")
                # Questions about the seed article: hidden while the tab's own article is
                # active, with a note in their place (see own_article_widgets).
                examples = gr.Examples(
                    examples=[[q] for q in EXAMPLES],
                    inputs=[question_box],
                    label="Examples about the sample article · أمثلة عن المقال الأصلي",
                    elem_id="qa-examples",
                )
                examples_note = gr.HTML("", visible=False, elem_id="qa-examples-note")
                clear = gr.Button("New conversation · محادثة جديدة", size="sm", variant="secondary")
            with gr.Column(scale=4, min_width=320):
                gr.HTML(R.ARTICLE_HEADING, elem_id="qa-article-heading")
                sources = gr.Radio(
                    label="Show source in the article · اعرض المصدر",
                    choices=[],
                    visible=False,
                    elem_id="qa-source-select",
                )
                article = gr.HTML(R.render_article(base_bot.documents, None), elem_id="qa-article-panel")
        with gr.Accordion("Your own article · مقالك الخاص", open=False, elem_id="qa-own"):
            gr.Markdown(
                f"Upload {UPLOAD_HINT} (up to {UPLOAD_LIMIT_TEXT} of text), drop it on the chat box, or "
                "paste the text or address. It is indexed for this browser tab only; other users keep the sample article. "
                f"{INDEXING_TIME_HINT} Questions wait until it is ready.\n\n"
                f'<p dir="rtl" lang="ar">ارفع ملفا (PDF أو Word أو HTML أو نصا، حتى <bdi dir="ltr">{UPLOAD_LIMIT_TEXT}</bdi> من النص)، '
                "أو أسقطه على مربع الأسئلة، أو الصق النص أو رابطه. يفهرس لهذه النافذة وحدها، ويبقى المقال الأصلي لغيرك. "
                "تنتظر الأسئلة حتى تنتهي الفهرسة.</p>"
            )
            with gr.Row():
                upload = gr.File(
                    label=upload_label(), type="filepath", elem_id="qa-upload"  # no file_types: as the chat box
                )
                with gr.Column():
                    pasted = gr.Textbox(label="…or paste an article · أو الصق مقالا", lines=6, max_lines=12, elem_id="qa-paste")
                    with gr.Row():
                        index_pasted = gr.Button("Use pasted text · استخدم النص الملصق", variant="primary")
                        back_to_seed = gr.Button("Back to the sample article · عد إلى المقال الأصلي")
        footer = gr.HTML(R.render_footer(base_info, None, "sample article"), elem_id="qa-footer")

        # Hidden components for the JSON endpoint /ask.
        api_question = gr.Textbox(visible=False)
        api_history = gr.JSON(value=[], visible=False)  # optional: earlier turns for a follow-up
        api_answer = gr.JSON(visible=False)
        api_button = gr.Button(visible=False)
        # A marker or source clicked in the chat (R.CLICK_JS): in the page but not shown
        pick = gr.Textbox(visible="hidden", show_label=False, elem_id="qa-pick-value")
        pick_button = gr.Button("Show the source · اعرض المصدر", visible="hidden", elem_id="qa-pick")
        # A file over the size the page sends, held back in the browser (R.CLICK_JS clicks this)
        held = gr.Textbox(visible="hidden", show_label=False, elem_id="qa-held-value")
        held_button = gr.Button("Refuse the file · ارفض الملف", visible="hidden", elem_id="qa-held")

        # ------------------------------------------------------------------ events
        restored_outputs = [chatbot, last_answer, article, conversation_state, sources, chat_status]
        demo.load(on_load, [kept_article, kept_conversation, session_bot],
                  [pending_article, kept_article, status, *restored_outputs],
                  # queued: set by an unqueued event, pending_article's change event did not fire
                  api_visibility="private", show_progress="hidden",
                  ).then(None, None, None, js=R.SCROLL_AFTER_RESTORE_JS)
        chat_inputs = [question_box, chatbot, conversation_state, session_bot, indexing]
        chat_outputs = [question_box, chatbot, chat_status, conversation_state, last_answer, article, sources, footer,
                        status, dropped]
        # the answering events, cancelled when the tab's article changes or a new conversation
        # starts: an answer finishing after that landed in the new chat (a trial)
        answering: list = []
        asked = question_box.submit(
            chat, chat_inputs, chat_outputs,
            # emptied at once; a question sent while one is answered stays in the box (Gradio's
            # trigger_mode "once"), to be sent again, rather than being lost
            js=R.CLEAR_QUESTION_JS,
            api_name="chat",
            concurrency_id="answer",
            concurrency_limit=base_bot.settings.answer_concurrency,  # QA_ANSWER_CONCURRENCY
            show_progress="minimal",
        )
        answering.append(asked)
        submitted = asked.then(
            after_question, [conversation_state, outcome], [kept_conversation, status, outcome],
            api_visibility="private", queue=False
        ).then(None, None, None, js=R.SCROLL_TO_FOCUS_JS)
        # an example is asked when clicked, as a chat app's suggestions are (it only filled the box)
        example_asked = examples.load_input_event.then(
            chat, chat_inputs, chat_outputs, js=R.CLEAR_QUESTION_JS, api_visibility="private", concurrency_id="answer",
            concurrency_limit=base_bot.settings.answer_concurrency, show_progress="minimal",
        )
        answering.append(example_asked)
        example_asked.then(
            after_question, [conversation_state, outcome], [kept_conversation, status, outcome],
            api_visibility="private", queue=False
        ).then(None, None, None, js=R.SCROLL_TO_FOCUS_JS)

        # the reader's choice only (a choice set with an answer or a clicked marker is drawn with it)
        sources.input(
            focus_source, [sources, last_answer, conversation_state, session_bot], [article],
            api_visibility="private", queue=False
        ).then(None, None, None, js=R.FOCUS_PANEL_JS)
        # a marker or source clicked in the chat (R.CLICK_JS clicks this hidden button)
        pick_button.click(
            show_picked, [pick, conversation_state, session_bot], [last_answer, article, sources],
            js=R.PICK_JS, api_visibility="private", queue=False, show_progress="hidden",
        ).then(None, None, None, js=R.FOCUS_PANEL_JS)

        api_button.click(
            ask_api, [api_question, api_history, session_bot], [api_answer], api_name="ask", concurrency_id="answer",
            concurrency_limit=base_bot.settings.answer_concurrency,
        )

        own_outputs.extend(
            [session_bot, status, chatbot, conversation_state, last_answer, article, sources, footer]
            + [examples.dataset, examples_note, upload, pasted, indexed_paste, indexed_article, outcome]
        )
        held_button.click(refuse_held, [held, session_bot], own_outputs, js=R.HELD_JS, api_visibility="private",
                          queue=False, show_progress="hidden")
        lock_outputs = [indexing, status, question_box, index_pasted, back_to_seed, upload, pasted]
        for trigger, handler, inputs, outputs, name in (
            (upload.upload, use_file, [upload, paste_is_article, conversation_state, session_bot], own_outputs,
             "use_file"),
            (index_pasted.click, use_text, [pasted, conversation_state, session_bot], own_outputs, "use_text"),
            # the chat box: after ``chat`` kept a dropped file (it does nothing else then)
            (submitted.then, use_dropped, [dropped, paste_is_article, conversation_state, session_bot], own_outputs,
             None),
        ):
            lock = trigger(
                start_indexing if name else start_if_dropped,  # the chat box: only a dropped file
                [pasted, indexed_paste] if name else [dropped, pasted, indexed_paste],
                [outcome, paste_is_article, *lock_outputs, chat_status],
                queue=False,
                api_visibility="private",
                show_progress="hidden",
            )
            if name:  # from the panel at the page's foot: its progress brought into view
                lock.then(None, None, None, js=R.SHOW_PROGRESS_JS)
            indexed = lock.then(
                handler,
                inputs,
                outputs,
                api_name=name or "use_dropped",
                api_visibility="public" if name else "private",
                concurrency_id="index",
                # QA_INDEX_CONCURRENCY uploads index at once; the others wait in the queue
                # (Gradio shows their place on the status line); answering has its own queue
                concurrency_limit=base_bot.settings.index_concurrency,
                show_progress="full",
                show_progress_on=[status],  # the bar goes under the chat box, not over the chat
            )
            indexed = indexed.then(end_indexing if name else end_if_dropped, [outcome] if name else [dropped, outcome],
                                   [*lock_outputs, chat_status], queue=False, api_visibility="private",
                                   show_progress="hidden")
            indexed = indexed.then(
                keep_article if name else keep_dropped,
                [outcome, indexed_article, conversation_state] if name else
                [dropped, outcome, indexed_article, conversation_state],
                [kept_article, kept_conversation], queue=False, api_visibility="private", show_progress="hidden",
            )
            if not name:  # the chat box: then the question typed with the file, of the new article
                dropped_asked = indexed.then(
                    ask_dropped, [dropped, outcome, chatbot, conversation_state, session_bot], chat_outputs,
                    api_visibility="private", concurrency_id="answer",
                    concurrency_limit=base_bot.settings.answer_concurrency, show_progress="minimal",
                )
                answering.append(dropped_asked)
                dropped_asked.then(
                    lambda kept: kept, [conversation_state], [kept_conversation], api_visibility="private", queue=False
                ).then(None, None, None, js=R.SCROLL_TO_FOCUS_JS)

        question_box.change(None, [question_box], None, js=R.ATTACH_HINT_JS, queue=False, api_visibility="private")
        # and once Ask took the file: Gradio fires no change when the chat empties a box that
        # held a file alone, and the hint stayed beside the file's refusal or "Indexed …"
        submitted.then(None, [question_box], None, js=R.ATTACH_HINT_JS, queue=False, api_visibility="private")

        def clear_failed_status(outcome):
            """The file was removed: an error about it (or a stale "Indexing…") goes with it,
            so a file Gradio then refuses itself (its own toast) leaves no old message up."""
            return "" if outcome in ("error", "busy") else gr.skip()

        upload.clear(clear_failed_status, [outcome], [status], queue=False, api_visibility="private")
        back_to_seed.click(
            release_paste, [pasted, indexed_paste], [pasted, indexed_paste], api_visibility="private", queue=False
        ).then(use_seed, [conversation_state, session_bot], own_outputs, api_name="use_seed", queue=False).then(
            keep_article, [outcome, indexed_article, conversation_state], [kept_article, kept_conversation],
            queue=False, api_visibility="private", show_progress="hidden",
        )

        # page load with a kept article (on_load set pending_article): indexed again as an upload
        # is (question box locked, progress on the status line, the "index" queue), then the
        # conversation restored
        pending_article.change(
            start_indexing, None, [outcome, paste_is_article, *lock_outputs, chat_status],
            queue=False, api_visibility="private", show_progress="hidden",
        ).then(
            restore_article, [pending_article], own_outputs, api_visibility="private", concurrency_id="index",
            concurrency_limit=base_bot.settings.index_concurrency, show_progress="full", show_progress_on=[status],
        ).then(
            # the line under the chat box is left to ``after_restore`` here
            lambda outcome: end_indexing(outcome)[:-1], [outcome], lock_outputs, queue=False,
            api_visibility="private", show_progress="hidden",
        ).then(
            after_restore, [outcome, kept_conversation, session_bot], [kept_article, *restored_outputs],
            queue=False, api_visibility="private", show_progress="hidden",
        ).then(None, None, None, js=R.SCROLL_AFTER_RESTORE_JS)

        def new_conversation(session_bot, indexing):
            """The chat, its kept copy and the answer's highlights emptied; the status line
            says which article the new conversation asks (it kept the upload's stale
            "Indexed …", a trial), or, if the session's article was released, why not. While
            an article is being indexed the status line keeps its progress. The footer leaves
            out the last answer's time until the next answer is timed (it kept the cleared
            turn's, a trial), as after a reload."""
            qa_bot = shown(session_bot)
            # the article the footer names: the sample one if the session's own was released
            footer_update = R.render_footer(qa_bot.info(), None,
                                            article_label(session_bot if qa_bot is not base_bot else None))
            line = said = gr.skip()
            if not indexing:
                try:
                    current(session_bot)
                    line = R.render_status(new_conversation_line(
                        article_in_use(session_bot.name if session_bot else None, seed_name)[0],
                        own=session_bot is not None))
                    said = "new"  # the line goes with the first answer (``after_question``)
                except ArticleReleasedError as exc:
                    line = R.render_status(str(exc), ok=False)
            return ([], [], None, R.render_article(qa_bot.documents, None),
                    gr.update(choices=[], value=None, visible=False), "", [], line, footer_update, said)

        # the chat's own trash icon starts a new conversation too (it only emptied the chat:
        # follow-ups still used the cleared turns, and a reload brought them back)
        for cleared in (clear.click, chatbot.clear):
            cleared(
                new_conversation,
                [session_bot, indexing],
                [chatbot, kept_conversation, last_answer, article, sources, chat_status, conversation_state, status,
                 footer, outcome],
                api_visibility="private",
                queue=False,
                cancels=answering,  # an answer still being made belonged to the cleared conversation
            )

        def end_session(request: gr.Request):
            """The tab (or API client) disconnected: its own article is freed now."""
            articles.forget_session(request.session_hash)

        demo.unload(end_session)
    demo.articles = articles  # the readers' own articles (tests and the load benchmark read it)
    return demo


def parse_args(argv: list[str] | None = None):
    """The command line of ``python app.py``: ``--host`` and ``--port`` (defaults from
    ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT``, else 127.0.0.1:7860); ``--help`` prints
    them and where the other settings are, and exits (it started the server, a trial).

    Raises:
        SystemExit: after ``--help`` (status 0) or on an unknown option or a port that is not
            a number (status 2, argparse's message).
    """
    import argparse

    parser = argparse.ArgumentParser(
        prog="app.py",
        description="Ask the article: the web chat over the seed article (seeds/). "
                    "Readers can upload their own article in the page.",
        epilog="Other settings are environment variables QA_* (qa/config.py lists them: the embedding "
               "model, the index folder QA_INDEX_DIR, a chat model QA_LLM_BASE_URL/QA_LLM_MODEL, the "
               "web app's limits). A Hugging Face Space runs this file on 0.0.0.0:7860.",
    )
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                        help="address to listen on (default: $GRADIO_SERVER_NAME or 127.0.0.1)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
                        help="port (default: $GRADIO_SERVER_PORT or 7860)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Build the bot over ``seeds/`` and serve the web chat; ``argv``: the command line's
    arguments (``python app.py`` passes its own; a caller passing none gets the defaults)."""
    args = parse_args(argv or [])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    bot = load_default_bot()
    warm = bot.warm_up()  # first-use loading before the first reader, not in their question
    demo = build_app(bot)
    log.info("bot ready in %.1f s (warm-up %.1f s)", time.perf_counter() - started, warm)
    demo.queue(default_concurrency_limit=2).launch(server_name=args.host, server_port=args.port)


if __name__ == "__main__":
    main(sys.argv[1:])
