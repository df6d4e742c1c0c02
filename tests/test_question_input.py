"""What the public API does with the way a question is written and where an index goes."""

from __future__ import annotations

import logging

import pytest

from conftest import SEED_FILE, SEEDS
from qa import ArticleQA
from qa.chain import default_index_dir
from qa.config import Settings


@pytest.mark.parametrize("plain,marked", [
    ("من حضر المؤتمر؟", "مَنْ حَضَرَ المُؤْتَمَرَ؟"),
    ("أين عقد المؤتمر؟", "أين عُقِدَ المؤتمر؟"),
])
def test_arabic_diacritics_do_not_change_the_answer(seed_bot, plain, marked):
    a, b = seed_bot.ask(plain), seed_bot.ask(marked)
    assert [(c.quote_start, c.quote_end) for c in a.citations] == [(c.quote_start, c.quote_end) for c in b.citations]
    assert a.citations and b.retrieval_query == plain  # retrieved without its diacritics


@pytest.mark.parametrize("plain,pasted", [
    ("من حضر المؤتمر؟", "<p><b>من حضر</b> المؤتمر؟</p>"),
    ("Who attended the conference?", "<div>Who attended the <i>conference</i>?<script>alert(1)</script></div>"),
])
def test_a_question_pasted_as_html_is_asked_as_the_text_it_shows(seed_bot, plain, pasted):
    a, b = seed_bot.ask(plain), seed_bot.ask(pasted)
    assert b.retrieval_query == plain and not b.abstained
    assert [(c.quote_start, c.quote_end) for c in a.citations] == [(c.quote_start, c.quote_end) for c in b.citations]


@pytest.mark.parametrize("plain,written", [
    ("Who attended the conference?", "Who attended the conference? 👍"),
    ("Who attended the conference?", "Who attended the conference? 🤔🇱🇾"),
    ("Who attended the conference?", "Who attended the conference？"),  # a full-width question mark
    ("Who attended the conference?", "**Who** attended the _conference_?"),
    ("Who attended the conference?", "# Who attended the conference?"),  # a heading (trial 53)
    ("Who attended the conference?", "> Who attended the ~~conference~~?"),  # a quote, a strikethrough
    ("من حضر المؤتمر؟", "من حضر المؤتمر؟ 👍🏽"),
    ("أين عقد المؤتمر؟", "`أين` عقد [المؤتمر](https://example.org)؟"),
])
def test_emoji_markdown_and_full_width_marks_do_not_change_the_answer(seed_bot, plain, written):
    """A question is asked as the words it shows: emoji, Markdown marks and full-width
    punctuation each changed the answer (trial 52: "Who attended? 🤔🇱🇾" led with Egypt's
    absence, "Who attended the conference？" with Hamza's visit; trial 53: a heading's "#")."""
    a, b = seed_bot.ask(plain), seed_bot.ask(written)
    assert b.retrieval_query == plain and b.lead == a.lead
    assert [(c.quote_start, c.quote_end) for c in a.citations] == [(c.quote_start, c.quote_end) for c in b.citations]


def test_what_stays_of_a_question_with_marks():
    """Signs that ask something stay: arithmetic, a less-than sign, currency, a file name."""
    from qa.ingest.markdown import inline_markdown_text
    from qa.text import without_symbols

    def shown(text: str) -> str:
        return without_symbols(inline_markdown_text(text))

    for kept in ("Is 5*3*2 = 30?", "Is 3 < 5?", "€5 or $5?", "What is in my_file_name.txt?", "C++ or C#?"):
        assert shown(kept) == kept
    assert shown("ﻻ يذكر") == "لا يذكر"  # a presentation form is its letters
    assert shown("🤔👍🏽") == ""


@pytest.mark.parametrize("markup", ['<img src=x onerror="alert(1)">', "<img src=x>", "<script>alert(1)</script>",
                                    "<br><hr/>"])
def test_markup_alone_asks_nothing(seed_bot, markup):
    from qa.errors import QuestionError

    with pytest.raises(QuestionError, match="Please type a question"):
        seed_bot.ask(markup)


