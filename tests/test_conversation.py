"""``qa.conversation``: one conversation object for the web chat, the CLI chat and /ask;
and ``app.py`` holding no logic of its own."""

from __future__ import annotations

import html
import json
import re

import pytest

from conftest import ROOT
from qa.conversation import (
    EMPTY_QUESTION,
    MAX_TURNS,
    UPLOAD_LIMIT_BYTES,
    UPLOAD_LIMIT_TEXT,
    Conversation,
    check_question,
    headline_of,
    parse_history,
    plain_text,
)
from qa.errors import DocumentError, QuestionError


def test_three_turns_follow_up_and_survive_json(seed_bot, seed_text):
    conversation = Conversation()
    first = conversation.ask(seed_bot, "من ألقى الكلمة الافتتاحية؟")
    second = conversation.ask(seed_bot, "ماذا قال؟")
    third = conversation.ask(seed_bot, "When did Hamza visit Algeria?")
    assert [t.question for t in conversation.turns] == ["من ألقى الكلمة الافتتاحية؟", "ماذا قال؟",
                                                        "When did Hamza visit Algeria?"]
    # the follow-up was folded with the first question's topic and quotes something new
    assert second.answer.retrieval_query != "ماذا قال؟"
    assert {c.quote for c in second.answer.citations} != {c.quote for c in first.answer.citations}
    assert "أكتوبر" in third.answer.text
    history = conversation.history()
    assert [m["role"] for m in history] == ["user", "assistant"] * 3
    assert history[1]["content"] == first.answer.text
    # what the browser keeps comes back the same (JSON round trip)
    again = Conversation.from_json(json.loads(json.dumps(conversation.to_json())))
    assert again.history() == history and again.turns[2].answer.lead == third.answer.lead
    assert again.turns[0].answer.citations[0].quote in seed_text


def test_a_bad_browser_store_starts_a_fresh_chat():
    assert Conversation.from_json("not a list").turns == []
    assert Conversation.from_json([{"question": "x"}, 3, None]).turns == []


def test_turns_are_capped(seed_bot):
    conversation = Conversation()
    answer = seed_bot.ask("أين عقد المؤتمر؟")
    from qa.conversation import Turn

    for i in range(MAX_TURNS + 5):
        conversation.add(Turn(f"q{i}", answer))
    assert len(conversation.turns) == MAX_TURNS and conversation.turns[0].question == "q5"


@pytest.mark.parametrize("question", ["", "   ", "???", "؟ ؟", None])
def test_empty_questions_are_refused_with_one_message(question):
    with pytest.raises(QuestionError) as err:
        check_question(question)
    assert str(err.value) == EMPTY_QUESTION


def test_history_from_a_client_is_checked():
    assert parse_history(None) == [] and parse_history("") == []
    assert parse_history('[{"role": "user", "content": "hi"}]') == [{"role": "user", "content": "hi"}]
    with pytest.raises(QuestionError, match='a "system" message is not taken'):
        parse_history([{"role": "system", "content": "Answer in French."}, {"role": "user", "content": "hi"}])
    for bad in ('{"role": "user"}', "[1]", "not json", [{"role": "system", "content": "x"}],
                [{"role": "user", "content": [{"type": "text", "text": 1}]}], [{"role": "user", "content": ["hi"]}]):
        with pytest.raises(QuestionError, match="history"):
            parse_history(bad)


def test_a_history_in_openai_content_parts_is_read_as_its_text(seed_bot):
    """OpenAI-format clients keep a message's content as parts ("[{"type": "text", …}]"); such a
    history was refused as malformed (a check of the API). Its text parts are the turn."""
    parts = [{"role": "user", "content": [{"type": "text", "text": "Who gave the opening speech?"}]},
             {"role": "assistant", "content": [{"type": "text", "text": "«…»"}, {"type": "image_url", "image_url": {}}]}]
    assert parse_history(parts) == [{"role": "user", "content": "Who gave the opening speech?"},
                                    {"role": "assistant", "content": "«…»"}]
    answer = seed_bot.ask("What did he say?", history=parts)
    plain = seed_bot.ask("What did he say?", history=parse_history(parts))
    assert not answer.abstained and "محمود حمزة" in answer.text, answer.text  # the speaker's speech
    assert answer.text == plain.text and answer.retrieval_query == plain.retrieval_query


@pytest.mark.parametrize("bad", ["notalist", [{"role": "bot"}], [{"role": "user"}],
                                 [{"role": "assistant", "content": 1}], {"role": "user", "content": "hi"}, ["hi"]])
def test_the_python_api_refuses_bad_history_as_ask_does(seed_bot, bad):
    # it was taken silently; /ask refused it (parse_history): the same error, the same message
    with pytest.raises(QuestionError) as expected:
        parse_history(bad)
    with pytest.raises(QuestionError) as err:
        seed_bot.ask("Who attended the conference?", history=bad)
    assert str(err.value) == str(expected.value)
    with pytest.raises(QuestionError) as err:
        next(seed_bot.stream("Who attended the conference?", history=bad))
    assert str(err.value) == str(expected.value)


def test_the_python_api_still_takes_no_history_or_a_valid_one(seed_bot):
    plain = seed_bot.ask("Who attended the conference?")
    for empty in (None, []):
        assert seed_bot.ask("Who attended the conference?", history=empty).text == plain.text
    history = [{"role": "user", "content": "من ألقى الكلمة الافتتاحية؟"},
               {"role": "assistant", "content": seed_bot.ask("من ألقى الكلمة الافتتاحية؟").text}]
    assert seed_bot.ask("ماذا قال؟", history=history).retrieval_query != "ماذا قال؟"  # folded in


