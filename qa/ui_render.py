"""HTML for the web UI: chat messages, numbered sources, the article panel and the footer.

Every piece of article or question text goes through ``html.escape`` here, so a question
or an uploaded article holding ``<script>`` or ``<img onerror=...>`` shows as text.  The
output of each ``render_*`` function is a single line of HTML (no blank lines), so the
chat's Markdown renderer passes it through as one HTML block instead of reading the
article text as Markdown.

Links between the chat and the article panel are a class ``qa-goto-<element id>`` (the
chat's sanitiser strips inline event handlers and ``data-*`` attributes, but keeps
classes); a small script (``CLICK_JS``) scrolls the article panel to that element.

A container whose children all carry their own ``dir`` gets no direction from
``dir="auto"`` (the browser skips such children), so answer containers get an explicit
``dir`` from the first strong character of the answer text.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from qa.answer import Answer, Citation, numbered_as_read
from qa.conversation import (ARTICLE_LABELS_AR, ATTACH_HINT_AR, ATTACH_HINT_EN, BUSY_HINT_AR, BUSY_HINT_EN, LABELS, answered_from_words,
                             headline_of, label_language, plain_text, question_lines, source_label, source_title)
from qa.ingest.document import LIST_BREAK
from qa.lead import LEAD_QUOTE
from qa.splitting import past_ornaments, text_paragraphs
from qa.text import without_directional_marks

_MARKER = re.compile(r"\[(\d+)\]")


def esc(text: str | None) -> str:
    """HTML-escape ``text`` (quotes too) and turn line breaks (and the ``LIST_BREAK`` before
    a list's items) into ``<br>``."""
    return html.escape(text or "", quote=True).replace("\r\n", "\n").replace("\n", "<br>").replace(LIST_BREAK, "<br>")


def paragraph_anchor(doc_index: int, line_index: int) -> str:
    """The element id of one paragraph (one line of the document) in the article panel."""
    return f"qa-art-d{doc_index}-p{line_index}"


def anchor_for_offset(documents: Mapping[str, str], source: str, offset: int) -> str | None:
    """The paragraph anchor holding character ``offset`` of document ``source``."""
    names = list(documents)
    if source not in documents:
        return None
    text = documents[source]
    offset = max(0, min(offset, len(text)))
    return paragraph_anchor(names.index(source), text.count("\n", 0, offset))


_RTL = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
_STRONG = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def text_direction(text: str | None) -> str:
    """``"rtl"`` when the first strong (letter) character of ``text`` is Arabic or Hebrew."""
    m = _STRONG.search(text or "")
    return "rtl" if m and _RTL.match(m.group(0)) else "ltr"


_NAMED = re.compile(r"[\u2066-\u2068][^\u2069]*\u2069?|“[^”]*”?|«[^»]*»?")


def _language_direction(text: str) -> str:
    """``"rtl"`` when most strong (letter) characters of ``text`` outside the names it quotes
    or isolates are Arabic or Hebrew: the direction of a status line's language. Its first
    letter misleads when the line opens with a name in the other script: "تقرير.txt is over
    the limit …" was laid out right to left (a trial). ``text_direction`` when only names
    hold letters."""
    strong = _STRONG.findall(_NAMED.sub(" ", text or ""))
    if not strong:
        return text_direction(text)
    rtl = sum(1 for c in strong if _RTL.match(c))
    return "rtl" if rtl > len(strong) - rtl else "ltr"


def _goto(anchor: str | None) -> str:
    return f" qa-goto-{anchor}" if anchor else ""


# --------------------------------------------------------------------------- chat messages


def render_user(question: str) -> str:
    """A user's question as a chat message (escaped, in its own direction), shown as far as
    it is asked: past ``qa.chain.MAX_QUESTION_CHARS`` it ends in "…" (a 100,000-character
    paste filled the bubble; the answer's notice says the question was shortened)."""
    from qa.chain import MAX_QUESTION_CHARS

    if len(question) > MAX_QUESTION_CHARS:
        question = question[:MAX_QUESTION_CHARS] + "…"
    return f'<div class="qa-msg qa-user" dir="auto">{esc(without_directional_marks(question))}</div>'


def render_pending(partial: str = "") -> str:
    """The assistant message while the answer streams in."""
    body = esc(partial) if partial else '<span class="qa-wait">…</span>'
    return f'<div class="qa-msg qa-answer qa-streaming" dir="{text_direction(partial)}">{body}</div>'


def render_error(message: str) -> str:
    """An error shown in the chat in place of an answer."""
    return f'<div class="qa-msg qa-error" dir="auto" role="alert">{esc(message)}</div>'


def _marked_text(text: str, citations: Sequence[Citation], documents: Mapping[str, str]) -> str:
    """Escape the answer text and turn each ``[n]`` marker into a link to its source."""
    by_n = {c.n: c for c in citations}
    out: list[str] = []
    pos = 0
    for m in _MARKER.finditer(text):
        out.append(esc(text[pos : m.start()]))
        cit = by_n.get(int(m.group(1)))
        if cit is None:
            out.append(esc(m.group(0)))
        else:
            goto = _goto(anchor_for_offset(documents, cit.source, cit.start))
            out.append(
                f'<sup class="qa-ref{goto}" title="{esc(source_label(documents, cit.source, cit.paragraph))}">'
                f"[{cit.n}]</sup>"
            )
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def _lead_lines(text: str, citations: Sequence[Citation], documents: Mapping[str, str]) -> str:
    """``_marked_text`` of a short answer, each of its lines in a block of its own direction:
    an answer to several questions holds each question ("Where was it held?") on a line above
    its quotes, and the whole block took the first line's direction, so Arabic quotes under an
    English question ran left to right, their «» and markers on the wrong sides (a trial)."""
    if "\n" not in text:
        return _marked_text(text, citations, documents)
    return "".join(f'<div class="qa-line" dir="auto">{_marked_text(line, citations, documents)}</div>'
                   if line.strip() else '<div class="qa-line-gap"></div>' for line in text.split("\n"))


def _quoted_sentence(cit: Citation, lead_spans: Sequence[str]) -> str:
    """The quoted sentence of a citation, escaped, with the part the short answer quotes
    (one of ``lead_spans``) in ``<mark>``. A sentence the short answer does not quote is
    not marked (a trial saw every sentence of the evidence marked whole and could not tell
    what answered); without lead spans (a chat model's answer) the whole sentence is."""
    quote = cit.quote
    for span in lead_spans:
        at = quote.find(span)
        if span and at >= 0:
            return f"{esc(quote[:at])}<mark>{esc(span)}</mark>{esc(quote[at + len(span):])}"
    return esc(quote) if any(lead_spans) else f"<mark>{esc(quote)}</mark>"


def lead_offsets(answer: Answer) -> list[tuple[str, int, int]]:
    """``(source, start, end)`` document offsets of the short answer's pieces (``«piece» [n]``
    of ``Answer.lead``, each found in the quote of citation ``n``); ``[]`` when the lead
    quotes nothing (an abstention, a chat model's prose)."""
    by_n = {c.n: c for c in answer.citations}
    out = []
    for piece, n in LEAD_QUOTE.findall(answer.lead or ""):
        c = by_n.get(int(n))
        at = c.quote.find(piece) if c is not None else -1
        if at >= 0:
            out.append((c.source, c.quote_start + at, c.quote_start + at + len(piece)))
    return out


# A source's tooltip under an answer, in both languages as the page's other labels (it was English alone).
SHOW_IN_ARTICLE = "Show in the article · اعرضه في المقال"


def render_sources(citations: Sequence[Citation], documents: Mapping[str, str], lead: str = "",
                   with_quotes: bool = True) -> str:
    """The numbered sources under an answer: each quoted sentence once (the short answer's
    part marked), labelled by the article's headline and paragraph (``with_quotes`` False:
    the labels alone, when the answer above already shows the whole sentences)."""
    if not citations:
        return ""
    spans = [text for text, _n in LEAD_QUOTE.findall(lead or "")]
    items = []
    for c in citations:
        goto = _goto(anchor_for_offset(documents, c.source, c.start))
        quote = f'<q class="qa-quote" dir="auto">{_quoted_sentence(c, spans)}</q>' if with_quotes else ""
        title = source_title(documents, c.source)
        items.append(
            f'<li class="qa-source qa-source-{c.n}{goto}" title="{SHOW_IN_ARTICLE}">'
            f'<span class="qa-num" dir="ltr">[{c.n}]</span> {quote}'
            # headline and paragraph drawn apart (after an Arabic headline "¶3" was drawn "3¶"),
            # the line in the headline's direction (dir="auto" sees no letter outside the isolates)
            f'<span class="qa-meta" dir="{text_direction(title)}">'
            f'<bdi>{esc(title)}</bdi> · <bdi dir="ltr">¶{c.paragraph}</bdi></span>'
            "</li>"
        )
    return f'<ol class="qa-sources">{"".join(items)}</ol>'


def render_answer(
    answer: Answer, documents: Mapping[str, str], elapsed_s: float | None = None, article: str = "",
    question: str = "",
) -> str:
    """A full answer message: a copy button at its top corner, the preface line (a reader of another language), the short
    answer (``Answer.lead``; a chat model's or a short answer's whole text) with its
    ``[n]`` markers, a notice, then the whole quoted sentences as collapsible evidence
    (each once, labelled by headline and paragraph), the line saying which article
    answered and how fast (only when the answer quotes it) and, hidden, the
    plain text the button copies (``plain_text``, opening with ``question``, the question as asked;
    its lines are marked ``qa-plain-question``: a screen reader's label of the message, which
    follows the question's own, leaves them out). The markers are numbered as read
    (``qa.answer.numbered_as_read``): the short answer's first is [1], as in the sources under it
    and the article panel."""
    answer = numbered_as_read(answer)
    labels = label_language(answer)  # Arabic, English or French (``qa.conversation.LABELS``)
    words = LABELS[labels]
    cls = "qa-msg qa-answer" + (" qa-abstained" if answer.abstained else "")
    first = answer.lead or answer.text
    direction = text_direction(answer.preface or first)
    parts = [f'<div class="{cls}" dir="{direction}" lang="{esc(answer.language)}">']
    # in the answer's language, as every line around it ("Copy · نسخ" under an Arabic answer, a
    # trial); "Copied" is drawn for a moment after a copy (``qa-copied``, the page script). At
    # the answer's top corner, the part brought into view after asking: under the answer it was
    # below the chat box's edge on a phone, and kept at that edge it covered the answer's words
    # (two trials)
    copy, copied, title = words["copy"], words["copied"], words["copy_title"]
    parts.append(f'<button type="button" class="qa-copy" title="{title}"><span class="qa-copy-idle">{copy}</span>'
                 f'<span class="qa-copy-done">{copied}</span></button>')
    if answer.preface:
        parts.append(f'<div class="qa-preface" dir="auto">{esc(answer.preface)}</div>')
    parts.append(f'<div class="qa-text qa-lead" dir="auto">{_lead_lines(first, answer.citations, documents)}</div>')
    if answer.notice:
        parts.append(f'<div class="qa-notice" dir="auto">{esc(answer.notice)}</div>')
    if answer.citations:
        shown_whole = first == answer.text and answer.mode == "extractive"
        label = words["sources"] if shown_whole else words["whole"]
        parts.append(
            f'<details class="qa-evidence"{" open" if shown_whole else ""}>'
            f'<summary class="qa-sources-label" dir="auto">{label} ({len(answer.citations)})</summary>'
            f"{render_sources(answer.citations, documents, first, with_quotes=not shown_whole)}</details>"
        )
    # an answer that quotes nothing (the article does not say, the invitation, small talk) was
    # not "answered from" the article: no such line (on a phone it wrapped to three lines of
    # mixed-direction text, a trial), and no time either, which the page footer still gives
    if article and answer.citations:
        parts.append(render_answered_from(article, labels, elapsed_s))
    # one element per line: the chat's Markdown pass dropped single newlines inside the block,
    # so "Copy" joins the lines itself (``qaPlain`` in the page script)
    asked = len(question_lines(question, labels))
    lines = "".join(f'<span class="qa-plain-line{" qa-plain-question" if i < asked else ""}">{html.escape(line)}</span>'
                    for i, line in enumerate(plain_text(answer, documents, question).split("\n")))
    parts.append(f'<div class="qa-plain" hidden>{lines}</div>')
    parts.append("</div>")
    return "".join(parts)


def render_answered_from(article: str, language: str, elapsed_s: float | None = None) -> str:
    """The line under an answer saying which article answered (``article``, as
    ``qa.conversation.article_line`` gave it) and how fast, in the answer's ``language`` alone
    (``answered_from_words``) and its direction: the words, the headline in its own isolate,
    then the time. It said it in both languages, English beside an Arabic answer (a trial).
    The CSS keeps it to one line on a desktop and two on a phone, the headline cut short with
    "…" (the sources above name it whole, and so does its title)."""
    words, names = answered_from_words(article, language)
    direction = "rtl" if language == "ar" else "ltr"
    name = f'<bdi class="qa-from-name" title="{esc(names)}">{esc(names)}</bdi>' if names else ""
    took = (f'<span class="qa-from-time">· <bdi>{seconds(elapsed_s, language)}</bdi></span>'
            if elapsed_s is not None else "")
    lang = language if language in ("ar", "fr") else "en"
    return (f'<div class="qa-from" dir="{direction}" lang="{lang}">'
            f'<span class="qa-from-words">{esc(words)}</span>{name}{took}</div>')


# --------------------------------------------------------------------------- article panel


def _segments(line_start: int, line: str, spans: list[tuple[int, int, str, int]]):
    """Split one line into flat segments, each with the set of span kinds covering it."""
    line_end = line_start + len(line)
    cuts = {line_start, line_end}
    for s, e, _, _ in spans:
        if s < line_end and e > line_start:
            cuts.add(max(s, line_start))
            cuts.add(min(e, line_end))
    points = sorted(cuts)
    for a, b in zip(points, points[1:]):
        if a == b:
            continue
        cover = [(kind, n) for s, e, kind, n in spans if s <= a and e >= b]
        yield a, b, cover


def render_article(
    documents: Mapping[str, str],
    answer: Answer | None = None,
    focus: int | None = None,
    title: str | None = None,
    earlier: str | None = None,
) -> str:
    """The article panel: every document (named by its headline above it when there are
    several), one ``<p dir="auto">`` per line (``data-qa-paragraph``: its number as the
    citations give it, drawn before it as "¶n"), with the passages
    cited by ``answer`` highlighted (``<span class="qa-cited">``), the short answer's pieces
    (``lead_offsets``) in ``<mark>`` and the rest of the quoted sentences in a lighter
    ``<mark class="qa-quote-rest">`` (all quoted sentences in ``<mark>`` when the lead
    quotes nothing).  ``focus`` (a citation number) gets a stronger highlight and
    the element id ``qa-focus`` so the page can scroll to it. The numbers (badges, ``focus``)
    are those the answer shows (``qa.answer.numbered_as_read``). ``earlier``: ``answer`` is an
    earlier answer than the latest, asked as ``earlier`` (``earlier_answer_title`` above the
    text says whose passages are highlighted)."""
    answer = numbered_as_read(answer) if answer is not None else None
    citations = list(answer.citations) if answer is not None else []
    leads = lead_offsets(answer) if answer is not None else []
    if focus is None and citations:
        focus = first_source(answer)
    # an earlier answer's line above the scrolling text, not in it (it scrolled away with the passage)
    out = [earlier_answer_title(earlier) if earlier is not None else "", '<div class="qa-article" id="qa-article">']
    if title:
        out.append(f'<div class="qa-article-title" dir="auto">{esc(title)}</div>')
    for d, (name, text) in enumerate(documents.items()):
        spans: list[tuple[int, int, str, int]] = []
        # where each cited passage's outline opens: past a leading ornament, as its quote does
        # (the seed's pull-quote line showed "[1]◙" outlined on its own before the words, a trial);
        # the citation's offsets stay those of the passage
        opens = {c.n: past_ornaments(text, c.start, c.end) for c in citations if c.source == name}
        for c in citations:
            if c.source == name:
                spans.append((opens[c.n], c.end, "cited", c.n))
                if c.quote_end > c.quote_start:
                    spans.append((c.quote_start, c.quote_end, "quote", c.n))
        spans += [(a, b, "lead", 0) for source, a, b in leads if source == name]
        out.append(f'<section class="qa-doc" data-qa-source="{esc(name)}">')
        if len(documents) > 1:  # one document opens with its headline: its name above it said it twice (a trial)
            out.append(f'<div class="qa-doc-name" dir="auto" title="{esc(name)}">{esc(headline_of(text) or name)}</div>')
        starts_done: set[int] = set()
        pos = 0
        # each line's paragraph number, as citations give it (by the line its text starts on)
        numbers = {text.rfind("\n", 0, a) + 1: n for n, a, _ in text_paragraphs(text)}
        for i, line in enumerate(text.split("\n")):
            if line.strip():
                pieces = []
                for a, b, cover in _segments(pos, line, spans):
                    seg = esc(text[a:b])
                    if not text[a:b].strip() and a not in opens.values():
                        # the space between two pieces of the short answer: wrapped, it was an
                        # empty outlined box of its own on a phone (a trial)
                        pieces.append(seg)
                        continue
                    ns = sorted({n for kind, n in cover if kind == "cited"})
                    # the short answer's words marked; the rest of its quoted sentences lighter
                    if any(kind == "lead" for kind, _ in cover) or (
                            not leads and any(kind == "quote" for kind, _ in cover)):
                        seg = f"<mark>{seg}</mark>"
                    elif any(kind == "quote" for kind, _ in cover):
                        seg = f'<mark class="qa-quote-rest">{seg}</mark>'
                    if ns:
                        badge = ""
                        attrs = ""
                        for n in ns:
                            if opens[n] == a and n not in starts_done:
                                starts_done.add(n)
                                badge += f'<sup class="qa-badge" dir="ltr">[{n}]</sup>'
                                if n == focus:
                                    attrs = ' id="qa-focus"'
                        cls = "qa-cited" + (" qa-focused" if focus in ns else "")
                        seg = f'<span class="{cls}" data-qa-n="{" ".join(map(str, ns))}"{attrs}>{badge}{seg}</span>'
                    pieces.append(seg)
                # numbered as the sources' "¶8" (a trial could not match them), drawn by the style
                # sheet so that a copy of the text leaves the numbers out
                number = f' data-qa-paragraph="{numbers[pos]}"' if pos in numbers else ""
                out.append(f'<p dir="auto" id="{paragraph_anchor(d, i)}"{number}>{"".join(pieces)}</p>')
            pos += len(line) + 1
        out.append("</section>")
    out.append("</div>")
    return "".join(out)


def first_source(answer: Answer | None) -> int | None:
    """The citation number the reader meets first: the first marker of the short answer
    (``Answer.lead``), else the first citation; ``None`` without citations. The source
    selector and the article panel start there (they had started at [1] when the lead
    quoted [2]). Numbered as the answer shows it (``qa.answer.numbered_as_read``), so it is 1
    whenever the short answer has a marker."""
    if answer is None or not answer.citations:
        return None
    answer = numbered_as_read(answer)
    numbers = {c.n for c in answer.citations}
    marked = [int(n) for n in re.findall(r"\[(\d+)\]", answer.lead or "") if int(n) in numbers]
    return marked[0] if marked else answer.citations[0].n


def earlier_answer_title(question: str) -> str:
    """The line above the article while it shows an earlier answer's passages (one of its
    markers was clicked): that it is an earlier answer, in English and Arabic, and its question
    in its own isolate, cut short with "…" on one line (the full question in its title)."""
    return ('<div class="qa-earlier" dir="ltr" role="note"><span class="qa-earlier-label">Sources of an earlier answer · '
            '<span dir="rtl" lang="ar">مصادر إجابة سابقة</span></span>'
            f'<bdi class="qa-earlier-question" title="{esc(question)}">“{esc(question)}”</bdi></div>')


def parse_pick(value: Any) -> tuple[int, int] | None:
    """A marker or source clicked in the chat, as ``CLICK_JS`` sends it (``"<k>:<n>:<stamp>"``):
    ``(k, n)``, the ``k``-th finished answer counted back from the latest (1: the latest) and
    the number ``n`` the reader clicked; None for anything else."""
    parts = value.split(":") if isinstance(value, str) else []
    if len(parts) < 2 or not all(p.isascii() and p.isdigit() for p in parts[:2]):
        return None
    return int(parts[0]), int(parts[1])


def picked_source(answer: Answer | None, n: int | None) -> int | None:
    """``n`` when it is one of ``answer``'s source numbers as shown (``source_choices``), else
    the one the reader meets first (``first_source``)."""
    if answer is None:
        return None
    return n if n in {value for _label, value in source_choices(answer)} else first_source(answer)


def source_choices(answer: Answer | None) -> list[tuple[str, int]]:
    """(label, value) pairs for the source selector beside the article panel, numbered as the
    answer shows its markers and sources (``qa.answer.numbered_as_read``)."""
    if answer is None:
        return []
    answer = numbered_as_read(answer)
    return [(f"[{c.n}] ¶{c.paragraph}", c.n) for c in answer.citations]


# --------------------------------------------------------------------------- footer / status


def seconds(elapsed_s: float, language: str = "en") -> str:
    """A time as the page prints it, to the hundredth of a second; an answer from the cache,
    under half of one, is "< 0.01 s" rather than "0.00 s" (a trial read that as no time).
    Under an Arabic answer (``language`` "ar") in Arabic: "0.25 ث", "أقل من 0.01 ث"."""
    if language == "ar":
        return "أقل من 0.01 ث" if elapsed_s < 0.005 else f"{elapsed_s:.2f} ث"
    return "< 0.01 s" if elapsed_s < 0.005 else f"{elapsed_s:.2f} s"


def render_footer(info: Mapping[str, Any], elapsed_s: float | None = None, article: str = "") -> str:
    """A small "about" note under the page: which article answers, how long the last
    answer took, and (folded) the embedding model, the answer policy's calibration and the
    index size. Without ``elapsed_s`` (no answer timed in this page yet: a fresh page, or a
    conversation brought back by a reload, whose answers say their own times) the time is
    left out, not shown as "–" (a trial). The summary is ``footer_summary``'s, in both
    languages; the folded details stay in English."""
    details = (f"Embeddings: {esc(str(info.get('backend', '?')))} · {esc(str(info.get('model', '?')))} · "
               f"{int(info.get('n_passages', 0))} passages in {int(info.get('n_documents', 0))} document(s)")
    llm = info.get("llm")
    if llm:
        details += f" · chat model: {esc(str(llm))}"
    policy = info.get("policy") or {}
    if policy:
        fitted = "fitted" if policy.get("fitted") else "fallback, not fitted for this model"
        details += f" · answer policy: {esc(str(policy.get('calibration', '?')))} ({fitted})"
    english, arabic = footer_summary(article, elapsed_s)
    return (f'<details class="qa-footer qa-about" dir="ltr"><summary>{esc(english)} · '
            f'<span dir="rtl" lang="ar">{esc(arabic)}</span></summary>'
            f'<div class="qa-about-body">{details}</div></details>')


def footer_summary(article: str = "", elapsed_s: float | None = None) -> tuple[str, str]:
    """The footer's summary as ``(english, arabic)``: ``("About · sample article · last answer
    0.25 s", "نبذة · المقال الأصلي · آخر إجابة 0.25 ث")``, the article and the time left out
    when not given. The page shows both, as its other labels ("Examples about the sample
    article · أمثلة عن المقال الأصلي"): the footer was English alone (a trial). An article label
    without an Arabic wording (``ARTICLE_LABELS_AR``) is "المقال"."""
    english = ["About"] + ([article] if article else [])
    arabic = ["نبذة"] + ([ARTICLE_LABELS_AR.get(article, "المقال")] if article else [])
    if elapsed_s is not None:
        english.append(f"last answer {seconds(elapsed_s)}")
        arabic.append(f"آخر إجابة {seconds(elapsed_s, 'ar')}")
    return " · ".join(english), " · ".join(arabic)


def chat_placeholder(own: bool = False) -> str:
    """What the empty chat says: on the seed it points at the examples, which are about the
    seed; on the user's own article (no examples shown) it does not."""
    # the Arabic half in its own direction: in the English line its full stop was drawn at
    # its right-hand end, where Arabic begins
    if own:
        return ('<div dir="ltr">Ask a question about your article, or drop another one here. '
                '· <span dir="rtl" lang="ar">اطرح سؤالا عن مقالك.</span></div>')
    return ('<div dir="ltr">Ask a question about the sample article, or pick an example. '
            '· <span dir="rtl" lang="ar">اطرح سؤالا عن المقال.</span></div>')


# Above the article panel: what it highlights, in English, then in Arabic on a line of its own in its
# direction (as the status lines; it was "Article · المقال" and an English sentence alone).
ARTICLE_HEADING = (
    '<div class="qa-article-heading"><div dir="ltr"><strong>Article · <span dir="rtl" lang="ar">المقال</span></strong> — '
    "passages cited by the latest answer are highlighted: the paragraph in <span class=\"qa-cited\">blue</span>, "
    "the short answer in <mark>yellow</mark>, the rest of the quote in <mark class=\"qa-quote-rest\">pale yellow</mark>; "
    "a marker of an earlier answer shows that answer's.</div>"
    '<div dir="rtl" lang="ar">تُظلَّل المقاطع التي تقتبسها آخر إجابة: الفقرة <span class="qa-cited">بالأزرق</span>، '
    'والإجابة المختصرة <mark>بالأصفر</mark>، وبقية الاقتباس <mark class="qa-quote-rest">بالأصفر الفاتح</mark>؛ '
    'ويُظهر رقمٌ من إجابة سابقة مقاطعَها.</div></div>'
)  # the legend's colours are the panel's own classes (a trial: blue and yellow were never explained)


def render_examples_note(name: str | None) -> str:
    """Shown in place of the example questions while the user's own article ``name`` is
    active: the examples are about the sample article, so they are not offered."""
    article = f"“{esc(name)}”" if name else "your article"
    return (
        '<div class="qa-examples-note" role="note">'
        f'<div dir="ltr">Examples are about the sample article, so they are hidden while you ask about {article}. '
        "“Back to the sample article”, under “Your own article”, brings them back.</div>"
        '<div dir="rtl" lang="ar">الأمثلة خاصة بالمقال الأصلي، فهي مخفية ما دمت تسأل عن مقالك؛ '
        "يعيدها زر «عد إلى المقال الأصلي» تحت «مقالك الخاص».</div>"
        "</div>"
    )


# The upload box's own words (Gradio's translation keys, Gradio 6 ``gr.I18n``), in both
# languages for an English browser: it read "Drop File Here - or - Click to Upload" alone
# (a trial). Gradio draws "common.or" between dashes. A browser in another language keeps
# Gradio's own translation (Arabic: «أسقط الملف هنا - أو - انقر للتحميل»).
UPLOAD_BOX_TEXTS = {
    "upload_text.drop_file": "Drop a file here · أسقط ملفا هنا",
    "common.or": "or · أو",
    "upload_text.click_to_upload": "Click to upload · انقر للرفع",
}


# Gradio's own words the page shows or announces, for ``gr.I18n`` (``app.LAUNCH_DEFAULTS``):
# the upload box's, and "common.complete", which Gradio 6.31's screen-reader announcer
# (statustracker's live region) says when an event ends but which none of Gradio's own
# dictionaries holds, in any language: after a question the announcer held the raw key
# "common.complete" (a trial). Not an override of ours: Gradio's English keeps its other words.
GRADIO_TEXTS = {**UPLOAD_BOX_TEXTS, "common.complete": "Done · تم"}


# A name in directional isolates (``qa.errors.isolate``: a file name, a headline, "60.0 KB") and a
# short group in parentheses ("Word (.docx)", an error's "(61.2 KB)") in a status line.
# The quotes around a name and the mark after it go with it ("“tripoli.txt”:").
# an isolated name with its quotes: “…” in English, «…» in Arabic (mirrored in a right-to-left line)
_ISOLATED = re.compile("([“«]?)\u2068([^\u2068\u2069]*)\u2069([”»]?[.:,،؛]?)")
_SHORT_PARENS = re.compile(r"\([^()\n]{1,24}\)")


def _status_text(text: str) -> str:
    """One half of a status line as HTML: each isolated name, with its quotes and the mark after
    it, a ``<span class="qa-status-name">`` kept on one line (the name cut short with "…" past
    the line's width, whole in its title; in a ``<bdi>``, its own direction), each short
    parenthesised group a ``<span class="qa-keep">`` kept whole; the rest escaped."""
    out, pos = [], 0
    for m in _ISOLATED.finditer(text):
        before, name, after = m.groups()
        out.append(_kept_parens(text[pos:m.start()]))
        # the name's own direction, set: drawn as an inline block (cut with "…"), a <bdi> took the
        # line's, and ".pdf" in the Arabic half read "pdf." (trial 51)
        out.append(f'<span class="qa-status-name" title="{esc(name)}">{esc(before)}'
                   f'<bdi dir="{text_direction(name)}">{esc(name)}</bdi>{esc(after)}</span>')
        pos = m.end()
    out.append(_kept_parens(text[pos:]))
    return "".join(out)


def _kept_parens(text: str) -> str:
    out, pos = [], 0
    for m in _SHORT_PARENS.finditer(text):
        out.append(f'{esc(text[pos:m.start()])}<span class="qa-keep">{esc(m.group(0))}</span>')
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def render_status(message: str, ok: bool = True, busy: bool = False) -> str:
    """A status line for the "your own article" box (``busy``: indexing has started). A
    bilingual message (``"English … / عربي …"``, possibly several such pairs) gives each part a
    line of its own in its own direction: in one left-to-right line the Arabic half's closing
    parenthesis was drawn at its start, and on a phone the two halves wrapped into each other
    (a trial). A name in isolates and a short group in parentheses are each kept on one line
    (``_status_text``): on a 390 px phone an Arabic headline in parentheses wrapped with a
    parenthesis alone at a line's end (a trial)."""
    cls = "qa-status-busy" if busy else "qa-status-ok" if ok else "qa-status-error"
    halves = message.split(" / ") if " / " in message else [message]
    body = "".join(f'<div dir="{_language_direction(h)}">{_status_text(h)}</div>' for h in halves)
    return f'<div class="qa-status {cls}" dir="auto" role="status">{body}</div>'


CSS = """
.qa-msg { unicode-bidi: plaintext; line-height: 1.7; }
.qa-msg[dir], .qa-article p { text-align: start; }
.qa-error { color: var(--error-text-color, #b91c1c); }
.qa-notice { font-size: .9em; opacity: .8; margin-top: .3em; }
.qa-ref { cursor: pointer; color: var(--color-accent, #ea580c); font-weight: 600; }
.qa-sources-label { margin-top: .6em; font-weight: 600; font-size: .9em; }
.qa-sources { margin: .3em 0 0; padding-inline-start: 0; list-style: none; font-size: .92em; }
.qa-source { cursor: pointer; border-inline-start: 3px solid var(--color-accent, #ea580c);
  padding: .25em .6em; margin: .35em 0; background: var(--background-fill-secondary, #f6f6f6);
  border-radius: 4px; }
.qa-source:hover { outline: 1px solid var(--color-accent, #ea580c); }
.qa-source .qa-meta { display: block; font-size: .82em; opacity: .75; }
/* sources listed without their quotes (the answer above shows them whole): number and label on
   one line; on a line of its own under a bare "[1]" the card read as empty (a trial) */
.qa-source:not(:has(q)) .qa-meta { display: inline; font-size: .9em; }
.qa-source q { quotes: "«" "»"; }
.qa-num { font-weight: 700; }
mark { background: #fde68a; color: inherit; padding: 0 .1em; border-radius: 2px; }
mark.qa-quote-rest { background: #fef3c7; }
.qa-article { max-height: 68vh; overflow-y: auto; padding: .4em .8em; line-height: 1.9;
  border: 1px solid var(--border-color-primary, #ddd); border-radius: 8px; }
.qa-article p { margin: .5em 0; unicode-bidi: plaintext; }
/* each paragraph's number, as the sources name it ("¶8"); not part of a copy of the text; a margin
   each side, as its own direction (ltr) would put an inline-end margin at an Arabic line's edge */
.qa-article p[data-qa-paragraph]::before { content: "¶" attr(data-qa-paragraph); display: inline-block;
  direction: ltr; font-size: .75em; opacity: .75; margin: 0 .45em; user-select: none; }
/* nor are the markers: a copied passage read "[1]By Jane Morton" (a trial) */
.qa-article .qa-badge { user-select: none; }
.qa-doc-name, .qa-article-title { font-size: .8em; opacity: .7; }
/* an earlier answer's passages are shown: said above the article, its question on the same line
   or (a phone) the next, cut short with "…" */
.qa-earlier { display: flex; flex-wrap: wrap; column-gap: .5em; font-size: .85em; margin-bottom: .4em;
  padding: .25em .6em; border-radius: 6px; background: var(--background-fill-secondary, #f6f6f6);
  border-inline-start: 3px solid var(--color-accent, #ea580c); }
.qa-earlier-label { font-weight: 600; white-space: nowrap; }
.qa-earlier-question { min-width: 0; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.qa-cited { background: #dbeafe; border-radius: 3px; }
.qa-focused { background: #bfdbfe; box-shadow: 0 0 0 2px #60a5fa; }
.qa-badge { font-weight: 700; color: #1d4ed8; margin-inline-end: .2em; }
.qa-flash { animation: qa-flash 1.4s ease-out; }
@keyframes qa-flash { 0% { background: #fcd34d; } 100% { background: transparent; } }
.qa-footer { font-size: .8em; opacity: .75; }
.qa-about summary { cursor: pointer; }
/* the Arabic half wraps as a whole: broken inside, its first separator was drawn at the
   English half's end ("0.05 s · · المقال", a trial at 390 px) */
.qa-about summary > span[dir="rtl"] { display: inline-block; }
.qa-preface { font-size: .92em; font-style: italic; margin-bottom: .25em; }
.qa-lead { font-size: 1.05em; }
.qa-lead .qa-line-gap { height: .8em; }
.qa-evidence { margin-top: .5em; }
.qa-evidence summary { cursor: pointer; }
.qa-copy { float: inline-end; margin-inline-start: .6em; margin-bottom: .2em; font-size: .8em; padding: .1em .6em;
  border-radius: 4px; cursor: pointer;
  border: 1px solid var(--border-color-primary, #ccc); background: var(--background-fill-primary, #fff); }
/* a reply without sources (a refusal, an invitation): the chat sizes its bubble to the text
   alone, and the floated button then wrapped «لا يذكر المقال ذلك.» one word a line (a trial):
   the button sits in a margin of its own there */
.qa-answer:not(:has(.qa-sources)) { position: relative; padding-inline-end: 4.2em; }
.qa-answer:not(:has(.qa-sources)) .qa-copy { position: absolute; top: 0; inset-inline-end: 0; float: none;
  margin: 0; }
.qa-copy .qa-copy-done, .qa-copy.qa-copied .qa-copy-idle { display: none; }
.qa-copy.qa-copied .qa-copy-done { display: inline; }
#qa-chat-status:empty { display: none; }
/* the lines under the chat box take no room while they say nothing (three empty blocks left
   a gap of about 100 px between the box and the examples) */
#qa-chat-status:has(.html-container > div:empty), #qa-status:has(.html-container > div:empty),
#qa-attach-hint-block:has(#qa-attach-hint:empty) { display: none; }
#qa-attach-hint { font-size: .92em; font-weight: 600; }
/* the longer line of a question sent while an answer is written: each language a line of its own */
#qa-attach-hint[data-busy] > span { display: block; }
/* one line at a time under the chat box: while a file waits for Ask, its hint stands in for an
   error about an earlier file or question (refused files' errors and the hint stacked, a trial) */
div:has(> #qa-attach-hint-block #qa-attach-hint:not(:empty)) > :is(#qa-chat-status, #qa-status):has(.qa-status-error) {
  display: none; }
.qa-plain, .qa-plain[hidden] { display: none !important; }
/* brought into view below the chat's floating "Chat" label, not under it */
#qa-chat .qa-answer, #qa-chat .qa-user { scroll-margin-top: 2.5rem; }
/* a question's bubble keeps clear of the chat's "Clear" icon at the box's top corner, which
   covered its end when the chat scrolled it to the top (trial 53) */
#qa-chat .message.user { margin-inline-end: 1.75rem; }
#qa-question { scroll-margin-top: .5rem; }  /* brought to the top while indexing (SHOW_PROGRESS_JS) */
.qa-status { font-weight: 600; }
/* a name (file, headline) and a short parenthesised group stay on one line; a name wider than the
   line is cut short with "…" (its title holds it whole) */
.qa-status .qa-keep { white-space: nowrap; }
.qa-status .qa-status-name { white-space: nowrap; }
.qa-status .qa-status-name > bdi { display: inline-block; max-width: calc(100% - 1.5em); overflow: hidden;
  text-overflow: ellipsis; vertical-align: bottom; }
/* Gradio draws the indexing progress over its component; on the status line it was drawn
   over the line's own text (a trial): it goes in the flow, above the text */
#qa-status > [data-testid="status-tracker"] { position: relative !important; inset: auto !important; }
/* ... and its count and timer ("7/14 texts embedded | 0.6s"), which Gradio draws at the right
   edge over the bar's end (a trial), go in the flow under the bar, centred */
#qa-status .progress-text { position: static; transform: none; order: 1; }
/* the line under the chat box is a message, never a progress display: Gradio's timer ("0.0s")
   flashed on it while the end of indexing, which empties it, was pending */
#qa-chat-status [data-testid="status-tracker"] { display: none !important; }
/* ... in the page's font: Gradio writes progress in its monospace font, which spaced the
   Arabic letters of "تضمين المقاطع" apart (a trial) */
#qa-status .progress-level-inner, #qa-status .progress-text, #qa-status .meta-text,
#qa-status .meta-text-center { font-family: var(--font) !important; }
/* ... and the line under it stays readable (Gradio fades a working component to 0.2) */
#qa-status .html-container.pending { opacity: .75; }
.qa-examples-note { font-size: .9em; opacity: .8; padding: .3em 0; }
/* a result reads at normal weight, a little smaller: bold in both languages, the notes after a
   reload filled half of a 390 px phone's screen under the chat box (trial 62); an error stays bold */
.qa-status-ok { color: #15803d; font-weight: 400; font-size: .92em; }
/* the lines inside keep the status colour (Gradio's prose styles gave them the body colour) */
.qa-status div, .qa-status span, .qa-status bdi { color: inherit; }
.qa-status-error, .qa-error { color: var(--error-text-color, #b91c1c); font-weight: 600; }
/* in the answer's language: the words and the time whole, the headline between them cut short
   with "…" where the line ends (the sources above name it whole, and so does its title); one
   line on a desktop, two on a phone (it took three when the headline wrapped, a trial) */
.qa-from { margin-top: .5em; font-size: .8em; opacity: .7; display: flex; flex-wrap: wrap; column-gap: .3em; }
.qa-from-time { flex: none; }
/* the words whole; the headline goes on with the time, on a line of its own where fewer than
   12 letters of it would fit beside them: on a phone it read "Answered from: sample a… (طرابل…"
   (trial 52), and squeezed to 4 px under the longer French words a lone ")" (a trial) */
.qa-from-words { flex: none; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.qa-from-name { flex: 1 1 0; min-width: min(12em, 80%); overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
/* the line while indexing: the body's colour at normal weight (less emphasis than a result);
   the theme's subdued grey, faded with the working component, read as disabled (a trial) */
.qa-status.qa-status-busy { color: var(--body-text-color, #27272a); font-weight: 400; }
#qa-question textarea, #qa-paste textarea { unicode-bidi: plaintext; text-align: start; }
/* a phone: the chat takes the first screen but the title (about 200 px at 390 px wide) and the
   question box (about 140 px with margins): 560 px put the box at the bottom edge of a 390 x 844 screen, and
   half the screen (422 px) cut answers short (a trial) */
/* an example that wraps reads from its start like the others, not centred (a trial) */
#qa-examples button { text-align: start; }
/* the empty chat's invitation kept off the box's edge (a trial: it touched the left border) */
#qa-chat .placeholder-content { padding: 0 1em; }
@media (max-width: 640px) { #qa-chat { height: max(300px, calc(100svh - 360px)) !important; }
  /* an empty chat holds one line of invitation: at full height it pushed the example questions
     below a 390 x 844 screen (a trial); it takes its full height with the first question */
  #qa-chat:has(.placeholder-content) { height: 140px !important; }
  /* the question box: two lines at least (one, 32 px beside the Ask button, was too short to see
     what one types, a trial), growing to app.py's max_lines with the text; two lines through
     CSS, as lines=2 would make Enter a new line and Shift+Enter send (Gradio's rule). 8 px:
     Gradio's padding inside the box (border-box) */
  #qa-question textarea { min-height: calc(2lh + 8px); }
  /* Gradio's "scroll to the latest" arrow sat over the answer's text; a phone scrolls by swiping */
  #qa-chat .scroll-down-button-container { display: none; } }
/* Gradio hides its footer's "Use via API" on a phone (its own breakpoint, 640 px) but not the
   "·" after it, left before "Settings" (a trial): it goes too. The media query is nested in
   the rule because Gradio scopes the rules inside a top-level @media to the app's ".contain",
   which the footer is not in (a top-level rule it also keeps as written). */
footer .show-api ~ .divider { @media (max-width: 640px) { display: none; } }
@media (prefers-color-scheme: dark) {
  .dark mark { background: #a16207; }
  .dark mark.qa-quote-rest { background: #713f12; }
  .dark .qa-cited { background: #1e3a8a; }
  .dark .qa-focused { background: #1e40af; }
}
"""

# Runs once on page load: a delegated click handler, so sources in chat messages (which
# may not carry inline handlers) scroll the article panel to the passage they cite.
CLICK_JS = """
() => {
  if (window.__qaInit) return;
  window.__qaInit = true;
  // A passage scrolled to a third of the way down the article panel beside the chat. Near the
  // article's end the panel cannot bring it that far up, and where the panel runs past the
  // window's bottom the passage stayed below the fold (a trial: ¶10 at 876-990 px of a 900 px
  // window): the page then scrolls just enough to show it, never past the passage's top.
  window.qaInPanel = (panel, el, smooth) => {
    const behavior = smooth ? "smooth" : "auto";
    const top = el.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop;
    const target = Math.min(panel.scrollHeight - panel.clientHeight, Math.max(0, top - panel.clientHeight / 3));
    const shift = target - panel.scrollTop;
    panel.scrollTo({top: target, behavior});
    // the whole paragraph when it fits the window (a quote at its start left its end below)
    const para = el.closest("p");
    const whole = para && para.getBoundingClientRect().height <= window.innerHeight - 32 ? para : el;
    const box = whole.getBoundingClientRect();
    const below = box.bottom - shift - window.innerHeight + 16, room = box.top - shift - 16;
    if (below > 0 && room > 0) window.scrollBy({top: Math.min(below, room), behavior});
  };
  window.qaGoto = (id) => {
    const el = document.getElementById(id);
    if (!el) return false;
    // Beside the chat (a wide screen) the article panel scrolls inside itself and the page stays
    // (scrolling the page pushed the chat's top out of view, a trial); on a phone the panel sits
    // under the chat, and the page goes to the passage.
    const panel = document.querySelector("#qa-article");
    if (panel && panel.contains(el) && window.innerWidth >= 800) window.qaInPanel(panel, el, true);
    else el.scrollIntoView({behavior: "smooth", block: "center"});
    el.classList.remove("qa-flash");
    void el.offsetWidth;
    el.classList.add("qa-flash");
    return true;
  };
  // Question and paste boxes take the direction of their text (Arabic right to left);
  // Gradio renders them with dir="ltr", so set dir="auto" on load and whenever used.
  const dirAuto = () => document.querySelectorAll("#qa-question textarea, #qa-paste textarea")
    .forEach((el) => { if (el.getAttribute("dir") !== "auto") el.setAttribute("dir", "auto"); });
  ["focusin", "input"].forEach((type) => document.addEventListener(type, dirAuto, true));
  // The chat box's send button is named by the words it shows (app.py's submit_btn, "Ask ·
  // اسأل"): Gradio gives it aria-label="Submit", which screen readers say instead (a trial).
  const nameSend = () => document.querySelectorAll("#qa-question [data-testid='submit-button']").forEach((el) => {
    const words = el.textContent.trim();
    if (words && el.getAttribute("aria-label") !== words) el.setAttribute("aria-label", words);
  });
  // A file over the size the server takes (the hint's data-max-file-bytes, qa.ingest's
  // MAX_BINARY_BYTES), chosen in the upload box or the chat box's paperclip or dropped on
  // either, is held back here: Gradio refused it with an English pop-up that went after ten
  // seconds and left the status line as it was (a trial). The server words the refusal, as for
  // any upload over its limit (app.py's hidden "qa-held" button).
  const held = (files) => {
    const hint = document.getElementById("qa-attach-hint");
    const max = parseInt((hint && hint.dataset.maxFileBytes) || "0", 10);
    const file = max > 0 ? Array.from(files || []).find((f) => f.size > max) : null;
    const button = document.getElementById("qa-held");
    if (!file || !button) return false;
    window.qaHeld = JSON.stringify({name: file.name, size: file.size});
    button.click();
    return true;
  };
  const inBoxes = (el) => el instanceof Element && el.closest("#qa-upload, #qa-question");
  document.addEventListener("change", (ev) => {
    const t = ev.target;
    if (t instanceof HTMLInputElement && t.type === "file" && inBoxes(t) && held(t.files)) {
      ev.stopImmediatePropagation();
      t.value = "";
    }
  }, true);
  document.addEventListener("drop", (ev) => {
    if (inBoxes(ev.target) && held(ev.dataTransfer && ev.dataTransfer.files)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);
  // A question sent (Enter or Ask) while an answer is still written stays in the box: the line
  // under the box says so (qa.conversation.BUSY_HINT_EN / _AR) until the answer is done, then
  // shows again what it showed before (an attached file's hint); the page's one observer below
  // ends it.
  const writing = () => document.querySelector("#qa-chat .qa-streaming");
  let before = null;
  const busy = () => {
    const el = document.getElementById("qa-attach-hint");
    if (!el || !writing() || el.dataset.busy) return;
    before = Array.from(el.childNodes);
    const part = (dir, text) => { const s = document.createElement("span"); s.dir = dir; s.textContent = text; return s; };
    el.dataset.busy = "1";
    el.replaceChildren(part("ltr", __BUSY_EN__), part("rtl", __BUSY_AR__));  // a line each (CSS)
  };
  const endBusy = () => {
    const el = document.getElementById("qa-attach-hint");
    if (el && el.dataset.busy && !writing()) {
      delete el.dataset.busy;
      el.replaceChildren(...(before || []));
      before = null;
    }
  };
  document.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.target instanceof Element
        && ev.target.closest("#qa-question textarea")) busy();
  }, true);
  document.addEventListener("click", (ev) => {
    if (ev.target instanceof Element && ev.target.closest("#qa-question [data-testid='submit-button']")) busy();
  }, true);
  new MutationObserver(() => { dirAuto(); nameSend(); endBusy(); }).observe(document.body, {childList: true, subtree: true});
  dirAuto();
  nameSend();
  // A marker or source clicked in the chat, of the latest answer or an earlier one: the server
  // (app.py's hidden "qa-pick" button, qa.ui_render.parse_pick) draws the article with that
  // answer's passages, numbers and selector, focused on the one clicked. An earlier answer's
  // marker had outlined its paragraph in the latest answer's highlights and numbers (a trial).
  // The answer is told by its place counted back from the latest, as the conversation's turns are.
  const pickSource = (t) => {
    const msg = t.closest("#qa-chat .qa-answer");
    const answers = Array.from(document.querySelectorAll("#qa-chat .qa-answer:not(.qa-streaming)"));
    const at = answers.indexOf(msg);
    const num = t.classList.contains("qa-ref") ? t : t.querySelector(".qa-num");
    const n = num ? parseInt(num.textContent.replace(/[^0-9]/g, ""), 10) : NaN;
    const button = document.getElementById("qa-pick");
    if (at < 0 || !(n > 0) || !button) return;
    window.qaPicked = `${answers.length - at}:${n}:${Date.now()}`;
    button.click();
  };
  // After the server drew the article for a clicked source (or one chosen in the selector): the
  // focused passage brought into view, inside the panel beside the chat (the page stays), on a
  // phone where the panel is under the chat. The new panel starts scrolled to its top.
  window.qaShowFocus = () => {
    const panel = document.querySelector("#qa-article");
    const focus = document.getElementById("qa-focus");
    if (!panel || !focus) return;
    if (window.innerWidth >= 800) window.qaInPanel(panel, focus, false);
    else focus.scrollIntoView({block: "center"});
    focus.classList.remove("qa-flash");
    void focus.offsetWidth;
    focus.classList.add("qa-flash");
  };
  document.addEventListener("click", (ev) => {
    const t = ev.target && ev.target.closest ? ev.target.closest("[class*='qa-goto-']") : null;
    if (!t) return;
    const cls = Array.from(t.classList).find((c) => c.startsWith("qa-goto-"));
    if (!cls) return;
    const id = cls.slice("qa-goto-".length);
    ev.preventDefault();
    window.qaGoto(id);
    pickSource(t);
  });
  // An answer's plain text: its lines (one element each), joined by newlines; without the
  // question's lines (``withQuestion`` false) for a screen reader's label of the message.
  window.qaPlain = (plain, withQuestion = true) => Array.from(
    plain.querySelectorAll(withQuestion ? ".qa-plain-line" : ".qa-plain-line:not(.qa-plain-question)"),
    (l) => l.textContent).join("\\n");
  // "Copy" under an answer: its plain text (the question, the short answer, the quotes with
  // their markers and the sources), never the message's HTML.
  document.addEventListener("click", (ev) => {
    const btn = ev.target && ev.target.closest ? ev.target.closest(".qa-copy") : null;
    if (!btn) return;
    const plain = btn.closest(".qa-answer")?.querySelector(".qa-plain");
    if (!plain || !navigator.clipboard) return;
    navigator.clipboard.writeText(window.qaPlain(plain)).then(() => {
      btn.classList.add("qa-copied");  // its "Copied", in the answer's language (qa.ui_render.render_answer)
      setTimeout(() => btn.classList.remove("qa-copied"), 1500);
    });
  });
  // Screen readers get each message's plain text as its label, not its HTML (Gradio labels a
  // message "bot's message: " and its raw content). Worked out a moment after the chat changed,
  // once the message is drawn: worked out when Gradio set the label, the text was not there
  // yet, and an answer's label stayed "…" (its pending message's), a question's empty.
  let labelsDue = false;
  const fixLabels = () => {
    labelsDue = false;
    document.querySelectorAll("#qa-chat [aria-label*='s message: ']").forEach((el) => {
      const plain = el.querySelector(".qa-plain");
      const text = plain ? window.qaPlain(plain, false) : el.innerText.trim();
      const label = el.getAttribute("aria-label").split(":")[0] + ": " + text;
      if (text && el.getAttribute("aria-label") !== label) el.setAttribute("aria-label", label);
    });
  };
  new MutationObserver(() => { if (!labelsDue) { labelsDue = true; setTimeout(fixLabels, 100); } }).observe(
    document.body, {childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"]});
}
""".replace("__BUSY_EN__", json.dumps(BUSY_HINT_EN)).replace("__BUSY_AR__", json.dumps(BUSY_HINT_AR))

# The hidden "qa-pick" button's event (app.py) takes its value from the click ``CLICK_JS`` saw
# (``window.qaPicked``, read by ``parse_pick``); the session's states come from the server.
def tab_storage_script(keys: Sequence[str]) -> str:
    """A ``<script>`` for the page's head: the localStorage ``keys`` are kept in the tab's
    sessionStorage instead.

    Gradio's ``gr.BrowserState`` keeps its value in localStorage, which every tab of a browser
    shares: two tabs wrote over each other's conversation and article, and a reload showed the
    other tab's (a trial). The server's session is a tab's, and so is sessionStorage, which a
    reload keeps and closing the tab frees (MDN, "Window: sessionStorage property"). The
    script runs before Gradio's modules, so BrowserState reads and writes the tab's copy;
    other localStorage keys (Gradio's own settings) are left where they are.

    Args:
        keys: the ``storage_key`` of each ``gr.BrowserState`` to keep per tab.
    """
    names = json.dumps(list(keys))
    return (
        "<script>(() => {"
        f"const keys = new Set({names});"
        "let local; try { local = window.localStorage; } catch (e) { return; }"
        "const tab = (store, key) => store === local && keys.has(key) ? window.sessionStorage : store;"
        "const proto = Storage.prototype, get = proto.getItem, set = proto.setItem, remove = proto.removeItem;"
        "proto.getItem = function (key) { return get.call(tab(this, key), key); };"
        "proto.setItem = function (key, value) { return set.call(tab(this, key), key, value); };"
        "proto.removeItem = function (key) { return remove.call(tab(this, key), key); };"
        "})();</script>"
    )


PICK_JS = "(picked, kept, ticket) => [window.qaPicked || '', kept, ticket]"
# The file the page held back for its size (``CLICK_JS``), as app.py's refuse_held reads it.
HELD_JS = "(held, ticket) => [window.qaHeld || '', ticket]"

# After the article was drawn for a source clicked in the chat or chosen in the selector: the
# focused passage brought into view (``window.qaShowFocus`` of ``CLICK_JS``), once drawn. The
# chat stays where the reader is (``SCROLL_TO_FOCUS_JS``, for a new answer, also moves it).
FOCUS_PANEL_JS = "() => { setTimeout(() => window.qaShowFocus && window.qaShowFocus(), 100); }"

# A file attached in (or dropped on) the chat box waits for "Ask": say so, with its name (the
# box's chip shows only an icon), in ``qa.conversation``'s words. Runs in the browser on every
# change of the box, and again once Ask has taken the file (app.py): Gradio fires no change
# when the server empties a box that held a file alone, and the hint stayed beside the file's
# refusal or its "Indexed …" (a trial). The hint goes when the file does.
ATTACH_HINT_JS = """
(value) => {
  const el = document.getElementById("qa-attach-hint");
  if (!el) return;
  const file = value && Array.isArray(value.files) && value.files.length ? value.files[0] : null;
  const raw = file ? (typeof file === "string" ? file : (file.orig_name || file.name || file.path || "")) : "";
  const name = raw.split(/[\\/]/).pop();
  if (!name) { el.replaceChildren(); return; }
  // each language in its own direction (a guillemet after a Latin file name was mirrored)
  const part = (dir, text) => { const s = document.createElement("span"); s.dir = dir; s.textContent = text; return s; };
  el.replaceChildren(part("ltr", __EN__.replace("{name}", () => name)), " · ", part("rtl", __AR__));
}
""".replace("__EN__", json.dumps(ATTACH_HINT_EN)).replace("__AR__", json.dumps(ATTACH_HINT_AR))

# Indexing started from the "Your own article" panel (a file or pasted text): its progress is on
# the status line under the question box, which on a phone sits about 1,500 px above the panel
# (a trial saw no progress at all). If that line is not in view, the question box is brought
# to the top of the screen with the progress under it: where a chat app shows what it is doing,
# and where the reader asks once the article is ready. Run after the line says "Indexing…".
SHOW_PROGRESS_JS = """
() => { setTimeout(() => {
  const box = document.getElementById("qa-question");
  const status = document.getElementById("qa-status");
  if (!box || !status) return;
  const r = status.getBoundingClientRect();
  // the line and the bar Gradio adds above its text (about 100 px more) are in view: stay
  if (r.height > 0 && r.top >= 0 && r.bottom + 100 <= window.innerHeight) return;
  box.scrollIntoView({block: "start", behavior: "smooth"});
}, 100); }
"""

# After an answer: the article panel scrolls (inside itself, the page does not move) to the
# focused passage, and the latest answer is brought into view: on a phone the article
# panel sits under the chat, and scrolling the page to it would hide the answer.
# Run in the browser as a question is sent (the question box's submit, an example asked): the
# box is emptied at once, the question going on as the event's input. The server emptied it
# with the answer's first step, which waits its turn in the queue: what the reader had typed
# by then was wiped, the next question's first letters lost (a trial).
CLEAR_QUESTION_JS = """
(...inputs) => {
  const box = document.querySelector("#qa-question textarea");
  if (box) { box.value = ""; box.dispatchEvent(new Event("input", {bubbles: true})); }
  return inputs;
}
"""

SCROLL_TO_FOCUS_JS = """
() => { setTimeout(() => {
  const panel = document.querySelector("#qa-article");
  const focus = document.getElementById("qa-focus");
  if (panel && focus) {
    const top = focus.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop;
    panel.scrollTo({top: Math.max(0, top - panel.clientHeight / 3), behavior: "smooth"});
    focus.classList.remove("qa-flash");
    void focus.offsetWidth;
    focus.classList.add("qa-flash");
  }
  const answers = document.querySelectorAll("#qa-chat .qa-answer");
  const last = answers[answers.length - 1];
  const users = document.querySelectorAll("#qa-chat .qa-user");
  const asked = users[users.length - 1];
  // a phone: the question just asked at the top, its answer under it (the answer alone at the
  // top had scrolled the question out of view); a question taller than half the screen (a
  // long paste) would push its answer out of view (a trial): the answer then goes to the top
  if (window.innerWidth < 800 && asked) {
    asked.scrollIntoView({block: "start"});
    if (last && last.getBoundingClientRect().top > window.innerHeight / 2) last.scrollIntoView({block: "start"});
  }
  else if (last) {
    last.scrollIntoView({block: window.innerWidth < 800 ? "start" : "nearest"});
    // an answer that fits in the chat's scroll box: the box to its end. Gradio's round "scroll
    // to the latest" arrow, shown until then, sat over the answer's last line (a trial)
    let box = last.parentElement;
    while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
    if (box && box.closest("#qa-chat") && last.getBoundingClientRect().height <= box.clientHeight)
      box.scrollTop = box.scrollHeight;
  }
}, 150); }
"""

# After a reload restored the conversation: the same as after an answer, once the chat shows
# its answers (the chat stayed at its first turn, the latest answer out of view, while the
# article panel showed the latest answer's passages; a trial). It looks for them for up to 3 s.
SCROLL_AFTER_RESTORE_JS = (
    "() => { let tries = 0; const go = () => {"
    " if (document.querySelector('#qa-chat .qa-answer')) (" + SCROLL_TO_FOCUS_JS.strip() + ")();"
    " else if (++tries < 20) setTimeout(go, 150); }; setTimeout(go, 150); }"
)
