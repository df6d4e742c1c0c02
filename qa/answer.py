"""The result types every stage hands on: retrieved passages, citations and the answer.

These are plain dataclasses (no LangChain, no numpy) so the Gradio UI, the command line,
the evaluation and the JSON endpoint all read the same fields, and ``Answer.to_dict()`` is
JSON-safe.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

# What the bot says when the article does not answer, per question language.
ABSTENTION = {
    "ar": "لا يذكر المقال ذلك.",
    "en": "The article does not say.",
    "fr": "L'article ne le dit pas.",
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
            For a message asking several questions (``combine_answers``) it holds a
            section per question: the question, its preface line if any, then its short
            answer or the abstention sentence.
        preface: a line in the question's language, above the quotes, when the
            quotes are in another language than the question (``qa.preface``), e.g.
            "The article (in Arabic) names these people:"; else ``""`` (also for several
            questions, whose sections in ``lead`` carry their own).
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


_MARKER = re.compile(r"\[(\d+)\]")


def combine_answers(message: str, parts: list[Answer], notice: str = "") -> Answer:
    """One ``Answer`` for a message that asked several questions (``qa.followups.split_questions``):
    a section per question, in order, each the question on its own line and then its answer.

    Citations are renumbered 1..N across the sections in order of first use (a sentence two
    sections quote keeps one number) and the ``[n]`` markers of each section follow.

    Args:
        message: the whole message as asked (``Answer.question``).
        parts: each question's ``Answer``, in the message's order (at least one).
        notice: a message for the reader beside the answer (e.g. questions left unanswered).

    Returns:
        ``text``: the sections of ``Answer.text``; ``lead``: the sections of the short answers
        (a section whose question abstained says so); ``abstained`` only when every question
        did; ``extra["questions"]``: per question its ``question``, ``abstained``, ``lead``
        and, when given, ``p_answerable`` and ``abstention_reason``; ``passages``: each
        retrieved passage once, in the questions' order, ranked 1..N in that order;
        ``timings_ms``: the sum per stage.

    Raises:
        ValueError: ``parts`` is empty.
    """
    if not parts:
        raise ValueError("combine_answers needs at least one answer")
    citations: list[Citation] = []
    numbers: dict[tuple[str, int, int], int] = {}
    texts, leads, questions = [], [], []
    for part in parts:
        renumber: dict[int, int] = {}
        for c in part.citations:
            key = (c.source, c.quote_start, c.quote_end)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(replace(c, n=numbers[key]))
            renumber[c.n] = numbers[key]

        def marked(text: str) -> str:
            return _MARKER.sub(lambda m: f"[{renumber.get(int(m.group(1)), int(m.group(1)))}]", text)

        heading = part.question.strip()
        texts.append(f"{heading}\n{marked(part.text)}")
        shown = part.lead or part.text
        leads.append("\n".join(x for x in (heading, part.preface, marked(shown)) if x))
        entry = {"question": part.question, "abstained": part.abstained, "lead": marked(part.lead)}
        for key in ("p_answerable", "abstention_reason"):
            if key in part.extra:
                entry[key] = part.extra[key]
        questions.append(entry)
    passages, seen = [], set()
    for hit in (h for part in parts for h in part.passages):
        if hit.passage_id not in seen:
            seen.add(hit.passage_id)
            # ranked anew in this list (each question's own ranks restarted at 1)
            passages.append(replace(hit, rank=len(passages) + 1))
    timings: dict[str, float] = {}
    for part in parts:
        for key, value in part.timings_ms.items():
            timings[key] = timings.get(key, 0.0) + value
    abstained = all(p.abstained for p in parts)
    modes = {p.mode for p in parts}
    mode = "abstained" if abstained else next((m for m in ("llm", "llm-unsupported") if m in modes), "extractive")
    notices = [n for n in dict.fromkeys([notice, *(p.notice for p in parts)]) if n]
    return Answer(question=message.strip(), text="\n\n".join(texts), abstained=abstained, language=parts[0].language,
                  citations=citations, passages=passages, mode=mode, notice=" ".join(notices),
                  retrieval_query="\n".join(p.retrieval_query for p in parts if p.retrieval_query),
                  timings_ms=timings, extra={"questions": questions},
                  lead="\n\n".join(leads) if not abstained else "", preface="")


def numbered_as_read(answer: Answer) -> Answer:
    """``answer`` with its citations numbered in the order a reader meets them: the markers of
    the short answer (``Answer.lead``, else ``Answer.text``) become [1], [2], … in the order
    they first appear there, and the citations it does not show follow in their own order.
    The markers of ``lead`` and ``text`` are rewritten to match; a marker that names no
    citation is left as it is.

    ``Answer.text`` numbers its citations 1..N in its own marker order, but a reader sees the
    short answer first, which quotes only some of them: a message asking several questions
    opened on "[3]" beside sources listed from [1] (a trial), and a one-question answer could
    open on "[2]". An extractive answer's text (its quotes alone) is put in the new numbers'
    order too, so it reads [1], [2], … as the sources under it do; any other text (a chat
    model's, a several-question answer's sections) keeps its order with its markers renumbered.
    ``ArticleQA.ask``/``stream`` return their extractive answers numbered so
    (the ``/ask`` JSON and the command line show the page's numbers), and the web page and the
    copied text apply it to every answer they show (``qa.ui_render``,
    ``qa.conversation.plain_text``: a conversation kept before still reads in order).
    Applying it twice gives the same answer.

    Returns:
        A new ``Answer`` (the same object when the numbering already reads in order).
    """
    if not answer.citations:
        return answer
    known = {c.n for c in answer.citations}
    shown = [n for n in dict.fromkeys(int(m) for m in _MARKER.findall(answer.lead or answer.text)) if n in known]
    order = shown + [c.n for c in answer.citations if c.n not in shown]
    new = {old: i for i, old in enumerate(order, start=1)}
    if all(old == n for old, n in new.items()) and [c.n for c in answer.citations] == sorted(known):
        return answer

    def marked(text: str) -> str:
        return _MARKER.sub(lambda m: f"[{new.get(int(m.group(1)), int(m.group(1)))}]", text)

    from .answering import quoted_text  # (qa.answering builds on this module)

    citations = sorted((replace(c, n=new[c.n]) for c in answer.citations), key=lambda c: c.n)
    # an extractive answer's text is its quotes alone, in article order: it follows the new
    # numbers too, as the sources under it do ("[2] … [3] … [1]" in the /ask JSON, a trial)
    whole = answer.text == quoted_text(sorted(answer.citations, key=lambda c: c.n))
    text = quoted_text(citations) if whole else marked(answer.text)
    return replace(answer, text=text, lead=marked(answer.lead), citations=citations)
