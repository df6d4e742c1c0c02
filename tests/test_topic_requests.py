"""A request about a topic ("Tell me about Haftar", «احكيلي عن حفتر», "Haftar?") is asked
as a question about it (``qa.followups.strip_request_frame``) and a bare name or a word with
a clitic counts as a word (``qa.grounding.ArticleGrounding.has_known_word``)."""

from __future__ import annotations

import pytest

from qa.followups import question_as_asked, strip_request_frame, strip_small_talk


@pytest.mark.parametrize(("message", "asked"), [
    ("Tell me about Haftar", "What about Haftar?"),
    ("Anything on illegal migration?", "What about illegal migration?"),
    ("Info on al-Haddad", "What about al-Haddad?"),
    ("احكيلي عن حفتر", "ماذا عن حفتر؟"),
    ("عطني نبذة عن الزوبي", "ماذا عن الزوبي؟"),
    ("بخصوص تبادل المعلومات", "ماذا عن تبادل المعلومات؟"),
])
def test_a_topic_request_is_asked_as_a_question_about_the_topic(message, asked):
    assert strip_request_frame(message) == asked


@pytest.mark.parametrize("message", [
    # a question word after the topic word: a question of its own
    "On which day did it end?", "About how many people attended?", "Tell me about who attended",
    "على ماذا اتفقوا؟",
    # "On" opening a sentence names no topic request
    "On Sunday, who attended?",
    # a request with no topic
    "Talk about it", "Can you tell me a joke?",
])
def test_other_messages_keep_their_words(message):
    assert question_as_asked(strip_small_talk(message))[1].rstrip("?؟") == message.rstrip("?؟")


def test_a_name_or_a_word_with_a_clitic_is_a_word(seed_bot):
    grounding = seed_bot.extractive.grounding
    assert grounding.has_known_word("Haftar?")  # «حفتر» in the article
    assert grounding.has_known_word("والإرهاب؟")  # «الإرهاب» with "and"
    for nonsense in ("Zxcv", "asdf qwer zxcv", "Blorp Fnord"):
        assert not grounding.has_known_word(nonsense)


def test_a_french_question_is_a_question(seed_bot):
    """«Pourquoi l'Égypte était-elle absente ?» held no word of the Arabic or English lists
    and got the invitation, in English (a trial); French words count (pyspellchecker's list)."""
    assert seed_bot.extractive.grounding.has_known_word("Pourquoi l'Égypte était-elle absente ?")
    answer = seed_bot.ask("Pourquoi l'Égypte était-elle absente ?")
    assert answer.extra.get("abstention_reason") != "no-question"
    assert not answer.abstained and "مصر" in answer.lead
    assert answer.preface.startswith("L'article (en arabe)")


@pytest.mark.parametrize("message", ["Haftar?", "Tell me about Haftar", "احكيلي عن حفتر"])
def test_a_request_about_haftar_quotes_the_paragraph_naming_him(seed_bot, message):
    answer = seed_bot.ask(message)
    assert not answer.abstained
    # the lead quotes a sentence naming him (before, "Tell me about Haftar" led with Egypt's
    # absence and "Haftar?" got the invitation)
    assert "حفتر" in answer.lead


def test_keyboard_mash_asks_nothing_and_real_questions_do(seed_bot):
    """Latin text must have half its words known (``has_known_word``): "asdkjh qwpoeiru
    zmxncb" held one word whose consonants matched «الكبرى» and was answered with a quote (a
    trial). Random strings are held back; no message in Latin script of the shared and project sets is."""
    import random

    from bench.latin_gate import latin_messages, random_latin
    from qa.grounding import restore_case

    grounding = seed_bot.extractive.grounding
    answer = seed_bot.ask("asdkjh qwpoeiru zmxncb")
    assert answer.abstained and answer.extra.get("abstention_reason") == "no-question"
    rng = random.Random(0)
    mash = [random_latin(rng) for _ in range(500)]
    # read as the chain reads them: lower-case words no dictionary holds get a capital, as names
    passed = [m for m in mash if grounding.has_known_word(restore_case(m))]
    # measured: 9 of 500 pass (a word one edit from a dictionary word, or linked by its
    # consonants, in half the words); with any one known word 20 did
    assert len(passed) / len(mash) <= 0.02, passed
    latin = latin_messages()
    assert len(latin) > 1000
    # messages with Arabic words are judged as before: any one word known
    held = [q for q in latin if not grounding.has_known_word(q)]
    assert not held, held


@pytest.mark.slow  # about 20 s: 18 settings over 3,576 messages
def test_the_latin_check_ships_the_settings_its_fit_chooses(seed_bot):
    """``MIN_LATIN_SHARE`` and ``MIN_EDIT_LETTERS`` are what ``python -m bench.latin_gate``
    chooses: no real message held back, the fewest typos held back and random strings let through."""
    from bench.latin_gate import fit
    from qa.grounding import MIN_EDIT_LETTERS, MIN_LATIN_SHARE

    result = fit(seed_bot.extractive.grounding)
    assert result["chosen"] == {"share": MIN_LATIN_SHARE, "edit_letters": MIN_EDIT_LETTERS}, result["rows"]
    chosen = next(r for r in result["rows"] if r["share"] == MIN_LATIN_SHARE and r["edit_letters"] == MIN_EDIT_LETTERS)
    assert chosen["real_held"] == 0