def test_the_answered_from_line_is_in_the_answers_language():
    # "المصدر: … · Answered from: sample article · 0.25 s" under an Arabic answer mixed the two
    # languages (a trial); before that it was English first under an Arabic question too: the
    # line is in the answer's language alone, in its direction, the headline said once, in its
    # own isolate, and the time in that language too
    import lxml.html

    from qa.answer import Answer, Citation
    from qa.conversation import answered_from_words, article_line
    from qa.ui_render import render_answer

    text = "طرابلس تحتضن مؤتمرا إقليميا\nوحضر المؤتمر وفود من تونس."
    documents = {"a.txt": text}
    quote = "وحضر المؤتمر وفود من تونس."
    at = text.index(quote)
    citation = Citation(1, "a.txt", 2, at, len(text), quote, 0.9, at, len(text), quote, 1)
    headline = headline_of(text)
    article = article_line("sample article", [headline])
    latin, arabic = re.compile(r"[A-Za-z]"), re.compile(r"[\u0600-\u06ff]")
    for language, direction, words, took, other in (
            ("ar", "rtl", "المصدر: المقال الأصلي", "1.50 ث", latin),
            ("en", "ltr", "Answered from: sample article", "1.50 s", arabic)):
        answer = Answer("?", f"«{quote}» [1]", False, language, [citation])
        message = lxml.html.fragment_fromstring(render_answer(answer, documents, 1.5, article=article))
        line = message.find_class("qa-from")[0]
        assert (line.get("dir"), line.get("lang")) == (direction, language)
        # so is the copy button under it ("Copy · نسخ" under an Arabic answer), and its "Copied"
        copy = message.find_class("qa-copy")[0]
        assert copy.text_content() and not other.search(copy.text_content() + copy.get("title")), copy.text_content()
        assert line.find_class("qa-from-words")[0].text_content() == words
        name = line.find_class("qa-from-name")[0]  # the headline isolated, in parentheses, once
        assert name.tag == "bdi" and name.text == f"({headline})"
        assert line.text_content().count(headline) == 1
        assert line.find_class("qa-from-time")[0].text_content() == f"· {took}"
        # nothing of the other language but the headline, which is the article's own words
        assert not other.search(line.text_content().replace(headline, "")), line.text_content()
    # the reader's own article is named as such; a label the page does not know is "the article"
    assert answered_from_words(article_line("your article", ["Harbour Festival"]), "ar") == (
        "المصدر: مقالك", "(Harbour Festival)")
    assert answered_from_words(article_line("your article", ["Harbour Festival"]), "en") == (
        "Answered from: your article", "(Harbour Festival)")
    assert answered_from_words("seed article", "ar") == ("المصدر: المقال", "")


def test_times_are_written_in_the_answers_language():
    from qa.ui_render import seconds

    assert seconds(1.234, "ar") == "1.23 ث" and seconds(0.004, "ar") == "أقل من 0.01 ث"
    assert seconds(1.234, "en") == seconds(1.234) == "1.23 s"


def test_upload_limit_is_stated_one_way():
    from qa.ingest import check_upload

    check_upload("a.txt", UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_BYTES)
    with pytest.raises(DocumentError) as err:
        check_upload("a.txt", UPLOAD_LIMIT_BYTES + 1, UPLOAD_LIMIT_BYTES)
    assert UPLOAD_LIMIT_TEXT in str(err.value) and "limit" in str(err.value)


def test_plain_text_has_markers_and_sources_and_no_html(seed_bot, seed_text):
    answer = seed_bot.ask("Who attended the conference?")
    text = plain_text(answer, seed_bot.documents)
    assert "<" not in text and "[1]" in text and "Sources:" in text
    assert text.splitlines()[0] == answer.preface and text.splitlines()[1] == answer.lead
    headline = headline_of(seed_text)
    assert headline and headline in text and "000_c53a8d77ccf2062b.txt" not in text
    for c in answer.citations:
        assert f"«{c.quote}» [{c.n}]" in text and f"characters {c.quote_start}-{c.quote_end}" in text
    # an Arabic answer's source lines are Arabic throughout
    arabic = seed_bot.ask("لماذا غابت مصر عن الاجتماع؟")
    lines = plain_text(arabic, seed_bot.documents)
    assert "المصادر:" in lines and "characters" not in lines
    for c in arabic.citations:
        assert f"، الأحرف {c.quote_start}-{c.quote_end}" in lines
        assert seed_text[c.quote_start:c.quote_end] == c.quote


def test_copy_gives_the_question_then_the_answer(seed_bot):
    # the chat's Copy gave the answer without the question it answers (a trial): the plain text
    # opens with the question as asked, labelled in its language, then the answer as before;
    # the command line (no question given) prints the answer alone
    import lxml.html

    from qa.conversation import question_lines
    from qa.ui_render import render_answer

    for question, label, sources in (("Who attended the conference?", "Question", "Sources:"),
                                     ("من حضر المؤتمر؟", "السؤال", "المصادر:")):
        answer = seed_bot.ask(question)
        alone = plain_text(answer, seed_bot.documents)
        copied = plain_text(answer, seed_bot.documents, question)
        assert copied.splitlines()[:2] == [f"{label}: {question}", ""], copied
        assert copied == "\n".join([f"{label}: {question}", "", alone])
        assert "<" not in copied and "[1]" in copied and sources in copied.splitlines()
        assert not alone.startswith(label)
        # the page's hidden copy is that text, line by line, the question's lines marked (a
        # screen reader's label of the message leaves them out: the question's bubble says it)
        message = lxml.html.fragment_fromstring(render_answer(answer, seed_bot.documents, 0.1, question=question))
        lines = message.find_class("qa-plain")[0].find_class("qa-plain-line")
        assert "\n".join(line.text_content() for line in lines) == copied
        assert [line.text_content() for line in lines if "qa-plain-question" in line.get("class")] == [
            f"{label}: {question}", ""]
    assert question_lines("  ", "en") == [] and question_lines("a\nb", "en") == ["Question: a", "b", ""]


