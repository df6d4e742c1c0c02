"""Measure the short answer's span choice (``qa.lead``) and the variants tried, on XQuAD and the seed.

    python -m bench.lead_spans

Asks every answerable question of ``shared/eval/xquad/questions.jsonl`` (over its corpus) and
of ``shared/eval/seed_dev.jsonl`` (over ``seeds/``) once through ``ArticleQA.ask``, keeps the
answer and its scored clause units (``ExtractiveAnswerer.candidates``), then, without asking
again, prints per language the lead's answer hit (over all answerable questions; an
abstention is a miss) and its median length in characters for:

1. the lead as shipped (the answer's own ``Answer.lead``) and the whole answer;
2. a grid of ``qa.lead``'s three numbers (first piece's limit, the lead's limit, the score
   margin of further pieces), with pieces from any unit (a piece outside the quoted
   sentences joins the quotes, as ``qa.answering`` does) or only from the quoted sentences;
3. word-bounded windows of the best units (80, 100, 120 characters) scored by a logistic
   regression on answer-kind cues, question words in and next to the window, unit cosine,
   score and rank (``window_features``), fitted with ``GroupKFold`` by article (5 folds: a
   question is always scored by a model that never saw its article), and the same logistic
   re-ranking of whole units (top-1 / top-2 unit hit).

The label of a window or unit is whether it holds the answer (``qa.evaluation.answer_correct``).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("QA_SHARED_DIR", ROOT.parent / "shared")) / "eval"


@dataclass
class Record:
    """One answered question: what the lead strategies need."""

    qid: str
    lang: str
    group: str  # the article (document) the question is about: the cross-validation group
    question: str
    groups: tuple
    answer: object  # qa.answer.Answer
    candidates: list  # qa.answering.Candidate, best first


def collect(questions_path: Path, corpus: Path, group_of) -> list[Record]:
    """Ask every answerable question once; abstentions are kept (their lead is empty)."""
    from qa import ArticleQA
    from qa.evaluation import read_questions

    bot = ArticleQA.from_directory(corpus, progress=False)
    out = []
    for q in read_questions(questions_path):
        if not q.answerable or not q.answer:
            continue
        answer = bot.ask(q.question)
        cands = [] if answer.abstained else bot.extractive.candidates(
            answer.retrieval_query, bot.retriever.retrieve(answer.retrieval_query))
        out.append(Record(q.id, q.lang, group_of(q), q.question, q.answer, answer, cands))
    return out, bot


def load():
    """The records of both sets and the two bots (for the features' look-ups). The questions
    are asked afresh on every run (about 2 minutes): nothing is cached, since the records hold
    live answer objects that would need pickling."""
    sets = {}
    for name, questions, corpus, group_of in (
            ("xquad", EVAL / "xquad" / "questions.jsonl", EVAL / "xquad" / "corpus", lambda q: q.doc),
            ("seed", EVAL / "seed_dev.jsonl", ROOT / "seeds", lambda q: "seed")):
        sets[name] = collect(questions, corpus, group_of)
    return sets


def quoted_length(pieces: list[str]) -> int:
    """Length of ``«piece» [n]`` pieces joined by spaces (one-digit markers)."""
    return sum(len(p) + 6 for p in pieces) + max(0, len(pieces) - 1)


def grid_lead(record: Record, bot, first: int, most: int, margin: float, quoted_only: bool) -> str:
    """``qa.lead.lead_pieces`` with other numbers (and optionally only inside the answer's
    quotes), as text with one-digit markers."""
    from qa import lead

    saved = lead.FIRST_MAX_CHARS, lead.LEAD_MAX_CHARS, lead.PIECE_MARGIN
    lead.FIRST_MAX_CHARS, lead.LEAD_MAX_CHARS, lead.PIECE_MARGIN = first, most, margin
    try:
        cands = record.candidates
        if quoted_only and cands:  # the sentences the answer quotes before the lead's join
            quoted = {(c.hit.source, bot.extractive.quote_span(c).start) for c in bot.extractive.choose(cands)}
            cands = [c for c in cands if (c.hit.source, bot.extractive.quote_span(c).start) in quoted]
        pieces = lead.lead_pieces(cands, bot.extractive.quote_span)
    finally:
        lead.FIRST_MAX_CHARS, lead.LEAD_MAX_CHARS, lead.PIECE_MARGIN = saved
    return " ".join(lead.quote(s.text, 1) for _, s in sorted(pieces, key=lambda p: (p[0].hit.source, p[1].start)))


def score_texts(records: list[Record], text_of) -> str:
    """``"ar hit / median | en hit / median"`` of the texts ``text_of(record)`` (abstentions miss)."""
    from qa.evaluation import answer_correct

    out = []
    for lang in sorted({r.lang for r in records}):
        hits, lengths = [], []
        for r in records:
            if r.lang != lang:
                continue
            if r.answer.abstained:
                hits.append(False)
                continue
            text = text_of(r)
            hits.append(answer_correct(text, r.groups))
            lengths.append(len(text))
        out.append(f"{lang} {sum(hits) / len(hits):.3f} / {statistics.median(lengths):.0f}")
    return " | ".join(out)


# ---- windows and unit re-ranking (measured, not shipped) ---------------------------------

_TOKEN = re.compile(r"\S+")
_LATIN_NAME = re.compile(r"[A-Z][a-z]+")
FEATURES = ("bias", "cosine_gap", "score_gap", "unit_rank", "passage_rank", "lexical_in", "lexical_near",
            "novel", "kind_number", "kind_time", "kind_place", "kind_person", "kind_unit", "length",
            "whole_unit", "cross_language")
_KIND_BIT = {"number": 0, "time": 1, "place": 2, "person": 3}


@dataclass(frozen=True)
class Window:
    """A word-bounded span of one scored unit: ``unit`` (index among the candidates),
    document offsets, text, and ``(len(FEATURES),)`` features."""

    unit: int
    start: int
    end: int
    text: str
    features: np.ndarray


@lru_cache(maxsize=65536)
def _token_info(token: str) -> tuple[frozenset, int]:
    """A token's BM25 terms and answer-kind flags (bit 0 number, 1 time, 2 place, 3 a given name)."""
    from qa.grounding import holds_kind
    from qa.preface import GIVEN_NAME_MIN_COUNT, _given_name_count
    from qa.text import STOPWORDS, analyze, is_arabic_token, normalize

    flags = 0
    for bit, kind in enumerate(("number", "time", "place")):
        if holds_kind(token, kind):
            flags |= 1 << bit
    if is_arabic_token(token):
        core = re.sub(r"[^\u0621-\u064A]", "", token)
        if core and normalize(token) not in STOPWORDS and _given_name_count(core) >= GIVEN_NAME_MIN_COUNT:
            flags |= 1 << 3
    elif _LATIN_NAME.match(token):
        flags |= 1 << 3
    return frozenset(analyze(token)), flags


def window_features(record: Record, bot, max_units: int, max_chars: int, near: int = 4) -> list[Window]:
    """Every window of at most ``max_chars`` characters at word boundaries of the best
    ``max_units`` units (a unit whole when it fits), with its features."""
    from qa.grounding import answer_kind
    from qa.text import detect_language

    cands = record.candidates
    if not cands:
        return []
    query = record.answer.retrieval_query
    terms, _ = bot.retriever.question_terms(query)
    weights = {t: bot.retriever.idf(t) for t in set(terms)}
    total = sum(weights.values()) or 1.0
    bit = _KIND_BIT.get(answer_kind(query) or "")
    cross = float(detect_language(query) != bot.retriever.language)
    out = []
    for u, cand in enumerate(cands[:max_units]):
        unit = cand.sentence
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(unit.text)]
        info = [_token_info(unit.text[a:b]) for a, b in tokens]
        unit_kind = bit is not None and any(flags >> bit & 1 for _, flags in info)
        n = len(tokens)
        for i in range(n):
            j = i
            while j + 1 < n and tokens[j + 1][1] - tokens[i][0] <= max_chars:
                j += 1
            inside = set().union(*(info[k][0] for k in range(i, j + 1)))
            around = set().union(*(info[k][0] for k in range(max(0, i - near), min(n, j + 1 + near)))) - inside
            kinds = [0.0] * 4
            if bit is not None:
                kinds[bit] = float(any(info[k][1] >> bit & 1 for k in range(i, j + 1)))
            a, b = tokens[i][0], tokens[j][1]
            features = np.array([
                1.0, cand.cosine - cands[0].cosine, cand.score - cands[0].score, 1.0 / (1 + u), 1.0 / cand.hit.rank,
                sum(w for t, w in weights.items() if t in inside) / total,
                sum(w for t, w in weights.items() if t in around) / total,
                len(inside - set(weights)) / max(1, len(inside)), *kinds, float(unit_kind), (b - a) / max_chars,
                float(i == 0 and j == n - 1), cross], dtype=np.float32)
            out.append(Window(u, unit.start + a, unit.start + b, unit.text[a:b], features))
            if j == n - 1:
                break  # later windows are suffixes of this one
    return out


