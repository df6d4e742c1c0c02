"""The Hugging Face router as the Space's default chat model, and answer-language requests.

With ``HF_TOKEN`` set and no ``QA_LLM_BASE_URL``/``QA_LLM_MODEL``, the bot answers through the
router (``QA_ROUTER_URL``, ``QA_ROUTER_MODEL``). The router is never contacted here: the tests
point ``QA_ROUTER_URL`` at ``OpenAIStub`` (tests/openai_stub.py, a real HTTP server on
127.0.0.1) and read the model name and bearer token of the request it receives.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from app_helpers import check_citations, running_app, seed_documents  # noqa: E402
from conftest import SEEDS  # noqa: E402
from openai_stub import OpenAIStub  # noqa: E402

from qa import ArticleQA  # noqa: E402
from qa.config import DEFAULT_ROUTER_MODEL, DEFAULT_ROUTER_URL, Settings  # noqa: E402
from qa.llm_prompt import requested_language  # noqa: E402

TOKEN = "hf_router_test_token"
TUNIS = "وبحضور وفود رسمية من تونس"  # the paragraph listing the foreign delegations


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, embeddings):
    path = tmp_path_factory.mktemp("router-index")
    ArticleQA.from_directory(SEEDS, index_dir=path, embeddings=embeddings, progress=False,
                             settings=Settings(llm_base_url=None, llm_model=None, router_model=""))
    return path


@pytest.fixture
def stub():
    with OpenAIStub() as server:
        yield server


@pytest.fixture
def space_env(monkeypatch, stub):
    """A Space's environment: the ``HF_TOKEN`` secret, no ``QA_LLM_*``; the router URL is the stub."""
    for name in ("QA_LLM_BASE_URL", "QA_LLM_MODEL", "QA_LLM_API_KEY", "QA_ROUTER_MODEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.setenv("QA_ROUTER_URL", stub.base_url)
    monkeypatch.setenv("QA_LLM_TIMEOUT_S", "5")


def tunis_number(bot: ArticleQA, question: str) -> int:
    """The prompt number (1-based) of the delegations' passage among the retrieved passages."""
    return next(i for i, p in enumerate(bot.retriever.retrieve(question).hits, start=1) if TUNIS in p.text)


def test_endpoint_resolution(monkeypatch):
    for name in ("QA_LLM_BASE_URL", "QA_LLM_MODEL", "QA_LLM_API_KEY", "QA_ROUTER_URL", "QA_ROUTER_MODEL", "HF_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().chat_endpoint() is None  # nothing configured: extractive
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    router = Settings().chat_endpoint()
    assert router == (DEFAULT_ROUTER_URL, DEFAULT_ROUTER_MODEL, TOKEN, "router")
    monkeypatch.setenv("QA_ROUTER_MODEL", "meta-llama/Llama-3.1-8B-Instruct")
    assert Settings().chat_endpoint().model == "meta-llama/Llama-3.1-8B-Instruct"
    monkeypatch.setenv("QA_ROUTER_MODEL", "")  # switched off
    assert Settings().chat_endpoint() is None
    monkeypatch.delenv("QA_ROUTER_MODEL")
    monkeypatch.setenv("QA_LLM_BASE_URL", "http://127.0.0.1:8080/v1")
    assert Settings().chat_endpoint() is None  # half a QA_LLM_* configuration: neither it nor the router
    monkeypatch.setenv("QA_LLM_MODEL", "local")
    assert Settings().chat_endpoint() == ("http://127.0.0.1:8080/v1", "local", None, "QA_LLM")


def test_bot_answers_through_the_router_default(space_env, stub, index_dir, embeddings, seed_text):
    bot = ArticleQA.from_directory(SEEDS, index_dir=index_dir, embeddings=embeddings, progress=False)
    assert bot.info()["llm"] == DEFAULT_ROUTER_MODEL
    question = "Who attended the conference?"
    n = tunis_number(bot, question)
    reply = f"Official delegations from Tunisia, Algeria, Sudan, Chad and Niger attended [{n}]."
    stub.reply(reply)
    answer = bot.ask(question)
    (request,) = stub.requests
    assert stub.paths == ["/v1/chat/completions"]
    assert request["model"] == DEFAULT_ROUTER_MODEL
    assert stub.headers[0]["authorization"] == f"Bearer {TOKEN}"
    assert answer.mode == "llm" and answer.language == "en"
    assert answer.text == "Official delegations from Tunisia, Algeria, Sudan, Chad and Niger attended [1]."
    (citation,) = answer.citations
    assert TUNIS in citation.text
    assert seed_text[citation.quote_start:citation.quote_end] == citation.quote
    assert "Write the answer in English" in request["messages"][0]["content"]


def test_app_answers_through_the_router_default(space_env, stub, index_dir, embeddings):
    from gradio_client import Client

    bot = ArticleQA.from_directory(SEEDS, index_dir=index_dir, embeddings=embeddings, progress=False)
    question = "Who attended the conference?"
    n = tunis_number(bot, question)
    stub.reply(f"Delegations from Tunisia, Algeria, Sudan, Chad and Niger attended [{n}].")
    with running_app(bot) as (url, _demo):
        answer = Client(url, verbose=False).predict(question, api_name="/ask")
    assert [r["model"] for r in stub.requests] == [DEFAULT_ROUTER_MODEL]
    assert stub.headers[0]["authorization"] == f"Bearer {TOKEN}"
    assert answer["mode"] == "llm" and answer["text"].startswith("Delegations from Tunisia")
    check_citations(answer, seed_documents())


@pytest.mark.parametrize(("question", "asked", "language"), [
    ("Who attended the conference? Answer in Arabic please", "ar", "Arabic"),
    ("من حضر المؤتمر؟ أجب بالإنجليزية", "en", "English"),
    ("Who attended the conference?", None, "English"),
    ("من حضر المؤتمر؟", None, "Arabic"),
])
def test_requested_answer_language_reaches_the_model(space_env, stub, index_dir, embeddings, question, asked,
                                                      language):
    assert requested_language(question) == asked
    bot = ArticleQA.from_directory(SEEDS, index_dir=index_dir, embeddings=embeddings, progress=False)
    stub.reply("[1]")
    answer = bot.ask(question)
    (request,) = stub.requests
    assert f"Write the answer in {language}." in request["messages"][0]["content"]
    assert answer.language == {"Arabic": "ar", "English": "en"}[language]


@pytest.mark.parametrize(("question", "expected"), [
    ("Answer in English please", "en"),
    ("reply in arabic: who attended?", "ar"),
    ("Tell me in English who attended", "en"),
    ("in English please", "en"),
    ("بالعربية من حضر؟", "ar"),
    ("أجب باللغة العربية", "ar"),
    ("أجب بالانكليزي", "en"),
    ("What is it called in Arabic?", None),  # asks about a word, not for the answer's language
    ("ما هي اللغة العربية؟", None),
    ("Who attended the conference?", None),
])
def test_requested_language(question, expected):
    assert requested_language(question) == expected