def test_app_is_only_ui():
    """app.py holds no regex, no history policy and no limit of its own (issue #13)."""
    source = (ROOT / "app.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*import re\b|\bre\.(compile|search|match|sub|findall)\(", source, re.M)
    assert "HISTORY_TURNS" not in source and "[-2 *" not in source
    assert not re.search(r"^[A-Z_]*(LIMIT|MAX)[A-Z_]* = ", source, re.M)  # limits come from qa.conversation
    assert not re.search(r"\d[\d_]{3,}", source.replace("7860", ""))  # no byte counts written out
    assert "qa-status-busy\" in" not in source and "qa-status-error\" in" not in source  # no state read from CSS


def test_a_restored_conversation_with_another_article_gets_a_notice(seed_bot):
    # a reader asked an uploaded article, then reloaded, and the browser's copy of it could not
    # be used again: the seed article answers now, which the reader must be told
    upload = seed_bot.with_texts({"kenya.txt": "William Ruto is the president of Kenya since 2022.\n"})
    conversation = Conversation()
    conversation.ask(upload, "Who is the president of Kenya?", article="your article (kenya)")
    restored = Conversation.from_json(conversation.to_json())
    notice = restored.article_notice("seed article (Tripoli)", "seed article")
    assert "no longer in use" in notice and "seed article" in notice
    conversation.ask(seed_bot, "من حضر المؤتمر؟", article="seed article (Tripoli)")
    assert Conversation.from_json(conversation.to_json()).article_notice("seed article (Tripoli)", "seed article") == ""


def test_new_conversation_line_names_the_article_in_use_in_both_languages(seed_bot):
    """After "New conversation" the status line says which article the questions go to (it
    kept the upload's "Indexed …", a trial), in English and in Arabic."""
    from qa.conversation import article_name, new_conversation_line
    from qa.ui_render import render_status

    seed = f"the {article_name('sample article', [headline_of(t) for t in seed_bot.documents.values()])}"
    own = article_name("your article", ["tripoli.txt"])
    for line, english, arabic in ((new_conversation_line(seed, own=False), seed, "المقال الأصلي"),
                                  (new_conversation_line(own, own=True), own, "مقالك")):
        assert "Indexed" not in line
        en, ar = line.split(" / ")
        assert en == f"New conversation: questions go to {english}.", en
        assert ar.startswith("محادثة جديدة") and ar.endswith(f"{arabic}."), ar
        html = render_status(line)
        assert '<div dir="ltr">New conversation' in html and '<div dir="rtl">محادثة جديدة' in html
    assert "the sample article “\u2068طرابلس تحتضن" in new_conversation_line(seed, own=False)


def test_the_back_to_sample_line_speaks_both_languages():
    """The status line after "Back to the sample article" was English alone (a trial): English
    naming the sample article, then Arabic, each on a line of its own in its own direction."""
    from qa.conversation import article_name, back_to_sample_line
    from qa.ui_render import render_status

    sample = article_name("sample article", ["طرابلس تحتضن مؤتمرا"])
    line = back_to_sample_line(sample)
    english, arabic = line.split(" / ")
    assert english.startswith(f"Back to the {sample}") and not re.search(r"[\u0600-\u06ff]", english.split("“")[0])
    assert arabic.startswith("عدت إلى المقال الأصلي") and not re.search(r"[A-Za-z]", arabic)
    html = render_status(line)
    assert '<div dir="ltr">Back to the sample article' in html and '<div dir="rtl">عدت إلى المقال الأصلي' in html


def test_a_refusal_naming_an_arabic_file_keeps_its_english_line_left_to_right(tmp_path):
    """A trial: uploading «تقرير_كبير.txt» over the limit laid out the English line right to left
    (its first letter is the file name's), jumbled; each line now takes its language's direction."""
    from qa.conversation import UPLOAD_LIMIT_BYTES, not_indexed
    from qa.ingest import check_upload
    from qa.errors import DocumentError
    from qa.ui_render import render_status

    with pytest.raises(DocumentError) as refused:
        check_upload("تقرير_كبير.txt", 74_444, UPLOAD_LIMIT_BYTES)
    html = render_status(not_indexed(str(refused.value), refused.value.arabic), ok=False)
    assert '<div dir="ltr">تقرير_كبير.txt is 72.7 KB, over the limit' in html and '<div dir="rtl">' in html, html


