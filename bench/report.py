"""Bench the review page: thumbnail decoding against pure decoding, and the page's build time and size.

For each cut it prints the frames the report shows, the CPU and wall time of
``read_thumbnails`` against decoding every frame with PyAV, the thumbnails' mean size, and
the time and size of ``report_html`` (with and without pictures). Then it projects the page
size of a 10-minute cut of the same cutting pace, and builds one synthetic 10-minute page.

    python bench/report.py --quick   # the demo cut (30 s, 960x540)
    python bench/report.py           # adds the 60 s 1080p battle edit of bench/analysis.py (rendered once)

Timings on a shared 2-core VM vary by ±30 %: CPU time is printed beside wall time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from sonics.core.cues import Cue, CueKind, CueSheet
from sonics.core.model import Analysis
from sonics.core.tempo import TempoMap
from sonics.export.report import report_html, thumbnail_frames
from sonics.io.thumbnails import read_thumbnails
from sonics.testing import Edit, EditTruth, Shot, Transition, edit_truth
from sonics.testing.analysis import truth_analysis

ROOT = Path(__file__).resolve().parent.parent
DEMO_VIDEO = ROOT / "samples" / "demo" / "demo_cut.mp4"
DEMO_TRUTH = ROOT / "samples" / "demo" / "demo_cut.truth.json"
REPEATS = 3


def timed(run: Callable[[], Any], repeats: int = REPEATS) -> tuple[Any, float, float]:
    """Return the result, the median wall time and the median CPU time of ``repeats`` runs."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return result, statistics.median(walls), statistics.median(cpus)


def decode_all(path: Path) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return sum(1 for _ in container.decode(stream))


def cues_for(analysis: Analysis) -> CueSheet:
    layers = ("whoosh", "impact", "clash", "drums")
    cues = tuple(
        Cue(c.time_s, CueKind.HIT, "cut", layers[i % len(layers)], 0.7, 0.5, "lands the cut")
        for i, c in enumerate(analysis.cuts)
    )
    duration_s = analysis.picture.duration_s
    return CueSheet(
        duration_s, round(duration_s * 48000), analysis.picture.frame_rate, "battle", layers, cues
    )


def bench_cut(name: str, path: Path, truth: EditTruth) -> None:
    analysis = truth_analysis(truth, str(path))
    frames = thumbnail_frames(analysis)
    n_decoded, decode_wall, decode_cpu = timed(lambda: decode_all(path))
    pictures, thumb_wall, thumb_cpu = timed(
        lambda: read_thumbnails(path, frames, frame_times_s=analysis.frame_times_s)
    )
    sheet = cues_for(analysis)
    tempo = TempoMap.constant(120.0, frame_rate=analysis.picture.frame_rate).with_hits(analysis.hits())
    page, page_wall, _ = timed(
        lambda: report_html(analysis=analysis, cues=sheet, tempo_map=tempo, thumbnails=pictures)
    )
    bare = report_html(analysis=analysis, cues=sheet, tempo_map=tempo)
    minutes = analysis.picture.duration_s / 60
    mean_bytes = statistics.mean(len(p) for p in pictures.values())
    print(f"\n{name}: {truth.width}x{truth.height}, {truth.n_frames} frames, {len(analysis.shots)} shots")
    print(
        f"  thumbnails     {len(frames)} frames of {n_decoded}, mean {mean_bytes / 1000:.1f} kB (160 px JPEG)"
    )
    print(f"  pure decode    {decode_wall:6.2f} s wall  {decode_cpu:6.2f} s CPU  (every frame, PyAV threads)")
    print(
        f"  thumbnails     {thumb_wall:6.2f} s wall  {thumb_cpu:6.2f} s CPU  "
        f"({thumb_wall / decode_wall:.2f}x pure decode)"
    )
    size_mb, bare_mb = len(page.encode()) / 1e6, len(bare.encode()) / 1e6
    print(
        f"  report_html    {page_wall * 1000:6.0f} ms  page {size_mb:.2f} MB "
        f"({bare_mb:.2f} MB without pictures)"
    )
    print(
        f"  per minute     {size_mb / minutes:.2f} MB: "
        f"10 minutes at this pace make {10 * size_mb / minutes:.1f} MB"
    )


def bench_synthetic_ten_minutes() -> None:
    rng = np.random.default_rng(1)
    shots = tuple(Shot(int(n), seed=i) for i, n in enumerate(rng.integers(24, 72, size=300)))
    truth = edit_truth(Edit(shots, (Transition(),) * (len(shots) - 1), frame_rate=Fraction(24)))
    analysis = truth_analysis(truth)
    sheet = cues_for(analysis)
    tempo = TempoMap.constant(128.0, frame_rate=Fraction(24)).with_hits(analysis.hits())
    frames = thumbnail_frames(analysis)
    jpeg = bytes([0xFF, 0xD8, 0xFF]) + bytes(3500)
    page, wall, _ = timed(
        lambda: report_html(
            analysis=analysis, cues=sheet, tempo_map=tempo, thumbnails=dict.fromkeys(frames, jpeg)
        )
    )
    what = f"{truth.n_frames} frames, {len(analysis.shots)} shots, {len(sheet.cues)} cues"
    size_mb = len(page.encode()) / 1e6
    print(
        f"\nsynthetic 10 min ({what}, {len(frames)} pictures of 3.5 kB): "
        f"report_html {wall * 1000:.0f} ms, {size_mb:.2f} MB"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the demo cut only")
    args = parser.parse_args(argv)
    print("sonics report bench (machine shared and loaded: read CPU time beside wall time)")
    bench_cut("demo cut", DEMO_VIDEO, EditTruth.from_dict(json.loads(DEMO_TRUTH.read_text())))
    if not args.quick:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from analysis import battle_1080p_edit, cached_render  # the same cached 1080p render

        edit = battle_1080p_edit()
        path = cached_render(edit, "battle1080p", "60 s 1080p battle edit")
        bench_cut("60 s 1080p battle edit", path, edit_truth(edit))
    bench_synthetic_ten_minutes()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
