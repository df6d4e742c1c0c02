"""``ArticleQA``: the public API that joins loading, the index, retrieval and answering.

The question runs through a LangChain LCEL chain (``langchain_core`` runnables):
``prepare`` (validate, detect the language, fold in a follow-up's context) ->
``retrieve`` (hybrid retrieval) -> ``answer`` (extractive, or a chat model when one is
configured, whose citations are checked). The Gradio app, the command line and the
evaluation all call ``ArticleQA.ask`` / ``ArticleQA.stream``.

Follow-ups without a chat model (``plan_question``):

- A message that is no question about the article ("hi", "مرحبا", "ok", "thanks"; or, with
  no earlier question, one without a content word such as "Where?") is answered with an
  invitation to ask about the article (``INVITATION``), abstained, no citations, no
  retrieval, ``extra["abstention_reason"] == "no-question"``.
- A short follow-up (under two content words: "and when?", "ومتى؟", "ماذا قال؟") keeps its
  own words (its question word decides what is asked) and takes only the *topic* of the
  previous question: its content words (``qa.text.content_words``) without the verb right
  after its question word ("Who attended the conference?" + "and when?" -> "when?
  conference"; "من حضر المؤتمر؟" + "ومتى؟" -> "متى؟ المؤتمر"). The previous question is
  itself taken as folded, so a chain of follow-ups keeps its topic.
- A follow-up does not quote again what the previous answer quoted: those quotes go to
  ``ExtractiveAnswerer.answer(exclude=...)``. Plain history holds only text, so they are
  recovered from the assistant message that answered the previous question: each «quote»
  in it is located in the articles (extractive answers quote sentences verbatim, which is
  what the web UI and ``Answer.text`` keep); when none can be located but the message
  looks like an answer (a «quote» or a ``[n]`` marker: a shortened or edited quote, a chat
  model's prose), the previous question is answered again extractively (about 25 ms) and
  its quotes are excluded. An abstention, an invitation or an error message excludes
  nothing.
- A follow-up with no content word of its own ("and when?") after an answer that said the
  article does not say abstains too (``extra["abstention_reason"] ==
  "follow-up-of-abstention"``): the fold drops the previous question's verb, which could
  otherwise turn "How much was the budget?" + "and when?" into a quotable question.

With a chat model, a follow-up is rewritten by the model instead (no quotes are excluded
then); when the rewrite fails it is folded as above. The invitation holds in both modes:
a greeting is not sent to the model.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from langchain_core.runnables import RunnableLambda

from .answer import ABSTENTION, Answer
from .answering import ExtractiveAnswerer
from .config import Settings
from .embeddings import E5Embeddings, load_embeddings
from .errors import DocumentError, QuestionError
from .loading import Document, decode_document, load_documents
from .retrieval import HybridRetriever
from .store import PassageStore, build_store, load_or_build
from .text import STOPWORDS, content_words, detect_language, normalize

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


# What the bot says to a message that asks nothing about the article ("hi", "ok", "Where?"
# with nothing before it), per language of the message.
INVITATION = {
    "ar": "اسألني سؤالا عن المقال (من، ماذا، أين، متى، لماذا…) وسأجيب باقتباسات منه.",
    "en": "Ask me a question about the article (who, what, where, when, why…) and I will answer with quotes from it.",
}

_TOKEN = re.compile(r"\w+", re.UNICODE)
_QUOTE = re.compile(r"«(.+?)»", re.S)
_MARKER = re.compile(r"\[\d+\]")
_NUMBER = re.compile(r"\d{2,}")  # years, amounts: part of a topic ("the 2022 World Cup")
MIN_QUOTE_CHARS = 12  # a shorter «…» in an answer is not taken for a quoted sentence
# Question words (normalised): the word after one of these is the question's verb.
QUESTION_WORDS = frozenset(normalize(w) for w in (
    "who whom whose what which when where why how من ما ماذا متى أين اين كيف كم لماذا هل أي اي لمن ممن بماذا"
).split())
# Conjunctions that open a follow-up ("and when?", "so who?"); Arabic ones are prefixes ("ومتى", "فماذا").
_LEADING_CONJUNCTIONS = frozenset("and so but also then or".split())
# Greetings, thanks and acknowledgements: a message made only of these (and function words)
# asks nothing about the article, whatever came before.
SMALL_TALK = frozenset(normalize(w) for w in (
    "hi hello hey hiya howdy yo greetings thanks thank thx ty you very much lot ok okay k yes yeah yep no nope "
    "bye goodbye good morning evening afternoon night great nice cool fine sure please alright welcome cheers "
    "مرحبا مرحباً أهلا اهلا هلا هاي السلام سلام عليكم وعليكم صباح مساء الخير النور شكرا شكراً جزيلا لك لكم "
    "تسلم مشكور حسنا حسناً طيب تمام ممتاز جميل نعم لا أوكي اوكي وداعا"
).split())


def _strip_conjunction(token: str) -> str:
    """``"ومتى"`` -> ``"متى"``: an Arabic "و"/"ف" glued to a function word goes."""
    if len(token) > 1 and token[0] in "وف" and normalize(token[1:]) in (STOPWORDS | QUESTION_WORDS | SMALL_TALK):
        return token[1:]
    return token


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_INVISIBLE.sub("", text))


def is_small_talk(text: str) -> bool:
    """True for greetings, thanks and acknowledgements ("hi", "مرحبا", "ok thanks", "شكرا جزيلا")."""
    words = [normalize(_strip_conjunction(t)) for t in _tokens(text)]
    return (any(w in SMALL_TALK for w in words)
            and all(w in SMALL_TALK or (w in STOPWORDS and w not in QUESTION_WORDS) for w in words))


def question_topic(question: str, inherited: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The topic of a question, for the follow-ups after it: its content words as written
    (``qa.text.content_words`` decides which) and numbers, without the verb right after its opening
    question word when other topic words remain, then the ``inherited`` topic (of the
    question a follow-up continues) words it lacks.

    ``question_topic("Who attended the conference?") == ["conference"]``,
    ``question_topic("من ألقى الكلمة الافتتاحية؟") == ["الكلمة", "الافتتاحية"]``,
    ``question_topic("Where was the conference held?") == ["conference", "held"]``,
    ``question_topic("ماذا قال؟", ["الكلمة", "الافتتاحية"]) == ["الكلمة", "الافتتاحية"]``.
    """
    tokens = [_strip_conjunction(t) if i == 0 else t for i, t in enumerate(_tokens(question))]
    kept = [(i, t) for i, t in enumerate(tokens) if content_words(t) or _NUMBER.fullmatch(t)]
    if kept and kept[0][0] == 1 and normalize(tokens[0]) in QUESTION_WORDS and (len(kept) > 1 or inherited):
        kept = kept[1:]
    own = [t for _, t in kept]
    have = {normalize(t) for t in tokens}
    return own + [t for t in inherited if normalize(t) not in have]


