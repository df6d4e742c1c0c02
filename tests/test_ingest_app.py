"""Uploads of PDF/Word/HTML and pasted web addresses in the web app (issue #14): a good file
becomes the session's article; a scanned PDF, a ZIP renamed .pdf and an unreachable address
each get one clear message and leave the previous article in use."""

from __future__ import annotations

import re
import socket
import zipfile

import pytest

from app_helpers import check_citations, running_app
from bench.fixtures import article_parts, chromium_pdf, docx_file, image_only_pdf, news_html
from conftest import SEED_FILE
from qa.ingest import load_file, load_pasted

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402

pytestmark = pytest.mark.slow  # starts the app
QUESTION = "من ألقى الكلمة الافتتاحية؟"


@pytest.fixture(scope="module")
def server():
    with running_app() as (url, demo):
        yield url


def _status(outputs) -> str:
    return next(o for o in outputs if isinstance(o, str) and "qa-status" in o)


def test_pdf_upload_then_bad_inputs_keep_the_article(server, tmp_path, monkeypatch):
    monkeypatch.setenv("QA_ALLOW_PRIVATE_URLS", "1")  # the unreachable address below is on 127.0.0.1
    title, paragraphs = article_parts(SEED_FILE.read_text(encoding="utf-8"))
    pdf = chromium_pdf(title, paragraphs, tmp_path)
    c = Client(server, verbose=False, download_files=False)
    status = _status(c.predict(handle_file(str(pdf)), api_name="/use_file"))
    assert "qa-status-ok" in status and pdf.name in status
    documents = {pdf.name: load_file(pdf).text}
    check_citations(c.predict(QUESTION, api_name="/ask"), documents)

    scan = image_only_pdf(tmp_path)
    fake = tmp_path / "renamed.pdf"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("article.txt", "not a pdf")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    refusals = [
        (c.predict(handle_file(str(scan)), api_name="/use_file"), "no text layer", "لا طبقة نص"),
        (c.predict(handle_file(str(fake)), api_name="/use_file"), "is not a PDF", "ليس ملف PDF"),
        (c.predict(f"http://127.0.0.1:{port}/news", api_name="/use_text"), "cannot be reached", "تعذر الوصول"),
    ]
    for outputs, message, arabic in refusals:
        status = _status(outputs)
        assert "qa-status-error" in status and message in status and "Traceback" not in status
        assert arabic in status, status  # the reason in Arabic too, not "given in English"
        # the PDF is still this session's article
        check_citations(c.predict(QUESTION, api_name="/ask"), documents)


def test_docx_upload(server, tmp_path):
    title, paragraphs = article_parts(SEED_FILE.read_text(encoding="utf-8"))
    path = docx_file(title, paragraphs, tmp_path / "article.docx")
    c = Client(server, verbose=False, download_files=False)
    status = _status(c.predict(handle_file(str(path)), api_name="/use_file"))
    assert "qa-status-ok" in status
    check_citations(c.predict(QUESTION, api_name="/ask"), {path.name: load_file(path).text})
    # a public server does not fetch its own network's pages
    status = _status(c.predict("http://127.0.0.1:9/admin", api_name="/use_text"))
    assert "qa-status-error" in status and "local or private network address" in status


def test_pasted_html_source_is_indexed_as_its_article(server):
    """A page's HTML source in the paste box (user trial) is read as an .html upload is: the
    status names the headline, not "<!DOCTYPE html>…", and answers quote text without tags; a
    page with no article in it is refused and the pasted article stays."""
    title, paragraphs = article_parts(SEED_FILE.read_text(encoding="utf-8"))
    page = news_html(title, paragraphs)
    document = load_pasted(page)
    c = Client(server, verbose=False, download_files=False)
    status = _status(c.predict(page, api_name="/use_text"))
    # the headline (shortened in the status line), not "<!DOCTYPE html>…"
    # (the status line keeps the name on one line with markup: its text is read without tags)
    assert "qa-status-ok" in status and f"pasted text “{title[:15]}" in re.sub(r"<[^>]+>", "", status)
    assert "DOCTYPE" not in status and "&lt;" not in status
    answer = c.predict(QUESTION, api_name="/ask")
    check_citations(answer, {document.source: document.text})
    assert all("<" not in x["quote"] and "</p>" not in x["text"] for x in answer["citations"])
    assert "</p>" not in answer["text"] and "محمود حمزة" in " ".join(x["quote"] for x in answer["citations"])

    empty_page = ('<!DOCTYPE html><html><head><title>Example News</title></head><body><div id="root"></div>'
                  '<script src="/static/js/main.js"></script></body></html>')
    status = _status(c.predict(empty_page, api_name="/use_text"))
    assert "qa-status-error" in status and "no article text found in the page" in status, status
    assert "لم يوجد نص مقال" in status and "Traceback" not in status
    check_citations(c.predict(QUESTION, api_name="/ask"), {document.source: document.text})