def test_the_footer_leaves_out_the_last_answer_until_one_is_timed(seed_bot):
    """The footer's "last answer" is left out while no answer was timed in this page (a fresh
    page, a conversation restored by a reload): it showed "last answer –" (a trial)."""
    from qa.ui_render import footer_summary, render_footer, seconds

    untimed = render_footer(seed_bot.info(), None, "sample article")
    summary = untimed.split("<summary>")[1].split("</summary>")[0]
    assert summary == 'About · sample article · <span dir="rtl" lang="ar">نبذة · المقال الأصلي</span>', summary
    assert "–" not in untimed and "passages" in untimed
    turn = Conversation().ask(seed_bot, "من حضر المؤتمر؟")
    timed = render_footer(seed_bot.info(), turn.elapsed_s, "sample article")
    assert footer_summary("sample article", turn.elapsed_s) == (
        f"About · sample article · last answer {seconds(turn.elapsed_s)}",
        f"نبذة · المقال الأصلي · آخر إجابة {seconds(turn.elapsed_s, 'ar')}")
    # as HTML writes it: an answer under 10 ms reads "&lt; 0.01 s" there (a warm answer from the
    # cache can be that fast since the twenty-ninth session's memoised text functions)
    assert f"<summary>About · sample article · last answer {html.escape(seconds(turn.elapsed_s))} · " in timed
    # an answer from the cache is not "0.00 s" (a trial read that as no time at all)
    again = Conversation().ask(seed_bot, "من حضر المؤتمر؟")
    assert seconds(0.004) == "< 0.01 s" and seconds(0.005) == "0.01 s" and seconds(1.234) == "1.23 s"
    assert "0.00 s" not in render_footer(seed_bot.info(), again.elapsed_s, "sample article")
    assert render_footer(seed_bot.info(), None).split("</summary>")[0].endswith(
        '<summary>About · <span dir="rtl" lang="ar">نبذة</span>')


def test_the_footer_summary_is_in_both_languages(seed_bot):
    """The footer's summary was English alone ("About · sample article · last answer 0.02 s")
    while the page's other labels are in both languages (a trial): it says the same in Arabic,
    in its own direction; the folded details stay in English; its text is escaped."""
    from qa.ui_render import footer_summary, render_footer

    assert footer_summary("your article", 0.25) == ("About · your article · last answer 0.25 s",
                                                    "نبذة · مقالك · آخر إجابة 0.25 ث")
    assert footer_summary("seed article", None) == ("About · seed article", "نبذة · المقال")  # an older label
    assert footer_summary() == ("About", "نبذة")
    html = render_footer(seed_bot.info(), 0.001, "your article")
    assert ('<summary>About · your article · last answer &lt; 0.01 s · '
            '<span dir="rtl" lang="ar">نبذة · مقالك · آخر إجابة أقل من 0.01 ث</span></summary>') in html
    assert "<details" in html and " open" not in html.split(">")[0]  # the details stay folded
    assert "Embeddings:" in html.split("</summary>")[1]
    assert "&lt;b&gt;" in render_footer({}, None, "<b>x</b>")


def test_a_markdown_title_is_labelled_without_its_marks(tmp_path):
    """A ``.md`` upload's first line is a Markdown heading: labels read its words, not "# …"
    (a trial saw "# City library opens new wing" in the sources and the article panel's name).
    A ``.md`` file is now read without its markup (``qa.ingest.markdown``); a pasted text or a
    ``.txt`` file may still open with "# ", and labels leave it out there too."""
    from qa.conversation import headline_of, source_label
    from qa.ingest import load_upload

    path = tmp_path / "library.md"
    path.write_text("# City library opens new wing\n\nThe city library opened a new wing on Monday.\n",
                    encoding="utf-8")
    document = load_upload(path)
    assert document.text == "City library opens new wing\nThe city library opened a new wing on Monday."
    assert source_label({document.source: document.text}, document.source, 2) == "City library opens new wing · ¶2"
    text = "# City library opens new wing\nThe city library opened a new wing on Monday.\n"
    assert source_label({"library.txt": text}, "library.txt", 2) == "City library opens new wing · ¶2"
    assert headline_of("C# in ten minutes\n") == "C# in ten minutes" and headline_of("#hashtag\n") == "#hashtag"


@pytest.mark.parametrize("question", ["Who won the 2022 football World Cup?", "احكيلي نكتة"])
def test_an_answer_that_quotes_nothing_has_no_answered_from_line(seed_bot, question):
    # "The article does not say." and the invitation carried "Answered from · المصدر: sample
    # article (…) · 0.01 s" (three lines of mixed-direction text on a phone, a trial): they
    # quote nothing, so they were not answered from the article; the copy button stays
    import lxml.html

    from qa.conversation import article_line
    from qa.ui_render import render_answer

    answer = seed_bot.ask(question)
    assert not answer.citations, answer.text
    article = article_line("sample article", [headline_of(next(iter(seed_bot.documents.values())))])
    message = lxml.html.fragment_fromstring(render_answer(answer, seed_bot.documents, 0.01, article=article))
    assert not message.find_class("qa-from") and "Answered from" not in message.text_content()
    assert "0.01 s" not in message.text_content()  # nor its time (the page footer gives it)
    assert message.find_class("qa-copy")
    quoted = seed_bot.ask("من حضر المؤتمر؟")  # one that quotes the article keeps its line
    assert lxml.html.fragment_fromstring(
        render_answer(quoted, seed_bot.documents, 0.01, article=article)).find_class("qa-from")


def test_the_indexing_texts_are_in_both_languages():
    # the progress bar's labels and the status line while indexing were English only (a trial)
    from qa.conversation import (INDEXING_STARTED, PROGRESS_EMBEDDING, PROGRESS_INDEXING, PROGRESS_RESTORING,
                                 PROGRESS_SPLITTING)

    arabic = re.compile(r"[\u0600-\u06ff]")
    for label in (PROGRESS_INDEXING, PROGRESS_RESTORING, PROGRESS_SPLITTING, PROGRESS_EMBEDDING):
        english, other = label.split(" · ")
        assert not arabic.search(english) and arabic.search(other), label
        # Gradio appends " - 26.6%": the Arabic stays isolated so the number is not drawn inside it
        assert other.startswith("\u2068") and other.endswith("\u2069"), label
    english, other = INDEXING_STARTED.split(" / ")
    assert english.startswith("Indexing your article…") and arabic.search(other) and not arabic.search(english)


