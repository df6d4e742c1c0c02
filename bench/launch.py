"""Run one command and report its timing and peak memory as JSON (``python -m bench.launch CMD...``).

Why a separate small process: on Linux a child's ``ru_maxrss`` starts from the high-water
mark of the process that spawned it (the memory map it had before ``exec``), so a command
started straight from the benchmark (hundreds of MB after loading models) would report the
benchmark's size. Started from this small launcher, it reports its own peak.

Prints one JSON line: ``{"first_output_s", "exit_s", "returncode", "peak_rss_mb",
"stdout"}`` (seconds from the command's start to its first byte on stdout and to its
exit; peak resident set size in MiB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    """Run ``argv`` (stderr discarded), print the JSON report; exit code 0."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    first = proc.stdout.read(1)
    first_s = time.perf_counter() - t0
    rest = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    exit_s = time.perf_counter() - t0
    print(json.dumps({"first_output_s": round(first_s, 3), "exit_s": round(exit_s, 3),
                      "returncode": os.waitstatus_to_exitcode(status),
                      "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
                      "stdout": (first + rest).decode("utf-8", "replace")}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
