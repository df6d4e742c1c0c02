"""Splitting documents into passages that end on sentence boundaries.

A paragraph is a line of the document; a passage never crosses paragraphs. Sentences come
from pysbd's rule-based segmenter (its English rules, which keep abbreviations and decimals
together) and are cut further after the Arabic ``؟`` and ``؛`` and ``!``; pysbd's own
Arabic rules also cut at every Arabic comma, which splits clauses, not sentences.
Sentences are packed greedily into passages of at most ``max_tokens`` embedding-model tokens.
A sentence longer than that is cut at word boundaries, so the model never truncates a passage.

Invariant: ``document.text[p.start:p.end] == p.text`` for every passage (and sentence).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable

from .ingest import Document
from .ingest.document import LIST_BREAK

TokenCounter = Callable[[str], int]

# A cut after these when followed by whitespace (pysbd's English rules miss them), and
# after a full stop inside closing quotes (`.” `), common in Arabic news prose.
_ARABIC_END = re.compile(r"(?:(?<=[؟؛!])[\"”’»)\]]*|(?<=\.)[\"”’»]+)\s+")
_WORD = re.compile(r"\w+", re.UNICODE)
_LINE = re.compile(r"[^\r\n]+")
_CLAUSE_END = re.compile(r"(?<=[،,;؛])\s+")
# A span shorter than this many words is a fragment ("◙", a lone ".") and joins a neighbour.
MIN_WORDS = 3


@dataclass(frozen=True)
class Span:
    """A character span of a document: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Passage:
    """A chunk of a document that is embedded, retrieved and cited as a unit.

    Attributes:
        source: the document's file name.
        paragraph: 1-based number of the paragraph (non-empty line) it comes from.
        start, end: character offsets into the document text.
        text: ``document.text[start:end]``.
        sentences: the sentence spans inside it, in order, offsets into the document.
    """

    source: str
    paragraph: int
    start: int
    end: int
    text: str
    sentences: tuple[Span, ...]


@dataclass(frozen=True)
class SplitterSettings:
    """Splitter settings, recorded in the index manifest (a change rebuilds the index).

    Attributes:
        max_tokens: most model tokens per passage, prompt and special tokens included
            (multilingual-e5-small reads 512 and truncates the rest). Whole paragraphs
            retrieve best: on XQuAD-ar, dense hit@1 0.87 with 500-token passages against
            0.82 with 200-token ones.
        min_words: spans with fewer words join a neighbour.
        max_unit_tokens: a sentence longer than this is cut into clause units at Arabic
            or Latin commas and semicolons (packed greedily up to this size), for the
            sentence vectors and quotes: news sentences run to 100 tokens and mix several
            facts, and a single vector of such a sentence matches every question a little.
        headline_context: when a document opens with a headline (see ``headline``), embed
            each later passage with the headline in front ("contextual chunk headers"), so
            a passage that says "the conference" also carries where and what it was. Only
            the vector changes; the passage text and offsets do not.
    """

    max_tokens: int = 500
    min_words: int = MIN_WORDS
    max_unit_tokens: int = 48
    headline_context: bool = True


@lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    # whitespace, and the invisible byte-order mark a file may start with
    while start < end and (text[start].isspace() or text[start] == "\ufeff"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == "\ufeff"):
        end -= 1
    return start, end


def _is_ornament(char: str) -> bool:
    # Unicode "Symbol, other" (◙ ■ ▪ ✓, emoji) and bullet punctuation; not currency or
    # maths signs, which can open a fact ("$5 million", "+3 %")
    return unicodedata.category(char) == "So" or char in "\u2022\u2023\u2043\u00b7"


def past_ornaments(text: str, start: int, end: int) -> int:
    """Where a quote of ``text[start:end]`` opens: ``start`` moved past leading ornaments (a
    pull-quote's «◙», a list bullet) and the spaces after them; ``start`` when nothing else
    is left. Sentence spans keep their ornaments (their vectors are what the fitted policy
    saw); quotes do not."""
    a = start
    while a < end and (_is_ornament(text[a]) or (a > start and text[a].isspace())):
        a += 1
    return a if a < end else start


def split_sentences(text: str, start: int = 0, end: int | None = None, min_words: int = MIN_WORDS) -> list[Span]:
    """Split ``text[start:end]`` (one paragraph) into sentence spans.

    Args:
        text: the whole document text.
        start, end: the paragraph's offsets in it.
        min_words: fragments of fewer words are joined to the previous sentence (or the
            next one); 1 keeps every sentence (a chat message's "Where?").

    Returns:
        Sentence spans, whitespace trimmed, offsets into ``text``.
    """
    end = len(text) if end is None else end
    paragraph = text[start:end]
    bounds: list[tuple[int, int]] = []
    for seg in _segmenter().segment(paragraph):
        cut = seg.start
        for m in _ARABIC_END.finditer(paragraph, seg.start, seg.end):
            bounds.append((cut, m.end()))
            cut = m.end()
        bounds.append((cut, seg.end))
    spans: list[tuple[int, int]] = []
    for a, b in bounds:
        a, b = _strip_span(text, start + a, start + b)
        if a < b:
            spans.append((a, b))
    return [Span(a, b, text[a:b]) for a, b in _join_fragments(text, spans, min_words)]


