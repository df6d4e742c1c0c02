"""English words linked to the articles' Arabic stems through a bilingual dictionary
(measurement only: ``python -m bench.fit_retrieval --dictionary``; not used by ``qa``).

An English question over an Arabic article shares almost no BM25 term with it (numbers and
names only, ``qa.transliteration``). Dictionary-based query translation, the classic
cross-language retrieval baseline (Ballesteros and Croft 1997, "Phrasal translation and query
expansion techniques for cross-language information retrieval"; Pirkola 1998, "The effects of
query structure and dictionary setups in dictionary-based cross-language information
retrieval"), gives each English content word the Arabic words a dictionary translates it to;
those found in the articles join the question's BM25 terms.

The dictionaries are FreeDict's English-Arabic and Arabic-English (both from the Arabeyes
wordlist, GPL-2.0-or-later), installed by Debian's ``dict-freedict-eng-ara`` and
``dict-freedict-ara-eng`` packages as dictd files (``.index`` + gzip/dictzip ``.dict.dz``);
read where they are installed; the project ships none of their data, and does not depend on them. English
words are matched by their Snowball stem, Arabic ones by ``qa.text.stem_arabic``; the
Arabic-English side is read backwards (every single-word English gloss links back to its
Arabic headword). A word that links to more than ``fan_out`` of the articles' stems is left
out (Pirkola's finding: translations of ambiguous words add noise); the fan-out is fitted by
``python -m bench.fit_retrieval --dictionary`` (2-fold by article).
"""

from __future__ import annotations

import gzip
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from qa.text import STOPWORDS, _stemmers, content_words, is_arabic_token, normalize, stem_arabic

DICTD_DIR = Path(os.environ.get("QA_DICTIONARY_DIR", "/usr/share/dictd"))
ENGLISH_ARABIC = "freedict-eng-ara"
ARABIC_ENGLISH = "freedict-ara-eng"
_BASE64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_TASHKEEL = re.compile("[\u064b-\u0652\u0640]")
_LATIN_WORD = re.compile(r"[a-z]+")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a]+")


def _number(field: str) -> int:
    """A dictd index field (base-64 digits, most significant first) as an integer."""
    n = 0
    for c in field:
        n = n * 64 + _BASE64[c]
    return n


def read_dictd(folder: Path, name: str) -> Iterable[tuple[str, str]]:
    """The ``(headword, definition)`` pairs of one dictd dictionary.

    Args:
        folder: where ``NAME.index`` and ``NAME.dict.dz`` (or ``NAME.dict``) are.
        name: the dictionary's file name without extension, e.g. ``freedict-eng-ara``.

    Returns:
        An iterator over the entries in index order; the ``00database...`` meta entries are
        left out; a definition is the entry's text without its first (headword) line.

    Raises:
        FileNotFoundError: the dictionary is not installed there.
    """
    index = folder / f"{name}.index"
    body = folder / f"{name}.dict.dz"
    data = gzip.open(body).read() if body.exists() else (folder / f"{name}.dict").read_bytes()
    with open(index, encoding="utf-8") as lines:
        for line in lines:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0].startswith("00database"):
                continue
            start, length = _number(parts[1]), _number(parts[2])
            text = data[start:start + length].decode("utf-8", errors="replace")
            yield parts[0], text.split("\n", 1)[1] if "\n" in text else ""


def _arabic_words(text: str) -> list[str]:
    """Normalised Arabic words of a dictionary translation, diacritics off, no stopwords."""
    words = [normalize(w) for w in _ARABIC_WORD.findall(_TASHKEEL.sub("", text))]
    return [w for w in words if w and w not in STOPWORDS]


@lru_cache(maxsize=4)
def load_translations(folder: str = str(DICTD_DIR)) -> dict[str, frozenset[str]]:
    """English Snowball stem -> the normalised Arabic words FreeDict translates it to.

    Only one-word entries on either side are used: a multi-word translation ("نوع من الخبز")
    would link every one of its words. Cached per folder (about 1 s to read, 15 MB).

    Raises:
        FileNotFoundError: neither dictionary is installed in ``folder``.
    """
    english = _stemmers()[1]
    links: dict[str, set[str]] = defaultdict(set)
    found = 0
    for name, english_first in ((ENGLISH_ARABIC, True), (ARABIC_ENGLISH, False)):
        try:
            entries = list(read_dictd(Path(folder), name))
        except FileNotFoundError:
            continue
        found += 1
        for headword, definition in entries:
            # the definition's first line may repeat the pronunciation; glosses follow
            lines = [re.sub(r"^\d+\.\s*", "", s).strip() for s in definition.splitlines() if s.strip()]
            if english_first:
                if not _LATIN_WORD.fullmatch(headword.lower()):
                    continue
                arabic = [w for s in lines for w in ([_arabic_words(s)[0]] if len(_arabic_words(s)) == 1 else [])]
                if arabic:
                    links[english.stemWord(headword.lower())].update(arabic)
            else:
                head = _arabic_words(headword.split("/")[0])
                if len(head) != 1:
                    continue
                for gloss in lines:
                    if _LATIN_WORD.fullmatch(gloss.lower()):
                        links[english.stemWord(gloss.lower())].add(head[0])
    if not found:
        raise FileNotFoundError(f"no FreeDict English-Arabic dictionary in {folder} "
                                "(Debian: apt-get install dict-freedict-eng-ara dict-freedict-ara-eng)")
    return {k: frozenset(v) for k, v in links.items()}


class DictionaryLinker:
    """English question words linked to the Arabic stems of a collection through FreeDict.

    Args:
        fan_out: an English word linking to more of the collection's stems than this is not
            linked (fitted, see the module doc).
        folder: the dictd folder (``QA_DICTIONARY_DIR``, default ``/usr/share/dictd``).

    Raises:
        FileNotFoundError: the dictionaries are not installed (see ``load_translations``).
    """

    def __init__(self, fan_out: int, folder: str | os.PathLike = DICTD_DIR) -> None:
        self.fan_out = fan_out
        self._translations = load_translations(str(folder))
        self._english = _stemmers()[1]

    def arabic_terms(self, question: str, vocabulary: set[str]) -> list[list[str]]:
        """For each English content word of ``question`` with at least one and at most
        ``fan_out`` translations whose stem is in ``vocabulary``: those stems, sorted.

        Returns:
            One list of stems per linked word, in the question's order (Arabic words of the
            question are left to BM25 itself).
        """
        out = []
        for word in content_words(question):
            if is_arabic_token(word) or not _LATIN_WORD.fullmatch(word):
                continue
            words = self._translations.get(self._english.stemWord(word), ())
            stems = sorted({s for s in (stem_arabic(w) for w in words) if s in vocabulary})
            if 0 < len(stems) <= self.fan_out:
                out.append(stems)
        return out

    def arabic_words(self, question: str, vocabulary: set[str], fan_out: int | None = None) -> list[list[str]]:
        """As ``arabic_terms``, but the translations as the dictionary writes them (normalised
        words, not stems), for a code-switched query: one list per linked English word."""
        fan_out = self.fan_out if fan_out is None else fan_out
        out = []
        for word in content_words(question):
            if is_arabic_token(word) or not _LATIN_WORD.fullmatch(word):
                continue
            words = sorted(w for w in self._translations.get(self._english.stemWord(word), ())
                           if stem_arabic(w) in vocabulary)
            if 0 < len({stem_arabic(w) for w in words}) <= fan_out:
                out.append(words)
        return out
