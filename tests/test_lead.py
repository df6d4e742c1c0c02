"""The short answer (``Answer.lead``) and the line for readers of another language
(``Answer.preface``), on the seed article and its eval set."""

from __future__ import annotations

import re

import pytest

from conftest import SEED_DEV
from qa.evaluation import read_questions
from qa.lead import FIRST_MAX_CHARS, LEAD_MAX_CHARS, PIECE_MARGIN
from qa.preface import names_in_latin, only_language_request, preface, reader_language

QUOTE = re.compile(r"«(.+?)» \[(\d+)\]", re.S)


def _answerable():
    return [q for q in read_questions(SEED_DEV) if q.answerable]


@pytest.mark.parametrize("question", [q.question for q in _answerable()])
def test_lead_quotes_the_article_inside_the_cited_sentences(seed_bot, seed_text, question):
    answer = seed_bot.ask(question)
    assert not answer.abstained and answer.lead and answer.to_dict()["lead"] == answer.lead
    pieces = QUOTE.findall(answer.lead)
    assert pieces and " ".join(f"«{t}» [{n}]" for t, n in pieces) == answer.lead  # nothing but quotes
    by_n = {c.n: c for c in answer.citations}
    for text, n in pieces:
        cited = by_n[int(n)]  # every marker of the lead is one of the answer's citations
        assert text in cited.quote and text in seed_text  # in the article's words, inside that quote
    # one piece always; more only within the lead's limit; a single piece longer than the
    # first piece's limit is one clause unit of the store (its sentence did not fit)
    units = {u.text for p in seed_bot.retriever.store.passages for u in p.sentences}
    assert len(pieces) == 1 or len(answer.lead) <= LEAD_MAX_CHARS
    assert len(pieces) > 1 or len(answer.lead) <= FIRST_MAX_CHARS or pieces[0][0] in units


def test_lead_pieces_are_the_best_unit_and_units_close_to_it(seed_bot):
    """The first piece holds the best-scoring clause unit; every other piece holds a unit
    scoring within PIECE_MARGIN of it (qa.lead's rule, on the real scores of a seed question)."""
    question = "Who attended the conference?"
    retrieval = seed_bot.retriever.retrieve(question)
    candidates = seed_bot.extractive.candidates(question, retrieval)
    pieces = [text for text, _ in QUOTE.findall(seed_bot.ask(question).lead)]
    best = candidates[0]
    assert any(best.sentence.text in text for text in pieces)
    for text in pieces:  # a piece is a unit or its sentence: it holds a unit within the margin
        held = [c.score for c in candidates if c.sentence.text in text]
        assert held and max(held) >= best.score - PIECE_MARGIN
    # the margin is what keeps a piece out: some unit of the top passages scores below it
    assert any(c.score < best.score - PIECE_MARGIN for c in candidates)


def test_lead_is_empty_when_the_bot_abstains(seed_bot):
    answer = seed_bot.ask("Who won the 2022 football World Cup?")  # seed-dev-15, far off the article
    assert answer.abstained and answer.lead == "" and answer.to_dict()["lead"] == ""
    # the refusal speaks the reader's language already: no line above it to say it twice
    assert answer.preface == "" and answer.text == "The article does not say."


def test_english_question_gets_an_english_first_line_with_names_in_latin_script(seed_bot):
    answer = seed_bot.ask("Who attended the conference?")
    assert answer.preface.startswith("The article (in Arabic)") and answer.preface.endswith(":")
    # the line sits above the short answer: it names the people and places of the lead's quotes
    names = names_in_latin(" ".join(text for text, _n in QUOTE.findall(answer.lead)))
    assert names
    for name in names:
        assert name in answer.preface
    assert seed_bot.ask("من حضر المؤتمر؟").preface == ""  # an Arabic reader needs no such line


def test_names_of_the_seed_in_latin_script(seed_text):
    names = names_in_latin(seed_text)
    for expected in ("Mahmoud Hamza", "Mohamed Al-Haddad", "Salah Al-Namroush", "Khalifa Haftar", "Tripoli",
                     "Tunisia", "Algeria", "Egypt"):
        assert expected in names, names
    assert any(n.endswith("Al-Zoubi") for n in names), names
    # ordinary words are not taken for names: every name found is one of these kinds
    assert len(names) == len(set(names)) <= 16, names


def test_a_request_for_a_language_is_answered_with_the_line(seed_bot):
    assert only_language_request("Answer in English please") and only_language_request("أجب بالإنجليزية")
    assert not only_language_request("Who attended the conference? Answer in English please")
    answer = seed_bot.ask("Answer in English please")
    assert answer.preface.startswith("The article is in Arabic") and "without a chat model" in answer.preface
    assert preface("أجب بالإنجليزية", "ar", []).startswith("The article is in Arabic")
    assert preface("Qui a assisté à la conférence ?", "ar", []).startswith("L'article (en arabe)")
    assert reader_language("بالعربية please") == "ar" and preface("Answer in Arabic please", "ar", []) == ""