def _join_fragments(text: str, spans: list[tuple[int, int]], min_words: int = MIN_WORDS) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    pending_start: int | None = None  # a leading fragment waiting for the next sentence
    for a, b in spans:
        small = len(_WORD.findall(text[a:b])) < min_words
        if pending_start is not None:
            a, pending_start = pending_start, None
            small = len(_WORD.findall(text[a:b])) < min_words
        if small and out:
            out[-1][1] = b
        elif small:
            pending_start = a
        else:
            out.append([a, b])
    if pending_start is not None:  # the whole paragraph is a fragment
        out.append([pending_start, spans[-1][1]])
    return [(a, b) for a, b in out]


def _cut_long(text: str, span: Span, max_tokens: int, count: TokenCounter) -> list[Span]:
    """Cut a sentence longer than ``max_tokens`` at word boundaries."""
    if count(span.text) <= max_tokens:
        return [span]
    words = [(span.start + m.start(), span.start + m.end()) for m in re.finditer(r"\S+", span.text)]
    pieces: list[Span] = []
    first = 0
    while first < len(words):
        last = first
        # grow while the piece fits (at least one word per piece)
        while last + 1 < len(words) and count(text[words[first][0] : words[last + 1][1]]) <= max_tokens:
            last += 1
        a, b = words[first][0], words[last][1]
        pieces.append(Span(a, b, text[a:b]))
        first = last + 1
    return pieces


def clause_units(text: str, span: Span, max_tokens: int, count: TokenCounter, min_words: int = MIN_WORDS) -> list[Span]:
    """Cut a long sentence into clause units of at most ``max_tokens`` tokens where possible.

    Clauses end at a comma or semicolon (Arabic or Latin) followed by whitespace; they
    are packed greedily, and a unit shorter than ``min_words`` words joins the previous one.
    A sentence within ``max_tokens`` comes back whole.
    """
    if count(span.text) <= max_tokens:
        return [span]
    cuts = [span.start] + [span.start + m.end() for m in _CLAUSE_END.finditer(span.text)] + [span.end]
    clauses = [_strip_span(text, a, b) for a, b in zip(cuts, cuts[1:])]
    units: list[list[int]] = []
    for a, b in clauses:
        if a >= b:
            continue
        if units and (count(text[units[-1][0] : b]) <= max_tokens
                      or len(_WORD.findall(text[a:b])) < min_words):
            units[-1][1] = b
        else:
            units.append([a, b])
    return [Span(a, b, text[a:b]) for a, b in units]


_SENTENCE_END = re.compile(r"[.!?؟…]\W*$")


def headline(document: Document, max_words: int = 25) -> str | None:
    """The document's headline: its first paragraph when short (at most ``max_words``
    words) and without sentence-final punctuation, as news headlines are; else ``None``."""
    for _, start, end in paragraphs(document):
        first = document.text[start:end]
        if len(first.split()) <= max_words and not _SENTENCE_END.search(first):
            return first
        return None
    return None


# A byline: "By Jane Morton, Staff Reporter", "Par Marie Dupont", «بقلم: محمد علي», «كتب: …» —
# the word that opens a credit line, then a name (capitalised in Latin script) and its role.
_BYLINE = re.compile(r"(?:by|par)\s*:?\s+[A-ZÀ-Þ]|(?:بقلم|كتب|كتبت)\s*:?\s+\w", re.IGNORECASE)
_BYLINE_OPENER = re.compile(r"(?:by|par)\b", re.IGNORECASE)
# Room for two names and a role ("By Jane Morton and Sami Ali, Staff Reporters", 9 words);
# a paragraph of text that opens "By <Name>" runs longer (no paragraph of the shared or project
# corpora is taken for a byline: tests/test_answering.py)
MAX_BYLINE_WORDS = 12


def is_byline(paragraph: str) -> bool:
    """True when ``paragraph`` is a byline, the credit line news text puts under its headline
    ("By Jane Morton, Staff Reporter", «بقلم: محمد علي»): it opens with the word of credit
    followed by a name, holds at most ``MAX_BYLINE_WORDS`` words on one line and does not end
    a sentence. What a summary of the article leaves out (a trial's overview spent one of its
    three sentences on it). "By Tuesday the council had voted." ends a sentence and is text."""
    text = paragraph.strip()
    if not text or "\n" in text or len(text.split()) > MAX_BYLINE_WORDS or _SENTENCE_END.search(text):
        return False
    if not _BYLINE.match(text):
        return False
    # Latin script: the name after "By" is capitalised ("By Jane", not "by the river")
    return not _BYLINE_OPENER.match(text) or text.split(None, 1)[1].lstrip(": ")[:1].isupper()


