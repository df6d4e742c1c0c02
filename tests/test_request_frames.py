"""Questions wrapped in a chat request ("Can you tell me who attended?", «ممكن تقولي مين
حضر؟») are asked as the question they wrap (``qa.followups.strip_request_frame``): the same
passages, the same short answer, no refusal for the frame's words."""

from __future__ import annotations

import json

import pytest

from conftest import SHARED
from qa.followups import (plan_question, standard_question_words, strip_request_frame, strip_small_talk,
                           with_question_mark)

SEED_DEV = SHARED / "eval" / "seed_dev.jsonl"
# frames written for this test, in the shapes the planner reads: before the question word,
# and a closing politeness word; none is a phrasing of ``eval/chat_phrasing``
FRAMES = {
    "en": ["Can you tell me {q}", "I'd like to know {q}", "Do you happen to know {q}", "{q_stripped}, please?"],
    "ar": ["هل يمكنك أن تخبرني {q}", "ممكن تقولي {q}", "بدي أعرف {q}", "{q_stripped} لو سمحت؟"],
}


def _answerable():
    rows = [json.loads(line) for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["answerable"]]


@pytest.mark.parametrize(("message", "core"), [
    ("Can you tell me who attended the conference?", "Who attended the conference?"),
    ("I was wondering why Egypt was absent", "Why Egypt was absent"),
    ("Please tell me who attended the conference.", "Who attended the conference."),
    ("بدي أعرف قديش طولت المشاورات.", "قديش طولت المشاورات."),
    ("Quick question: where was it held?", "Where was it held?"),
    ("Who attended, please?", "Who attended?"),
    ("هل يمكنك أن تخبرني من حضر المؤتمر؟", "من حضر المؤتمر؟"),
    ("من فضلك، كم يوما استمرت المشاورات؟", "كم يوما استمرت المشاورات؟"),
    ("من حضر المؤتمر لو سمحت؟", "من حضر المؤتمر؟"),
    ("قل لي من حضر", "من حضر"),
    # a frame after the question, and a yes/no question embedded with «إذا»
    ("Who attended the conference, can you tell me?", "Who attended the conference?"),
    ("من حضر المؤتمر، ممكن تقولي؟", "من حضر المؤتمر؟"),
    ("ممكن تقولي إذا حضرت مصر؟", "هل حضرت مصر؟"),
    # a closing "if you know" without a comma, "mind telling", Levantine «بتعرف», «تشرحلي»
    ("من حضر المؤتمر إذا بتعرف؟", "من حضر المؤتمر؟"),
    ("Who attended if you know?", "Who attended?"),
    ("Would you mind telling me who attended?", "Who attended?"),
    ("بتعرف مين حضر المؤتمر؟", "مين حضر المؤتمر؟"),
    ("تشرحلي ليش غابت مصر؟", "ليش غابت مصر؟"),
    ("ممكن تقلي وين انعقد المؤتمر؟", "وين انعقد المؤتمر؟"),
])
def test_the_frame_is_taken_off(message, core):
    assert strip_request_frame(message) == core


@pytest.mark.parametrize("message", [
    # no question word after the frame: a request about the bot keeps its words (one about a
    # topic is asked as "What about …?": tests/test_topic_requests.py)
    "Can you tell me a joke?",
    # a yes/no question and a bare question are questions already
    "هل حضرت مصر؟", "Was Egypt there?", "من حضر المؤتمر؟", "Who attended the conference?",
    # a closing clause that asks something is no frame, nor an "if" clause of its own
    "Who came, and why?", "Who attended the conference if it was held?", "What happens if you mind the gap?",
])
def test_a_message_without_a_frame_is_left_as_it_is(message):
    assert strip_request_frame(message) == message


@pytest.mark.parametrize(("message", "question"), [
    ("who attended the conference", "who attended the conference?"),
    ("Who attended the conference.", "Who attended the conference?"),
    ("من حضر المؤتمر", "من حضر المؤتمر؟"),
    ("ومتى", "ومتى؟"),
    # no question word first: left as typed
    ("Haftar", "Haftar"), ("In what year was it held", "In what year was it held"), ("Who came?", "Who came?"),
])
def test_a_question_gets_its_question_mark(message, question):
    assert with_question_mark(message) == question