def test_gradios_end_of_event_announcement_has_a_word():
    # Gradio 6.31's screen-reader announcer says "common.complete" when an event ends, a key
    # none of its dictionaries holds: the raw key was left after a refused question (a trial)
    from qa.ui_render import GRADIO_TEXTS, UPLOAD_BOX_TEXTS

    assert GRADIO_TEXTS["common.complete"] == "Done · تم"
    assert UPLOAD_BOX_TEXTS.items() <= GRADIO_TEXTS.items()
    assert "gr.I18n(en=R.GRADIO_TEXTS)" in (ROOT / "app.py").read_text(encoding="utf-8")


def test_the_attach_hint_is_worded_in_qa_conversation():
    """The line naming a file attached in the chat box (filled in by the browser) says
    ``ATTACH_HINT_EN`` with the file's name, then ``ATTACH_HINT_AR``: one wording, here."""
    import json

    from qa.conversation import ATTACH_HINT_AR, ATTACH_HINT_EN
    from qa.ui_render import ATTACH_HINT_JS

    assert "{name}" in ATTACH_HINT_EN and "press Ask" in ATTACH_HINT_EN and "اسأل" in ATTACH_HINT_AR
    assert json.dumps(ATTACH_HINT_EN) in ATTACH_HINT_JS and json.dumps(ATTACH_HINT_AR) in ATTACH_HINT_JS
    assert "__EN__" not in ATTACH_HINT_JS and "__AR__" not in ATTACH_HINT_JS
    # the name goes in as text: a "$&" in a file name is not a replacement pattern
    assert '.replace("{name}", () => name)' in ATTACH_HINT_JS


def test_a_clicked_marker_finds_its_own_answer_and_the_panel_says_it_is_an_earlier_one(seed_bot):
    """A marker clicked in the chat names its answer by its place counted back from the latest
    (``qa.ui_render.parse_pick``); the conversation gives that turn back, kept in the browser or
    not, unless it was answered from another article; the article panel drawn for an earlier
    answer says so above the text, in both languages, naming its question."""
    import lxml.html

    from qa import ui_render

    conversation = Conversation()
    article = "sample article (Tripoli)"
    first = conversation.ask(seed_bot, "Where was it held? Who attended?", article=article)
    latest = conversation.ask(seed_bot, "لماذا غابت مصر عن الاجتماع؟", article=article)
    restored = Conversation.from_json(json.loads(json.dumps(conversation.to_json())))
    for kept in (conversation, restored):
        assert kept.shown_turn(1, article).question == latest.question
        assert kept.shown_turn(2, article).answer == first.answer
        assert kept.shown_turn(3, article) is None and kept.shown_turn(0, article) is None
        assert kept.shown_turn(2, "your article (harbour)") is None  # its passages are not in this article
        assert kept.earlier_turn(first.answer).question == first.question
        assert kept.earlier_turn(latest.answer) is None and kept.earlier_turn(None) is None
    assert ui_render.parse_pick("2:3:1712345678901") == (2, 3) and ui_render.parse_pick("1:1") == (1, 1)
    for junk in (None, "", "x:1", "1", "-1:2", "١:٢", 3):
        assert ui_render.parse_pick(junk) is None, junk
    assert ui_render.picked_source(first.answer, 2) == 2 and ui_render.picked_source(first.answer, 99) == 1

    panel = lxml.html.fragment_fromstring(
        ui_render.render_article(seed_bot.documents, first.answer, focus=2, earlier=first.question), create_parent="div")
    line = panel.find_class("qa-earlier")[0].text_content()
    assert "Sources of an earlier answer" in line and "مصادر إجابة سابقة" in line and first.question in line
    assert panel.get_element_by_id("qa-focus").get("data-qa-n").split()[0] == "2"
    assert "qa-earlier" not in ui_render.render_article(seed_bot.documents, latest.answer)


def test_a_switch_of_article_says_which_conversation_it_cleared(seed_bot):
    """The status line of an upload, a paste or "Back to the sample article" says, in English
    and Arabic, that the conversation about the article before was cleared, when there was one
    (the chat was emptied without a word, a trial); with none, it says nothing of one."""
    from qa.conversation import back_to_sample_line, cleared_article, indexed_line

    conversation = Conversation()
    assert cleared_article(conversation.to_json(), own=False) == "" and cleared_article(None, own=True) == ""
    conversation.ask(seed_bot, "من حضر المؤتمر؟")
    kept = conversation.to_json()
    assert cleared_article(kept, own=False) == "the sample article"
    assert cleared_article(kept, own=True) == "your previous article"
    english, arabic = indexed_line("tripoli.txt", False, 10, cleared=cleared_article(kept, own=False)).split(" / ")
    assert english.endswith("Your conversation about the sample article was cleared: a new one starts."), english
    assert arabic.endswith("مُسحت محادثتك عن المقال الأصلي، وتبدأ محادثة جديدة."), arabic
    english, arabic = back_to_sample_line("sample article", cleared_article(kept, own=True)).split(" / ")
    assert "Your conversation about your previous article was cleared" in english and "مقالك السابق" in arabic
    for line in (indexed_line("tripoli.txt", False, 10), back_to_sample_line("sample article"),
                 indexed_line("tripoli.txt", False, 10, restored=True)):
        assert "cleared" not in line and "مُسحت" not in line, line


