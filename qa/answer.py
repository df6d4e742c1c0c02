"""The result types every stage hands on: retrieved passages, citations and the answer.

These are plain dataclasses (no LangChain, no numpy) so the Gradio UI, the command line,
the evaluation and the JSON endpoint all read the same fields, and ``Answer.to_dict()`` is
JSON-safe.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

# What the bot says when the article does not answer, per question language.
ABSTENTION = {
    "ar": "لا يذكر المقال ذلك.",
    "en": "The article does not say.",
}

AnswerMode = Literal["extractive", "llm", "llm-unsupported", "abstained", "error"]


@dataclass(frozen=True)
class PassageHit:
    """One retrieved passage, ranked.

    Attributes:
        passage_id: index of the passage in the store (0-based).
        source: file name of the document, e.g. ``"000_c53a8d77ccf2062b.txt"``.
        paragraph: 1-based paragraph number inside the document (paragraphs are
            separated by line breaks).
        start, end: character offsets into the document text (Python ``str`` indices,
            not bytes): ``document_text[start:end] == text``.
        text: the passage text.
        score: the retriever's score for this passage; for the fused ranking this is
            the reciprocal-rank-fusion score (higher is better, not a probability).
        rank: 1-based rank in the retrieved list.
    """

    passage_id: int
    source: str
    paragraph: int
    start: int
    end: int
    text: str
    score: float
    rank: int

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-safe dict."""
        return asdict(self)


@dataclass(frozen=True)
class Citation:
    """A numbered citation: the marker ``[n]`` in the answer text points here.

    Attributes:
        n: the marker number, 1-based, as written in ``Answer.text``.
        source, paragraph: where the cited passage comes from (see ``PassageHit``).
        start, end: character offsets of the cited passage in the document.
        text: the cited passage text (``document_text[start:end]``).
        score: the retrieval score of the cited passage.
        quote_start, quote_end: character offsets in the document of the quoted
            sentence(s) that carry the answer, inside ``[start, end]``;
            ``document_text[quote_start:quote_end] == quote``.
        quote: the exact sentence text the answer rests on.
        passage_id: index of the passage in the store.
    """

    n: int
    source: str
    paragraph: int
    start: int
    end: int
    text: str
    score: float
    quote_start: int
    quote_end: int
    quote: str
    passage_id: int

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a JSON-safe dict."""
        return asdict(self)


@dataclass
class Answer:
    """What ``ArticleQA.ask`` returns.

    Attributes:
        question: the question as asked (stripped).
        text: the answer, with ``[n]`` markers after each quoted claim; on abstention a
            sentence saying the article does not say, in the question's language.
        abstained: True when the article does not answer the question (then
            ``citations`` is empty).
        language: ISO 639-1 code of the question, ``"ar"`` or ``"en"``.
        citations: the citations, numbered 1..N in marker order.
        passages: the ranked retrieved passages (best first) the answer was chosen from.
        mode: which answerer produced ``text``: ``"extractive"`` (quotes),
            ``"llm"`` (a chat model, markers checked), ``"llm-unsupported"`` (the model
            gave no valid marker; ``text`` holds the extractive answer and ``notice`` says
            so), ``"abstained"``.
        notice: a message for the user beside the answer (an LLM failure, dropped
            markers), or ``""``.
        retrieval_query: the question actually sent to the retriever (differs from
            ``question`` for a rewritten follow-up).
        timings_ms: wall-clock time of each stage in milliseconds, e.g.
            ``{"retrieve": 12.1, "answer": 3.4, "total": 15.9}``.
        extra: backend-specific details (e.g. ``{"dropped_markers": 1}``).
        lead: the short answer a reader sees first: the shortest quoted span(s) of the
            quoted sentences that answer, each «in the article's words» with its ``[n]``
            marker (``qa.lead``); ``""`` when the bot abstains or a chat model answered.
        preface: a line in the question's language, above the quotes, when the
            quotes are in another language than the question (``qa.preface``), e.g.
            "The article (in Arabic) names these people:"; else ``""``.
    """

    question: str
    text: str
    abstained: bool
    language: str
    citations: list[Citation] = field(default_factory=list)
    passages: list[PassageHit] = field(default_factory=list)
    mode: AnswerMode = "extractive"
    notice: str = ""
    retrieval_query: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    lead: str = ""
    preface: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the answer as a JSON-safe dict (lists of dicts for citations and passages)."""
        return {
            "question": self.question,
            "lead": self.lead,
            "preface": self.preface,
            "text": self.text,
            "abstained": self.abstained,
            "language": self.language,
            "mode": self.mode,
            "notice": self.notice,
            "retrieval_query": self.retrieval_query,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "timings_ms": dict(self.timings_ms),
            "extra": dict(self.extra),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Answer":
        """The ``Answer`` that ``to_dict()`` gave (e.g. kept in a browser and sent back).

        Raises:
            ValueError: a field is missing or of the wrong type.
        """
        try:
            citations = [Citation(**{k: c[k] for k in Citation.__dataclass_fields__}) for c in data.get("citations") or []]
            passages = [PassageHit(**{k: p[k] for k in PassageHit.__dataclass_fields__}) for p in data.get("passages") or []]
            return cls(question=str(data["question"]), text=str(data["text"]), abstained=bool(data["abstained"]),
                       language=str(data.get("language") or "en"), citations=citations, passages=passages,
                       mode=data.get("mode") or "extractive", notice=str(data.get("notice") or ""),
                       retrieval_query=str(data.get("retrieval_query") or ""),
                       timings_ms=dict(data.get("timings_ms") or {}), extra=dict(data.get("extra") or {}),
                       lead=str(data.get("lead") or ""), preface=str(data.get("preface") or ""))
        except (KeyError, TypeError, AttributeError) as err:
            raise ValueError(f"not an answer: {err}") from None


def abstention_answer(question: str, language: str, reason: str, *, p_answerable: float | None = None,
                      text: str | None = None, passages: list[PassageHit] | None = None, notice: str = "",
                      retrieval_query: str = "", timings_ms: dict[str, float] | None = None,
                      extra: dict[str, Any] | None = None) -> Answer:
    """The ``Answer`` for a decision of the answer policy (``qa.policy``) to abstain.

    Args:
        question, language: as in ``Answer``.
        reason: the decision's reason, kept as ``extra["abstention_reason"]``.
        p_answerable: the decision's probability, kept as ``extra["p_answerable"]``.
        text: what to say (default: ``ABSTENTION`` in ``language``).
        passages, notice, retrieval_query, timings_ms: as in ``Answer``.
        extra: more details to keep.

    Returns:
        An abstained ``Answer`` (``mode="abstained"``, no citations).
    """
    details = dict(extra or {})
    details["abstention_reason"] = reason
    if p_answerable is not None:
        details["p_answerable"] = p_answerable
    return Answer(question=question, text=text or ABSTENTION.get(language, ABSTENTION["en"]), abstained=True,
                  language=language, passages=list(passages or []), mode="abstained", notice=notice,
                  retrieval_query=retrieval_query, timings_ms=dict(timings_ms or {}), extra=details)
