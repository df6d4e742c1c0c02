"""The measuring tools of ``bench.fit_retrieval`` (RM3 feedback terms, fits by article),
on the seed article and on XQuAD's article grouping."""

from __future__ import annotations

import numpy as np
import pytest

from qa.text import analyze


def test_rm3_feedback_terms_of_the_delegations_paragraph(seed_bot) -> None:
    """Feedback from the paragraph naming the delegations gives its country names as heavy
    terms, and the weighted second BM25 query ranks that paragraph first."""
    from bench.fit_retrieval import FeedbackTerms

    retriever = seed_bot.retriever
    passages = retriever.store.passages
    delegations = next(i for i, p in enumerate(passages) if "تونس" in p.text and "تشاد" in p.text)
    terms = FeedbackTerms(retriever)
    assert terms.bm25.shape == (len(passages), len(terms.vocabulary))
    assert np.allclose(terms.p_term.sum(axis=1), 1.0)
    ids, weights = terms.weights(np.array([delegations]), np.array([1.0]), 15)
    chosen = {terms.vocabulary[i] for i in ids}
    assert {analyze("تشاد")[0], analyze("السودان")[0]} <= chosen
    assert chosen <= set(analyze(passages[delegations].text))  # one feedback passage: only its terms
    assert np.all(np.diff(weights) <= 0)  # heaviest first
    # a term of the paragraph ranks it above every passage lacking the term
    assert int(np.argmax(terms.bm25[:, ids] @ weights)) == delegations
    # one term's BM25 column is what the store scores for that term alone
    t = terms.term_id[analyze("تشاد")[0]]
    assert np.allclose(terms.bm25[:, t], retriever.bm25_scores([terms.vocabulary[t]]))


def test_fits_never_score_the_articles_they_were_fitted_on() -> None:
    """``fit_by_article`` and ``fit_leave_one_article_out`` choose a variant on the other
    articles only: a variant right only on the held-out half is never chosen for it."""
    from bench.fit_retrieval import fit_by_article, fit_leave_one_article_out, sign_test, top1_changes

    n = 8
    half_a = np.arange(n) < n // 2
    language = np.array(["en"] * n)
    documents = np.array([f"article-{i // 2:02d}" for i in range(n)])
    relevant = np.zeros((n, 2), dtype=bool)
    relevant[:, 0] = True
    good = np.tile([1.0, 0.0], (n, 1))  # ranks passage 0 (relevant) first everywhere
    bad = np.tile([0.0, 1.0], (n, 1))
    fused, notes = fit_by_article({"good": good, "bad": bad}, relevant, language, half_a, "en", str)
    assert np.array_equal(fused, good) and len(notes) == 2
    # "tricky" is right on half B only, "mid" on every other question: fitted on A (to score
    # B) "mid" wins, fitted on B (to score A) "tricky" wins and is wrong on A
    tricky = np.where(half_a[:, None], bad, good)
    mid = np.where((np.arange(n) % 2 == 0)[:, None], good, bad)
    fused, _ = fit_by_article({"tricky": tricky, "mid": mid}, relevant, language, half_a, "en", str)
    assert np.array_equal(fused, np.where(half_a[:, None], tricky, mid))
    fused, picks = fit_leave_one_article_out({"tricky": tricky, "good": good}, relevant, language == "en", documents)
    assert picks == {"good": len(set(documents))}
    assert top1_changes(fused, good, relevant, language == "en") == (0, 0)
    assert top1_changes(bad, good, relevant, language == "en") == (0, n)
    assert sign_test(0, 0) == 1.0 and sign_test(0, 10) < 0.01


@pytest.mark.slow  # reads the dictionaries (about 2 s)
def test_freedict_links_english_words_to_the_seed_articles_stems(seed_bot) -> None:
    """FreeDict's dictd files (Debian's ``dict-freedict-eng-ara``/``-ara-eng``, read by
    ``bench.freedict``) link "attended" and "conference" to stems of the seed article, a word
    the dictionary lacks to nothing, and a fan-out limit drops a word with many links."""
    from bench.freedict import DICTD_DIR, DictionaryLinker, read_dictd

    # ``bash scripts/setup.sh --test`` installs them, as it does Chromium
    assert (DICTD_DIR / "freedict-eng-ara.index").exists(), \
        "FreeDict missing: apt-get install dict-freedict-eng-ara dict-freedict-ara-eng (scripts/setup.sh --test does)"
    entries = dict(read_dictd(DICTD_DIR, "freedict-eng-ara"))
    assert "المؤتمر" in entries["conference"]  # an entry's text without its headword line
    vocabulary = seed_bot.retriever.vocabulary
    links = DictionaryLinker(fan_out=30).arabic_terms("Who attended the conference? Zxqvw", vocabulary)
    assert len(links) == 2 and all(stems and set(stems) <= vocabulary for stems in links)
    assert analyze("المؤتمر")[0] in links[1]
    widest = max(len(stems) for stems in links)
    assert len(DictionaryLinker(fan_out=widest - 1).arabic_terms("Who attended the conference?", vocabulary)) < 2


def test_hubness_is_the_mean_cosine_with_the_nearest_paragraphs_of_one_article(seed_bot) -> None:
    """``neighbour_mean`` on the seed's paragraph vectors: each value is the mean of that
    paragraph's k best cosines with the others, and a paragraph alone in its group gets 0."""
    from bench.fit_retrieval import neighbour_mean

    store = seed_bot.store
    vectors = store.index.reconstruct_n(0, store.index.ntotal)
    n = len(vectors)
    sims = vectors @ vectors.T
    hub = neighbour_mean(vectors, np.zeros(n, dtype=int), 3)
    for i in range(n):
        others = np.sort(np.delete(sims[i], i))[::-1][:3]
        assert abs(hub[i] - others.mean()) < 1e-5
    groups = np.zeros(n, dtype=int)
    groups[0] = 1  # the headline alone
    assert neighbour_mean(vectors, groups, 3)[0] == 0.0
