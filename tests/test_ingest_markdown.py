"""A ``.md`` article is read as the text its rendered page shows (``qa.ingest.markdown``).

A trial uploaded a Markdown article and got answers quoting its markup («وقال المدير الجهوي
للشركة، **سامي بن علي**، …»), a headline «# أزمة المياه في مدينة صفاقس», and the marks in the
article panel. The articles below are Markdown as people write it; each is uploaded as a file
(``load_upload``, what the web UI calls) and asked about, and every citation must point into
the plain text.
"""

from __future__ import annotations

import re

import pytest

from qa import DocumentError
from qa.conversation import headline_of
from qa.ingest import load_bytes, load_upload

ARABIC_MD = """\
# أزمة المياه في مدينة صفاقس

صفاقس، 12 مارس — تعيش أحياء عديدة في مدينة صفاقس انقطاعات متكررة في مياه الشرب منذ بداية
الشهر، بسبب تراجع منسوب السدود وأعطال في محطة التحلية الجديدة.

وقال المدير الجهوي للشركة، **سامي بن علي**، إن فرق الصيانة تعمل ليلا ونهارا لإصلاح مضخات
المحطة، وإن الضخ سيعود إلى مستواه العادي قبل نهاية الأسبوع المقبل.

وحددت الشركة ثلاثة إجراءات عاجلة:

- توزيع المياه بالصهاريج على الأحياء الأكثر تضررا.
- نشر جدول الانقطاعات مسبقا على [موقع الشركة](https://example.com/sfax).
- فتح خط هاتفي مجاني لتلقي شكاوى المواطنين.

| الحي | ساعات الانقطاع يوميا |
|---|---|
| ساقية الزيت | 8 |
| طريق العين | 6 |

من جهتها، دعت **ليلى الحمامي**، رئيسة جمعية حماية المستهلك، إلى تعويض العائلات المتضررة عن
فواتير الشهر الجاري.
"""

ARABIC_LINES = [
    "أزمة المياه في مدينة صفاقس",
    "صفاقس، 12 مارس — تعيش أحياء عديدة في مدينة صفاقس انقطاعات متكررة في مياه الشرب منذ بداية "
    "الشهر، بسبب تراجع منسوب السدود وأعطال في محطة التحلية الجديدة.",
    "وقال المدير الجهوي للشركة، سامي بن علي، إن فرق الصيانة تعمل ليلا ونهارا لإصلاح مضخات "
    "المحطة، وإن الضخ سيعود إلى مستواه العادي قبل نهاية الأسبوع المقبل.",
    "وحددت الشركة ثلاثة إجراءات عاجلة:",
    "توزيع المياه بالصهاريج على الأحياء الأكثر تضررا.",
    "نشر جدول الانقطاعات مسبقا على موقع الشركة.",
    "فتح خط هاتفي مجاني لتلقي شكاوى المواطنين.",
    "| الحي: ساقية الزيت | ساعات الانقطاع يوميا: 8 |",
    "| الحي: طريق العين | ساعات الانقطاع يوميا: 6 |",
    "من جهتها، دعت ليلى الحمامي، رئيسة جمعية حماية المستهلك، إلى تعويض العائلات المتضررة عن "
    "فواتير الشهر الجاري.",
]

ENGLISH_MD = """\
Harbour tram line opens in Misrata
==================================

Misrata's _first_ tram line opened on Sunday, linking the port to the old market in
18 minutes.

Tickets are sold through an app called `TramPay`, and a single ride costs *two dinars*.

The works went in three stages:

1. Laying 9 km of track along the coast road.
2. Building _twelve_ stations, each with a shelter.
3. Testing the trams at night for six weeks.

Mayor **Khaled Al-Ghwail** said a second line, to the university, is planned for 2028.
"""

ENGLISH_LINES = [
    "Harbour tram line opens in Misrata",
    "Misrata's first tram line opened on Sunday, linking the port to the old market in 18 minutes.",
    "Tickets are sold through an app called TramPay, and a single ride costs two dinars.",
    "The works went in three stages:",
    "1. Laying 9 km of track along the coast road.",
    "2. Building twelve stations, each with a shelter.",
    "3. Testing the trams at night for six weeks.",
    "Mayor Khaled Al-Ghwail said a second line, to the university, is planned for 2028.",
]

# Markdown's marks: strong/emphasis runs, an ATX heading, a link's "](", a code span's backtick
MARKUP = re.compile(r"\*\*|__|#|\]\(|`|^[-*+] ", re.M)