def embedding_texts(documents: Iterable[Document], passages: list[Passage], count_tokens: TokenCounter,
                    settings: SplitterSettings = SplitterSettings(), model_limit: int = 512) -> list[str]:
    """The text embedded for each passage: the passage, with its document's headline in
    front when ``settings.headline_context`` holds, the passage is not the headline itself,
    and the two fit in ``model_limit`` tokens."""
    heads = {d.source: headline(d) for d in documents} if settings.headline_context else {}
    texts = []
    for p in passages:
        head = heads.get(p.source)
        text = p.text
        if head and p.text != head and count_tokens(f"{head}\n{p.text}") <= model_limit:
            text = f"{head}\n{p.text}"
        texts.append(text)
    return texts


def paragraphs(document: Document) -> Iterable[tuple[int, int, int]]:
    """Yield ``(number, start, end)`` for each non-empty line of the document, 1-based."""
    return text_paragraphs(document.text)


def text_paragraphs(text: str) -> Iterable[tuple[int, int, int]]:
    """``paragraphs`` of a document's ``text``: the numbering citations give ("¶3")."""
    number = 0
    for m in _LINE.finditer(text):
        a, b = _strip_span(text, m.start(), m.end())
        if a < b:
            number += 1
            yield number, a, b


def split_document(document: Document, count_tokens: TokenCounter, settings: SplitterSettings = SplitterSettings()) -> list[Passage]:
    """Split one document into passages.

    Args:
        document: the document.
        count_tokens: tokens the embedding model reads for a text (``str -> int``).
        settings: passage size limits.

    Returns:
        Passages in document order; each within one paragraph, ending on a sentence
        boundary (or a word boundary for a sentence too long for one passage).
    """
    passages: list[Passage] = []
    for number, p_start, p_end in paragraphs(document):
        passages.extend(_split_paragraph(document, number, p_start, p_end, count_tokens, settings))
    return passages


def paragraph_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The lines of the paragraph ``text[start:end]``: the parts between ``LIST_BREAK``s
    (a paragraph and each item of its list, ``qa.ingest.document.LIST_BREAK``); the whole
    paragraph when it holds none."""
    cuts = [start] + [i + 1 for i in range(start, end) if text[i] == LIST_BREAK] + [end + 1]
    return [(a, b - 1) for a, b in zip(cuts, cuts[1:])]


def _split_paragraph(document: Document, number: int, p_start: int, p_end: int, count_tokens: TokenCounter,
                     settings: SplitterSettings) -> list[Passage]:
    """The passages of paragraph ``number`` (``document.text[p_start:p_end]``). A paragraph
    with a list is split line by line (``paragraph_lines``): each item's sentences are those
    it had as a paragraph of its own, never run into its neighbours'; the passages hold the
    paragraph and its list together."""
    text = document.text
    passages: list[Passage] = []
    sentences: list[Span] = []
    lines = paragraph_lines(text, p_start, p_end) if LIST_BREAK in text else [(p_start, p_end)]
    for sentence in (s for a, b in lines for s in split_sentences(text, a, b)):
        for piece in _cut_long(text, sentence, settings.max_tokens, count_tokens):
            sentences.extend(clause_units(text, piece, settings.max_unit_tokens, count_tokens, settings.min_words))
    group: list[Span] = []
    for sentence in sentences:
        if group and count_tokens(text[group[0].start : sentence.end]) > settings.max_tokens:
            passages.append(_passage(document, number, group))
            group = []
        group.append(sentence)
    if group:
        passages.append(_passage(document, number, group))
    return passages


def _passage(document: Document, paragraph: int, sentences: list[Span]) -> Passage:
    a, b = sentences[0].start, sentences[-1].end
    return Passage(document.source, paragraph, a, b, document.text[a:b], tuple(sentences))


# Reports of splitting progress per call of ``split_documents``: about one per 5 % of the
# paragraphs (a 60 KB upload has a few hundred; each report is a message to the browser).
SPLIT_REPORTS = 20


def split_documents(documents: Iterable[Document], count_tokens: TokenCounter, settings: SplitterSettings = SplitterSettings(),
                    progress: Callable[[int, int], None] | None = None) -> list[Passage]:
    """Split several documents; passages keep document order. ``progress(paragraphs_done,
    paragraphs_total)``, if given, is called as paragraphs are split (about ``SPLIT_REPORTS``
    times, and at the last one): the stage before embedding had reported nothing, and a
    large upload's progress bar stood at 0 % (a trial)."""
    documents = list(documents)
    spans = [(document, number, a, b) for document in documents for number, a, b in paragraphs(document)]
    step = max(1, len(spans) // SPLIT_REPORTS)
    if progress:
        progress(0, len(spans))
    out: list[Passage] = []
    for done, (document, number, a, b) in enumerate(spans, start=1):
        out.extend(_split_paragraph(document, number, a, b, count_tokens, settings))
        if progress and (done % step == 0 or done == len(spans)):
            progress(done, len(spans))
    return out