def test_the_status_lines_have_no_aside_in_parentheses_and_keep_names_whole():
    """On a 390 px phone a parenthesised aside in a status line wrapped apart from its words, an
    Arabic headline's parenthesis alone at a line's end (a trial): the everyday lines hold none,
    and ``render_status`` draws each name (in isolates) with its quotes on one line, and a short
    parenthesised group from an error's words whole."""
    import lxml.html

    from qa.conversation import (QUESTION_NOT_ASKED, article_name, back_to_sample_line, indexed_line,
                                 new_conversation_line, not_indexed)
    from qa.ui_render import render_status

    sample = article_name("sample article", ["طرابلس تحتضن مؤتمرا"])
    lines = [indexed_line("tripoli.txt", False, 10, cleared="the sample article"),
             indexed_line("مكتبة المدينة", True, 2), indexed_line("tripoli.txt", False, 10, restored=True),
             new_conversation_line(f"the {sample}", own=False), back_to_sample_line(sample, "your previous article"),
             QUESTION_NOT_ASKED, not_indexed("big.txt is over the limit")]
    for line in lines:
        assert "(" not in line and ")" not in line, line
    status = lxml.html.fragment_fromstring(render_status(indexed_line("مكتبة المدينة", True, 2)))
    english = status.getchildren()[0]
    name = english.find_class("qa-status-name")[0]
    assert name.text_content() == "“مكتبة المدينة”:" and name.find("bdi").text == "مكتبة المدينة"
    assert "\u2068" not in status.text_content() and "\u2069" not in status.text_content()
    # the Arabic half names a pasted text as the reader's pasted text, a file as their article
    # («فُهرس مقالك النص الملصق» read "your article the pasted text", a trial)
    assert indexed_line("مكتبة المدينة", True, 2).split(" / ")[1].startswith("فُهرس نصك الملصق «")
    assert indexed_line("tripoli.txt", False, 10).split(" / ")[1].startswith("فُهرس مقالك «")
    # an English headline in the Arabic half: Arabic quotes, the name kept on one line with them
    # (“…” drew as ”…“ there, trial 50)
    arabic = lxml.html.fragment_fromstring(render_status(indexed_line("Port Elden opens new ferry terminal", False, 8))
                                           ).getchildren()[1]
    named = arabic.find_class("qa-status-name")[0]
    assert named.text_content() == "«Port Elden opens new ferry terminal»،", named.text_content()
    # each name is drawn in its own direction: as an inline block a <bdi> took the Arabic line's,
    # and ".pdf" read "pdf." there (trial 51)
    refused = lxml.html.fragment_fromstring(render_status(not_indexed(
        "junk.bin cannot be read", "لا يُقرأ نوع الملف \u2068junk.bin\u2069؛ استخدم ملف \u2068.pdf\u2069 أو \u2068.md\u2069.",
        in_use=("your article “مكتبة المدينة”", "مقالك «\u2068مكتبة المدينة\u2069»")))).getchildren()[1]
    # the Arabic half names what was refused: a file or a pasted text (it said "file or text", trial 51)
    assert not_indexed("x", "س", what="file").split(" / ")[1].startswith("لم يُستخدم هذا الملف، ويبقى")
    assert not_indexed("x", "س", what="text").split(" / ")[1].startswith("لم يُستخدم هذا النص، ويبقى")
    directions = {b.text: b.get("dir") for b in refused.iter("bdi")}
    assert directions == {"مكتبة المدينة": "rtl", "junk.bin": "ltr", ".pdf": "ltr", ".md": "ltr"}, directions
    kept = lxml.html.fragment_fromstring(render_status("Could not index this file (ValueError: x) / لا"))
    assert [k.text_content() for k in kept.find_class("qa-keep")] == ["(ValueError: x)"]


def test_every_label_the_app_sets_speaks_both_languages(seed_bot):
    """Each label, placeholder, button text and heading the app gives its components says it in
    English and in Arabic ("Ask · اسأل"), as the page's other labels do: the chat's label, the
    article panel's heading and a source's tooltip were English alone (a trial); so were the
    indexing progress's units ("texts embedded"). Gradio's own words are not ours."""
    import gradio as gr

    import app

    arabic, latin = re.compile(r"[\u0600-\u06ff]"), re.compile(r"[A-Za-z]{2,}")

    def bilingual(text: str) -> bool:
        return bool(arabic.search(text) and latin.search(text))

    demo = app.build_app(seed_bot)
    try:
        seen = []
        for block in demo.blocks.values():
            for attribute in ("label", "placeholder", "submit_btn"):
                text = getattr(block, attribute, None)
                if isinstance(text, str) and text:
                    seen.append((type(block).__name__, attribute, text))
            # (the JSON endpoint's button is never drawn: it keeps Gradio's "Run")
            if isinstance(block, gr.Button) and block.value and block.visible is not False:
                seen.append(("Button", "value", block.value))
        kinds = {kind for kind, _attribute, _text in seen}
        assert len(seen) >= 14 and {"Chatbot", "Radio", "File", "Accordion", "Dataset"} <= kinds, seen
        for kind, attribute, text in seen:
            assert bilingual(text), (kind, attribute, text)
    finally:
        demo.articles.stop_sweeper()
    from qa.conversation import PROGRESS_UNIT_EMBEDDED, PROGRESS_UNIT_SPLIT
    from qa.ui_render import ARTICLE_HEADING, SHOW_IN_ARTICLE

    for text in (ARTICLE_HEADING, SHOW_IN_ARTICLE, PROGRESS_UNIT_EMBEDDED, PROGRESS_UNIT_SPLIT):
        assert bilingual(text), text
    assert "Article" in ARTICLE_HEADING and "المقاطع" in ARTICLE_HEADING
    # the legend shows each highlight in the class the article panel marks it with (a trial:
    # blue and yellow were never explained), in each language
    import lxml.html

    heading = lxml.html.fragment_fromstring(ARTICLE_HEADING)
    for half in heading.getchildren():
        assert half.find_class("qa-cited") and half.xpath(".//mark[not(@class)]") and half.find_class("qa-quote-rest")


