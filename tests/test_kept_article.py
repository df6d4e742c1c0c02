"""``qa.sessions.KeptArticle``: the reader's own article as the browser keeps it, checked
before it is indexed again after a reload."""

from __future__ import annotations

import json
import re

import pytest

from qa.conversation import UPLOAD_LIMIT_BYTES, UPLOAD_LIMIT_TEXT
from qa.errors import DocumentError
from qa.sessions import KeptArticle

NOTE = ("Harbour Festival Ends in Misrata\n\n"
        "The harbour festival in Misrata ended on Sunday with a concert by the city orchestra.\n"
        "Mayor Salma Idris thanked the fishermen who lent their boats for the regatta.\n")


def test_a_kept_article_indexed_again_gives_the_same_citations(seed_bot):
    bot = seed_bot.with_texts({"harbour.txt": NOTE})
    question = "Who thanked the fishermen?"
    before = bot.ask(question)
    stored = json.loads(json.dumps(KeptArticle("harbour.txt", bot.documents["harbour.txt"]).to_json()))
    kept = KeptArticle.from_json(stored, UPLOAD_LIMIT_BYTES)
    assert kept == KeptArticle("harbour.txt", NOTE, pasted=False)
    again = seed_bot.with_texts({kept.name: kept.text}).ask(question)
    assert again.text == before.text and before.citations
    assert [(c.source, c.quote_start, c.quote_end) for c in again.citations] == \
        [(c.source, c.quote_start, c.quote_end) for c in before.citations]
    pasted = KeptArticle("pasted-article.txt", NOTE, pasted=True)
    assert KeptArticle.from_json(pasted.to_json(), UPLOAD_LIMIT_BYTES) == pasted


@pytest.mark.parametrize("nothing", [None, {}, [], KeptArticle.nothing()])
def test_nothing_kept_is_none(nothing):
    assert KeptArticle.from_json(nothing, UPLOAD_LIMIT_BYTES) is None


@pytest.mark.parametrize("bad", [
    "harbour.txt",  # not an object
    [{"name": "a.txt", "text": "x"}],
    {"name": "a.txt", "text": NOTE},  # no format: stored by another version
    {"format": 99, "name": "a.txt", "text": NOTE},
    {"format": 1, "name": "", "text": NOTE},
    {"format": 1, "name": "x" * 600, "text": NOTE},
    {"format": 1, "name": 3, "text": NOTE},
    {"format": 1, "name": "a.txt", "text": "   \n"},
    {"format": 1, "name": "a.txt", "text": ["not", "text"]},
    {"format": 1, "name": "a.txt", "text": NOTE, "pasted": "yes"},
    {"format": 1, "name": "a.txt", "text": "broken \ud800 text"},
    {"format": 1, "name": "a.txt", "text": "Edited\u200b after indexing"},  # not the indexed text
])
def test_a_malformed_kept_article_is_refused_with_a_message(bad):
    with pytest.raises(DocumentError) as err:
        KeptArticle.from_json(bad, UPLOAD_LIMIT_BYTES)
    message = KeptArticle.dropped_message(err.value)
    assert "could not be used again" in message and "sample article is in use" in message
    assert "المقال الأصلي" in message


def test_a_kept_text_over_the_upload_limit_is_refused_as_an_upload_is():
    big = "Long article\n" + "word " * (UPLOAD_LIMIT_BYTES // 5 + 10)
    with pytest.raises(DocumentError) as err:
        KeptArticle.from_json(KeptArticle("big.txt", big).to_json(), UPLOAD_LIMIT_BYTES)
    assert f"over the limit of {UPLOAD_LIMIT_TEXT}" in str(err.value) and "big.txt" in str(err.value)
    assert err.value.arabic  # said in Arabic too


def test_the_app_drops_a_malformed_kept_article_with_a_status_line(seed_bot):
    """The page-load handlers (``app.build_app``): a malformed or oversized kept article is
    forgotten with a status line and the conversation restored over the sample; a good one
    is indexed again with "Your article is back"."""
    import app

    demo = app.build_app(seed_bot)
    try:
        fns = {f.fn.__name__: f.fn for f in demo.fns.values() if f.fn}
        for bad in ({"format": 0, "name": "x.txt", "text": "hi"}, {"format": 1, "name": "x.txt", "text": "a" * 70_000}):
            pending, kept, status, *_restored = fns["on_load"](bad, [], None)
            assert kept == KeptArticle.nothing() and pending == {"__type__": "update"}
            assert "qa-status-error" in status and "could not be used again" in status
        out = fns["restore_article"](KeptArticle("x.txt", "Headline\n\nThe body.").to_json(),
                                     progress=lambda *a, **k: None)
        assert out[-1] == "done" and out[-2]["text"] == "Headline\n\nThe body."
        # the status line's text (the name is drawn in a <bdi> of its own, kept on one line)
        assert any(isinstance(o, str) and "Your article is back: “x.txt”" in re.sub(r"<[^>]+>", "", o) for o in out)
    finally:
        demo.articles.stop_sweeper()


def test_the_browser_key_is_one_across_starts(tmp_path, caplog):
    """``browser_secret``: drawn once and kept (owner-only) in the index folder, so a restart
    reads what browsers kept; ``QA_BROWSER_SECRET`` wins; an index folder that cannot be
    written gives a key for this process, with a warning."""
    import logging
    import stat

    from qa.config import Settings
    from qa.sessions import BROWSER_SECRET_FILE, browser_secret

    settings = Settings(index_dir=str(tmp_path / "index"))
    first = browser_secret(settings)
    assert browser_secret(settings) == first and len(first) >= 32
    kept = tmp_path / "index" / BROWSER_SECRET_FILE
    assert kept.read_text(encoding="utf-8").strip() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    kept.write_text("", encoding="utf-8")  # a start stopped between creating and writing it
    redrawn = browser_secret(settings)
    assert redrawn and redrawn != first and browser_secret(settings) == redrawn
    assert browser_secret(Settings(index_dir=str(tmp_path / "index"), browser_secret=" given ")) == "given"
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="qa.sessions"):
        one = browser_secret(Settings(index_dir=str(blocked / "index")))
    assert one and one != browser_secret(Settings(index_dir=str(blocked / "index")))
    assert "until the next restart" in caplog.text
