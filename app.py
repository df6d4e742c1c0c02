"""Ask the article: the Gradio web chat over the public ``qa.ArticleQA`` API.

Run ``.venv/bin/python app.py`` after ``bash scripts/setup.sh`` (listens on
``GRADIO_SERVER_NAME``:``GRADIO_SERVER_PORT``, by default 127.0.0.1:7860; a Hugging Face
Space runs this file itself on 0.0.0.0:7860).  Tests call ``build_app(bot)``.

This file is only the UI: answering lives in ``qa``, HTML rendering in ``qa.ui_render`` and
reading and checking a user's own article (files, pasted text, web addresses) in ``qa.ingest``.
"""

from __future__ import annotations

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import json  # noqa: E402
import logging  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gradio as gr  # noqa: E402

from qa import ArticleQA  # noqa: E402
from qa import ui_render as R  # noqa: E402
from qa.errors import DocumentError, QuestionError  # noqa: E402
from qa.ingest import UPLOAD_HINT, UPLOAD_TYPES, load_pasted, load_upload  # noqa: E402

log = logging.getLogger("ask_the_article.app")

ROOT = Path(__file__).resolve().parent
SEEDS_DIR = ROOT / "seeds"
INDEX_DIR = ROOT / "index"
HISTORY_TURNS = 3  # question/answer pairs handed to the bot for follow-up questions
# A user's own article (upload or paste).  News articles are far smaller; indexing takes
# about 0.5 s per kB on 2 CPU cores, so 60 kB is about half a minute.
UPLOAD_LIMIT_BYTES = 60_000
INDEXING_TIME_HINT = "Indexing takes a few seconds for a short article and up to about 30 s at 60 kB."
EMPTY_QUESTION = "Please type a question about the article first. / اكتب سؤالا عن المقال أولا."
STILL_INDEXING = "Still indexing your article… ask again when it is ready. / ما زالت فهرسة مقالك جارية…"
QUESTION_PLACEHOLDER = "Your question · سؤالك"

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
    "max_file_size": "1mb",
}


class AskApp(gr.Blocks):
    """``gr.Blocks`` whose ``launch()`` brings the app's theme, CSS and script by default
    (Gradio 6 takes those at launch, not in the constructor)."""

    def launch(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        for key, value in LAUNCH_DEFAULTS.items():
            kwargs.setdefault(key, value)
        return super().launch(*args, **kwargs)


def load_default_bot() -> ArticleQA:
    """The bot over the seed article(s), building ``index/`` if it is missing or stale."""
    return ArticleQA.from_directory(str(SEEDS_DIR), index_dir=str(INDEX_DIR))


def _history_for_bot(plain: list[dict] | None) -> list[dict]:
    return list(plain or [])[-2 * HISTORY_TURNS :]


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


def _api_history(history: Any) -> list[dict]:
    """The ``history`` input of ``/ask`` as a list of messages (a JSON string is parsed).

    Raises:
        gr.Error: it is not a list of ``{"role": "user"|"assistant", "content": str}``.
    """
    if history is None or history == "":
        return []
    if isinstance(history, str):
        try:
            history = json.loads(history)
        except ValueError:
            raise _user_error("history must be a JSON list of {\"role\", \"content\"} messages") from None
    if not isinstance(history, list) or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
        for m in history
    ):
        raise _user_error('history must be a list of {"role": "user" or "assistant", "content": text} messages')
    return _history_for_bot(history)


def _question_message(exc: QuestionError) -> str:
    """One bilingual message for an empty question, whichever check caught it (the UI's or
    the core's); other question errors as the core words them."""
    text = str(exc)
    return EMPTY_QUESTION if text.startswith("Please type a question") else text


