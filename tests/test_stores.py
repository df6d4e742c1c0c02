"""The two passage stores (issue 15): FAISS (the default) and Milvus (Milvus Lite in a
temporary file) give the same retrieval, answers and exact citations; filters by document
and date hold over both; the Milvus store writes incrementally and serves top-N candidates.

The answering and cross-script retrieval tests also run over both stores (the ``store_bot``
fixture: tests/test_answering.py, tests/test_retrieval_crossscript.py)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import SEED_DEV, SEED_FILE, XQUAD
from qa import ArticleQA, QuestionError
from qa.config import Settings
from qa.ingest import Document
from qa.stores import StoreFilter, open_store

pytest.importorskip("pymilvus")


def seed_questions() -> list[str]:
    return [json.loads(line)["question"] for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def assert_citations_exact(bot, answer) -> None:
    for c in answer.citations:
        text = bot.documents[c.source]
        assert text[c.quote_start:c.quote_end] == c.quote
        assert c.start <= c.quote_start < c.quote_end <= c.end
    for p in answer.passages:
        assert bot.documents[p.source][p.start:p.end] == p.text


def test_milvus_answers_every_seed_question_as_faiss(seed_bot, milvus_seed_bot):
    """With N >= passages the Milvus store's candidates are every passage: the same fused
    ranking, policy features, answers and citations as FAISS, question by question."""
    assert len(milvus_seed_bot.store.passages) <= milvus_seed_bot.settings.candidates
    assert [p.text for p in milvus_seed_bot.store.passages] == [p.text for p in seed_bot.store.passages]
    for question in seed_questions():
        a, b = seed_bot.retriever.retrieve(question), milvus_seed_bot.retriever.retrieve(question)
        assert b.complete and list(a.ranking) == list(b.ranking), question
        assert np.allclose(a.passage_cosine, b.passage_cosine, atol=1e-5)
        fa, fb = seed_bot.ask(question), milvus_seed_bot.ask(question)
        assert (fa.text, fa.abstained) == (fb.text, fb.abstained), question
        # the cosines agree within 1e-5, so the probability, rounded to 4 decimals, within one unit
        assert abs(fa.extra["p_answerable"] - fb.extra["p_answerable"]) <= 1e-4 + 1e-9, question
        assert [(c.source, c.quote_start, c.quote_end) for c in fa.citations] == \
               [(c.source, c.quote_start, c.quote_end) for c in fb.citations]
        assert_citations_exact(milvus_seed_bot, fb)


# ---- filters ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dated_documents() -> list[Document]:
    """Three short articles (kept short: each test store embeds them): the seed article's
    headline and first four paragraphs dated 2024-11-03, the first long paragraph of an
    XQuAD-ar article dated 2025-02-01, and one of another XQuAD-ar article, undated."""
    corpus = sorted((XQUAD / "corpus").glob("*.ar.txt"))

    def long_line(path: Path) -> str:
        return next(line for line in path.read_text(encoding="utf-8").splitlines() if len(line) > 200)

    seed = "\n".join(SEED_FILE.read_text(encoding="utf-8").splitlines()[:8])
    return [Document("seed.txt", seed, date="2024-11-03"),
            Document("xquad.txt", long_line(corpus[0]), date="2025-02-01"),
            Document("undated.txt", long_line(corpus[1]))]


@pytest.fixture(scope="module", params=["faiss", "milvus"])
def dated_bot(request, dated_documents, embeddings, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"dated-{request.param}")
    settings = Settings(store=request.param, milvus_uri=str(folder / "archive.db"))
    store, built = open_store(dated_documents, embeddings, folder / "index", settings)
    assert built
    bot = ArticleQA(dated_documents, store, embeddings, settings=settings)
    yield bot
    store.close()


def test_filters_by_document_and_date(dated_bot):
    question = "من حضر المؤتمر؟"
    everywhere = {h.source for h in dated_bot.retrieve(question, k=20).hits}
    assert everywhere == {"seed.txt", "xquad.txt", "undated.txt"}
    cases = [({"documents": ["xquad.txt"]}, {"xquad.txt"}),
             ({"documents": ["seed.txt", "undated.txt"]}, {"seed.txt", "undated.txt"}),
             ({"date_to": "2024-12-31"}, {"seed.txt"}),
             ({"date_from": "2025-01-01"}, {"xquad.txt"}),
             ({"date_from": "2024-01-01", "date_to": "2025-12-31"}, {"seed.txt", "xquad.txt"})]
    for filters, sources in cases:
        hits = dated_bot.retrieve(question, k=20, filters=filters).hits
        assert {h.source for h in hits} == sources, filters
    answer = dated_bot.ask(question, filters={"date_to": "2024-12-31"})
    assert not answer.abstained and {c.source for c in answer.citations} == {"seed.txt"}
    assert_citations_exact(dated_bot, answer)
    # the seed's question asked of the other article alone does not quote the seed
    other = dated_bot.ask(question, filters={"documents": ["xquad.txt"]})
    assert all(c.source == "xquad.txt" for c in other.citations)
    # a filter no document passes is said as such, not answered "the article does not say" (a trial)
    for filters in ({"documents": ["undated.txt"], "date_from": "2020-01-01"}, {"date_from": "2030-01-01"}):
        with pytest.raises(QuestionError, match="No document in this collection matches the filter"):
            dated_bot.ask(question, filters=filters)
        with pytest.raises(QuestionError, match="matches the filter"):
            dated_bot.retrieve(question, filters=filters)


def test_a_paragraph_filter_keeps_those_paragraphs(dated_bot):
    """The paragraph filter a scoped question uses ("What does the last paragraph say about
    Haftar?", ``qa.chain``): only those paragraphs of those documents, with FAISS and with
    Milvus (its filter expression); an empty set allows nothing."""
    from qa.stores import StoreFilter

    question = "من حضر المؤتمر؟"
    for pairs in ({("seed.txt", 3)}, {("seed.txt", 2), ("xquad.txt", 1)}):
        hits = dated_bot.retrieve(question, k=20, filters=StoreFilter(paragraphs=frozenset(pairs))).hits
        assert hits and {(h.source, h.paragraph) for h in hits} == pairs, pairs
    assert not dated_bot.retriever.retrieve(question, filters=StoreFilter(paragraphs=frozenset())).hits


@pytest.mark.parametrize("filters, message", [
    ({"documents": ["nope.txt"]}, "no such document"), ({"documents": "seed.txt"}, "list"),
    ({"date_from": "yesterday"}, "not a date"), ({"date_from": "2025-01-02", "date_to": "2025-01-01"}, "after"),
    ({"author": "x"}, "unknown filter")])
def test_bad_filters_are_clear_errors(seed_bot, filters, message):
    with pytest.raises(QuestionError, match=message):
        seed_bot.ask("من حضر المؤتمر؟", filters=filters)


@pytest.mark.slow
def test_milvus_store_is_incremental(dated_documents, embeddings, tmp_path):
    settings = Settings(store="milvus", milvus_uri=str(tmp_path / "archive.db"))
    store, built = open_store(dated_documents[1:], embeddings, tmp_path / "index", settings)
    assert built
    store.close()
    calls = []
    store, built = open_store(dated_documents[1:], embeddings, tmp_path / "index", settings,
                              progress=lambda done, total: calls.append(total))
    assert not built and not calls  # the same documents: nothing embedded
    store.close()
    changed = [dated_documents[1], Document("undated.txt", dated_documents[2].text + "\nسطر جديد أضيف إلى النص.")]
    store, built = open_store(changed, embeddings, tmp_path / "index", settings,
                              progress=lambda done, total: calls.append(total))
    units = sum(1 + len(p.sentences) for p in store.passages if p.source == "undated.txt")
    assert built and calls and set(calls) == {units}  # only the changed document was embedded
    store.close()
    calls.clear()
    store, built = open_store(changed[:1], embeddings, tmp_path / "index", settings,
                              progress=lambda done, total: calls.append(total))
    assert built and not calls and {p.source for p in store.passages} == {"xquad.txt"}
    store.close()


def test_milvus_top_n_candidates(milvus_seed_bot, seed_bot):
    """With N below the passage count the Milvus store returns the union of the top-N of
    each ranking, the medians are estimated, and citations stay exact."""
    store = milvus_seed_bot.store
    question = "من ألقى الكلمة الافتتاحية؟"
    vector = milvus_seed_bot.embeddings.encode_query(question)
    terms, _ = milvus_seed_bot.retriever.question_terms(question)
    few = store.candidates(vector, terms, limit=2)
    assert not few.complete and 2 <= len(few.passage_ids) < len(store.passages)
    full = seed_bot.store.candidates(vector, terms)
    top_dense = set(np.argsort(-full.passage_cosine)[:2])
    assert top_dense <= set(int(i) for i in few.passage_ids)
    assert few.passage_cosine_median == pytest.approx(full.passage_cosine_median, abs=1e-5)  # sample = all 10 here
    retrieval = milvus_seed_bot.retriever.retrieve(question, filters=None)
    assert retrieval.hits and all(len(retrieval.unit_cosines[h.passage_id]) == len(store.passages[h.passage_id].sentences)
                                  for h in retrieval.hits)


def test_store_filter_from_mapping():
    assert StoreFilter.from_mapping(None) is None and StoreFilter.from_mapping({}) is None
    f = StoreFilter.from_mapping({"documents": ["a"], "date_from": "2024-01-01T10:00:00"})
    assert f.allows("a", f.date_from) and not f.allows("a", None) and not f.allows("b", f.date_from)


@pytest.mark.slow
def test_eval_seed_dev_over_milvus_equals_faiss(seed_bot, milvus_seed_bot):
    """``article-qa eval seed_dev`` over Milvus: every metric but latency equals FAISS's."""
    from qa.evaluation import evaluate, read_questions

    questions = read_questions(SEED_DEV)

    def figures(report: dict) -> dict:
        blocks = {"overall": report["overall"], **report["by_lang"]}
        return {name: {k: v for k, v in block.items() if not k.startswith("latency")} for name, block in blocks.items()}

    a, b = evaluate(seed_bot.ask, questions), evaluate(milvus_seed_bot.ask, questions)
    assert figures(a) == figures(b)
    assert [(r["id"], r["answer"]) for r in a["questions"]] == [(r["id"], r["answer"]) for r in b["questions"]]
