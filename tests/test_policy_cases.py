"""Abstention through the fitted answer policy on the seed article and an English upload (qa.policy)."""

from __future__ import annotations

import pytest

from qa.answer import ABSTENTION


@pytest.mark.parametrize("question", ["ما حالة الطقس اليوم؟", "ما هو سعر النفط؟"])
def test_one_unknown_word_and_a_weak_match_abstains(seed_bot, question):
    answer = seed_bot.ask(question)
    assert answer.abstained and answer.text == ABSTENTION["ar"] and answer.citations == []
    # the one-document model weighs no word matches (qa.calibrate.ONE_DOCUMENT_ARTIFACTS)
    assert answer.extra["abstention_reason"] in ("off-topic", "missing-words")


@pytest.mark.parametrize("question,expected", [
    ("من حضر؟", "الزوبي"),  # "حضر" shares its root with the article's "الحضور"
    pytest.param("متى انتهى المؤتمر؟", "الأحد", marks=pytest.mark.xfail(strict=True, reason=(
        "known limit (README, issue #11): 'انتهى' occurs in no form in the article (it says 'اختتم'), so the missing-word share gives p 0.04 against the one-document threshold 0.181 and the policy abstains"))),
    ("ما هي أسباب غياب مصر؟", "غياب مصر"),
])
def test_one_unknown_word_with_a_strong_match_answers(seed_bot, seed_text, question, expected):
    answer = seed_bot.ask(question)
    assert not answer.abstained, answer.extra
    assert any(expected in c.quote for c in answer.citations)
    for c in answer.citations:
        assert seed_text[c.quote_start:c.quote_end] == c.quote


@pytest.mark.parametrize("question,expected", [
    ("احكيلي عن المؤتمر", "المؤتمر"),
    ("اذكر لي أسماء الحاضرين", "الزوبي"),
    ("احكيلي عن حفتر", "حفتر"),
])
def test_an_arabic_request_about_the_article_is_answered(seed_bot, question, expected):
    """The seventeenth trial: «احكيلي عن المؤتمر» ("tell me about the conference") and «اذكر لي
    أسماء الحاضرين» were refused, their imperative taken for a word the article lacks; it frames
    the request, as a question word does (``qa.text.QUESTION_FRAMES``). «اذكر» is not a frame:
    the calibration refitted in the eighteenth session answers it (p over the threshold)."""
    answer = seed_bot.ask(question)
    assert not answer.abstained, answer.extra
    assert any(expected in c.quote for c in answer.citations)


@pytest.mark.parametrize("question", ["اذكر ميزانية المؤتمر", "احكيلي عن ميسي"])
def test_the_request_frame_does_not_answer_what_the_article_does_not_say(seed_bot, question):
    answer = seed_bot.ask(question)
    assert answer.abstained and answer.citations == []


ENGLISH_ARTICLE = ("On Monday a new museum opened on a sunny day in Paris. Mayor Helen Ortiz cut the ribbon in "
                   "front of about 300 guests. The building cost 12 million euros.")


@pytest.mark.parametrize("question,expected", [
    ("How many people came?", "300 guests"),  # "people", "came": paraphrases, not in the text
    ("How many people attended the ceremony?", "300 guests"),
    ("Which city?", "Paris"),
])
def test_english_paraphrases_over_an_english_article_answer(seed_bot, question, expected):
    bot = seed_bot.with_texts({"museum.txt": ENGLISH_ARTICLE})
    answer = bot.ask(question)
    assert not answer.abstained, answer.extra
    assert any(expected in c.quote for c in answer.citations)


@pytest.mark.parametrize("question", ["What is the capital of Japan?", "Who won the World Cup?"])
def test_off_topic_questions_over_an_english_article_abstain(seed_bot, question):
    answer = seed_bot.with_texts({"museum.txt": ENGLISH_ARTICLE}).ask(question)
    assert answer.abstained and answer.text == ABSTENTION["en"] and answer.citations == []


def test_a_repeated_unknown_word_counts_once(seed_bot):
    # "دور" is not in the article; asked twice it is still one unknown word, not two
    answer = seed_bot.ask("ما دور الجزائر وما دور تونس في المؤتمر؟")
    assert not answer.abstained, answer.extra
    assert any("تونس" in c.quote for c in answer.citations)


def test_a_country_the_article_never_names_is_missing_even_when_it_looks_like_an_article_word(seed_bot):
    # "المغربي" (Moroccan) is one letter from the article's "الغربي" (western): a country is
    # judged as a country, so the question is about something the article does not hold
    answer = seed_bot.ask("ماذا قال الوفد المغربي؟")
    assert answer.abstained, answer.extra
    assert not seed_bot.ask("ماذا تخطط روسيا؟").abstained  # Russia is named through "موسكو"