def _plural(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def build_app(bot: ArticleQA | None = None) -> gr.Blocks:
    """Build the UI over ``bot`` (default: the seed article).  Each browser session starts
    on ``bot``; a user's own article replaces it for that session only."""
    base_bot = bot if bot is not None else load_default_bot()
    base_info = base_bot.info()
    seed_label = ", ".join(base_bot.documents) or "seed article"

    def current(session_bot: ArticleQA | None) -> ArticleQA:
        return session_bot if session_bot is not None else base_bot

    def article_label(session_bot: ArticleQA | None) -> str:
        return "your article" if session_bot is not None else "seed article"

    def answered_from(session_bot: ArticleQA | None) -> str:
        names = ", ".join(current(session_bot).documents)
        return f"{article_label(session_bot)} ({names})" if names else article_label(session_bot)

    # ------------------------------------------------------------------ handlers

    own_outputs: list = []  # what switching the session's article updates (filled with the layout)

    def chat(question, chat_history, plain_history, session_bot, indexing=False):
        """Stream an answer into the chat (generator: Gradio streams each yield)."""
        qa_bot = current(session_bot)
        messages = list(chat_history or [])
        messages.append({"role": "user", "content": R.render_user(question or "")})
        messages.append({"role": "assistant", "content": R.render_pending()})
        skip = gr.skip()
        yield "", messages, skip, skip, skip, skip, skip
        started = time.perf_counter()
        answer = None
        partial = ""
        try:
            if indexing:
                raise QuestionError(STILL_INDEXING)
            if not (question or "").strip():
                raise QuestionError(EMPTY_QUESTION)
            for item in qa_bot.stream(question, history=_history_for_bot(plain_history)):
                if isinstance(item, str):
                    partial += item
                    messages[-1] = {"role": "assistant", "content": R.render_pending(partial)}
                    yield skip, messages, skip, skip, skip, skip, skip
                else:
                    answer = item
            if answer is None:
                raise RuntimeError("the bot returned no answer")
        except QuestionError as exc:
            messages[-1] = {"role": "assistant", "content": R.render_error(_question_message(exc))}
            yield skip, messages, skip, skip, skip, skip, skip
            return
        except Exception as exc:  # never a traceback in the chat
            log.exception("answering failed")
            messages[-1] = {
                "role": "assistant",
                "content": R.render_error(f"Sorry, something went wrong while answering ({type(exc).__name__}: {exc})."),
            }
            yield skip, messages, skip, skip, skip, skip, skip
            return
        elapsed = time.perf_counter() - started
        messages[-1] = {
            "role": "assistant",
            "content": R.render_answer(answer, qa_bot.documents, elapsed, article=answered_from(session_bot)),
        }
        plain = list(plain_history or []) + [
            {"role": "user", "content": answer.question or question.strip()},
            {"role": "assistant", "content": answer.text},
        ]
        choices = R.source_choices(answer)
        yield (
            skip,
            messages,
            plain,
            answer,
            R.render_article(qa_bot.documents, answer),
            gr.update(choices=choices, value=choices[0][1] if choices else None, visible=bool(choices)),
            R.render_footer(qa_bot.info(), elapsed, article_label(session_bot)),
        )

    def ask_api(question: str, history, session_bot) -> dict:
        """JSON endpoint: ``Answer.to_dict()`` for one question.

        ``history`` (optional, default ``[]``): earlier turns as a JSON list of
        ``{"role": "user"|"assistant", "content": str}``, so a follow-up can be asked.
        """
        turns = _api_history(history)  # a malformed history: gr.Error, logged as one line
        try:
            return current(session_bot).ask(question or "", history=turns).to_dict()
        except QuestionError as exc:
            raise _user_error(_question_message(exc)) from None
        except Exception as exc:
            raise _internal_error("answering", exc) from None

    def focus_source(n, last_answer, session_bot):
        qa_bot = current(session_bot)
        return R.render_article(qa_bot.documents, last_answer, focus=n)

    def own_article_widgets(name: str | None) -> tuple:
        """The chat placeholder, the seed examples and the note in their place, for the seed
        (``name`` None) or for the user's own article ``name``: the examples are questions
        about the seed, so they are hidden while the tab's own article is active."""
        own = name is not None
        return (
            gr.update(value=[], placeholder=R.chat_placeholder(own)),
            gr.update(visible=not own),
            gr.update(value=R.render_examples_note(name) if own else "", visible=own),
        )

    def _is_indexed_paste(pasted: str | None, indexed_paste: str | None) -> bool:
        """The paste box still holds the pasted text that is (or was) the tab's article, not
        a draft typed since."""
        return indexed_paste is not None and (pasted or "").strip() == indexed_paste.strip()

    def _use_text(name: str, text: str, progress: gr.Progress, *, upload_update, pasted_update, indexed_paste):
        """Index ``text`` for this session; the last three values are the upload box, the
        paste box and the pasted text now indexed (or None)."""
        progress(0, desc="Indexing your article…")

        def report(done: int, total: int) -> None:
            # ``done``/``total`` count every embedded text: passages and sentence units
            progress((done, total), desc="Embedding passages and sentences", unit="texts embedded")

        new_bot = base_bot.with_texts({name: text}, progress_callback=report)
        info = new_bot.info()
        status = R.render_status(
            f"Indexed “{name}”: {_plural(info.get('n_passages', '?'), 'passage', 'passages')}. "
            "Questions in this browser tab now go to your article (other users keep the seed article)."
        )
        chat_update, examples_update, note_update = own_article_widgets(name)
        return (
            new_bot,
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
        )

    def _fail(message: str):
        """Nothing changes but the status line: the session keeps its article."""
        skip = gr.skip()
        return (skip, R.render_status(message, ok=False), *([skip] * (len(own_outputs) - 2)))

    def use_file(file_path, paste_is_article=False, progress=gr.Progress()):
        """Index an uploaded .txt/.md file for this session.  The upload box keeps showing
        the file; the paste box is emptied if it still holds the pasted article this file
        replaces (``paste_is_article``, a state set by ``start_indexing``)."""
        if not file_path:
            return _fail(f"No file received: choose {UPLOAD_HINT}.")
        path = Path(file_path)
        try:
            document = load_upload(path, max_text_bytes=UPLOAD_LIMIT_BYTES)  # PDF, Word, HTML, any text
            return _use_text(
                document.source,
                document.text,
                progress,
                upload_update=gr.skip(),
                pasted_update="" if paste_is_article else gr.skip(),
                indexed_paste=None,
            )
        except DocumentError as exc:
            return _fail(str(exc))
        except Exception as exc:
            log.exception("indexing an upload failed")
            return _fail(f"Could not index this file ({type(exc).__name__}: {exc}).")

    def use_text(text, progress=gr.Progress()):
        """Index pasted text for this session.  An earlier uploaded file is no longer the
        article, so the upload box is emptied."""
        try:
            document = load_pasted(text, max_text_bytes=UPLOAD_LIMIT_BYTES)  # a pasted URL is fetched
            return _use_text(
                document.source,
                document.text,
                progress,
                upload_update=None,
                pasted_update=gr.skip(),
                indexed_paste=text,
            )
        except DocumentError as exc:
            return _fail(str(exc))
        except Exception as exc:
            log.exception("indexing pasted text failed")
            return _fail(f"Could not index this text ({type(exc).__name__}: {exc}).")

    def start_indexing(pasted=None, indexed_paste=None):
        """Before indexing: lock the question box (a question now would go to the old
        article, and its answer be cleared when indexing ends) and say what is going on.
        Also notes whether the paste box holds the pasted article (it is locked from here
        on), for ``use_file`` to empty it once the file replaces that article."""
        locked = gr.update(interactive=False, placeholder=STILL_INDEXING)
        return (
            _is_indexed_paste(pasted, indexed_paste),
            True,
            R.render_status(f"Indexing your article… {INDEXING_TIME_HINT}", busy=True),
            locked,
            gr.update(interactive=False),
            gr.update(interactive=False),
            gr.update(interactive=False),
            gr.update(interactive=False),  # the upload box: a second file now would be dropped
            gr.update(interactive=False),  # the paste box
        )

    def end_indexing(status_html):
        """After indexing (done, refused or failed): unlock the question box.  A status still
        saying "Indexing…" means the handler never ran: Gradio refused the file itself
        (wrong type, shown in its own toast), so don't leave an old message up."""
        status_update = gr.skip()
        if isinstance(status_html, str) and "qa-status-busy" in status_html:
            status_update = R.render_status(
                f"Not indexed: use {UPLOAD_HINT} (up to {UPLOAD_LIMIT_BYTES // 1000} kB of text).",
                ok=False,
            )
        unlocked = gr.update(interactive=True)
        return (
            False,
            status_update,
            gr.update(interactive=True, placeholder=QUESTION_PLACEHOLDER),
            unlocked,
            unlocked,
            unlocked,
            unlocked,
            unlocked,
        )

    def release_paste(pasted, indexed_paste):
        """Before going back to the seed: empty the paste box if it holds the pasted article
        (a draft typed since stays)."""
        return ("" if _is_indexed_paste(pasted, indexed_paste) else gr.skip()), None

    def use_seed():
        """Back to the seed article: the upload box is emptied (``release_paste`` has seen to
        the paste box) and the seed examples return."""
        chat_update, examples_update, note_update = own_article_widgets(None)
        return (
            None,
            R.render_status(f"Back to the seed article ({seed_label})."),
            chat_update,
            [],
            None,
            R.render_article(base_bot.documents, None),
            gr.update(choices=[], value=None, visible=False),
            R.render_footer(base_info, None, "seed article"),
            examples_update,
            note_update,
            None,
            gr.skip(),
            None,
        )

    # ------------------------------------------------------------------ layout

    with AskApp(title="Ask the article · اسأل المقال", analytics_enabled=False) as demo:
        session_bot = gr.State(None)  # this browser session's own ArticleQA, or None = seed
        plain_history = gr.State([])  # [{"role", "content"}] as plain text for follow-ups
        last_answer = gr.State(None)
        indexing = gr.State(False)  # True while this session's own article is being indexed
        indexed_paste = gr.State(None)  # the pasted text now indexed as this session's article
        paste_is_article = gr.State(False)  # while a file indexes: the paste box holds indexed_paste

        gr.HTML(
            '<div dir="auto"><h1 style="margin:0">Ask the article · اسأل المقال</h1>'
            "<p style=\"margin:.2em 0 0\">Ask in Arabic or English; every answer quotes the article "
            "with numbered sources. Click a source to see it in the article. "
            "· اسأل بالعربية أو بالإنجليزية، وكل إجابة تقتبس من المقال مع مصادر مرقمة.</p></div>"
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=5, min_width=360):
                chatbot = gr.Chatbot(
                    label="Chat",
                    elem_id="qa-chat",
                    height=560,
                    sanitize_html=True,
                    render_markdown=True,
                    latex_delimiters=[],
                    feedback_options=None,
                    buttons=["copy"],
                    placeholder=R.chat_placeholder(own=False),
                )
                with gr.Row():
                    question = gr.Textbox(
                        show_label=False,
                        placeholder=QUESTION_PLACEHOLDER,
                        elem_id="qa-question",
                        rtl=False,
                        scale=6,
                        lines=1,
                        max_lines=4,
                        autofocus=True,
                    )
                    send = gr.Button("Ask · اسأل", variant="primary", scale=1, min_width=90, elem_id="qa-send")
                # Questions about the seed article: hidden while the tab's own article is
                # active, with a note in their place (see own_article_widgets).
                examples = gr.Examples(
                    examples=[[q] for q in EXAMPLES],
                    inputs=[question],
                    label="Examples about the seed article · أمثلة عن المقال الأصلي",
                    elem_id="qa-examples",
                )
                examples_note = gr.HTML("", visible=False, elem_id="qa-examples-note")
                clear = gr.Button("New conversation · محادثة جديدة", size="sm", variant="secondary")
            with gr.Column(scale=4, min_width=320):
                gr.Markdown("**Article · المقال** — passages cited by the latest answer are highlighted.")
                sources = gr.Radio(
                    label="Show source in the article · اعرض المصدر",
                    choices=[],
                    visible=False,
                    elem_id="qa-source-select",
                )
                article = gr.HTML(R.render_article(base_bot.documents, None), elem_id="qa-article-panel")
        with gr.Accordion("Your own article · مقالك الخاص", open=False, elem_id="qa-own"):
            gr.Markdown(
                f"Upload a `.txt` or `.md` file (UTF-8, up to {UPLOAD_LIMIT_BYTES // 1000} kB) or paste "
                "the text. It is indexed for this browser tab only; other users keep the seed article. "
                f"{INDEXING_TIME_HINT} Questions wait until it is ready."
            )
            with gr.Row():
                upload = gr.File(
                    label="Upload .pdf / .docx / .html / .txt / .md", file_types=list(UPLOAD_TYPES), type="filepath", elem_id="qa-upload"
                )
                with gr.Column():
                    pasted = gr.Textbox(label="…or paste an article", lines=6, max_lines=12, elem_id="qa-paste")
                    with gr.Row():
                        index_pasted = gr.Button("Use pasted text", variant="primary")
                        back_to_seed = gr.Button("Back to the seed article")
            status = gr.HTML("", elem_id="qa-status", min_height=72)
        footer = gr.HTML(R.render_footer(base_info, None, "seed article"), elem_id="qa-footer")

        # Hidden components for the JSON endpoint /ask.
        api_question = gr.Textbox(visible=False)
        api_history = gr.JSON(value=[], visible=False)  # optional: earlier turns for a follow-up
        api_answer = gr.JSON(visible=False)
        api_button = gr.Button(visible=False)

        # ------------------------------------------------------------------ events
        chat_inputs = [question, chatbot, plain_history, session_bot, indexing]
        chat_outputs = [question, chatbot, plain_history, last_answer, article, sources, footer]
        for trigger, name in ((question.submit, "chat"), (send.click, "chat_button")):
            trigger(
                chat,
                chat_inputs,
                chat_outputs,
                api_name=name,
                api_visibility="public" if name == "chat" else "undocumented",
                concurrency_id="answer",
                concurrency_limit=2,
                show_progress="minimal",
            ).then(None, None, None, js=R.SCROLL_TO_FOCUS_JS)

        sources.change(
            focus_source, [sources, last_answer, session_bot], [article], api_visibility="private", queue=False
        ).then(None, None, None, js=R.SCROLL_TO_FOCUS_JS)

        api_button.click(
            ask_api, [api_question, api_history, session_bot], [api_answer], api_name="ask", concurrency_id="answer"
        )

        own_outputs.extend(
            [session_bot, status, chatbot, plain_history, last_answer, article, sources, footer]
            + [examples.dataset, examples_note, upload, pasted, indexed_paste]
        )
        lock_outputs = [indexing, status, question, send, index_pasted, back_to_seed, upload, pasted]
        for trigger, handler, inputs, name in (
            (upload.upload, use_file, [upload, paste_is_article], "use_file"),
            (index_pasted.click, use_text, [pasted], "use_text"),
        ):
            lock = trigger(
                start_indexing,
                [pasted, indexed_paste],
                [paste_is_article, *lock_outputs],
                queue=False,
                api_visibility="private",
                show_progress="hidden",
            )
            lock.then(
                handler,
                inputs,
                own_outputs,
                api_name=name,
                concurrency_id="index",
                concurrency_limit=2,  # two uploads index at once; answering has its own queue
                show_progress="full",
                show_progress_on=[status],  # the bar goes on the status line, not over the chat
            ).then(end_indexing, [status], lock_outputs, queue=False, api_visibility="private", show_progress="hidden")

        def clear_failed_status(status_html):
            """The file was removed: an error about it (or a stale "Indexing…") goes with it,
            so a file Gradio then refuses itself (its own toast) leaves no old message up."""
            if isinstance(status_html, str) and ("qa-status-error" in status_html or "qa-status-busy" in status_html):
                return ""
            return gr.skip()

        upload.clear(clear_failed_status, [status], [status], queue=False, api_visibility="private")
        back_to_seed.click(
            release_paste, [pasted, indexed_paste], [pasted, indexed_paste], api_visibility="private", queue=False
        ).then(use_seed, None, own_outputs, api_name="use_seed", queue=False)

        def new_conversation(session_bot):
            qa_bot = current(session_bot)
            return [], [], None, R.render_article(qa_bot.documents, None), gr.update(choices=[], value=None, visible=False)

        clear.click(
            new_conversation,
            [session_bot],
            [chatbot, plain_history, last_answer, article, sources],
            api_visibility="private",
            queue=False,
        )
    return demo


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    demo = build_app()
    log.info("bot ready in %.1f s", time.perf_counter() - started)
    demo.queue(default_concurrency_limit=2).launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
    )


if __name__ == "__main__":
    main()
