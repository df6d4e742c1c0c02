"""A message asking several questions gets each answered, in one answer of a section each
(``qa.followups.split_questions``, ``qa.answer.combine_answers``, ``ArticleQA.stream``)."""

import json
import re

import pytest

from qa.answer import Answer, Citation, combine_answers
from qa.evaluation import answer_correct
from qa.followups import MAX_QUESTIONS, split_questions

from conftest import SEED_DEV, SHARED


def _seed_questions(answerable: bool, lang: str) -> list[dict]:
    rows = [json.loads(line) for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["answerable"] is answerable and r["lang"] == lang]


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_two_questions_of_the_set_are_split_where_typed(lang):
    questions = [r["question"] for r in _seed_questions(True, lang)]
    assert len(questions) >= 2
    for first, second in zip(questions, questions[1:]):
        assert split_questions(f"{first} {second}") == [first, second]
        assert split_questions(first) == [first]


def test_what_opens_or_closes_a_question_stays_with_it():
    assert split_questions("Hi! Who attended? Where was it held? Thanks!") == [
        "Hi! Who attended?", "Where was it held? Thanks!"]
    # a short second question stays a question of its own (the sentence splitter joins
    # fragments under three words in articles, not here)
    assert split_questions("من حضر المؤتمر؟ وأين عقد؟") == ["من حضر المؤتمر؟", "وأين عقد؟"]
    # small talk that ends in a mark is no question of its own
    assert split_questions("Hi, how are you? Who attended?") == ["Hi, how are you? Who attended?"]
    assert split_questions("مرحبا، كيف حالك؟ من حضر؟") == ["مرحبا، كيف حالك؟ من حضر؟"]
    # a statement before one question: one question
    assert split_questions("I read the article. Who is Haftar?") == ["I read the article. Who is Haftar?"]
    # abbreviations do not end a question
    assert split_questions("Who is Dr. Smith? What about Mr. Hamza?") == ["Who is Dr. Smith?", "What about Mr. Hamza?"]
    # a greeting before two questions joined by "and" (a trial: left whole, only Egypt answered)
    assert split_questions("Hi, who attended and why was Egypt absent?") == ["Who attended?", "Why was Egypt absent?"]
    assert split_questions("مرحبا، من حضر المؤتمر وأين عقد؟") == ["من حضر المؤتمر؟", "وأين عقد؟"]
    assert split_questions("Hi, who attended?") == ["Hi, who attended?"]


def _citation(n: int, start: int) -> Citation:
    return Citation(n=n, source="a.txt", paragraph=1, start=0, end=100, text="x" * 100, score=0.1,
                    quote_start=start, quote_end=start + 10, quote="y" * 10, passage_id=0)


def test_combined_markers_are_renumbered_and_a_shared_quote_keeps_one_number():
    first = Answer("Q1?", "«a» [1] «b» [2]", False, "en", citations=[_citation(1, 0), _citation(2, 20)], lead="«a» [1]")
    second = Answer("Q2?", "«b» [1] «c» [2]", False, "en", citations=[_citation(1, 20), _citation(2, 40)],
                    lead="«c» [2]")
    refused = Answer("Q3?", "The article does not say.", True, "en", mode="abstained",
                     extra={"abstention_reason": "missing-words", "p_answerable": 0.01})
    combined = combine_answers("Q1? Q2? Q3?", [first, second, refused])
    assert [c.n for c in combined.citations] == [1, 2, 3]
    assert [c.quote_start for c in combined.citations] == [0, 20, 40]
    assert combined.text == "Q1?\n«a» [1] «b» [2]\n\nQ2?\n«b» [2] «c» [3]\n\nQ3?\nThe article does not say."
    assert combined.lead == "Q1?\n«a» [1]\n\nQ2?\n«c» [3]\n\nQ3?\nThe article does not say."
    assert not combined.abstained
    assert [q["abstained"] for q in combined.extra["questions"]] == [False, False, True]
    assert combined.extra["questions"][2]["abstention_reason"] == "missing-words"
    both_refused = combine_answers("Q3? Q3?", [refused, refused])
    assert both_refused.abstained and both_refused.lead == "" and both_refused.mode == "abstained"
    with pytest.raises(ValueError):
        combine_answers("", [])


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_each_question_of_a_message_is_answered_as_if_asked_in_turn(seed_bot, lang):
    answerable = _seed_questions(True, lang)
    unanswerable = _seed_questions(False, lang)
    for first, second in ((answerable[0], answerable[1]), (answerable[2], unanswerable[-1])):
        message = f"{first['question']} {second['question']}"
        combined = seed_bot.ask(message)
        alone = seed_bot.ask(first["question"])
        then = seed_bot.ask(second["question"], history=[{"role": "user", "content": alone.question},
                                                         {"role": "assistant", "content": alone.text}])
        parts = combined.extra["questions"]
        assert [p["question"] for p in parts] == [first["question"], second["question"]]
        assert [p["abstained"] for p in parts] == [alone.abstained, then.abstained]
        # every marker points at a citation, and each quote is cited once
        numbers = {int(n) for n in re.findall(r"\[(\d+)\]", combined.text)}
        assert numbers == {c.n for c in combined.citations}
        assert len({(c.source, c.quote_start) for c in combined.citations}) == len(combined.citations)
        # the quotes of each section are those the question gets asked in turn
        assert {c.quote for c in combined.citations} == {c.quote for c in alone.citations + then.citations}
        for part, row, single in zip(parts, (first, second), (alone, then)):
            if row["answerable"] and not single.abstained:
                assert answer_correct(part["lead"] or "", row["answer"]) == answer_correct(single.lead, row["answer"])
        assert combined.lead.startswith(first["question"])


