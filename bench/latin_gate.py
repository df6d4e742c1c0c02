"""Fit the two settings of the Latin-script question check (``qa.grounding.ArticleGrounding.has_known_word``).

    python -m bench.latin_gate      # the table and the settings chosen (about a minute)

A message in Latin script asks something when at least ``MIN_LATIN_SHARE`` of its words are
known (the article's words, pyspellchecker's English and French lists, a name the article
holds in Arabic script), a word of ``MIN_EDIT_LETTERS`` letters or more also when one edit
from a dictionary word. Three sets, all read as the chain reads a message (``restore_case``)
and judged against the seed article's grounding:

- **real**: every message in Latin script of the shared and project sets (``latin_files``; not
  ``eval/other_languages``, questions in languages the bot does not read);
- **typos**: the same messages with one typing slip each (one word of four letters or more,
  one letter deleted, inserted, replaced or swapped with the next; ``random.Random(0)``);
- **mash**: ``N_MASH`` random strings of one to four words (``random_latin``; half typed
  along one keyboard row), as "asdkjh qwpoeiru zmxncb" was (a trial).

For each pair of ``SHARES`` x ``EDIT_LETTERS`` the real messages held back, the typos held back
and the mash let through are counted. The pair kept holds back no real message and makes the
fewest errors (typos held back + mash let through, each counted once); a tie goes to the larger
share, then to the shorter edit length. ``tests/test_topic_requests.py`` (slow) checks that
``qa.grounding`` ships the pair this chooses.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("QA_SHARED_DIR", ROOT.parent / "shared")) / "eval"
SHARES = (1 / 3, 1 / 2, 2 / 3)
EDIT_LETTERS = (4, 5, 6, 7, 8, None)  # None: no word is taken one edit from a dictionary word
N_MASH = 500
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_WORD = re.compile(r"[A-Za-z]{4,}")


def latin_files() -> list[Path]:
    """The question files read for the real messages (shared and project sets)."""
    return [SHARED / "seed_dev.jsonl", SHARED / "xquad" / "questions.jsonl",
            *sorted(p for p in (ROOT / "eval").glob("*/questions.jsonl") if p.parent.name != "other_languages"),
            ROOT / "eval" / "followups" / "seed.jsonl",
            ROOT / "eval" / "followups" / "english.jsonl"]


def latin_messages() -> list[str]:
    """Every message of ``latin_files`` with no Arabic letter (``question``, or a chat
    request set's ``text``)."""
    out = []
    for path in latin_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                text = row.get("question") or row["text"]
                if not _ARABIC.search(text):
                    out.append(text)
    return out


def random_latin(rng: random.Random) -> str:
    """One to four random words of 4-9 letters, half typed along one keyboard row."""
    rows = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    words = []
    for _ in range(rng.randint(1, 4)):
        letters = rng.choice(rows) if rng.random() < 0.5 else "abcdefghijklmnopqrstuvwxyz"
        words.append("".join(rng.choice(letters) for _ in range(rng.randint(4, 9))))
    return " ".join(words)


def with_typo(text: str, rng: random.Random) -> str:
    """``text`` with one slip in one of its words of four letters or more (unchanged without one)."""
    words = list(_WORD.finditer(text))
    if not words:
        return text
    match = rng.choice(words)
    word, i = match.group(), rng.randrange(len(match.group()))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    kind = rng.choice(("delete", "insert", "replace", "swap"))
    if kind == "delete":
        slipped = word[:i] + word[i + 1:]
    elif kind == "insert":
        slipped = word[:i] + letter + word[i:]
    elif kind == "replace":
        slipped = word[:i] + letter + word[i + 1:]
    else:
        i = min(i, len(word) - 2)
        slipped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    return text[:match.start()] + slipped + text[match.end():]


def fit(grounding) -> dict:
    """The table and the chosen pair: ``{"rows": [...], "chosen": {"share", "edit_letters"}}``."""
    from qa.grounding import restore_case

    real = [restore_case(m) for m in latin_messages()]
    rng = random.Random(0)
    typos = [restore_case(with_typo(m, rng)) for m in latin_messages()]
    mash_rng = random.Random(0)
    mash = [restore_case(random_latin(mash_rng)) for _ in range(N_MASH)]
    rows = []
    for share in SHARES:
        for letters in EDIT_LETTERS:
            def passes(text: str) -> bool:
                return grounding.has_known_word(text, min_share=share, min_edit_letters=letters or 10**6)
            held_real = sum(not passes(t) for t in real)
            held_typos = sum(not passes(t) for t in typos)
            let_mash = sum(passes(t) for t in mash)
            rows.append({"share": share, "edit_letters": letters, "real_held": held_real, "typos_held": held_typos,
                         "mash_passed": let_mash, "errors": held_typos + let_mash})
    allowed = [r for r in rows if r["real_held"] == 0]
    best = min(allowed, key=lambda r: (r["errors"], -r["share"], r["edit_letters"] or 10**6))
    return {"n_real": len(real), "n_mash": len(mash), "rows": rows,
            "chosen": {"share": best["share"], "edit_letters": best["edit_letters"]}}


def other_languages(grounding) -> dict:
    """How ``ArticleGrounding.other_language`` reads what the check holds back: the questions
    of ``eval/other_languages`` (German, Spanish, Italian, Dutch, Portuguese) held back and
    read as their own language, and the random strings held back but read as one of those."""
    from qa.grounding import restore_case

    path = ROOT / "eval" / "other_languages" / "questions.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    held = [r for r in rows if not grounding.has_known_word(restore_case(r["question"]))]
    rng = random.Random(0)
    mash = [restore_case(random_latin(rng)) for _ in range(N_MASH)]
    mash_held = [m for m in mash if not grounding.has_known_word(m)]
    return {"n": len(rows), "held": len(held),
            "read_as_their_language": sum(grounding.other_language(restore_case(r["question"])) == r["lang"]
                                          for r in held),
            "mash_held": len(mash_held), "mash_read_as_a_language": [m for m in mash_held
                                                                     if grounding.other_language(m)]}


def main() -> int:
    from qa import ArticleQA

    grounding = ArticleQA.from_directory().extractive.grounding
    result = fit(grounding)
    print(f"{result['n_real']} real messages (and as many with a typo), {result['n_mash']} random strings")
    print("share  edit from  real held  typos held  mash passed  errors")
    for r in result["rows"]:
        letters = r["edit_letters"] or "-"
        print(f"{r['share']:.2f}   {letters!s:>9}  {r['real_held']:>9}  {r['typos_held']:>10}  {r['mash_passed']:>11}"
              f"  {r['errors']:>6}")
    print(f"chosen: MIN_LATIN_SHARE = {result['chosen']['share']:.2f}, "
          f"MIN_EDIT_LETTERS = {result['chosen']['edit_letters']}")
    other = other_languages(grounding)
    print(f"eval/other_languages: {other['held']} of {other['n']} questions held back, "
          f"{other['read_as_their_language']} of them read as their language (qa.grounding.other_language); "
          f"random strings held back: {other['mash_held']}, read as another language: "
          f"{len(other['mash_read_as_a_language'])} {other['mash_read_as_a_language']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