@pytest.mark.parametrize("question", ["", "???", "؟ ؟", "<img src=x>", "<script>alert(1)</script>", "<br><hr/>"])
def test_every_input_with_no_words_gets_the_one_refusal(seed_bot, question):
    """Markup alone and "???" are refused in one wording, in both languages (a trial saw two:
    "…this one is empty or has no words." for ``<img src=x>``), by the public API, its
    retrieval and the conversation the web chat and ``article-qa chat`` share."""
    from qa.conversation import EMPTY_QUESTION, Conversation
    from qa.errors import QuestionError

    refusers = [seed_bot.ask, lambda q: Conversation().ask(seed_bot, q)]
    if "<" not in question:  # ``retrieve`` searches the text as given, markup and all
        refusers.append(seed_bot.retrieve)
    for refuse in refusers:
        with pytest.raises(QuestionError) as err:
            refuse(question)
        assert str(err.value) == EMPTY_QUESTION, (refuse, question)
    conversation = Conversation()
    with pytest.raises(QuestionError):
        conversation.ask(seed_bot, question)
    assert conversation.turns == []  # nothing recorded


def test_a_less_than_sign_is_not_markup(seed_bot):
    from qa.text import markup_text

    assert markup_text("Is 3 < 5 and 7 > 2?") == "Is 3 < 5 and 7 > 2?"
    assert markup_text("<p>Who &amp; why?</p><p>Egypt</p>") == "Who & why? Egypt"


def test_a_country_named_through_its_capital_is_not_a_missing_word(seed_bot, seed_text):
    answer = seed_bot.ask("ماذا تخطط روسيا؟")  # the article says "قرار موسكو", never "روسيا"
    assert not answer.abstained, answer.extra
    for c in answer.citations:
        assert seed_text[c.quote_start:c.quote_end] == c.quote


@pytest.mark.parametrize("followup", ["ما ميزانيته؟", "و الطقس؟"])
def test_a_followup_whose_own_words_the_article_lacks_abstains(seed_bot, followup):
    first = seed_bot.ask("من حضر المؤتمر؟")
    history = [{"role": "user", "content": "من حضر المؤتمر؟"}, {"role": "assistant", "content": first.text}]
    answer = seed_bot.ask(followup, history=history)
    # the fold borrows "المؤتمر" from the first question, but the follow-up's own word is unknown
    assert "المؤتمر" in answer.retrieval_query
    assert answer.abstained and answer.citations == []
    assert answer.extra["abstention_reason"] == "missing-words"


def test_a_followup_with_known_words_still_answers(seed_bot):
    first = seed_bot.ask("من حضر المؤتمر؟")
    history = [{"role": "user", "content": "من حضر المؤتمر؟"}, {"role": "assistant", "content": first.text}]
    answer = seed_bot.ask("ومتى؟", history=history)
    assert not answer.abstained and "الأحد" in " ".join(c.quote for c in answer.citations)


