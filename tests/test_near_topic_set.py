"""The project's own check set ``eval/near_topic`` (readers' questions about XQuAD's articles):
it is well formed against the articles it is asked of, so its figures in the README mean
what they say. Sizes come from the data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from conftest import XQUAD
from qa.evaluation import read_questions
from qa.text import normalize

NEAR_TOPIC = Path(__file__).resolve().parents[1] / "eval" / "near_topic" / "questions.jsonl"


def test_every_question_is_about_an_article_that_holds_its_evidence():
    questions = read_questions(NEAR_TOPIC)
    corpus = XQUAD / "corpus"
    articles = {p.name: normalize(p.read_text(encoding="utf-8")) for p in corpus.iterdir()}
    assert len({q.id for q in questions}) == len(questions)
    per_article = Counter(q.doc for q in questions)
    assert set(per_article) == set(articles)  # every article of the corpus, and no other
    assert len(set(per_article.values())) == 1  # as many questions for each
    for q in questions:
        text = articles[q.doc]
        if q.answerable:
            assert q.evidence and all(normalize(e) in text for e in q.evidence), q.id
            # the Arabic alternative of every answer group is in the article (an English spelling may follow)
            assert q.answer and all(normalize(group[0]) in text for group in q.answer), q.id
        else:
            assert not q.evidence and not q.answer, q.id
    # each question is asked in both languages, with the same verdict
    pairs = Counter((q.id.rsplit("-", 1)[0], q.answerable) for q in questions)
    assert set(pairs.values()) == {2}
    by_kind = Counter((q.lang, q.answerable) for q in questions)
    assert by_kind[("ar", False)] == by_kind[("en", False)] > by_kind[("ar", True)] == by_kind[("en", True)] > 0
