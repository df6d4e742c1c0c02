"""The archive bench's Milvus Lite helpers (bench.archive), on a small Milvus Lite file."""

import numpy as np
import pytest

pytest.importorskip("milvus_lite")

from bench.archive import _synthetic, vector_index_params, where_time_goes  # noqa: E402


@pytest.fixture()
def collection(tmp_path):
    from pymilvus import DataType, MilvusClient

    path = str(tmp_path / "bench.db")
    client = MilvusClient(path)
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=32)
    client.create_collection("scale", schema=schema)
    vectors = next(_synthetic(3_000, 32, seed=3))
    client.insert("scale", [{"id": i, "vector": v} for i, v in enumerate(vectors)])
    client.flush("scale")
    yield client, vectors, path
    client.close()


def test_ivf_build_params_reach_milvus_lite_and_the_time_split_adds_up(collection):
    client, vectors, path = collection
    nlist = 24  # not Milvus Lite's default (128): a dropped parameter would show
    client.release_collection("scale")
    client.create_index("scale", vector_index_params(client, "IVF_FLAT", {"nlist": nlist}))
    client.load_collection("scale")
    queries = vectors[:5]
    split = where_time_goes(client, "scale", queries, 10, [{"nprobe": 4}, {"nprobe": nlist}], path)
    assert split is not None and [s["search_params"] for s in split] == [{"nprobe": 4}, {"nprobe": nlist}]
    for s in split:
        assert s["nlist"] == [nlist]
        assert s["segments"] == len(s["rows_per_segment"]) >= 1 and sum(s["rows_per_segment"]) == len(vectors)
        assert s["unindexed_segments"] == 0
        assert s["index_ms"] >= 0 and s["engine_ms"] == pytest.approx(s["index_ms"] + s["other_engine_ms"], abs=0.02)
    # nprobe = nlist scans every list: exact, so each query finds itself first
    hits = client.search("scale", data=[q.tolist() for q in queries], limit=1,
                         search_params={"metric_type": "IP", "params": {"nprobe": nlist}})
    assert [h[0]["id"] for h in hits] == list(range(len(queries)))