def test_a_part_that_asks_nothing_gets_no_section(seed_bot):
    answer = seed_bot.ask("what? Who commands the army in eastern Libya?")
    assert "questions" not in answer.extra
    assert answer.question == "Who commands the army in eastern Libya?"
    assert not answer.abstained
    nothing = seed_bot.ask("Who? What?")
    assert nothing.abstained and nothing.extra["abstention_reason"] == "no-question"


def test_more_questions_than_answered_are_named_in_a_notice(seed_bot):
    questions = [r["question"] for r in _seed_questions(True, "en")][: MAX_QUESTIONS + 1]
    answer = seed_bot.ask(" ".join(questions))
    assert [p["question"] for p in answer.extra["questions"]] == questions[:MAX_QUESTIONS]
    assert str(MAX_QUESTIONS) in answer.notice


@pytest.mark.parametrize(("message", "questions"), [
    ("Where was it held and who attended?", ["Where was it held?", "Who attended?"]),
    ("What did Hamza say, and when did he visit Algeria?", ["What did Hamza say?", "When did he visit Algeria?"]),
    ("من حضر المؤتمر وأين عقد؟", ["من حضر المؤتمر؟", "وأين عقد؟"]),
    ("وين انعقد المؤتمر وليش غابت مصر؟", ["وين انعقد المؤتمر؟", "وليش غابت مصر؟"]),
    # the second half asks nothing of its own, or the first: one question
    ("Who attended and why?", ["Who attended and why?"]), ("من حضر ولماذا؟", ["من حضر ولماذا؟"]),
    ("Where and when was it held?", ["Where and when was it held?"]),
    # «ومن»/«وما» behind a noun are "and from" / "and not" as often as "and who/what"
    ("من حضر من تونس ومن الجزائر؟", ["من حضر من تونس ومن الجزائر؟"]),
    ("What is the relation between Egypt and Algeria?", ["What is the relation between Egypt and Algeria?"]),
])
def test_two_questions_joined_by_and_are_two_questions(message, questions):
    assert split_questions(message) == questions