def fold_followup(question: str, topic: tuple[str, ...] | list[str]) -> str:
    """A short follow-up completed with the previous question's ``topic``
    (``question_topic``): the follow-up's own words as a question (minus an opening
    "and"/"و"), then the topic words it lacks, e.g. "and when?" after "Who attended the
    conference?" is ``"when? conference"`` and "ماذا قال؟" after "من ألقى الكلمة
    الافتتاحية؟" is ``"ماذا قال؟ الكلمة الافتتاحية"``.

    The question comes first and stays a question of its own: on the seed article this
    order gives the best sentence a higher cosine than "ماذا قال الكلمة الافتتاحية؟"
    (0.817 against 0.808), which matters where the extractive answerer abstains on one
    unknown word ("قال") under a cosine of 0.81.
    """
    words = _tokens(question)
    if words and normalize(words[0]) in _LEADING_CONJUNCTIONS:
        words = words[1:]
    if words:
        words[0] = _strip_conjunction(words[0])
    have = {normalize(w) for w in words}
    mark = "؟" if detect_language(question) == "ar" else "?"
    topic = " ".join(w for w in topic if normalize(w) not in have)
    if not words:
        return topic + mark
    return f"{' '.join(words)}{mark} {topic}".strip()


@dataclass(frozen=True)
class QuestionPlan:
    """How a message is handled before retrieval.

    Attributes:
        kind: ``"question"`` (retrieved as asked), ``"followup"`` (folded with the
            previous question's topic) or ``"no-question"`` (answered with ``INVITATION``).
        query: the retrieval query (the question itself unless folded).
        topic: the topic a follow-up to this message inherits (``question_topic``).
        previous: index in the history of the user message a follow-up continues, else None.
        previous_query: that message as it was retrieved (itself folded when it was a follow-up).
    """

    kind: str
    query: str
    topic: tuple[str, ...] = ()
    previous: int | None = None
    previous_query: str | None = None


