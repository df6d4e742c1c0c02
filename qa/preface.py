"""The line above an offline answer whose quotes are in another language than the reader's
(``Answer.preface``): an English (or French) question over an Arabic article, an Arabic (or
French) one over an English article.

Without a chat model nothing is translated: the line says plainly, in the reader's
language, that the article is in Arabic and what the quotes below are ("The article (in
Arabic), quoted as written"), then the names the quotes hold in Latin script:

- people, by ``arabic-name-romanizer`` (UNICEF, MIT: a dictionary of about 60k attested
  Latin spellings from Wikidata, with a small ONNX model for unseen names). Measured on the
  seed article's names: محمود حمزة -> Mahmoud Hamza, عبدالسلام الزوبي -> Abdeslam Al-Zoubi,
  محمد الحداد -> Mohamed Al-Haddad, صلاح النمروش -> Salah Al-Namroush, خليفة حفتر -> Khalifa
  Haftar; it gives طرابلس as "Trabels", so places are not sent to it. anyascii
  ("mhmwd hmzh") and Unidecode ("mHmwd Hmz@") only map letters and are not used.
- places, by their CLDR names (Babel, as ``qa.places``): countries and the exemplar
  cities of time zones (طرابلس -> Tripoli, تونس -> Tunisia).

A person's name is found as a given name the romanizer's dictionary has attested at
least ``GIVEN_NAME_MIN_COUNT`` times, followed by one more word (the family name), both
not function words and not places; a word after a particle (``NAME_PARTICLES``: بن, بنت,
أبو) belongs to the name too. On the seed article the given names have counts of 30
(عبدالسلام) to 4540 (محمد) while the ordinary words the dictionary also holds stay at or
under 18 (شهد) apart from function words (على 2537, بين 39), hence 25. This is a cue, not
named-entity recognition: an ordinary word that is also a frequent given name can be
taken for one.

A question that asks for a language ("Answer in English please", "بالعربية", "en
français") gets the line in that language; offline that request is answered with this
line, since the quotes stay in the article's words.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from .text import STOPWORDS, detect_language, document_language, normalize, question_language

log = logging.getLogger(__name__)

GIVEN_NAME_MIN_COUNT = 25
# Arabic name particles that never end a name: ibn/bin, bint, abu (normalised as ``normalize``
# writes them).
NAME_PARTICLES = frozenset(normalize(w) for w in ("بن", "ابن", "بنت", "أبو", "أبي", "بو"))
_ARABIC_RUN = re.compile(r"[\u0621-\u064A]+")
_WORD = re.compile(r"\w+", re.UNICODE)

# Requests for a language inside a question (lower-cased, Arabic normalised by ``normalize``).
LANGUAGE_REQUESTS = {
    "en": ("in english", "en anglais", "بالانجليزيه", "بالانكليزيه", "بالانجليزي", "باللغه الانجليزيه"),
    "fr": ("in french", "en français", "en francais", "بالفرنسيه", "باللغه الفرنسيه"),
    "ar": ("in arabic", "en arabe", "بالعربيه", "باللغه العربيه", "بالعربي"),
}
# Words that only French uses among the questions' function words (a French question is
# otherwise told from English by nothing in ``qa.text.detect_language``).
# "la", "le" and "a" are Spanish and Italian words too: «¿Quién asistió a la conferencia?» got
# the French line (a trial).
_FRENCH = frozenset("qui quand où pourquoi combien quel quelle quels quelles est-ce qu'est-ce les des du "
                    "une est sont été a-t-il ont au aux dans pour avec qu "
                    # and French greetings and thanks, answered in French too (a trial's «Bonjour»
                    # and «Merci !» got English replies beside the French labels)
                    "bonjour bonsoir salut coucou merci vous êtes je paragraphe".split())
# French inversion with a euphonic "t" ("Qu'a-t-il dit ?", "Que pense-t-elle ?"): the words split
# at the hyphens and apostrophe, so "a-t-il" above never matched, and the follow-up's answer was
# labelled in English under a French conversation (a trial)
_FRENCH_INVERSION = re.compile(r"\w-t-(?:il|elle|on|ils|elles)\b")

ARTICLE_IN = {"ar": {"en": "in Arabic", "fr": "en arabe"}, "en": {"ar": "بالإنجليزية", "fr": "en anglais"}}
# What the quotes below are, per reader language. The line says what the quotes are, not that
# they answer: the extractive answer cannot know that ("gives the reason in this quote"
# overclaimed when the quote was the wrong one). It no longer names the question's kind: "The
# article (in Arabic) on who, in its own words" and "on how many" for "How much…" read
# awkwardly to a trial's reader.
LINES = {
    "en": {
        "other": "The article ({lang}), quoted as written",
        "overview": "The article ({lang}) opens with these sentences, in its own words",
        "none": "The article is {lang}; without a chat model the answers quote it as written, "
                "with a line like this one in English saying what the quotes are",
        "abstained": "The article ({lang}) does not say",
        "mixed": "The articles, quoted as written (some {lang})",
        "names": "names in Latin script",
    },
    "fr": {
        "other": "L'article ({lang}), cité tel quel",
        "overview": "L'article ({lang}) commence par ces phrases, dans ses propres mots",
        "none": "L'article est {lang} ; sans modèle de dialogue, les réponses le citent tel quel, "
                "avec une ligne en français comme celle-ci qui dit ce que sont les citations",
        "abstained": "L'article ({lang}) ne le dit pas",
        "mixed": "Les articles, cités tels quels (certains {lang})",
        "names": "noms en alphabet latin",
    },
    # an Arabic reader of an English article (a trial: its English quotes came with no line)
    "ar": {
        "other": "المقال ({lang})، بنصه كما ورد",
        "overview": "يبدأ المقال ({lang}) بهذه الجمل، بنصها",
        "none": "المقال {lang}؛ دون نموذج محادثة تقتبس الإجابات نصه كما ورد، مع سطر بالعربية كهذا "
                "يقول ما هي الاقتباسات",
        "abstained": "المقال ({lang}) لا يذكر ذلك",
        "mixed": "المقالات بنصها كما ورد (بعضها {lang})",
        "names": "الأسماء بالحروف اللاتينية",
    },
}


def requested_language(question: str) -> str | None:
    """The language a question asks the answer to be in (``"en"``, ``"fr"``, ``"ar"``), or None:
    Arabic and English as the chat model reads them (``qa.llm_prompt.requested_language``),
    French by its phrases in ``LANGUAGE_REQUESTS``."""
    from .llm_prompt import requested_language as arabic_or_english

    asked = arabic_or_english(question)
    if asked:
        return asked
    folded = f" {normalize(question)} "
    return "fr" if any(normalize(p) in folded for p in LANGUAGE_REQUESTS["fr"]) else None


# Words that only wrap a language request ("Answer in English please", "أجب بالعربية").
_REQUEST_WORDS = frozenset(normalize(w) for w in (
    "answer reply respond write say it please pls can you could would me the in réponds répondez réponse "
    "s'il te vous plaît plait en اجب أجب أجبني اجبني رد جاوب من فضلك لو سمحت الرجاء باللغه".split()))


def only_language_request(question: str) -> bool:
    """True when ``question`` asks for a language and nothing else ("Answer in English please")."""
    if not requested_language(question):
        return False
    folded = f" {normalize(question)} "
    for phrases in LANGUAGE_REQUESTS.values():
        for phrase in phrases:
            folded = folded.replace(normalize(phrase), " ")
    return all(normalize(w) in _REQUEST_WORDS for w in _WORD.findall(folded))


# A request to translate what was quoted ("Translate the answer to English", "translate it",
# «ترجم الجواب»): a translating verb, with words pointing at the answer or naming a language and
# the words that wrap a request. The extractive bot cannot translate; it got quotes (a trial).
_TRANSLATE_WORDS = frozenset(normalize(w) for w in (
    "translate translated translating translation translations traduis traduisez traduire traduction "
    "ترجم ترجمه ترجمة ترجملي ترجمها ترجمي ترجمو ترجمولي".split()))
_TRANSLATE_OTHER_WORDS = frozenset(normalize(w) for w in (
    "the answer answers quote quotes it this that these those them text sentence sentences passage passages "
    "article last previous above to into for in english arabic french a an of what does mean means "
    "la le les cette ce en anglais arabe français francais "
    "الجواب الاجابه الإجابة الاجابات النص الاقتباس الاقتباسات هذا هذه ذلك المقال السابق الاخير "
    "الى إلى لي للانجليزيه للإنجليزية للانكليزيه للعربيه للعربية للفرنسيه بالانجليزيه بالإنجليزية "
    "الانجليزيه الإنجليزية العربيه العربية".split()))


# The language a translation request names (its words as ``normalize`` leaves them).
_TRANSLATION_TARGETS = {normalize(w): lang for lang, words in {
    "en": "english anglais الانجليزيه الإنجليزية للانجليزيه للإنجليزية للانكليزيه بالانجليزيه بالإنجليزية",
    "ar": "arabic arabe العربيه العربية للعربيه للعربية بالعربيه بالعربية",
    "fr": "french français francais الفرنسيه الفرنسية للفرنسيه بالفرنسيه",
}.items() for w in words.split()}


# Every word a translation request may hold, lower-cased and normalised (another request that
# asks for a translation, "Translate the first paragraph", may hold them too).
TRANSLATION_WORDS = frozenset(w.lower() for w in _TRANSLATE_WORDS | _TRANSLATE_OTHER_WORDS)


def translation_target(question: str) -> str | None:
    """The language a translation request (``is_translation_request``) names, or ``None``:
    «ترجم الجواب إلى الإنجليزية» asks for English though it is written in Arabic."""
    if not is_translation_request(question):
        return None
    return next((_TRANSLATION_TARGETS[w] for w in (normalize(t) for t in _WORD.findall(question))
                 if w in _TRANSLATION_TARGETS), None)


def is_translation_request(question: str) -> bool:
    """True when ``question`` asks to translate what was quoted and nothing else ("Translate
    the answer to English", "translate it please", «ترجم الجواب إلى الإنجليزية»): a
    translating word, and every other word one that points at the answer, names a language
    or wraps a request. Without a chat model it is told what the quotes are, as a language
    request is (``only_language_request``)."""
    words = [normalize(w) for w in _WORD.findall(question.replace("'", " ").replace("’", " "))]
    allowed = _TRANSLATE_WORDS | _TRANSLATE_OTHER_WORDS | _REQUEST_WORDS
    # "What does that mean in English?": "mean" translates only beside a language's name
    translating = any(w in _TRANSLATE_WORDS for w in words) or (
        any(w in ("mean", "means") for w in words) and any(w in _TRANSLATION_TARGETS for w in words))
    return translating and all(w in allowed for w in words)


def asks_only_for_language(question: str) -> bool:
    """``only_language_request`` or ``is_translation_request``: the message asks for the
    answer in a language, not about the article."""
    return only_language_request(question) or is_translation_request(question)


def reader_language(question: str) -> str:
    """The language the reader wants: a request in the question, else the question's own
    (``"fr"`` when it holds a function word only French uses, else ``qa.text.question_language``)."""
    asked = requested_language(question) or translation_target(question)
    if asked:
        return asked
    language = question_language(question)
    lowered = question.lower()
    if language == "en" and (any(w in _FRENCH for w in _WORD.findall(lowered)) or _FRENCH_INVERSION.search(lowered)):
        return "fr"
    return language


@lru_cache(maxsize=4)
def _places(language: str = "en") -> dict[str, str]:
    """Normalised Arabic place name -> its CLDR name in ``language`` ("en", "fr"): countries
    and the exemplar cities of their time zones (Babel): تونس -> "Tunisia" or "Tunisie"."""
    from babel import Locale
    from babel.core import get_global
    from babel.dates import get_timezone_location

    target, ar = Locale(language), Locale("ar")
    out: dict[str, str] = {}
    for code, name in ar.territories.items():
        if code.isalpha() and code in target.territories:
            out.setdefault(normalize(name), target.territories[code])
    for zones in get_global("territory_zones").values():
        for zone in zones:
            try:
                a = get_timezone_location(zone, "ar", return_city=True)
                e = get_timezone_location(zone, language, return_city=True)
            except LookupError:
                continue
            if a and e:
                out.setdefault(normalize(a), e)
    return out


def _place(token: str, language: str = "en") -> str | None:
    places = _places(language)
    folded = normalize(token)
    for prefix in ("", "و", "ب", "ل", "وب", "ول", "ف"):
        if folded.startswith(prefix) and folded[len(prefix):] in places:
            return places[folded[len(prefix):]]
    return None


@lru_cache(maxsize=1)
def _romanizer():
    """The ``arabic_name_romanizer`` transliterator, or None when the library is missing."""
    try:
        from arabic_name_romanizer import Transliterator
    except ImportError:  # an install without it: the line goes out without names
        log.warning("arabic-name-romanizer is not installed: names stay in Arabic script")
        return None
    return Transliterator()


@lru_cache(maxsize=65536)
def _given_name_count(token: str) -> int:
    """How often the romanizer's dictionary attests ``token`` as a name unit (its most
    frequent Latin spelling's count; 0 when unknown). A dictionary look-up (SQLite), not
    the model: about 0.1 ms a word."""
    romanizer = _romanizer()
    index = getattr(romanizer, "index", None)
    if index is None:
        return 0
    from arabic_name_romanizer.normalize import full_key

    return max((v.count for v in index.lookup_unit(full_key(token))), default=0)


@lru_cache(maxsize=4096)
def _romanize(name: str) -> str:
    return str(_romanizer().transliterate(name, top_k=1))


def names_in_latin(text: str, places: bool = True, language: str = "en") -> list[str]:
    """Person and (with ``places``) place names in an Arabic ``text``, in Latin script, in
    order of first appearance, each once (see the module notes); places are named in
    ``language`` ("en" or "fr": the reader's), people as the romanizer spells them. ``[]``
    for text with no Arabic."""
    romanizer = _romanizer()
    out: list[str] = []
    for run in re.split(r"[،,.؛;:“”\"()\-–]", text):  # a name never crosses punctuation
        tokens = _ARABIC_RUN.findall(run)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            place = _place(token, language)
            if place:
                if places:
                    out.append(place)
                i += 1
                continue
            if (romanizer is not None and i + 1 < len(tokens) and normalize(token) not in STOPWORDS
                    and normalize(tokens[i + 1]) not in STOPWORDS and not _place(tokens[i + 1])
                    and _given_name_count(token) >= GIVEN_NAME_MIN_COUNT):
                end = i + 2
                # "son of", "father of": the name goes on to the next word ("سلمى بن علي"; alone,
                # "سلمى بن" was romanised "Salma Ben-Haim")
                while end < len(tokens) and normalize(tokens[end - 1]) in NAME_PARTICLES:
                    end += 1
                out.append(_romanize(" ".join(tokens[i:end])))
                i = end
                continue
            i += 1
    return list(dict.fromkeys(out))


def language_phrase(language: str, reader: str) -> str:
    """How the line above an answer names an article's ``language`` (ISO 639-1) for a
    ``reader`` ("en", "fr", "ar"): ``ARTICLE_IN``'s phrases for Arabic and English articles,
    else the language's CLDR name (babel): "in French", «بالفرنسية», "en allemand"; ``""``
    when neither knows it."""
    if language in ARTICLE_IN:
        return ARTICLE_IN[language].get(reader, "")
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(language).get_display_name(reader)
    except (UnknownLocaleError, ValueError, TypeError):
        return ""
    if not name:
        return ""
    return {"en": f"in {name}", "fr": f"en {name}", "ar": f"ب{name}"}.get(reader, "")


def preface(question: str, article_language: str, quotes: list[str], abstained: bool = False) -> str:
    """The line above the answer (see the module notes), or ``""`` when the reader's
    language is the article's or is not one the line is written in.

    Args:
        question: the question as asked.
        article_language: the article's language (``qa.text.document_language``: "ar",
            "en", "fr", …).
        quotes: the quoted sentences of the answer (their names are listed).
        abstained: the bot said the article does not say (or gave an invitation).
    """
    reader = reader_language(question)
    lang = language_phrase(article_language, reader)
    if reader == article_language or reader not in LINES or not lang:
        return ""
    words = LINES[reader]
    # the quotes' script: Arabic, or Latin for any other article language
    article_language = "ar" if article_language == "ar" else "en"
    if asks_only_for_language(question) or abstained:
        key = "none" if asks_only_for_language(question) else "abstained"
        return words[key].format(lang=lang, lang_bare=lang) + "."
    from .followups import is_overview_request

    if quotes and all(document_language(q) == reader for q in quotes):
        # a collection of several languages: these quotes are in the reader's own (an English
        # article beside the Arabic one), and "(in Arabic)" above them was wrong (a trial)
        return ""
    # quotes of an article in another language beside the articles' own (an English article
    # beside the Arabic one): "The article (in Arabic)" above them all was wrong for the first
    # (a trial); the names listed come from the quotes in the articles' language
    own = [q for q in quotes if detect_language(q) == article_language]
    from .llm_prompt import without_language_request

    overview = is_overview_request(without_language_request(question))  # "Summarize it in English" too
    mixed = bool(own) and len(own) < len(quotes) and not overview
    key = "mixed" if mixed else "overview" if overview else "other"
    line = words[key].format(lang=lang)
    names = names_in_latin(" ".join(own if mixed else quotes), language=reader) if article_language == "ar" else []
    colon = " :" if reader == "fr" else ":"  # French sets a space before a colon
    if names:
        line += f" ({words['names']}{colon} {', '.join(names)})"
    return line + colon