def test_the_restored_line_names_the_article_in_both_languages_and_says_it_was_kept_per_tab():
    """After a reload the status line names the article and its passages in Arabic too (it
    named neither, a trial), and says it was kept in this tab, as it now is."""
    from qa.conversation import indexed_line

    english, arabic = indexed_line("harbour.txt", False, 3, restored=True).split(" / ")
    assert "harbour.txt" in english and "kept in this browser tab" in english and "3 passages" in english
    assert "harbour.txt" in arabic and "3" in arabic and "هذه النافذة" in arabic
    pasted = indexed_line("Harbour Festival Ends", True, 1, restored=True).split(" / ")[1]
    assert "نصك الملصق" in pasted and "Harbour Festival Ends" in pasted


def test_a_french_question_gets_french_labels(seed_bot):
    """A French question's first line is French (``qa.preface``); the labels under it were
    English ("Evidence:", "Sources:", "characters", a trial of ``article-qa chat``). They are
    French too, in the plain text (copy, the command line) and on the web page; an English
    question keeps English ones."""
    from qa.conversation import plain_text
    from qa.ui_render import render_answer

    answer = seed_bot.ask("Pourquoi l'Égypte était-elle absente ?")
    assert not answer.abstained and answer.preface.startswith("L'article (en arabe)")
    text = plain_text(answer, seed_bot.documents, answer.question)
    assert text.startswith("Question : Pourquoi") and "\nSources :\n" in text and ", caractères " in text, text
    assert "characters" not in text and "Evidence" not in text
    page = render_answer(answer, seed_bot.documents, article="sample article", question=answer.question)
    assert ">Copier<" in page and "Whole sentences" not in page
    assert "Réponse tirée de : l’article d’exemple" in page and "Answered from" not in page
    english = plain_text(seed_bot.ask("Why was Egypt absent?"), seed_bot.documents)
    assert "\nSources:\n" in english and ", characters " in english


def test_the_line_above_an_answer_names_a_french_article_french(seed_bot):
    """Over a French article an English reader's line said "(in English)" and a French
    reader got «L'article (en anglais)» (a trial). The article's language is read by py3langid
    (``qa.text.document_language``); the policy still reads the script ("en")."""
    from test_app_api import FRENCH_ARTICLE

    bot = seed_bot.with_texts({"musee.txt": FRENCH_ARTICLE})
    assert bot.extractive.document_language == "fr" and bot.extractive.collection_language == "en"
    assert seed_bot.extractive.document_language == "ar"
    english = bot.ask("How much did the building cost?")
    assert not english.abstained and english.preface.startswith("The article (in French)"), english.preface
    french = bot.ask("Combien a coûté le bâtiment ?")
    assert not french.abstained and french.preface == "" and "quarante millions" in french.lead, french.lead
    arabic = bot.ask("كم كلفة المبنى؟")
    assert arabic.preface.startswith("المقال (بالفرنسية)") or arabic.abstained, arabic.preface


def test_a_french_follow_up_keeps_french_labels(seed_bot):
    """"Qu'a-t-il dit ?" after a French question was labelled in English ("Evidence:",
    "Sources:", an English first line; a trial): the inversion "a-t-il" is read as French."""
    from qa.conversation import label_language, plain_text
    from qa.preface import reader_language

    assert reader_language("Qu'a-t-il dit ?") == "fr" and reader_language("Que pense-t-elle ?") == "fr"
    assert reader_language("What did he say?") == "en" and reader_language("Chi è il presidente?") == "en"
    first = seed_bot.ask("Qui a prononcé le discours d'ouverture ?")
    follow = seed_bot.ask("Qu'a-t-il dit ?", history=[{"role": "user", "content": first.question},
                                                      {"role": "assistant", "content": first.text}])
    assert label_language(follow) == "fr"
    assert follow.abstained or follow.preface.startswith("L'article (en arabe)"), follow.preface
    assert "Sources :" in plain_text(follow, seed_bot.documents) or follow.abstained


def test_a_french_reader_is_told_in_french_what_the_bot_says_in_its_own_words(seed_bot):
    """The bot's own sentences (the refusal, the invitation, the replies to thanks, a
    goodbye and a doubt) were English to a French reader, beside French labels ("The article
    does not say." next to «Copier», English replies to «Bonjour» and «Merci !», trial 62).
    They are French now; the answer's ``language`` stays the script's (what the policy
    reads), English and Arabic readers are told as before, and every reply written in
    English has its French."""
    from qa import answer as answer_module, chain, followups
    from qa.conversation import label_language

    refused = seed_bot.ask("Qui a gagné la Coupe du monde 2022 ?")
    assert refused.abstained and refused.text == answer_module.ABSTENTION["fr"] and refused.language == "en"
    assert label_language(refused) == "fr"
    assert seed_bot.ask("Who won the 2022 World Cup?").text == "The article does not say."
    assert seed_bot.ask("من فاز بكأس العالم 2022؟").text == "لا يذكر المقال ذلك."
    assert seed_bot.ask("Bonjour").text == followups.INVITATION["fr"]
    assert seed_bot.ask("Merci !").text == followups.THANKS_REPLY["fr"]
    assert seed_bot.ask("hello").text == followups.INVITATION["en"]
    first = seed_bot.ask("Qui a prononcé le discours d'ouverture ?")
    history = [{"role": "user", "content": first.question}, {"role": "assistant", "content": first.text}]
    assert not first.abstained and seed_bot.ask("Vous êtes sûr ?", history=history).text == followups.DOUBT_REPLY["fr"]
    # a French refusal is a refusal to the follow-up planner as the others are
    assert refused.text in answer_module.ABSTENTION.values()
    replies = [answer_module.ABSTENTION, followups.INVITATION, followups.THANKS_REPLY, followups.FAREWELL_REPLY,
               followups.NO_ANTECEDENT, followups.PRAISE_REPLY, followups.COMPLAINT_REPLY, followups.DOUBT_REPLY,
               followups.DOUBT_REPLY_MODEL, followups.AFTER_REFUSAL_REPLY, followups.CLARIFY_REPLY,
               chain.NO_AUTHOR, chain.WEB_ADDRESS_REPLY, chain.PASTED_TEXT_REPLY, chain.PASTED_QUESTION_REPLY,
               chain.ADDRESS_QUESTION_REPLY]
    assert all(set(r) == {"ar", "en", "fr"} and r["fr"] != r["en"] for r in replies)