def _plan(question: str, last: QuestionPlan | None, last_index: int | None) -> QuestionPlan:
    if is_small_talk(question):
        return QuestionPlan("no-question", question)
    words = content_words(question)
    if last is not None and len(words) < 2:
        return QuestionPlan("followup", fold_followup(question, last.topic),
                            tuple(question_topic(question, last.topic)), last_index, last.query)
    if not words:
        return QuestionPlan("no-question", question)
    return QuestionPlan("question", question, tuple(question_topic(question)))


def plan_question(question: str, history: History | None) -> QuestionPlan:
    """Decide how ``question`` is retrieved given the earlier turns (see the module notes).

    The user messages of ``history`` are replayed in order, so the previous question is
    the last one that asked something (small talk in between is skipped), and a chain of
    follow-ups keeps its topic.
    """
    last: QuestionPlan | None = None
    last_index: int | None = None
    for i, message in enumerate(history or []):
        if not (isinstance(message, dict) and message.get("role") == "user"
                and isinstance(message.get("content"), str)):
            continue
        plan = _plan(message["content"].strip(), last, last_index)
        if plan.kind != "no-question":
            last, last_index = plan, i
    return _plan(question, last, last_index)


def extractive_followup_query(question: str, history: History | None) -> str:
    """The retrieval query for ``question`` in extractive mode.

    A follow-up with fewer than two content words ("ماذا قال؟", "and when?") cannot be
    retrieved on its own, so it is folded with the previous question's topic
    (``fold_followup``); any other question is retrieved as it is.
    """
    return plan_question(question, history).query


def previous_abstained(history: History | None, plan: QuestionPlan) -> bool:
    """True when the answer to the question a follow-up continues said the article does not say."""
    if plan.previous is None:
        return False
    message = answer_message(history, plan.previous)
    return message is not None and message.strip() in ABSTENTION.values()


