"""Ask the article: the Gradio web chat over the public ``qa.ArticleQA`` API.

Run ``python app.py`` (listens on ``GRADIO_SERVER_NAME``:``GRADIO_SERVER_PORT``, by default
127.0.0.1:7860; a Hugging Face Space sets 0.0.0.0:7860).  Tests call ``build_app(bot)``.

This file is only the UI: answering lives in ``qa``, HTML rendering in ``qa.ui_render`` and
the checks on a user's own article in ``qa.loading.decode_upload``.
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
from qa.loading import MAX_UPLOAD_BYTES, decode_upload  # noqa: E402

log = logging.getLogger("ask_the_article.app")

ROOT = Path(__file__).resolve().parent
SEEDS_DIR = ROOT / "seeds"
INDEX_DIR = ROOT / "index"
HISTORY_TURNS = 3  # question/answer pairs handed to the bot for follow-up questions

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
            raise gr.Error("history must be a JSON list of {\"role\", \"content\"} messages") from None
    if not isinstance(history, list) or not all(
        isinstance(m, dict) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
        for m in history
    ):
        raise gr.Error('history must be a list of {"role": "user" or "assistant", "content": text} messages')
    return _history_for_bot(history)


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

    # ------------------------------------------------------------------ handlers

    def chat(question, chat_history, plain_history, session_bot):
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
            if not (question or "").strip():
                raise QuestionError("Please type a question about the article first. / اكتب سؤالا عن المقال أولا.")
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
            messages[-1] = {"role": "assistant", "content": R.render_error(str(exc))}
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
        messages[-1] = {"role": "assistant", "content": R.render_answer(answer, qa_bot.documents, elapsed)}
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
        turns = _api_history(history)  # raises gr.Error for a malformed history
        try:
            return current(session_bot).ask(question or "", history=turns).to_dict()
        except QuestionError as exc:
            raise gr.Error(str(exc)) from None
        except Exception as exc:
            log.exception("ask failed")
            raise gr.Error(f"Answering failed ({type(exc).__name__}: {exc})") from None

    def focus_source(n, last_answer, session_bot):
        qa_bot = current(session_bot)
        return R.render_article(qa_bot.documents, last_answer, focus=n)

    def _use_text(name: str, text: str, progress: gr.Progress):
        progress(0, desc="Indexing your article…")

        def report(done: int, total: int) -> None:
            progress((done, total), desc="Indexing passages", unit="passages")

        new_bot = base_bot.with_texts({name: text}, progress_callback=report)
        info = new_bot.info()
        status = R.render_status(
            f"Indexed “{name}”: {info.get('n_passages', '?')} passages. "
            "Questions in this browser tab now go to your article (other users keep the seed article)."
        )
        return (
            new_bot,
            status,
            [],
            [],
            None,
            R.render_article(new_bot.documents, None),
            gr.update(choices=[], value=None, visible=False),
            R.render_footer(info, None, "your article"),
        )

    def _fail(message: str):
        skip = gr.skip()
        return (skip, R.render_status(message, ok=False), skip, skip, skip, skip, skip, skip)

    def use_file(file_path, progress=gr.Progress()):
        """Index an uploaded .txt/.md file for this session."""
        if not file_path:
            return _fail("No file received: choose a .txt or .md file.")
        path = Path(file_path)
        try:
            if path.stat().st_size > MAX_UPLOAD_BYTES:  # don't read a big file just to refuse it
                raise DocumentError(
                    f"{path.name}: {path.stat().st_size:,} bytes is over the limit of {MAX_UPLOAD_BYTES:,} bytes"
                )
            text = decode_upload(path.name, path.read_bytes())
            return _use_text(path.name, text, progress)
        except DocumentError as exc:
            return _fail(str(exc))
        except Exception as exc:
            log.exception("indexing an upload failed")
            return _fail(f"Could not index this file ({type(exc).__name__}: {exc}).")

    def use_text(text, progress=gr.Progress()):
        """Index pasted text for this session."""
        try:
            name = "pasted-article.txt"
            return _use_text(name, decode_upload(name, (text or "").encode("utf-8")), progress)
        except DocumentError as exc:
            return _fail(str(exc))
        except Exception as exc:
            log.exception("indexing pasted text failed")
            return _fail(f"Could not index this text ({type(exc).__name__}: {exc}).")

    def use_seed():
        return (
            None,
            R.render_status(f"Back to the seed article ({seed_label})."),
            [],
            [],
            None,
            R.render_article(base_bot.documents, None),
            gr.update(choices=[], value=None, visible=False),
            R.render_footer(base_info, None, "seed article"),
        )

    # ------------------------------------------------------------------ layout

    with AskApp(title="Ask the article · اسأل المقال", analytics_enabled=False) as demo:
        session_bot = gr.State(None)  # this browser session's own ArticleQA, or None = seed
        plain_history = gr.State([])  # [{"role", "content"}] as plain text for follow-ups
        last_answer = gr.State(None)

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
                    placeholder='<div dir="auto">Ask a question about the article below, '
                    "or pick an example. · اطرح سؤالا عن المقال.</div>",
                )
                with gr.Row():
                    question = gr.Textbox(
                        show_label=False,
                        placeholder="Your question · سؤالك",
                        elem_id="qa-question",
                        rtl=False,
                        scale=6,
                        lines=1,
                        max_lines=4,
                        autofocus=True,
                    )
                    send = gr.Button("Ask · اسأل", variant="primary", scale=1, min_width=90, elem_id="qa-send")
                gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[question], label="Examples · أمثلة")
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
                f"Upload a `.txt` or `.md` file (UTF-8, up to {MAX_UPLOAD_BYTES // 1000} kB) or paste "
                "the text. It is indexed for this browser tab only; other users keep the seed article."
            )
            with gr.Row():
                upload = gr.File(
                    label="Upload .txt / .md", file_types=[".txt", ".md"], type="filepath", elem_id="qa-upload"
                )
                with gr.Column():
                    pasted = gr.Textbox(label="…or paste an article", lines=6, max_lines=12, elem_id="qa-paste")
                    with gr.Row():
                        index_pasted = gr.Button("Use pasted text", variant="primary")
                        back_to_seed = gr.Button("Back to the seed article")
            status = gr.HTML("", elem_id="qa-status")
        footer = gr.HTML(R.render_footer(base_info, None, "seed article"), elem_id="qa-footer")

        # Hidden components for the JSON endpoint /ask.
        api_question = gr.Textbox(visible=False)
        api_history = gr.JSON(value=[], visible=False)  # optional: earlier turns for a follow-up
        api_answer = gr.JSON(visible=False)
        api_button = gr.Button(visible=False)

        # ------------------------------------------------------------------ events
        chat_inputs = [question, chatbot, plain_history, session_bot]
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

        own_outputs = [session_bot, status, chatbot, plain_history, last_answer, article, sources, footer]
        upload.upload(use_file, [upload], own_outputs, api_name="use_file", concurrency_id="index", concurrency_limit=1)
        index_pasted.click(use_text, [pasted], own_outputs, api_name="use_text", concurrency_id="index", concurrency_limit=1)
        back_to_seed.click(use_seed, None, own_outputs, api_name="use_seed", queue=False)

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
