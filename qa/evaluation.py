"""Evaluation over question sets in the JSONL format of ``shared/eval/README.md``.

Each line: ``id``, ``lang``, ``question``, ``answerable``, ``evidence`` (exact substrings
of the source; a passage is relevant when it contains one, after normalisation, and comes
from ``doc`` when given), ``answer`` (groups of alternatives; a correct answer text holds
one alternative of every group); optionally (this project's addition) ``history``, the earlier
questions of a conversation: they are asked first, in turn, and the line's question is asked
as their follow-up (only it is scored). Metrics, per language and overall: hit@1/3/5 and MRR of
the retrieved ranking, citation hit and precision, answer hit (of the whole answer, and of the short answer
``Answer.lead`` alone, with the median lengths of both in characters), abstention on unanswerable
questions and false abstention on answerable ones, latency p50/p95 in milliseconds.
Every question goes through the same public ``ArticleQA.ask`` users call.

A set can also be asked the way one uploaded article is (``article-qa eval --one-document``):
``each_document`` indexes every document of the corpus alone and asks it its own questions;
``held_out_paragraphs`` also takes one paragraph out, so that its questions become near-topic
unanswerables. Over one document the policy serves its one-document models (``qa.policy``).
``document_groups`` (``article-qa eval --documents N``) asks collections of ``N`` documents.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from .answer import Answer
from .text import normalize

METRIC_KEYS = ("hit@1", "hit@3", "hit@5", "mrr", "citation_hit", "citation_precision", "answer_hit",
               "lead_answer_hit", "lead_chars_p50", "answer_chars_p50", "abstain_on_unanswerable", "false_abstain", "latency_ms_p50", "latency_ms_p95", "n")


@dataclass(frozen=True)
class EvalQuestion:
    """One line of a question set (see the module docstring)."""

    id: str
    lang: str
    question: str
    answerable: bool
    evidence: tuple[str, ...]
    answer: tuple[tuple[str, ...], ...]
    doc: str | None = None
    history: tuple[str, ...] = ()


def read_questions(path: str | Path) -> list[EvalQuestion]:
    """Read a JSONL question set.

    Raises:
        ValueError: a line is not JSON or lacks a required field (the message gives the
            line), or the file holds no question (a table of nulls is no evaluation).
    """
    questions = []
    # JSON Lines parts records at "\n" only: ``str.splitlines`` also breaks at U+2028, which
    # JSON writes unescaped (a list's LIST_BREAK in an evidence string)
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(EvalQuestion(
                id=str(row["id"]), lang=str(row["lang"]), question=str(row["question"]),
                answerable=bool(row["answerable"]), evidence=tuple(row.get("evidence") or ()),
                answer=tuple(tuple(group) for group in row.get("answer") or ()), doc=row.get("doc"),
                history=tuple(str(h) for h in row.get("history") or ())))
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{number}: not a valid question line ({err})") from err
    if not questions:
        raise ValueError(f"{path}: no question in the file (one JSON object per line: shared/eval/README.md)")
    return questions


def is_relevant(source: str, text: str, question: EvalQuestion) -> bool:
    """A passage is relevant when it holds a piece of evidence (normalised) and, if the
    question names a ``doc``, comes from it."""
    if question.doc is not None and source != question.doc:
        return False
    folded = normalize(text)
    return any(normalize(e) in folded for e in question.evidence if e.strip())


def answer_correct(text: str, groups: Iterable[Iterable[str]]) -> bool:
    """True when ``text`` holds at least one alternative of every group (normalised)."""
    folded = normalize(text)
    return all(any(normalize(alt) in folded for alt in group) for group in groups)


def _documents(corpus: Path) -> list[Path]:
    return sorted(p for p in Path(corpus).iterdir() if p.is_file() and not p.name.startswith("."))


def _write_if_changed(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` unless it already holds them (an unchanged file keeps its
    index valid across runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def each_document(corpus: str | Path, questions: list[EvalQuestion], folder: str | Path,
                  name: str = "each-document") -> list[tuple[str, Path, list[EvalQuestion]]]:
    """Collections of one document: every file of ``corpus`` copied alone into
    ``folder/<file stem>/``, asked the questions whose ``doc`` is that file; a question
    without ``doc`` (an unanswerable one of ``xquad_abstain``) goes to the documents in turn.

    Returns:
        ``(name, collection folder, questions)`` per document.

    Raises:
        FileNotFoundError: ``corpus`` is not a folder.
    """
    documents = _documents(Path(corpus))
    out = []
    loose = [q for q in questions if q.doc is None]
    for i, path in enumerate(documents):
        target = Path(folder) / path.name.split(".")[0]
        _write_if_changed(target / path.name, path.read_bytes())
        asked = [q for q in questions if q.doc == path.name] + loose[i::len(documents)]
        out.append((name, target, asked))
    return out


def document_groups(corpus: str | Path, questions: list[EvalQuestion], folder: str | Path, size: int,
                    name: str | None = None) -> list[tuple[str, Path, list[EvalQuestion]]]:
    """Collections of ``size`` documents: the files of ``corpus`` in name order, cut into
    consecutive groups of ``size`` (a last, shorter group is left out), each group copied
    into ``folder/<size>-<first file stem>/``. A group is asked the questions whose ``doc`` is
    one of its files (answerable) and those of the file after the group, in turn
    (unanswerable: ``answerable`` set to false, ``id`` suffixed, ``doc`` kept), as a reader
    with a folder of a few articles asks about them and about something else.

    This is how ``article-qa calibrate`` decides up to how many documents the one-document
    models serve (``qa.calibrate.fit_boundary``), and what ``article-qa eval --documents``
    asks.

    Returns:
        ``(name, collection folder, questions)`` per group (``name`` defaults to
        ``"groups-<size>"``).

    Raises:
        FileNotFoundError: ``corpus`` is not a folder.
        ValueError: ``size`` < 1.
    """
    import dataclasses

    if size < 1:
        raise ValueError(f"a collection holds at least one document, not {size}")
    documents = _documents(Path(corpus))
    name = name or f"groups-{size}"
    out = []
    for first in range(0, len(documents) - size + 1, size):
        group = documents[first:first + size]
        target = Path(folder) / f"{size}-{group[0].name.split('.')[0]}"
        for path in group:
            _write_if_changed(target / path.name, path.read_bytes())
        names = {p.name for p in group}
        other = documents[(first + size) % len(documents)].name
        asked = [q for q in questions if q.doc in names]
        asked += [dataclasses.replace(q, id=f"{q.id}@{size}-{first}", answerable=False)
                  for q in questions if q.doc == other and q.answerable]
        out.append((name, target, asked))
    return out


def held_out_paragraphs(corpus: str | Path, questions: list[EvalQuestion], folder: str | Path,
                        name: str = "held-out") -> list[tuple[str, Path, list[EvalQuestion]]]:
    """Collections of one document with one paragraph taken out, so that the questions of
    that paragraph are *near-topic* unanswerables: they name the document's people and
    places, as a reader's questions about a news story do, but the text that answered them
    is gone (the removed-evidence construction; cf. Rajpurkar et al. 2018, "Know What You
    Don't Know: Unanswerable Questions for SQuAD", on why unanswerables must sit near the
    text to be a test).

    A document of ``k`` paragraphs (blank-line separated) gives ``k`` collections, in
    ``folder/<file stem>-<j>/``, paragraph ``j`` left out of the ``j``-th. A question with a
    ``doc`` and evidence in exactly one paragraph ``i`` is asked twice: answerable in the
    collection without paragraph ``(i + 1) % k``, unanswerable (``answerable`` false, ``id``
    suffixed) in the one without paragraph ``i``, unless one of its answer strings is still
    in the remaining text. Other questions are not asked.

    Returns:
        ``(name, collection folder, questions)`` per collection.

    Raises:
        FileNotFoundError: ``corpus`` is not a folder.
    """
    import dataclasses

    out = []
    for path in _documents(Path(corpus)):
        paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]
        if len(paragraphs) < 2:
            continue
        mine = [q for q in questions if q.doc == path.name]
        home = {q.id: [i for i, p in enumerate(paragraphs) if q.evidence and q.evidence[0] in p] for q in mine}
        for j in range(len(paragraphs)):
            rest = "\n\n".join(p for i, p in enumerate(paragraphs) if i != j) + "\n"
            target = Path(folder) / f"{path.name.split('.')[0]}-{j}"
            _write_if_changed(target / path.name, rest.encode("utf-8"))
            asked = []
            for q in mine:
                where = home[q.id]
                if len(where) != 1:
                    continue
                if where[0] == j:
                    if not any(a and a in rest for group in q.answer for a in group):
                        asked.append(dataclasses.replace(q, id=f"{q.id}@-{j}", answerable=False))
                elif (where[0] + 1) % len(paragraphs) == j:
                    asked.append(dataclasses.replace(q, id=f"{q.id}@-{j}"))
            out.append((name, target, asked))
    return out


@dataclass
class Outcome:
    """What one question scored (``None`` where a metric does not apply)."""

    question: EvalQuestion
    rank: int | None  # 1-based rank of the first relevant passage, None if none retrieved
    citation_hit: bool | None
    citation_precision: float | None
    answer_hit: bool | None
    abstained: bool
    latency_ms: float
    lead_hit: bool | None = None  # answer hit of ``Answer.lead`` alone (the short answer)
    lead_chars: int | None = None  # its length in characters (answered questions only)
    answer_chars: int | None = None  # length of ``Answer.text`` (answered questions only)


def score(question: EvalQuestion, answer: Answer, latency_ms: float) -> Outcome:
    """Score one answer against its question."""
    if not question.answerable:
        return Outcome(question, None, None, None, None, answer.abstained, latency_ms)
    rank = next((i for i, p in enumerate(answer.passages, start=1) if is_relevant(p.source, p.text, question)), None)
    cited = [is_relevant(c.source, c.text, question) for c in answer.citations]
    return Outcome(
        question, rank,
        citation_hit=any(cited),
        citation_precision=(sum(cited) / len(cited)) if cited else None,
        answer_hit=answer_correct(answer.text, question.answer) if question.answer else None,
        abstained=answer.abstained, latency_ms=latency_ms,
        # a chat model's answer has no lead: its whole text is what is read first
        lead_hit=answer_correct(answer.lead or answer.text, question.answer) if question.answer else None,
        lead_chars=None if answer.abstained else len(answer.lead or answer.text),
        answer_chars=None if answer.abstained else len(answer.text))


def _mean(values: list) -> float | None:
    values = [float(v) for v in values if v is not None]
    return round(sum(values) / len(values), 4) if values else None


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return float(np.median(values)) if values else None


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    """The metrics of ``METRIC_KEYS`` over a list of outcomes.

    Rates are in 0..1 (``None`` where no question applies); citation precision averages
    over answerable questions that cited something; latency is in milliseconds.
    """
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    latencies = [o.latency_ms for o in outcomes]
    out: dict[str, Any] = {}
    for k in (1, 3, 5):
        out[f"hit@{k}"] = _mean([o.rank is not None and o.rank <= k for o in answerable])
    out["mrr"] = _mean([1.0 / o.rank if o.rank else 0.0 for o in answerable])
    out["citation_hit"] = _mean([o.citation_hit for o in answerable])
    out["citation_precision"] = _mean([o.citation_precision for o in answerable])
    out["answer_hit"] = _mean([o.answer_hit for o in answerable])
    out["lead_answer_hit"] = _mean([o.lead_hit for o in answerable])
    out["lead_chars_p50"] = _median([o.lead_chars for o in answerable])
    out["answer_chars_p50"] = _median([o.answer_chars for o in answerable])
    out["abstain_on_unanswerable"] = _mean([o.abstained for o in unanswerable])
    out["false_abstain"] = _mean([o.abstained for o in answerable])
    out["latency_ms_p50"] = round(float(np.percentile(latencies, 50)), 2) if latencies else None
    out["latency_ms_p95"] = round(float(np.percentile(latencies, 95)), 2) if latencies else None
    out["n"] = len(outcomes)
    return out


def evaluate(ask: Callable[[str], Answer], questions: list[EvalQuestion],
             progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Ask every question and report the metrics.

    Args:
        ask: the public ask call, e.g. ``bot.ask`` (needs at least 5 retrieved passages
            for hit@5).
        questions: from ``read_questions``.
        progress: called as ``progress(done, total)``.

    Returns:
        ``{"overall": {...}, "by_lang": {lang: {...}}, "questions": [per-question rows]}``
        with the keys of ``METRIC_KEYS`` in each summary.
    """
    outcomes, rows = _ask_all(ask, questions, progress)
    return _report(outcomes, rows)