def _upload(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return load_upload(path)


def _assert_cited_without_markup(bot, answer, words: str) -> None:
    assert not answer.abstained and answer.citations, answer.text
    for c in answer.citations:
        assert bot.documents[c.source][c.quote_start : c.quote_end] == c.quote
        assert bot.documents[c.source][c.start : c.end] == c.text
        assert not MARKUP.search(c.quote) and not MARKUP.search(c.text), c.quote
    assert any(words in c.quote for c in answer.citations), [c.quote for c in answer.citations]
    assert "**" not in answer.text and "`" not in answer.text


def test_an_arabic_markdown_article_reads_as_its_page_shows(seed_bot, tmp_path):
    """The headline without its «# », names without «**», list items as lines without their
    bullets, the link as its words, the pipe table a row a line under its headings (as a Word
    table), and the answer's quote points at the plain text."""
    document = _upload(tmp_path, "sfax-water.md", ARABIC_MD)
    assert document.text.splitlines() == ARABIC_LINES
    assert not MARKUP.search(document.text)
    assert headline_of(document.text) == "أزمة المياه في مدينة صفاقس"
    bot = seed_bot.with_documents([document])
    answer = bot.ask("ماذا قال المدير الجهوي للشركة؟")
    _assert_cited_without_markup(bot, answer, "سامي بن علي")
    answer = bot.ask("كم ساعة ينقطع الماء يوميا في ساقية الزيت؟")
    _assert_cited_without_markup(bot, answer, ARABIC_LINES[7])


def test_an_english_markdown_article_reads_as_its_page_shows(seed_bot, tmp_path):
    """A setext headline, emphasis, a code span and a numbered list (its items keep the
    numbers the page shows)."""
    document = _upload(tmp_path, "tram.md", ENGLISH_MD)
    assert document.text.splitlines() == ENGLISH_LINES
    assert not MARKUP.search(document.text) and "_" not in document.text
    bot = seed_bot.with_documents([document])
    answer = bot.ask("How much does a single tram ride cost?")
    _assert_cited_without_markup(bot, answer, "two dinars")
    answer = bot.ask("Who said a second line is planned?")
    _assert_cited_without_markup(bot, answer, "Khaled Al-Ghwail")


def test_markdown_in_a_legacy_encoding_is_decoded_then_parsed(tmp_path):
    """Windows-1256 bytes are decoded as a ``.txt`` file's are, then read as Markdown."""
    assert _upload(tmp_path, "sfax-1256.md", ARABIC_MD.replace("—", "-"), "cp1256").text.splitlines() == [
        line.replace("—", "-") for line in ARABIC_LINES]


def test_a_txt_file_with_markdown_marks_stays_as_it_is():
    """Only ``.md`` is Markdown: a ``.txt`` file's asterisks, hashes and brackets are its text."""
    text = "# 1 **مهم**\n* نقطة أولى\nقال [المصدر](هنا) إن `x` * 2 = 10\n\n    مسافة بادئة\n"
    assert load_bytes("note.txt", text.encode("utf-8")).text == text
    assert load_bytes("note.txt", ARABIC_MD.encode("utf-8")).text == ARABIC_MD


def test_front_matter_raw_html_images_quotes_and_code_in_markdown():
    """Front matter is left out, its title made the first line (and ``Document.title``); raw
    HTML is read as HTML (comments dropped, a table as a Word table); an image alone gives
    nothing, inside a sentence its alt text; a block quote, a hard break, a nested list, an
    ordered list starting at 3 and a code block each as a reader sees them."""
    source = """\
---
title: "Port of Misrata: record year"
date: 2026-03-12
tags: [ports, trade]
---

<!-- editor's note: check the figures -->

![Cranes at the container terminal](cranes.jpg)

The port handled a record number of containers, as the chart ![bar chart](c.png) shows.

> «هذا رقم قياسي»، قال مدير الميناء.\\
> وأضاف أن العمل مستمر.

<table><tr><th>Year</th><th>Ships</th></tr><tr><td>2025</td><td>2,405</td></tr></table>

3. Dredging ~~ended~~ ended in May.
4. A new quay opens:
   - north side first,
   - south side in 2027.

---

    TEU 1,720,000
"""
    document = load_bytes("port.md", source.encode("utf-8"))
    assert document.title == "Port of Misrata: record year"
    assert document.text.splitlines() == [
        "Port of Misrata: record year",
        "The port handled a record number of containers, as the chart bar chart shows.",
        "«هذا رقم قياسي»، قال مدير الميناء.",
        "وأضاف أن العمل مستمر.",
        "| Year: 2025 | Ships: 2,405 |",
        "3. Dredging ended ended in May.",
        "4. A new quay opens:",
        "north side first,",
        "south side in 2027.",
        "TEU 1,720,000",
    ]
    # a heading that states the title already is not written twice; a first line "---" that
    # opens no YAML mapping is a thematic break, not front matter
    assert load_bytes("a.md", b"---\ntitle: Same\n---\n# Same\n\nBody text here.").text == "Same\nBody text here."
    # nor a shorter title above a heading of its own (a trial: both were shown, one after the
    # other); without a heading opening the body, the title is the first line
    opened = load_bytes("c.md", b"---\ntitle: New bridge opens\n---\n# New bridge opens in Riverton\n\nBody text here.")
    assert opened.text == "New bridge opens in Riverton\nBody text here." and opened.title == "New bridge opens"
    assert load_bytes("d.md", b"---\ntitle: New bridge opens\n---\nBody text here.\n\n# Later\n").text == \
        "New bridge opens\nBody text here.\nLater"
    assert load_bytes("b.md", b"---\n\nJust text after a rule.\n").text == "Just text after a rule."
    with pytest.raises(DocumentError, match="empty"):
        load_bytes("blank.md", b"---\ndraft: true\n---\n<!-- nothing yet -->\n\n![](x.png)\n")
