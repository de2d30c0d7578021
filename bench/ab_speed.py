"""Time pure PyAV decoding against ``sonics.analyze`` from one or more source trees, interleaved.

Run from the repository root::

    git archive f205e62 sonics | tar -x -C /tmp/before   # an older sonics to compare with
    python bench/ab_speed.py VIDEO [--rounds 7] [--tree . --tree /tmp/before]

Each round runs, each in a fresh process so no run warms another's caches: pure decoding
(PyAV, thread_type AUTO, no conversion), then ``sonics.analyze(VIDEO, audio=False)`` with each
tree first on ``PYTHONPATH`` (imports and one warm-up analysis are not timed). It prints the
median wall and CPU time (all threads) of each, and the medians of the per-round ratios to
pure decoding, with the load average seen during the runs: on a shared machine, read the
ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = """
import json, sys, time
kind, path = sys.argv[1], sys.argv[2]
import av
if kind == "decode":
    def run():
        with av.open(path) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for _ in container.decode(stream):
                pass
else:
    import sonics
    sonics.analyze(path, audio=False)
    def run():
        sonics.analyze(path, audio=False)
wall, cpu = time.perf_counter(), time.process_time()
run()
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
"""


def timed(kind: str, video: Path, tree: Path) -> dict[str, float]:
    """Return the wall and CPU seconds of one run in a fresh process.

    ``-P``: the working folder must not come before ``tree`` on the import path.
    """
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run(
        [sys.executable, "-P", "-c", _CHILD, kind, str(video)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tree", type=Path, action="append", help="a source tree holding sonics/")
    args = parser.parse_args(argv)
    trees = [t.resolve() for t in (args.tree or [Path(".")])]
    runs: dict[str, list[dict[str, float]]] = {"decode": [], **{str(t): [] for t in trees}}
    loads = []
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}/{args.rounds}", file=sys.stderr, flush=True)
        runs["decode"].append(timed("decode", args.video, trees[0]))
        for tree in trees:
            runs[str(tree)].append(timed("sonics", args.video, tree))
        loads.append(os.getloadavg()[0])
    print(f"{args.video.name}: medians of {args.rounds} interleaved rounds")
    for name, series in runs.items():
        wall = statistics.median(r["wall"] for r in series)
        cpu = statistics.median(r["cpu"] for r in series)
        wall_ratio = statistics.median(
            a["wall"] / b["wall"] for a, b in zip(series, runs["decode"], strict=True)
        )
        cpu_ratio = statistics.median(
            a["cpu"] / b["cpu"] for a, b in zip(series, runs["decode"], strict=True)
        )
        label = "pure decode" if name == "decode" else f"sonics {name}"
        print(
            f"  {label}: wall {wall:.2f} s, CPU {cpu:.2f} s; "
            f"vs decode {wall_ratio:.2f}x wall, {cpu_ratio:.2f}x CPU"
        )
    print(
        f"load average (1 min) during the runs: median {statistics.median(loads):.1f}, "
        f"{min(loads):.1f}-{max(loads):.1f}, on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