def test_another_folder_never_replaces_the_seed_index(tmp_path, monkeypatch, embeddings, caplog):
    other = tmp_path / "articles"
    other.mkdir()
    (other / "note.txt").write_text("The museum opened in Paris on Monday. Mayor Helen Ortiz cut the ribbon.\n",
                                    encoding="utf-8")
    (other / "broken.txt").write_bytes(b"\xff\xfe\x00broken")
    settings = Settings(index_dir=str(tmp_path / "index"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the defaults must not depend on the current folder
    seed_bot = ArticleQA.from_directory(embeddings=embeddings, settings=settings, progress=False)
    assert seed_bot.documents.keys() == {SEED_FILE.name}
    manifest = (tmp_path / "index" / "store" / "manifest.json").read_bytes()
    with caplog.at_level(logging.WARNING, logger="qa.chain"):
        other_bot = ArticleQA.from_directory(other, embeddings=embeddings, settings=settings, progress=False)
    # the seed index is untouched; the other folder has its own
    assert (tmp_path / "index" / "store" / "manifest.json").read_bytes() == manifest
    own = default_index_dir(other, tmp_path / "index")
    assert own.parent == tmp_path / "index" / "collections"
    assert own.name.startswith("articles-") and (own / "store" / "manifest.json").exists()
    assert default_index_dir(SEEDS, tmp_path / "index") == tmp_path / "index"
    assert set(other_bot.documents) == {"note.txt"}
    assert not list(elsewhere.iterdir())  # nothing written where the process happens to run
    # a file that cannot be read is reported through the log, not only in bot.skipped
    assert any("broken.txt" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert other_bot.skipped and "broken.txt" in other_bot.skipped[0]


def test_all_caps_english_is_asked_in_sentence_case(seed_bot):
    shouted, plain = seed_bot.ask("WHO ATTENDED THE CONFERENCE?"), seed_bot.ask("Who attended the conference?")
    assert shouted.retrieval_query == "Who attended the conference?"
    assert [c.quote_start for c in shouted.citations] == [c.quote_start for c in plain.citations]
    # an acronym inside an Arabic question is left alone
    assert seed_bot.ask("من حضر المؤتمر؟ NATO").retrieval_query.endswith("NATO")


@pytest.mark.parametrize("typed", ["who is haftar", "WHO IS HAFTAR?", "who is haftar?"])
def test_english_typed_in_one_case_gets_its_names_back(seed_bot, seed_text, typed):
    # the names are found by their capital and the embedding model is case-sensitive:
    # these were refused (p 0.52, 0.53) while "Who is Haftar?" was answered
    answer, plain = seed_bot.ask(typed), seed_bot.ask("Who is Haftar?")
    assert answer.retrieval_query.startswith("Who is Haftar")
    assert not answer.abstained and not plain.abstained
    assert any("حفتر" in c.quote for c in answer.citations)
    assert all(seed_text[c.quote_start:c.quote_end] == c.quote for c in answer.citations)


def test_restore_case_leaves_mixed_case_and_arabic_alone():
    from qa.grounding import restore_case

    for text in ("Who is Haftar?", "what did NATO say?", "من حضر المؤتمر؟", "ok", "who?"):
        assert restore_case(text) == text
    # a country or city named, and a word no English list holds, take a capital
    assert restore_case("why was egypt absent from the tripoli meeting?") == "Why was Egypt absent from the Tripoli meeting?"
    assert restore_case("WHAT POSITION DOES MAHMOUD HAMZA HOLD?").startswith("What position does Mahmoud")


def test_a_shortened_question_is_told_in_its_own_language(seed_bot):
    from qa.chain import MAX_QUESTION_CHARS

    # one question longer than the limit: its first characters are asked (a shorter question in
    # a long message would be asked alone; a long message without one is a pasted text)
    arabic = seed_bot.ask("من حضر المؤتمر " + "وفود " * MAX_QUESTION_CHARS + "؟")
    english = seed_bot.ask("Who attended the conference " + "delegations " * MAX_QUESTION_CHARS + "?")
    assert arabic.notice.startswith("اختُصر السؤال") and str(MAX_QUESTION_CHARS) in arabic.notice
    assert english.notice.startswith("The question was shortened") and str(MAX_QUESTION_CHARS) in english.notice
    assert len(arabic.question) <= MAX_QUESTION_CHARS and seed_bot.ask("من حضر المؤتمر؟").notice == ""
    # filler without full stops, then the question as its last clause: the question is asked
    # (a trial had the first 1,000 characters asked, and a fragment of ¶7 quoted)
    for filler, question in (("lorem ipsum dolor sit amet, ", "who attended the conference in Tripoli?"),
                             ("نص طويل بلا نقاط، ", "من حضر المؤتمر؟")):
        answer = seed_bot.ask(filler * (MAX_QUESTION_CHARS // len(filler) + 40) + question)
        assert answer.question == question, answer.question[:80]
        assert answer.citations and [c.quote for c in answer.citations] == [c.quote for c in seed_bot.ask(question).citations]
        assert answer.notice.startswith(("Your message is over", "رسالتك أطول"))
    # the chat bubble shows the question as asked, not the whole paste
    from qa.ui_render import render_user

    bubble = render_user("Who attended the conference? " + "delegations " * 10_000)
    assert len(bubble) < MAX_QUESTION_CHARS + 200 and "…</div>" in bubble
    assert render_user("Who is Haftar?").endswith(">Who is Haftar?</div>")


@pytest.mark.parametrize("address", ["https://example.com/news/1", "www.example.com/who-attended?"])
def test_a_web_address_alone_is_no_question_and_says_where_pages_are_read(seed_bot, address):
    """A web address typed in the chat got quotes for its words ("news", p 0.27; a trial): it
    asks nothing of the article, and the reply says how to make that page the article: on the
    web page (the reply ``ask`` gives), and on the command line in its own words."""
    from qa.cli import for_the_command_line

    answer = seed_bot.ask(address)
    assert answer.abstained and answer.extra["abstention_reason"] == "no-question" and not answer.citations
    assert "web address" in answer.text and "Your own article" in answer.text and "--docs" not in answer.text
    assert "--docs ADDRESS" in for_the_command_line(answer).text


@pytest.mark.parametrize("question", ["Кто такой Хафтар?", "誰が会議に出席しましたか？", "Ποιος είναι ο Χαφτάρ;"])
def test_a_question_in_a_script_the_bot_cannot_read_is_told_so(seed_bot, question):
    """A question in Cyrillic, Japanese or Greek got the invitation to ask a question, as if it
    had asked nothing (a trial): it is told which languages the bot reads, in English and Arabic."""
    from qa.followups import OTHER_SCRIPT

    answer = seed_bot.ask(question)
    assert answer.abstained and answer.extra.get("abstention_reason") == "no-question"
    assert answer.text == OTHER_SCRIPT and "Arabic or English" in answer.text and "بالعربية" in answer.text
    assert not answer.citations
    # Arabic or Latin letters beside them are read as usual
    assert seed_bot.ask("Who is Хафтар Haftar?").text != OTHER_SCRIPT


def test_a_question_in_a_latin_language_the_bot_does_not_read_is_told_so(seed_bot):
    """A question in German or Spanish that the Latin-script check holds back got the invitation
    to ask a question, as if it had asked nothing (a trial): it is told which languages the bot
    reads. The questions are ``eval/other_languages`` (written for this; none of them fitted
    anything); those the check lets through are asked as usual, and keyboard mash keeps the
    invitation."""
    import json
    import random

    from bench.latin_gate import random_latin
    from qa.followups import INVITATION, OTHER_SCRIPT

    rows = [json.loads(line) for line in (SEEDS.parent / "eval" / "other_languages" / "questions.jsonl")
            .read_text(encoding="utf-8").splitlines() if line.strip()]
    held = [r for r in rows if not seed_bot.extractive.grounding.has_known_word(r["question"])]
    assert held and {r["lang"] for r in held} >= {"de", "es"}
    for row in held:
        answer = seed_bot.ask(row["question"])
        assert answer.abstained and not answer.citations
        assert answer.text == OTHER_SCRIPT, row["question"]
    rng = random.Random(0)
    mash = [random_latin(rng) for _ in range(60)]
    invited = sum(seed_bot.ask(m).text == INVITATION["en"] for m in mash)
    assert invited >= 0.9 * len(mash)


def test_the_api_says_what_the_web_page_says_of_an_english_article(seed_bot):
    """The web page and the CLI tell a reader of an English article that the answer policy was
    not fitted on English text; the API had no sign of it (a trial). ``bot.language_notice``
    and ``bot.info()`` carry it; the seed article (Arabic) has none."""
    from qa.conversation import UNTESTED_LANGUAGE

    english = (SEEDS.parent / "eval" / "english" / "corpus" / "01_council_bridge_vote.txt").read_text(encoding="utf-8")
    bot = seed_bot.with_texts({"bridge.txt": english})
    assert bot.language_notice == UNTESTED_LANGUAGE and bot.info()["language_notice"] == UNTESTED_LANGUAGE
    assert bot.info()["document_language"] == "en"
    assert seed_bot.language_notice == "" and seed_bot.info()["document_language"] == "ar"


@pytest.mark.parametrize("typed,plain", [
    ("Who attended the conference ?", "Who attended the conference?"),
    ("Who attended the conference???", "Who attended the conference?"),
    ("What was the conference budget???", "What was the conference budget?"),
    ("من حضر المؤتمر ؟؟", "من حضر المؤتمر؟"),
    ("Why was Egypt absent?!", "Why was Egypt absent?"),
])
def test_marks_doubled_or_spaced_ask_the_question_with_one_mark(seed_bot, typed, plain):
    """A trial: "What was the conference budget???" was answered (p 0.23) where "…budget?" is
    refused, and "…conference ?" led with another clause than "…conference?"."""
    a, b = seed_bot.ask(typed), seed_bot.ask(plain)
    assert a.retrieval_query == b.retrieval_query
    assert a.abstained == b.abstained and a.lead == b.lead
    assert [c.quote_start for c in a.citations] == [c.quote_start for c in b.citations]


def test_an_earlier_turn_is_cut_as_a_question_is(seed_bot):
    """A trial: a 700,000-character user message in ``history`` took the API 145 s; each earlier
    message is now cut as the question asked is (``qa.chain.kept_turn``)."""
    from qa.chain import MAX_QUESTION_CHARS, QUESTION_SEARCH_CHARS, kept_turn

    long = "Which country did not take part? " * 20000
    assert kept_turn({"role": "user", "content": long}) == {"role": "user",
                                                          "content": "Which country did not take part?"}
    assert len(kept_turn({"role": "user", "content": "x " * 10 ** 5})["content"]) == MAX_QUESTION_CHARS
    assert len(kept_turn({"role": "assistant", "content": "y" * 10 ** 6})["content"]) == QUESTION_SEARCH_CHARS
    short = seed_bot.ask("And why?", history=[{"role": "user", "content": "Which country did not take part?"}])
    cut = seed_bot.ask("And why?", history=[{"role": "user", "content": long}])
    assert not cut.abstained and [c.quote_start for c in cut.citations] == [c.quote_start for c in short.citations]


def test_texts_that_are_no_text_get_a_clear_error(seed_bot):
    """A trial: ``with_texts({"a.txt": None})`` raised "expected string or bytes-like object"
    and ``with_texts(["hello"])`` "'list' object has no attribute 'items'"."""
    from qa import DocumentError

    for bad, message in (({"a.txt": None}, "a.txt: the article must be text, not NoneType"),
                         ({"a.txt": 5}, "not int"), (["hello"], "must be a dict"), ({}, "no article given")):
        with pytest.raises(DocumentError, match=message):
            seed_bot.with_texts(bad)


@pytest.mark.parametrize("message,language", [("bye", "en"), ("ok thanks, bye!", "en"), ("see you later", "en"),
                                              ("مع السلامة", "ar"), ("وداعا", "ar")])
def test_a_goodbye_is_answered_as_one(seed_bot, message, language):
    """A trial: "bye" got the invitation to ask a question."""
    from qa.followups import FAREWELL_REPLY

    answer = seed_bot.ask(message)
    assert answer.text == FAREWELL_REPLY[language] and not answer.citations
    # «السلامة» alone is a word ("safety"), not a goodbye: a question holding it is asked
    assert seed_bot.ask("ما هي إجراءات السلامة؟").text != FAREWELL_REPLY["ar"]


def test_articles_in_two_languages_say_so(seed_bot, seed_text):
    """A trial indexed a folder of the seed, an English and an Arabic article: "Who attended the
    conference?" was answered from the English one's ceremony, with nothing said; a question
    finds passages in its own language first, and the bot now says so (``language_notice``)."""
    english = ("Lisbon opens a cycling bridge\n\nThe city of Lisbon on Tuesday opened a 420-metre bridge for "
               "cyclists and pedestrians.\nMayor Carlos Moedas cut the ribbon at a ceremony attended by about "
               "300 residents.\nThe bridge cost 14.2 million euros.\n")
    mixed = seed_bot.with_texts({"seed.txt": seed_text, "bridge.txt": english})
    assert mixed.document_languages == {"seed.txt": "ar", "bridge.txt": "en"}
    notice = mixed.language_notice
    assert notice.startswith("These articles are in Arabic and English") and "العربية والإنجليزية" in notice
    assert mixed.info()["language_notice"] == notice
    # the remedy it names: the article asked by name answers from it
    answer = mixed.ask("Who attended the conference?", filters={"documents": ["seed.txt"]})
    assert not answer.abstained and {c.source for c in answer.citations} == {"seed.txt"}
    # one language: nothing to say (Arabic) or the English notice as before
    assert seed_bot.language_notice == ""
    assert seed_bot.with_texts({"bridge.txt": english}).language_notice.startswith("This article is in English")


def _set_turns() -> list[str]:
    """Every question and user turn (a history's strings and user messages) of the shared and
    project question sets, read from the data."""
    import json

    from conftest import EVAL

    turns = []
    for path in [*EVAL.rglob("*.jsonl"), *(SEEDS.parent / "eval").rglob("*.jsonl")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            turns.append(row.get("question") or "")
            turns += [t if isinstance(t, str) else t.get("content", "") for t in row.get("history") or []
                      if isinstance(t, str) or (isinstance(t, dict) and t.get("role") == "user")]
    return [t for t in turns if t]


def test_a_short_pasted_article_is_told_what_to_do_and_no_set_question_is_one(seed_bot, tmp_path):
    """A news item of a few hundred characters pasted into the question box was asked as a
    question and got "the article does not say" (trial 50, 517 characters): a message longer
    than any question of the sets, without a question mark, in two sentences or more, gets the
    pasted-text reply. No question or user turn of the shared and project sets is one, and the
    longest of them is within ``LONGEST_QUESTION`` (read from the data)."""
    from qa.chain import LONGEST_QUESTION, PASTED_TEXT_REPLY, is_pasted_text

    item = ("افتتاح سوق جديد للحرفيين في مدينة صفاقس\n\n"
            "صفاقس - افتتح والي صفاقس يوم الثلاثاء سوقا جديدا للحرفيين في وسط المدينة العتيقة، يضم 85 محلا "
            "مخصصا للصناعات التقليدية.\nوبلغت تكلفة المشروع 3.2 ملايين دينار، ممولة من البلدية ومن منحة أوروبية، "
            "وتأخر افتتاحه عامين بسبب نزاع حول ملكية الأرض.\nويفتح السوق أبوابه يوميا من التاسعة صباحا حتى السابعة مساء.")
    assert len(item) > LONGEST_QUESTION
    answer = seed_bot.ask(item)
    assert answer.text == PASTED_TEXT_REPLY["ar"] and not answer.citations
    assert answer.extra["not_a_question"] == "pasted-text"
    english = ("Port Elden opens new ferry terminal. Mayor Henrik Dahl cut the ribbon on Saturday in front of "
               "a crowd of about two hundred people. The terminal cost 40 million crowns and took three years "
               "to build, a year longer than planned.")
    assert seed_bot.ask(english).text == PASTED_TEXT_REPLY["en"]
    # short remarks and long questions stay what they are
    for message in ("Thanks. That helped.", "Who attended the conference? " * 4,
                    "I read the article about the conference in Tripoli this morning and I would like to know "
                    "more about the delegations that came from the neighbouring countries, and why Egypt was "
                    "absent from the meeting, please tell me"):
        assert not is_pasted_text(message), message
    turns = _set_turns()
    assert len(turns) > 3000
    assert max(map(len, turns)) <= LONGEST_QUESTION
    assert not [t for t in turns if is_pasted_text(t)]


def test_another_text_pasted_with_a_question_is_told_what_to_do(seed_bot):
    """A news item pasted with a question after it was asked whole of the sample article and got
    «لا يذكر المقال ذلك.» (trial 52): when no sentence of the text is in the article in use, its
    question alone is asked, with a notice saying so, and a refusal says how to make the text
    the article; a question the article in use answers is answered. A paragraph of the article
    in use with a question is asked of it, and the whole article with a question after it has
    its question asked. No question or user turn of the shared and project sets is read as a
    text with a question."""
    from qa.chain import PASTED_QUESTION_REPLY, QUESTION_AFTER_TEXT, question_and_text
    from qa.cli import for_the_command_line

    text = ("أعلنت وزارة الصحة التونسية يوم الخميس عن إطلاق حملة وطنية للتلقيح ضد الحصبة تستهدف نحو 800 ألف طفل في "
            "جميع الولايات. وقال وزير الصحة إن الحملة ستستمر ثلاثة أسابيع وستشمل المدارس ورياض الأطفال. وأوضح أن "
            "عدد الإصابات بالحصبة ارتفع إلى 250 حالة منذ بداية العام.\n")
    answer = seed_bot.ask(text + "متى تنتهي الحملة؟")
    assert answer.question == "متى تنتهي الحملة؟" and answer.notice == QUESTION_AFTER_TEXT["ar"]
    assert answer.abstained and answer.text == PASTED_QUESTION_REPLY["ar"] and not answer.citations
    assert answer.extra["not_a_question"] == "pasted-question"
    assert "--docs" in for_the_command_line(answer).text
    # the question first, then the text: the same (it was asked whole and answered with the
    # conference's closing, trial 53)
    first = seed_bot.ask("متى تنتهي الحملة؟ " + text)
    assert first.question == "متى تنتهي الحملة؟" and first.text == PASTED_QUESTION_REPLY["ar"]
    # the article in use answers this one: it is answered, as asked alone
    answered = seed_bot.ask(text + "من حضر المؤتمر؟")
    alone = seed_bot.ask("من حضر المؤتمر؟")
    assert answered.question == "من حضر المؤتمر؟" and not answered.abstained and answered.lead == alone.lead
    english = ("Port Elden opens new ferry terminal. Mayor Henrik Dahl cut the ribbon on Saturday in front of a crowd "
               "of about two hundred people. The terminal cost 40 million crowns and took three years to build, a year "
               "longer than planned. Who cut the ribbon?")
    assert seed_bot.ask(english).text == PASTED_QUESTION_REPLY["en"]
    seed = (SEEDS / SEED_FILE).read_text(encoding="utf-8")
    paragraph = seed.split("\n")[3]
    assert len(paragraph) > 221  # a pasted text by its length
    quoted = seed_bot.ask(paragraph + "\nلماذا غابت مصر؟")
    assert quoted.citations and "not_a_question" not in quoted.extra
    whole = seed_bot.ask(seed + "\nWho attended the conference?")
    assert whole.question == "Who attended the conference?" and whole.citations
    turns = _set_turns()
    assert len(turns) > 3000 and not [t for t in turns if question_and_text(t)]


def test_a_web_address_among_a_questions_words_says_how_to_ask_about_that_page(seed_bot):
    """A web address among a question's words: the question is likely about that page, not the
    article in use. Asked with the address, "Who attended the conference? https://example.com"
    got a fragment (trial 53); asked without it, "What does this page say about the budget?
    https://…" got quotes of the sample (trial 54). Nothing is asked: the reply says how to
    make the page the article, or to ask without the address, in the words' language. An address
    alone after an Arabic question gets its hint in Arabic (it was English, trial 54). No
    question or user turn of the shared and project sets holds an address."""
    from qa.chain import ADDRESS_QUESTION_REPLY, ADDRESS_TOKEN, PASTED_TEXT_REPLY, WEB_ADDRESS_REPLY
    from qa.cli import for_the_command_line

    for message, language in (("Who attended the conference? https://example.com/news/1", "en"),
                              ("What does this page say about the budget? https://example.com/news", "en"),
                              ("Summarize https://example.com/news", "en"),
                              ("(https://example.com) Who won the 2022 World Cup?", "en"),
                              ("اقرأ هذا الرابط https://example.com", "ar"),
                              ("www.example.com من حضر المؤتمر؟", "ar")):
        answer = seed_bot.ask(message)
        assert answer.text == ADDRESS_QUESTION_REPLY[language] and not answer.citations, message
        assert answer.extra["not_a_question"] == "address-question" and answer.notice == "", message
        assert "--docs" in for_the_command_line(answer).text
    history = [{"role": "user", "content": "لماذا غابت مصر؟"}, {"role": "assistant", "content": "«…» [1]"}]
    assert seed_bot.ask("https://example.com", history=history).text == WEB_ADDRESS_REPLY["ar"]
    # a pasted text holding an address is a pasted text: its reply
    item = ("Port Elden opens new ferry terminal. Mayor Henrik Dahl cut the ribbon on Saturday in front of a crowd "
            "of about two hundred people (https://elden.example/ferry). The terminal cost 40 million crowns and "
            "took three years to build, a year longer than planned.")
    assert seed_bot.ask(item).text == PASTED_TEXT_REPLY["en"]
    turns = _set_turns()
    assert len(turns) > 3000 and not [t for t in turns if ADDRESS_TOKEN.search(t)]


def test_a_directional_override_in_a_question_does_not_turn_its_bubble_around():
    """The user's bubble shows the question in its own direction: a right-to-left override
    typed in it drew the rest backwards ("Who?ecnerefnoc eht dednetta", trial 52)."""
    import lxml.html

    from qa.ui_render import render_user

    shown = lxml.html.fragment_fromstring(render_user("Who \u202eattended the \u2067conference?")).text_content()
    assert shown == "Who attended the conference?"
    assert lxml.html.fragment_fromstring(render_user("من حضر المؤتمر؟")).text_content() == "من حضر المؤتمر؟"
    # and Copy gives it as the bubble shows it (it kept the override, trial 53)
    from qa.conversation import question_lines

    assert question_lines("\u202eWho attended the conference?", "en")[0] == "Question: Who attended the conference?"
    assert question_lines("من \u202eحضر المؤتمر؟", "ar")[0] == "السؤال: من حضر المؤتمر؟"


def test_a_question_is_in_the_language_of_its_first_word(seed_bot):
    """«من هو Mahmoud Hamza؟» was answered as an English question (most of its letters are
    Latin; trial 59): its Arabic question word makes it Arabic, with no English line above the
    Arabic quotes, and "Who is محمود حمزة?" stays English; the rule changes the language of no
    question of the shared and project sets."""
    from qa.evaluation import read_questions
    from qa.text import detect_language, question_language
    from conftest import EVAL

    arabic = seed_bot.ask("من هو Mahmoud Hamza؟")
    assert arabic.language == "ar" and not arabic.abstained and not arabic.preface and "محمود حمزة" in arabic.lead
    assert seed_bot.ask("من هو Lionel Messi؟").text == "لا يذكر المقال ذلك."
    english = seed_bot.ask("Who is محمود حمزة?")
    assert english.language == "en" and english.preface.startswith("The article")
    asked = [q.question for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl")
             for q in read_questions(EVAL / path)] + list(_set_turns())
    assert [q for q in asked if question_language(q) != detect_language(q)] == []


def test_a_latin_name_in_an_arabic_question_finds_its_sentence(seed_bot, seed_text):
    """«من هو Haftar؟» led with ¶2 (the conference's opening), which does not name Haftar
    (trial 61): a Latin name in a question in the articles' language is weighed by the Arabic
    stems it links to when the sentences are scored, as retrieval weighs it, so the answer
    leads with and cites only the sentence naming «حفتر»; the question written in Arabic
    letters gets the same paragraph."""
    latin = seed_bot.ask("من هو Haftar؟")
    arabic = seed_bot.ask("من هو حفتر؟")
    assert not latin.abstained and "حفتر" in latin.lead
    assert [c.paragraph for c in latin.citations] == [c.paragraph for c in arabic.citations]
    assert all("حفتر" in c.quote for c in latin.citations)
    # the name is in one paragraph of the article only: the citation is that paragraph
    paragraphs = [p for p in seed_text.split("\n") if p.strip()]
    assert [i + 1 for i, p in enumerate(paragraphs) if "حفتر" in p] == [c.paragraph for c in latin.citations]
