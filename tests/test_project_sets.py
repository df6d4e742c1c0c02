"""The project's own check sets under ``eval/``: ``near_topic`` (readers' questions about
XQuAD's articles), ``off_topic`` (requests that ask nothing of any article) and
``seed_readers`` (readers' questions the seed answers) are well formed
against what they are asked of, so their figures in the README mean what they say. Sizes
come from the data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import XQUAD
from qa.evaluation import read_questions
from qa.text import normalize

NEAR_TOPIC = Path(__file__).resolve().parents[1] / "eval" / "near_topic" / "questions.jsonl"
FOLLOWUPS = NEAR_TOPIC.parents[1] / "followups"
ENGLISH_CORPUS = NEAR_TOPIC.parents[1] / "english" / "corpus"


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


def test_off_topic_requests_are_unanswerable_pairs():
    questions = read_questions(NEAR_TOPIC.parents[1] / "off_topic" / "questions.jsonl")
    assert len({q.id for q in questions}) == len(questions)
    assert len({q.question.strip().casefold() for q in questions}) == len(questions)
    assert not any(q.answerable or q.evidence or q.answer or q.doc for q in questions)
    by_request = Counter(q.id.rsplit("-", 1)[0] for q in questions)
    assert set(by_request.values()) == {2}
    assert Counter(q.lang for q in questions) == {"ar": len(by_request), "en": len(by_request)}


def test_seed_readers_questions_are_answered_by_the_seed_in_its_own_words():
    questions = read_questions(NEAR_TOPIC.parents[1] / "seed_readers" / "questions.jsonl")
    article = normalize((NEAR_TOPIC.parents[2] / "seeds" / "000_c53a8d77ccf2062b.txt").read_text(encoding="utf-8"))
    assert len({q.id for q in questions}) == len(questions)
    assert all(q.answerable and q.evidence and q.answer for q in questions)
    for q in questions:
        assert all(normalize(e) in article for e in q.evidence), q.id
        assert all(normalize(group[0]) in article for group in q.answer), q.id
    by_number = Counter(q.id.rsplit("-", 1)[0] for q in questions)
    assert set(by_number.values()) == {2}
    assert Counter(q.lang for q in questions) == {"ar": len(by_number), "en": len(by_number)}


@pytest.mark.parametrize("name", ["chat_phrasing", "short_questions", "topic_requests"])
def test_blind_seed_sets_quote_the_seed_and_keep_their_labels_apart(name):
    questions = read_questions(NEAR_TOPIC.parents[1] / name / "questions.jsonl")
    article = normalize((NEAR_TOPIC.parents[2] / "seeds" / "000_c53a8d77ccf2062b.txt").read_text(encoding="utf-8"))
    assert len({q.id for q in questions}) == len(questions)
    assert len({q.question.strip().casefold() for q in questions}) == len(questions)
    for q in questions:
        if q.answerable:
            assert q.evidence and q.answer, q.id
            assert all(normalize(e) in article for e in q.evidence), q.id
            # every group holds an alternative written as the article writes it
            assert all(any(normalize(a) in article for a in group) for group in q.answer), q.id
        else:
            assert not (q.evidence or q.answer), q.id
    langs = Counter(q.lang for q in questions)
    assert set(langs) == {"ar", "en"} and langs["ar"] == langs["en"]


@pytest.mark.parametrize(("name", "corpus"), [("seed.jsonl", NEAR_TOPIC.parents[2] / "seeds"),
                                              ("english.jsonl", ENGLISH_CORPUS),
                                              ("french.jsonl", NEAR_TOPIC.parents[2] / "seeds")])
def test_followup_questions_continue_a_conversation_about_their_article(name, corpus):
    """``eval/followups``: every line has the earlier questions of its conversation; an
    answerable follow-up's evidence and one alternative of each answer group are in its
    article; an unanswerable one has neither. (``french.jsonl`` holds answerable ones only.)"""
    questions = read_questions(FOLLOWUPS / name)
    articles = {p.name: normalize(p.read_text(encoding="utf-8")) for p in corpus.iterdir() if p.suffix == ".txt"}
    assert questions and len({q.id for q in questions}) == len(questions)
    for q in questions:
        assert q.history and all(h.strip() for h in q.history), q.id
        text = articles[q.doc]
        if q.answerable:
            assert q.evidence and all(normalize(e) in text for e in q.evidence), q.id
            assert q.answer and all(any(normalize(a) in text for a in group) for group in q.answer), q.id
        else:
            assert not q.evidence and not q.answer, q.id
    assert {q.answerable for q in questions} == ({True} if name == "french.jsonl" else {True, False})