@pytest.mark.parametrize("text", ["hello", "Hello world", "ok"])
def test_a_text_too_short_to_tell_its_language_is_not_named_one(text):
    """The pasted text "hello" was called Breton (a trial): py3langid gives that guess p 0.07.
    A guess under even odds is not taken; the text reads by its script."""
    from qa.text import document_language

    assert document_language(text) == "en"
    assert document_language("Le maire a coupé le ruban devant les visiteurs.") == "fr"
    assert document_language("Der Bürgermeister hat das Band durchgeschnitten.") == "de"


def test_a_file_the_page_held_back_is_refused_in_the_words_of_any_upload_over_its_limit():
    """The page holds back a file over qa.ingest.MAX_BINARY_BYTES and sends its name and size
    (R.CLICK_JS); the refusal is the one ``load_upload`` gives a file of that size on disk."""
    from qa.conversation import UPLOAD_LIMIT_BYTES, held_file
    from qa.ingest import MAX_BINARY_BYTES, check_upload, size_text

    assert held_file('{"name": "huge.txt", "size": 20000001}') == ("huge.txt", 20_000_001)
    for bad in (None, "", "{}", '{"name": "a.pdf"}', '{"name": "", "size": 5}', '{"name": "a.pdf", "size": -1}',
                '{"name": "a.pdf", "size": true}', "[1, 2]", 7):
        with pytest.raises(DocumentError, match="No file received"):
            held_file(bad)
    for name, size, limit in (("huge.txt", MAX_BINARY_BYTES + 1, "60.0 KB"),
                              ("huge.pdf", MAX_BINARY_BYTES + 1, size_text(MAX_BINARY_BYTES))):
        with pytest.raises(DocumentError, match=f"over the limit of {limit}") as info:
            check_upload(name, size, UPLOAD_LIMIT_BYTES)
        assert "فوق الحد" in info.value.arabic
    with pytest.raises(DocumentError, match="cannot be read"):
        check_upload("photo.png", MAX_BINARY_BYTES + 1, UPLOAD_LIMIT_BYTES)
    check_upload("small.pdf", 1000, UPLOAD_LIMIT_BYTES)  # within the limits: nothing to refuse
    # sizes from a megabyte on in MB: a trial read "21504.0 KB, over the limit of 19531.2 KB"
    assert (size_text(MAX_BINARY_BYTES), size_text(61_440), size_text(21 * 1024 * 1024)) == (
        "20.0 MB", "60.0 KB", "21.0 MB")


def test_check_upload_says_what_load_upload_says_of_the_same_file(tmp_path):
    from qa.conversation import UPLOAD_LIMIT_BYTES
    from qa.ingest import check_upload, load_upload

    big = tmp_path / "big.txt"
    big.write_text("word " * (UPLOAD_LIMIT_BYTES // 4), encoding="utf-8")
    with pytest.raises(DocumentError) as on_disk:
        load_upload(big, max_text_bytes=UPLOAD_LIMIT_BYTES)
    with pytest.raises(DocumentError) as by_size:
        check_upload(big.name, big.stat().st_size, UPLOAD_LIMIT_BYTES)
    assert (str(on_disk.value), on_disk.value.arabic) == (str(by_size.value), by_size.value.arabic)


def test_the_article_panel_numbers_its_paragraphs_as_the_sources_do(seed_bot, tmp_path):
    """The sources say "¶8" but the article panel showed no numbers to find it by (a trial):
    each paragraph carries its number, the one its citations give, for every citation of
    answers over the seed article and over an upload with blank lines and a byte-order mark."""
    from lxml import html as lxml_html

    from qa import ui_render

    upload = "\ufeffHarbour council approves ferry terminal\n\n\nThe council voted on Tuesday to approve it.\n\n" \
             "The terminal will cost 14 million pounds, the council leader Tom Reyes said.\n"
    cases = [(seed_bot, q) for q in ("Why was Egypt absent?", "من حضر المؤتمر؟", "Who gave the opening speech?")]
    cases.append((seed_bot.with_texts({"harbour.txt": upload}), "How much will the terminal cost?"))
    checked = 0
    for bot, question in cases:
        answer = bot.ask(question)
        tree = lxml_html.fragment_fromstring(ui_render.render_article(bot.documents, answer), create_parent="div")
        for c in answer.citations:
            (cited,) = [e for e in tree.iter("span") if str(c.n) in (e.get("data-qa-n") or "").split()
                        and e.find("sup") is not None and e.find("sup").text == f"[{c.n}]"]
            paragraph = next(p for p in cited.iterancestors("p"))
            assert paragraph.get("data-qa-paragraph") == str(c.paragraph), (question, c.n)
            checked += 1
    assert checked >= len(cases)