def test_a_question_typed_without_its_mark_is_answered_as_with_it(seed_bot):
    for bare in ("من حضر المؤتمر؟", "Who attended the conference?"):
        typed = seed_bot.ask(bare[:-1])
        asked = seed_bot.ask(bare)
        assert typed.lead == asked.lead and typed.retrieval_query == bare


@pytest.mark.parametrize(("message", "core"), [
    ("Who attended the conference? Thanks!", "Who attended the conference?"),
    ("من حضر المؤتمر؟ شكرا جزيلا", "من حضر المؤتمر؟"),
    # an apology opening it
    ("عفوا، من حضر المؤتمر؟", "من حضر المؤتمر؟"), ("Sorry, who attended?", "Who attended?"),
    # a closing sentence that is not small talk stays
    ("Who attended the conference? And who did not?", "Who attended the conference? And who did not?"),
])
def test_closing_small_talk_is_taken_off(message, core):
    assert strip_small_talk(message) == core


def test_a_framed_question_in_the_history_is_continued_as_its_question():
    history = [{"role": "user", "content": "Can you tell me who attended the conference?"},
               {"role": "assistant", "content": "«…» [1]"}]
    framed = plan_question("and when?", history)
    bare = plan_question("and when?", [{"role": "user", "content": "Who attended the conference?"}, history[1]])
    assert framed.kind == "followup" and framed.query == bare.query


@pytest.mark.parametrize("row", _answerable(), ids=lambda r: r["id"])
def test_a_framed_seed_question_is_answered_as_the_bare_one(seed_bot, row):
    bare = seed_bot.ask(row["question"])
    assert not bare.abstained
    stripped = row["question"].rstrip("?؟")
    for frame in FRAMES[row["lang"]]:
        q = row["question"]
        message = frame.format(q=q[0].lower() + q[1:] if row["lang"] == "en" else q, q_stripped=stripped)
        framed = seed_bot.ask(message)
        assert not framed.abstained, message
        assert framed.lead == bare.lead, message
        assert [c.quote for c in framed.citations] == [c.quote for c in bare.citations], message


def test_the_answer_keeps_the_message_as_typed(seed_bot):
    message = "ممكن تقولي مين حضر المؤتمر؟"
    answer = seed_bot.ask(message)
    assert answer.question == message
    assert answer.retrieval_query == "من حضر المؤتمر؟"  # the frame off, the question word standard


@pytest.mark.parametrize("message", ["ممكن تقولي مين انت؟", "Can you tell me who you are?"])
def test_a_framed_chat_request_is_judged_as_typed(seed_bot, message):
    # the chat-request check was fitted on messages with their frames: taken off, «مين انت؟»
    # alone scores under its operating point
    answer = seed_bot.ask(message)
    assert answer.abstained and answer.extra["abstention_reason"] == "chat-request"
    assert not answer.citations


@pytest.mark.parametrize(("message", "asked"), [
    ("من حضر المؤتمر شكرا", "من حضر المؤتمر؟"),
    ("Who attended the conference thanks", "Who attended the conference?"),
    ("Why was Egypt absent. Thanks!", "Why was Egypt absent?"),
    ("Please, when did Hamza visit Algeria?", "When did Hamza visit Algeria?"),
    ('Can you tell me "who attended the conference"?', "Who attended the conference?"),
    ("شكون حضر المؤتمر؟", "من حضر المؤتمر؟"),
    ("وعلاش؟", "ولماذا؟"),
    ("المؤتمر دام كام يوم؟", "المؤتمر دام كم يوم؟"),
    # kept: "you" closes no thanks, and a message of small talk alone is small talk
    ("Who are you", "Who are you?"), ("ok thanks", "ok thanks"),
])
def test_the_planner_asks_the_question_in_its_fitted_form(message, asked):
    assert with_question_mark(strip_request_frame(standard_question_words(strip_small_talk(message)))) == asked


def test_a_dialect_follow_up_is_a_follow_up(seed_bot):
    # «وعلاش؟» was read as no word of any language and got the invitation (the nineteenth trial)
    first = "ممكن تقولي من غاب عن المؤتمر؟"
    before = seed_bot.ask(first)
    answer = seed_bot.ask("وعلاش؟", history=[{"role": "user", "content": first},
                                              {"role": "assistant", "content": before.text}])
    assert answer.extra.get("abstention_reason") != "no-question"
    assert answer.retrieval_query.startswith("لماذا؟")