def cross_validated(records: list[Record], bot, max_units: int, max_chars: int):
    """Windows per record and their probability of holding the answer, from a logistic
    regression fitted with ``GroupKFold(5)`` by article (never on the record's article)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    from qa.evaluation import answer_correct

    per_record = [[] if r.answer.abstained else window_features(r, bot, max_units, max_chars) for r in records]
    owner = np.array([i for i, ws in enumerate(per_record) for _ in ws])
    X = np.array([w.features for ws in per_record for w in ws])
    y = np.array([answer_correct(w.text, r.groups) for r, ws in zip(records, per_record) for w in ws])
    probs = np.zeros(len(y))
    groups = np.array([r.group for r in records])
    for train, test in GroupKFold(5).split(np.arange(len(records)), groups=groups):
        fit, held = np.isin(owner, train), np.isin(owner, test)
        model = LogisticRegression(max_iter=3000, fit_intercept=False).fit(X[fit], y[fit])
        probs[held] = model.predict_proba(X[held])[:, 1]
    starts = np.searchsorted(owner, np.arange(len(records)))
    return per_record, [probs[starts[i]: starts[i] + len(ws)] for i, ws in enumerate(per_record)]


def main(argv: list[str] | None = None) -> int:
    from qa import lead

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-windows", action="store_true", help="skip the window and re-ranking fits (~1 min)")
    args = parser.parse_args(argv)
    sets = load()
    xq, xbot = sets["xquad"]
    seed, sbot = sets["seed"]
    print(f"XQuAD {len(xq)} answerable questions, seed {len(seed)}; answer hit / median characters")
    print(f"{'whole answer':58s} XQuAD {score_texts(xq, lambda r: r.answer.text)}   seed {score_texts(seed, lambda r: r.answer.text)}")
    print(f"{'lead as asked (Answer.lead)':58s} XQuAD {score_texts(xq, lambda r: r.answer.lead)}   seed {score_texts(seed, lambda r: r.answer.lead)}")
    shipped = (lead.FIRST_MAX_CHARS, lead.LEAD_MAX_CHARS, lead.PIECE_MARGIN)
    for quoted_only in (False, True):
        for first, most, margin in ((160, 200, 0.02), (200, 200, 0.02), (200, 250, 0.02), (250, 250, 0.01),
                                    (250, 250, 0.02), (250, 250, 1.0), (250, 300, 0.015), (250, 300, 0.02),
                                    (300, 300, 0.02), (300, 300, 0.03)):
            name = (f"first {first}, lead {most}, margin {margin}" + (" (shipped)" if (first, most, margin) == shipped else "")
                    + (", quoted sentences only" if quoted_only else ""))
            def text_of(r, bot, args=(first, most, margin, quoted_only)):
                return grid_lead(r, bot, *args)
            print(f"{name:58s} XQuAD {score_texts(xq, lambda r: text_of(r, xbot))}   seed {score_texts(seed, lambda r: text_of(r, sbot))}")
    if args.no_windows:
        return 0
    from qa.evaluation import answer_correct

    for chars in (80, 100, 120):
        per_record, probs = cross_validated(xq, xbot, 8, chars)
        best = {id(r): ws[int(np.argmax(p))].text for r, ws, p in zip(xq, per_record, probs) if ws}
        print(f"{f'best window of {chars} chars (logistic, 5-fold by article)':58s} XQuAD {score_texts(xq, lambda r: best[id(r)])}")
    per_record, probs = cross_validated(xq, xbot, 10, 100000)  # windows as large as the units: the units
    for name, order_of in (("score order", lambda p: np.arange(len(p))),
                           ("logistic re-ranking (5-fold by article)", lambda p: np.argsort(-p, kind="stable"))):
        out = []
        for lang in ("ar", "en"):
            rows = [(r, ws, p) for r, ws, p in zip(xq, per_record, probs) if r.lang == lang]
            top = [[answer_correct(ws[k].text, r.groups) for k in order_of(p)[:2]] if ws else [False]
                   for r, ws, p in rows]
            out.append(f"{lang} top-1 unit {np.mean([t[0] for t in top]):.3f}, top-2 {np.mean([any(t) for t in top]):.3f}")
        print(f"{'units, ' + name:58s} XQuAD " + " | ".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