def answer_message(history: History | None, user_index: int) -> str | None:
    """The assistant message that answered the user message at ``user_index``, if any."""
    for message in (history or [])[user_index + 1:]:
        if not isinstance(message, dict):
            continue
        if message.get("role") == "user":
            return None
        if message.get("role") == "assistant" and isinstance(message.get("content"), str):
            return message["content"]
    return None


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
        plan = plan_question(question, history)
        query, exclude = plan.query, frozenset()
        if plan.kind != "no-question" and history and self.llm is not None:
            query = self.llm.rewrite_question(question, history, language)
            if query == question:  # the rewrite failed (or changed nothing): fold as in extractive mode
                query = plan.query
        after_abstention = False
        if plan.kind == "followup" and query == plan.query:  # folded here: do not repeat the last quotes
            exclude = self.previous_quotes(history, plan)
            # "and when?" adds nothing to a question the article does not answer
            after_abstention = not content_words(question) and previous_abstained(history, plan)
        timings = {"rewrite": (time.perf_counter() - t0) * 1000} if history else {}
        return {"question": question, "query": query, "language": language, "notice": notice, "timings": timings,
                "invite": plan.kind == "no-question", "exclude": exclude, "after_abstention": after_abstention}

    def previous_quotes(self, history: History | None, plan: QuestionPlan) -> frozenset[tuple[str, int]]:
        """``(source, quote_start)`` of the quotes the previous answer gave (see the module notes).

        Each «quote» of the assistant message that answered ``plan.previous`` is located in
        the articles; when none is found and the message looks like an answer (a «quote» or
        a ``[n]`` marker), the previous question (``plan.previous_query``) is answered again
        extractively and its citations are used. Otherwise (no answer, an abstention, an
        invitation, an error) nothing is excluded.
        """
        if plan.previous is None or plan.previous_query is None:
            return frozenset()
        message = answer_message(history, plan.previous)
        if not message:
            return frozenset()
        quotes = [q for q in _QUOTE.findall(message) if len(q.strip()) >= MIN_QUOTE_CHARS]
        found = set()
        for quote in quotes:
            for source, text in self.documents.items():
                at = text.find(quote)
                while at >= 0:
                    found.add((source, at))
                    at = text.find(quote, at + 1)
        if found or not (quotes or _MARKER.search(message)):
            return frozenset(found)
        query = plan.previous_query
        previous = self.extractive.answer(query, self.retriever.retrieve(query), detect_language(query))
        return frozenset((c.source, c.quote_start) for c in previous.citations)

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        if state["invite"]:  # nothing to look up
            return state
        t0 = time.perf_counter()
        state["retrieval"] = self.retriever.retrieve(state["query"])
        state["timings"]["retrieve"] = (time.perf_counter() - t0) * 1000
        return state

    def _invitation(self, state: dict[str, Any]) -> Answer:
        language = state["language"]
        return Answer(question=state["question"], text=INVITATION.get(language, INVITATION["en"]), abstained=True,
                      language=language, mode="abstained", notice=state["notice"], retrieval_query="",
                      timings_ms=state["timings"], extra={"abstention_reason": "no-question"})

    def _extractive(self, state: dict[str, Any]) -> Answer:
        if state["invite"]:
            return self._invitation(state)
        t0 = time.perf_counter()
        answer = self.extractive.answer(state["query"], state["retrieval"], state["language"],
                                        exclude=state["exclude"])
        answer.question = state["question"]
        answer.retrieval_query = state["query"]
        answer.notice = state["notice"]
        if state["exclude"]:
            answer.extra["excluded_quotes"] = sorted([source, start] for source, start in state["exclude"])
        if state["after_abstention"] and not answer.abstained:
            answer = Answer(question=answer.question, text=ABSTENTION.get(answer.language, ABSTENTION["en"]),
                            abstained=True, language=answer.language, passages=answer.passages, mode="abstained",
                            notice=answer.notice, retrieval_query=answer.retrieval_query,
                            extra={**{k: v for k, v in answer.extra.items() if k != "sentence_scores"},
                                   "abstention_reason": "follow-up-of-abstention"})
        state["timings"]["answer"] = (time.perf_counter() - t0) * 1000
        answer.timings_ms = state["timings"]
        return answer

    def _answer(self, state: dict[str, Any]) -> Answer:
        answer = self._extractive(state)
        if self.llm is not None and not state["invite"]:
            answer = self.llm.answer(state["query"], state["language"], answer.passages, answer)
        return answer

    # ---- public calls --------------------------------------------------------------

    def ask(self, question: str, history: History | None = None) -> Answer:
        """Answer ``question`` from the articles.

        Args:
            question: Arabic or English text; over 1000 characters it is shortened (and
                ``Answer.notice`` says so).
            history: earlier turns, ``[{"role": "user"|"assistant", "content": str}, ...]``;
                a follow-up is completed from it before retrieval and does not repeat the
                quotes of the previous answer (see the module notes).

        Returns:
            The ``Answer``; ``timings_ms["total"]`` is the wall time in milliseconds. A
            message that asks nothing about the article ("hi", "ok") gets ``INVITATION``
            (abstained, no citations, ``extra["abstention_reason"] == "no-question"``).

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
        if self.llm is None or state["invite"]:
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
