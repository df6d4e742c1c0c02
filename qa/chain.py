"""``ArticleQA``: the public API that joins loading, the index, retrieval and answering.

The question runs through a LangChain LCEL chain (``langchain_core`` runnables):
``prepare`` (validate, detect the language, fold in a follow-up's context) ->
``retrieve`` (hybrid retrieval) -> ``answer`` (extractive, or a chat model when one is
configured, whose citations are checked). The Gradio app, the command line and the
evaluation all call ``ArticleQA.ask`` / ``ArticleQA.stream``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

from langchain_core.runnables import RunnableLambda

from .answer import Answer
from .answering import ExtractiveAnswerer
from .config import Settings
from .embeddings import E5Embeddings, load_embeddings
from .errors import DocumentError, QuestionError
from .loading import Document, decode_document, load_documents
from .retrieval import HybridRetriever
from .store import PassageStore, build_store, load_or_build
from .text import content_words, detect_language

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
_HAS_WORD = re.compile(r"\w", re.UNICODE)
# Tatweel (kashida) only stretches letters; zero-width and bidi marks are invisible. Neither
# carries meaning, but both change the embedding, so they go before retrieval.
_INVISIBLE = re.compile("[\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
History = list[dict[str, Any]]
ProgressFn = Callable[[int, int], None]


def _tqdm_progress(description: str) -> tuple[ProgressFn, Callable[[], None]]:
    """A tqdm bar on stderr as a ``progress(done, total)`` callback, and its closer.

    The bar appears at the first call, so loading a current index shows nothing.
    """
    bars = []

    def update(done: int, total: int) -> None:
        if not bars:
            from tqdm import tqdm

            bars.append(tqdm(desc=description, total=total, unit="text", leave=False))
        bars[0].total = total
        bars[0].update(done - bars[0].n)

    def close() -> None:
        for bar in bars:
            bar.close()

    return update, close


def previous_question(history: History | None) -> str | None:
    """The last user message of a Gradio-style history (``[{"role", "content"}, ...]``)."""
    for message in reversed(history or []):
        if isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), str):
            return message["content"]
    return None


def extractive_followup_query(question: str, history: History | None) -> str:
    """The retrieval query for ``question`` in extractive mode.

    A follow-up with fewer than two content words ("ماذا قال؟", "and when?") cannot be
    retrieved on its own, so the previous user question is put in front of it; any other
    question is retrieved as it is.
    """
    previous = previous_question(history)
    if previous and len(content_words(question)) < 2:
        return f"{previous.strip()} {question}"
    return question


class ArticleQA:
    """Ask questions about a set of articles; answers quote and cite the passages.

    Build one with ``from_directory`` (index persisted under ``index/``) or
    ``with_texts`` (in memory, sharing the embedding model).

    Attributes:
        documents: source file name -> full text; citation offsets index into these.
        skipped: messages for files that could not be loaded.
        settings: the settings in force.
    """

    def __init__(self, documents: list[Document], store: PassageStore, embeddings: E5Embeddings, *,
                 settings: Settings | None = None, chat_model: Any = None, skipped: list[str] | None = None) -> None:
        self.settings = settings or Settings()
        self.documents = {d.source: d.text for d in documents}
        self.skipped = list(skipped or [])
        self.store = store
        self.embeddings = embeddings
        self.retriever = HybridRetriever(store, embeddings, k=self.settings.top_k)
        self.extractive = ExtractiveAnswerer(self.retriever)
        self._chat_model = chat_model
        self.llm = None
        if chat_model is None and self.settings.llm_base_url and self.settings.llm_model:
            from .llm import chat_model_from_settings

            self._chat_model = chat_model_from_settings(self.settings.llm_base_url, self.settings.llm_model,
                                                        self.settings.llm_api_key, self.settings.llm_timeout_s)
        if self._chat_model is not None:
            from .llm import LLMAnswerer

            self.llm = LLMAnswerer(self._chat_model)
        self.chain = (RunnableLambda(self._prepare) | RunnableLambda(self._retrieve)
                      | RunnableLambda(self._answer)).with_config(run_name="ask_the_article")

    # ---- construction -------------------------------------------------------------

    @classmethod
    def from_directory(cls, directory: str | Path = "seeds", *, index_dir: str | Path | None = None,
                       embeddings: E5Embeddings | None = None, settings: Settings | None = None,
                       chat_model: Any = None, progress: bool | ProgressFn = True, rebuild: bool = False) -> "ArticleQA":
        """Load the articles of ``directory`` and load or build their index.

        Args:
            directory: folder of ``.txt``/``.md`` articles (default ``seeds``).
            index_dir: where the index lives (default ``settings.index_dir``, ``index``).
            embeddings: an embedding backend to use (default: ``load_embeddings`` with
                the settings' backend and model).
            settings: settings (default: read from the environment).
            chat_model: any LangChain chat model for generative answers (overrides
                ``QA_LLM_*``).
            progress: True for a tqdm bar on stderr while building, False for none, or a
                ``progress(done, total)`` callback.
            rebuild: build even when the stored index matches.

        Raises:
            DocumentError: the folder is missing or holds no usable document.
            IndexBuildError: building failed (the previous index is left in place).
        """
        settings = settings or Settings()
        documents, skipped = load_documents(directory)
        embeddings = embeddings or load_embeddings(settings.embed_backend, settings.embed_model)
        close = None
        callback = progress if callable(progress) else None
        if progress is True:
            callback, close = _tqdm_progress("indexing")
        try:
            store, _ = load_or_build(documents, embeddings, Path(index_dir or settings.index_dir),
                                     progress=callback, rebuild=rebuild, sentence_vectors=settings.unit_vectors)
        finally:
            if close:
                close()
        return cls(documents, store, embeddings, settings=settings, chat_model=chat_model, skipped=skipped)

    def with_texts(self, texts: dict[str, str], progress_callback: ProgressFn | None = None) -> "ArticleQA":
        """A new bot over ``texts`` (name -> text), in memory, sharing this bot's models.

        Nothing is written to disk and this bot is unchanged.

        Raises:
            DocumentError: no text given, or a text is empty.
        """
        if not texts:
            raise DocumentError("no article given")
        documents = []
        for name, text in texts.items():
            name = name if name.lower().endswith((".txt", ".md")) else f"{name}.txt"
            documents.append(decode_document(name, text.encode("utf-8")))
        store = build_store(documents, self.embeddings, progress=progress_callback,
                            sentence_vectors=self.settings.unit_vectors)
        return ArticleQA(documents, store, self.embeddings, settings=self.settings, chat_model=self._chat_model)

    # ---- the chain's stages -------------------------------------------------------

    def _prepare(self, inputs: dict[str, Any]) -> dict[str, Any]:
        question = inputs.get("question")
        if question is not None and not isinstance(question, str):
            raise QuestionError(f"The question must be text, not {type(question).__name__}.")
        # lone surrogates (broken UTF-16 from a client) cannot be encoded: make them U+FFFD
        question = (question or "").encode("utf-8", "replace").decode("utf-8")
        question = _INVISIBLE.sub("", question).replace("\x00", " ")
        if not _HAS_WORD.search(question):
            raise QuestionError("Please type a question: this one is empty or has no words. "
                                "اكتب سؤالا عن المقال.")
        question = question.strip()
        notice = ""
        if len(question) > MAX_QUESTION_CHARS:
            question = question[:MAX_QUESTION_CHARS]
            notice = f"The question was shortened to its first {MAX_QUESTION_CHARS} characters."
        history = inputs.get("history") or []
        language = detect_language(question)
        t0 = time.perf_counter()
        if history and self.llm is not None:
            query = self.llm.rewrite_question(question, history, language)
            if query == question:  # the rewrite failed (or changed nothing): fold as in extractive mode
                query = extractive_followup_query(question, history)
        else:
            query = extractive_followup_query(question, history)
        timings = {"rewrite": (time.perf_counter() - t0) * 1000} if history else {}
        return {"question": question, "query": query, "language": language, "notice": notice, "timings": timings}

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        t0 = time.perf_counter()
        state["retrieval"] = self.retriever.retrieve(state["query"])
        state["timings"]["retrieve"] = (time.perf_counter() - t0) * 1000
        return state

    def _extractive(self, state: dict[str, Any]) -> Answer:
        t0 = time.perf_counter()
        answer = self.extractive.answer(state["query"], state["retrieval"], state["language"])
        answer.question = state["question"]
        answer.retrieval_query = state["query"]
        answer.notice = state["notice"]
        state["timings"]["answer"] = (time.perf_counter() - t0) * 1000
        answer.timings_ms = state["timings"]
        return answer

    def _answer(self, state: dict[str, Any]) -> Answer:
        answer = self._extractive(state)
        if self.llm is not None:
            answer = self.llm.answer(state["query"], state["language"], answer.passages, answer)
        return answer

    # ---- public calls --------------------------------------------------------------

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer ``question`` from the articles.

        Args:
            question: Arabic or English text; over 1000 characters it is shortened (and
                ``Answer.notice`` says so).
            history: earlier turns, ``[{"role": "user"|"assistant", "content": str}, ...]``;
                a follow-up is completed from it before retrieval.

        Returns:
            The ``Answer``; ``timings_ms["total"]`` is the wall time in milliseconds.

        Raises:
            QuestionError: the question is empty or holds no word.
        """
        t0 = time.perf_counter()
        answer = self.chain.invoke({"question": question, "history": history})
        answer.timings_ms["total"] = (time.perf_counter() - t0) * 1000
        return answer

    def stream(self, question: str, history: History | None = None) -> Iterator[str | Answer]:
        """Like ``ask``, streamed: text deltas (``str``) while a chat model writes, then the
        final ``Answer`` (always last). In extractive mode only the ``Answer`` comes.

        Raises:
            QuestionError: as ``ask`` (before anything is yielded).
        """
        t0 = time.perf_counter()
        state = self._retrieve(self._prepare({"question": question, "history": history}))
        fallback = self._extractive(state)
        if self.llm is None:
            fallback.timings_ms["total"] = (time.perf_counter() - t0) * 1000
            yield fallback
            return
        for item in self.llm.stream(state["query"], state["language"], fallback.passages, fallback):
            if isinstance(item, Answer):
                item.timings_ms["total"] = (time.perf_counter() - t0) * 1000
            yield item

    def info(self) -> dict[str, Any]:
        """What serves: ``{"backend", "model", "dim", "n_passages", "n_documents", "index_built_at", "llm"}``."""
        return {**self.embeddings.describe(), "n_passages": len(self.store.passages),
                "n_documents": len(self.documents), "documents": list(self.documents),
                "index_built_at": self.store.manifest.get("built_at"),
                "llm": self.settings.llm_model if self.llm is not None else None}
