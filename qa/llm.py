"""Generative answers from any OpenAI-compatible chat model, with follow-up rewriting.

A chat model (llama.cpp's ``llama-server``, Ollama, vLLM, a Hugging Face inference
endpoint, OpenAI; or any LangChain ``BaseChatModel``) writes the answer from the retrieved
passages, in the question's language (or the one the question asks for: "Answer in English
please", "بالعربية"), with ``[n]`` after each claim. The reply's markers
are checked (``qa.llm_prompt.check_markers``): markers pointing at no passage are dropped
and counted, the rest are renumbered and become citations. Whatever goes wrong with the
model (unreachable, timeout, HTTP 401/429/500, malformed or empty reply) the caller gets
the extractive ``fallback`` answer with a notice; nothing here raises for a model failure.

Configuration (read by ``qa.config.Settings``; ``Settings.chat_endpoint`` picks the endpoint
passed to ``chat_model_from_settings``): ``QA_LLM_BASE_URL``, ``QA_LLM_MODEL``,
``QA_LLM_API_KEY``, ``QA_LLM_TIMEOUT_S``; without ``QA_LLM_BASE_URL``/``QA_LLM_MODEL`` and with
``HF_TOKEN`` set (a Space secret), the Hugging Face router (``QA_ROUTER_URL``, default
``https://router.huggingface.co/v1``) with ``QA_ROUTER_MODEL`` (default
``Qwen/Qwen2.5-72B-Instruct``; empty: off).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterator

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser

from qa.answer import Answer, PassageHit
from qa.llm_prompt import (
    ANSWER_PROMPT,
    REWRITE_PROMPT,
    answer_prompt_input,
    check_markers,
    clean_rewrite,
    is_abstention,
    requested_language,
    rewrite_prompt_input,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 30.0
DUMMY_API_KEY = "not-needed"


def chat_model_from_settings(
    base_url: str | None,
    model: str | None,
    api_key: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> BaseChatModel | None:
    """Build a ``ChatOpenAI`` client for an OpenAI-compatible chat-completions endpoint.

    Args:
        base_url: the endpoint's ``/v1`` URL, e.g. ``http://127.0.0.1:8080/v1``
            (``QA_LLM_BASE_URL``).
        model: the model name the server expects (``QA_LLM_MODEL``); llama.cpp's server
            accepts any name.
        api_key: the bearer token (``QA_LLM_API_KEY``); when unset a dummy key is sent,
            which llama.cpp and Ollama accept. The ``OPENAI_API_KEY`` variable is not read.
        timeout_s: seconds to wait for the connection and for each read of the reply
            (``QA_LLM_TIMEOUT_S``); a server slower than this fails the call.

    Returns:
        A ``langchain_openai.ChatOpenAI`` with ``max_retries=0`` (a 429 or 500 falls back
        to the extractive answer at once instead of retrying with back-off) and
        ``temperature=0``; or ``None`` when ``base_url`` or ``model`` is empty (the bot
        then answers extractively).

    Raises:
        ValueError: ``timeout_s`` is not positive.
    """
    if not (base_url and base_url.strip()) or not (model and model.strip()):
        return None
    if not timeout_s or timeout_s <= 0:
        raise ValueError(f"QA_LLM_TIMEOUT_S must be a positive number of seconds, got {timeout_s!r}")
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=base_url.strip().rstrip("/"),
        model=model.strip(),
        api_key=(api_key or "").strip() or DUMMY_API_KEY,
        timeout=float(timeout_s),
        max_retries=0,
        temperature=0,
    )


def describe_failure(exc: BaseException) -> str:
    """Return a short, user-facing reason for a chat-model failure.

    Reads the exception's class name and ``status_code`` (the ``openai`` client's errors
    carry one), so it works without importing ``openai``: e.g. ``"HTTP 401: the API key
    was refused (check QA_LLM_API_KEY)"``, ``"timed out"``, ``"connection failed"``.
    """
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        reason = {
            401: "the API key was refused (check QA_LLM_API_KEY)",
            403: "access was refused",
            404: "the model or URL was not found (check QA_LLM_BASE_URL and QA_LLM_MODEL)",
            429: "rate limited or out of quota",
        }.get(status, "server error" if status >= 500 else "request refused")
        return f"HTTP {status}: {reason}"
    name = type(exc).__name__
    if "Timeout" in name:
        return "timed out"
    if "Connection" in name or isinstance(exc, ConnectionError) or "ConnectError" in name:
        return "connection failed"
    return f"{name}: {str(exc)[:200]}" if str(exc) else name


def _unreachable(exc: BaseException) -> bool:
    """True for transport and HTTP failures (no usable reply arrived), False for a bad reply."""
    name = type(exc).__name__
    return (
        isinstance(getattr(exc, "status_code", None), int)
        or "Timeout" in name
        or "Connect" in name
        or isinstance(exc, (ConnectionError, TimeoutError))
    )


def failure_notice(reason: str) -> str:
    """Return the notice shown beside the extractive answer when the model failed."""
    return f"The language model could not be reached ({reason}); showing quoted passages instead."


def _with_notice(fallback: Answer, notice: str, **extra) -> Answer:
    combined = f"{notice} {fallback.notice}".strip() if fallback.notice else notice
    return dataclasses.replace(
        fallback, notice=combined, extra={**fallback.extra, **extra}
    )


class EmptyReplyError(RuntimeError):
    """The chat model returned no text."""


class LLMAnswerer:
    """Answer from retrieved passages with a chat model, citations checked; rewrite follow-ups.

    Args:
        model: any LangChain ``BaseChatModel`` (``ChatOpenAI`` from
            ``chat_model_from_settings``, a fake chat model in tests, ...).
        max_history_messages: how many of the latest history messages the follow-up
            rewrite sees.

    Every method catches the model's failures (``Exception``) and falls back: the
    rewrite to the question as asked, the answer to the extractive ``fallback`` answer
    with a ``notice``. Only programming errors in the arguments can raise.
    """

    def __init__(self, model: BaseChatModel, *, max_history_messages: int = 6) -> None:
        self.model = model
        self.max_history_messages = max_history_messages
        self._answer_chain = ANSWER_PROMPT | model | StrOutputParser()
        self._rewrite_chain = REWRITE_PROMPT | model | StrOutputParser()

    # -- follow-ups ------------------------------------------------------------------

    def rewrite_question(self, question: str, history: list[dict] | None, language: str) -> str:
        """Rewrite a follow-up into a standalone question, in the user's language.

        Args:
            question: the follow-up as asked, e.g. ``"ماذا قال؟"``.
            history: earlier turns, Gradio messages format
                ``[{"role": "user"|"assistant", "content": str}, ...]``; only the last
                ``max_history_messages`` are sent, ``[n]`` markers stripped.
            language: ``"ar"`` or ``"en"``, the language of ``question``; the rewrite is
                asked for in that language.

        Returns:
            The standalone question (first line of the model's reply), to send to the
            retriever; ``question`` unchanged when ``history`` is empty or holds no text,
            when the model fails, or when its reply is empty or far too long.
        """
        variables = rewrite_prompt_input(
            question, list(history or []), language, max_messages=self.max_history_messages
        )
        if not variables["conversation"]:
            return question
        try:
            reply = self._rewrite_chain.invoke(variables)
        except Exception as exc:  # any model failure: retrieval uses the question as asked
            log.warning("follow-up rewrite failed (%s); using the question as asked", describe_failure(exc))
            return question
        return clean_rewrite(reply if isinstance(reply, str) else "", question)

    # -- answers ---------------------------------------------------------------------

    def answer(
        self, question: str, language: str, passages: list[PassageHit], fallback: Answer
    ) -> Answer:
        """Ask the model to answer from ``passages``; check and renumber its citations.

        Args:
            question: the question (the standalone rewrite for a follow-up).
            language: ``"ar"`` or ``"en"``, the question's language; the model is told to
                answer in it, unless the question asks for another one
                (``qa.llm_prompt.requested_language``: "Answer in English please",
                "بالعربية"), which then is the answer's language.
            passages: the ranked retrieved passages; passage ``n`` in the prompt is
                ``passages[n - 1]``.
            fallback: the extractive (or abstained) answer for the same question; its
                ``question``, ``passages``, ``retrieval_query`` and ``timings_ms`` are
                kept in the result.

        Returns:
            An ``Answer`` whose ``mode`` says what happened:

            * ``"llm"``: the model's text with valid markers renumbered ``1..N`` and
              matching ``citations``; ``extra["dropped_markers"]`` counts markers that
              pointed at no passage (and ``notice`` mentions them when > 0).
            * the ``fallback`` with ``extra["llm_declined"] = True`` when the model replied
              with the abstention sentence (the chain's policy stage then abstains).
            * ``"llm-unsupported"``: the reply had no valid marker; ``text`` and
              ``citations`` are the fallback's, ``notice`` quotes the model's reply,
              ``extra["llm_text"]`` holds it.
            * the ``fallback`` itself, with a ``notice`` naming the failure, when the
              model could not be reached, timed out, answered HTTP 401/429/500 or
              returned a malformed or empty reply (``extra["llm_error"]``).

            With no passages, the fallback is returned unchanged (nothing to cite).
        """
        if not passages:
            return fallback
        language = requested_language(question) or language  # "Answer in English please"
        started = time.perf_counter()
        try:
            reply = self._answer_chain.invoke(answer_prompt_input(question, language, passages))
            if not isinstance(reply, str) or not reply.strip():
                raise EmptyReplyError("the model returned an empty reply")
        except Exception as exc:
            return self._failed(exc, fallback)
        return self._finish(reply, language, passages, fallback, started)

    def stream(
        self, question: str, language: str, passages: list[PassageHit], fallback: Answer
    ) -> Iterator[str | Answer]:
        """Stream the model's answer: text deltas (``str``), then the final ``Answer``.

        The deltas are the raw reply (markers not yet checked or renumbered); the final
        ``Answer`` (same checks and modes as ``answer``) replaces them, so a UI should
        show the deltas while they arrive and then redraw with the final answer and its
        citations. On a failure before or during the stream the last item is the
        ``fallback`` with a notice. The last item is always an ``Answer``.
        """
        if not passages:
            yield fallback
            return
        language = requested_language(question) or language
        started = time.perf_counter()
        parts: list[str] = []
        try:
            for delta in self._answer_chain.stream(answer_prompt_input(question, language, passages)):
                if isinstance(delta, str) and delta:
                    parts.append(delta)
                    yield delta
            reply = "".join(parts)
            if not reply.strip():
                raise EmptyReplyError("the model returned an empty reply")
        except Exception as exc:
            yield self._failed(exc, fallback, partial="".join(parts))
            return
        yield self._finish(reply, language, passages, fallback, started)

    # -- helpers ---------------------------------------------------------------------

    def _failed(self, exc: Exception, fallback: Answer, partial: str = "") -> Answer:
        reason = describe_failure(exc)
        log.warning("chat model failed (%s); using the extractive answer", reason)
        extra = {"llm_error": reason}
        if partial:
            extra["llm_partial_text"] = partial
        if isinstance(exc, EmptyReplyError):
            notice = "The language model returned an empty reply; showing quoted passages instead."
        elif _unreachable(exc):
            notice = failure_notice(reason)
        else:
            notice = f"The language model returned an unusable reply ({reason}); showing quoted passages instead."
        return _with_notice(fallback, notice, **extra)

    def _finish(
        self,
        reply: str,
        language: str,
        passages: list[PassageHit],
        fallback: Answer,
        started: float,
    ) -> Answer:
        elapsed_ms = (time.perf_counter() - started) * 1000
        timings = {**fallback.timings_ms, "llm": round(elapsed_ms, 1)}
        check = check_markers(reply, passages)
        extra = {**fallback.extra, "dropped_markers": check.dropped, "llm_text": reply}

        if not check.citations and is_abstention(check.text, language):
            # the model says the passages do not answer: the chain asks the answer policy
            # (``AnswerPolicy.model_declined``) to turn this into its abstention
            return dataclasses.replace(fallback, timings_ms=timings, extra={**extra, "llm_declined": True})
        if not check.citations:
            shown = " ".join(reply.split())
            if len(shown) > 500:
                shown = shown[:500] + "…"
            notice = (
                "The language model's answer cited no retrieved passage, so it is not shown "
                f"as the answer; showing quoted passages instead. The model wrote: {shown}"
            )
            return dataclasses.replace(
                fallback, mode="llm-unsupported", notice=notice, timings_ms=timings, extra=extra
            )
        notice = ""
        if check.dropped:
            notice = (
                f"{check.dropped} citation marker(s) in the model's answer pointed at no "
                "retrieved passage and were removed."
            )
        # the model's answer is what the reader meets first: the extractive short answer and
        # its line for readers of another language go (their [n] pointed at the fallback's
        # citations, and the line called model prose "the article, quoted as written")
        return dataclasses.replace(
            fallback,
            text=check.text,
            lead="",
            preface="",
            abstained=False,
            language=language,
            citations=check.citations,
            mode="llm",
            notice=notice,
            timings_ms=timings,
            extra=extra,
        )