def evaluate_collections(collections: list[tuple[str, Path, list[EvalQuestion]]],
                         make_bot: Callable[[Path], Any],
                         progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """``evaluate`` over several collections (``each_document``, ``held_out_paragraphs``):
    each asked through ``make_bot(folder).ask``, the figures pooled as one report."""
    total, done = sum(len(qs) for *_, qs in collections), 0
    outcomes, rows = [], []
    for _name, folder, questions in collections:
        if not questions:
            continue
        bot = make_bot(folder)
        more, more_rows = _ask_all(bot.ask, questions)
        outcomes += more
        rows += more_rows
        done += len(questions)
        if progress:
            progress(done, total)
    return _report(outcomes, rows)


def _ask_all(ask: Callable[[str], Answer], questions: list[EvalQuestion],
             progress: Callable[[int, int], None] | None = None) -> tuple[list[Outcome], list[dict[str, Any]]]:
    outcomes = []
    rows = []
    for i, q in enumerate(questions, start=1):
        history = _conversation_before(ask, q.history) if q.history else None
        t0 = time.perf_counter()
        answer = ask(q.question, history=history) if history is not None else ask(q.question)
        latency = (time.perf_counter() - t0) * 1000
        o = score(q, answer, latency)
        outcomes.append(o)
        rows.append({"id": q.id, "lang": q.lang, "answerable": q.answerable, "rank": o.rank,
                     "abstained": o.abstained, "answer_hit": o.answer_hit, "citation_hit": o.citation_hit,
                     "latency_ms": round(latency, 2), "answer": answer.text,
                     "abstention_reason": answer.extra.get("abstention_reason"),
                     "p_answerable": answer.extra.get("p_answerable"),
                     "lead": answer.lead, "lead_hit": o.lead_hit})
        if progress:
            progress(i, len(questions))
    return outcomes, rows


def _conversation_before(ask: Callable[..., Answer], earlier: Iterable[str]) -> list[dict[str, str]]:
    """The chat history of a follow-up question (a set's optional ``history`` field): each
    earlier question asked in turn with the history so far, kept as the web UI keeps it
    (``qa.conversation.Conversation.history``)."""
    from .conversation import Conversation, Turn

    conversation = Conversation()
    for question in earlier:
        conversation.add(Turn(question, ask(question, history=conversation.history())))
    return conversation.history()


def _report(outcomes: list[Outcome], rows: list[dict[str, Any]]) -> dict[str, Any]:
    languages = sorted({o.question.lang for o in outcomes})
    return {"overall": summarize(outcomes),
            "by_lang": {lang: summarize([o for o in outcomes if o.question.lang == lang]) for lang in languages},
            "questions": rows}