def test_no_question_of_the_sets_is_cut():
    """Every question of the shared sets is one question (none is cut by ``split_questions``)."""
    for path in sorted((SHARED / "eval").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if "question" in row:
                assert split_questions(row["question"]) == [row["question"].strip()], (path.name, row["id"])


def test_the_passages_of_a_combined_answer_are_listed_once_and_ranked_anew(seed_bot):
    answer = seed_bot.ask("Who attended the conference? Where was the conference held?")
    assert len(answer.extra["questions"]) == 2
    assert [p.rank for p in answer.passages] == list(range(1, len(answer.passages) + 1))
    assert len({p.passage_id for p in answer.passages}) == len(answer.passages)


def test_the_markers_a_reader_sees_start_at_one_and_match_the_sources_and_the_article(seed_bot):
    """"Where was it held? Who attended?": the short answer quoted [3], [4] and [5] beside
    sources listed from [1] (the whole sentences' numbers, a trial). As read, its markers are
    [1], [2], … in the order they appear, each still pointing at the sentence it quoted; the
    sources under it, the selector beside the article and the article's badges use the same
    numbers, and so does the copied text."""
    import lxml.html

    from qa import ui_render
    from qa.conversation import plain_text

    documents = seed_bot.documents
    answer = seed_bot.ask("Where was it held? Who attended?")
    assert len(answer.extra["questions"]) == 2 and answer.lead
    message = lxml.html.fragment_fromstring(ui_render.render_answer(answer, documents, 0.1))
    shown = [int(m.text_content().strip("[]")) for m in message.find_class("qa-lead")[0].find_class("qa-ref")]
    assert shown[0] == 1 and list(dict.fromkeys(shown)) == list(range(1, len(set(shown)) + 1)), shown
    listed = {int(li.find_class("qa-num")[0].text_content().strip("[]")): li for li in message.find_class("qa-source")}
    assert sorted(listed) == list(range(1, len(answer.citations) + 1))
    paragraph = {int(li.find_class("qa-num")[0].text_content().strip("[]")):
                 int(re.search(r"¶(\d+)", li.text_content()).group(1)) for li in listed.values()}
    for marker in message.find_class("qa-lead")[0].find_class("qa-ref"):
        n = int(marker.text_content().strip("[]"))
        goto = next(c for c in marker.get("class").split() if c.startswith("qa-goto-"))
        assert goto in listed[n].get("class").split()  # the source of the same number: the same paragraph
        assert marker.get("title").endswith(f"¶{paragraph[n]}")  # its label names the source's paragraph
    assert ui_render.source_choices(answer) == [(f"[{n}] ¶{paragraph[n]}", n) for n in sorted(listed)]
    assert ui_render.first_source(answer) == 1
    panel = lxml.html.fragment_fromstring(ui_render.render_article(documents, answer))
    badges = {int(b.text_content().strip("[]")): b.getparent().getparent().get("id") for b in panel.find_class("qa-badge")}
    for marker in message.find_class("qa-lead")[0].find_class("qa-ref"):
        n = int(marker.text_content().strip("[]"))
        assert f"qa-goto-{badges[n]}" in marker.get("class").split()  # the badge [n] sits where [n] goes
    assert panel.get_element_by_id("qa-focus").get("data-qa-n").split()[0] == "1"
    copied = plain_text(answer, documents)
    assert re.findall(r"\[(\d+)\]", copied)[0] == "1" and "\n[1] " in copied

    # the answer as read: the same sentences, marker by marker, in the short answer and the text
    from qa.answer import numbered_as_read

    read = numbered_as_read(answer)
    assert numbered_as_read(read) == read  # twice is once
    quote_of = {c.n: (c.source, c.quote_start, c.quote_end) for c in answer.citations}
    quote_as_read = {c.n: (c.source, c.quote_start, c.quote_end) for c in read.citations}
    for field in ("lead", "text"):
        before = [quote_of[int(n)] for n in re.findall(r"\[(\d+)\]", getattr(answer, field))]
        after = [quote_as_read[int(n)] for n in re.findall(r"\[(\d+)\]", getattr(read, field))]
        assert before == after, field
    assert sorted(quote_of.values()) == sorted(quote_as_read.values())



@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_question_pasted_again_is_answered_once(seed_bot, lang):
    """The twenty-fifth trial pasted one question twenty times: it was answered four times, with
    "only the first 4 questions are answered". A question repeated (case and spacing aside)
    is asked once, where it first comes; another question beside it is still asked."""
    first, second = [r["question"] for r in _seed_questions(True, lang)][:2]
    assert split_questions(" ".join([first] * 20)) == [first]
    assert split_questions(f"{first} {first.upper()}  {second} {first}") == [first, second]
    answer = seed_bot.ask(" ".join([first] * 20))
    alone = seed_bot.ask(first)
    assert answer.text == alone.text and not answer.notice
