"""Bench sonics' picture analysis against PySceneDetect: accuracy, speed and memory.

Run from the repository root::

    pip install -e ".[bench]"          # PySceneDetect and OpenCV, for the comparison
    python bench/analysis.py [--quick] [--long] [--bbb PATH] [--repeats N]

It prints plain-text tables:

1. accuracy of the hard cuts (TP/FP/FN at exactly the truth frame and within one frame),
   false alarms on flashes, and how dissolves and fades were found, on the shipped demo cut,
   a 60 s 1080p synthetic battle edit and the first 30 s of Big Buck Bunny;
2. speed against pure PyAV decoding and PySceneDetect's ContentDetector;
3. peak memory of the picture analysis on a 1-minute and (``--long``) a 10-minute edit.

Synthetic media are rendered once into ``bench/_media/`` (git-ignored) under a name holding a
hash of the edit, so re-runs reuse them. ``--quick`` skips the 1080p edit and the long case.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import av
import numpy as np

import sonics
from sonics.core.model import Cut
from sonics.testing import Edit, EditTruth, battle_edit, edit_truth, render_edit, simple_edit

ROOT = Path(__file__).resolve().parent.parent
MEDIA_DIR = ROOT / "bench" / "_media"
DEMO_VIDEO = ROOT / "samples" / "demo" / "demo_cut.mp4"
DEMO_TRUTH = ROOT / "samples" / "demo" / "demo_cut.truth.json"
BBB_VIDEO = Path(__file__).resolve().parents[2] / "shared" / "media" / "big_buck_bunny_0_30.webm"

BATTLE_SEED = 2  # 23 transitions: 22 hard cuts, 1 dissolve; 12 flashes; 7 whip pans
BATTLE_N_FRAMES = 60 * 24
MEMORY_SEED = 5
REPEATS = 3  # timed runs of pure decoding, sonics and ContentDetector defaults
SHORT_SCENE_S = 0.25  # the min_scene_len the research recommends for battle edits
SCENEDETECT_BACKEND = "opencv"  # PySceneDetect's default, and its faster backend in the research


# --------------------------------------------------------------------------------------------
# Truth
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """What a clip holds: hard cuts, gradual transitions and flashes, as 0-based frames."""

    hard_cuts: tuple[int, ...]
    gradual: tuple[tuple[int, int, str], ...]  # first and last blended frame, kind
    flashes: tuple[tuple[int, int], ...]  # first frame, number of frames
    notes: dict[int, str] = field(default_factory=dict)  # known traps, e.g. {139: "tilt"}
    pan_px_960: np.ndarray | None = None  # camera speed per frame at a 960 px reference width

    @classmethod
    def from_edit(cls, truth: EditTruth) -> Truth:
        speed = np.hypot(truth.camera_px_per_frame[:, 0], truth.camera_px_per_frame[:, 1])
        return cls(
            hard_cuts=truth.hard_cuts,
            gradual=tuple((a, b, "dissolve") for a, b in truth.dissolves) + truth.fades,
            flashes=truth.flashes,
            pan_px_960=speed * 960.0 / truth.width,
        )

    def describe(self, frame: int) -> str:
        """Return ``frame`` with what surrounds it: a flash, a known trap, the pans either side."""
        if frame in self.notes:
            return f"{frame} ({self.notes[frame]})"
        if any(first <= frame <= first + n for first, n in self.flashes):
            return f"{frame} (flash)"
        if self.pan_px_960 is not None and 0 < frame < len(self.pan_px_960) - 1:
            before, after = self.pan_px_960[frame - 1], self.pan_px_960[frame + 1]
            return f"{frame} ({before:.0f}->{after:.0f} px/f)"
        return str(frame)


@dataclass(frozen=True)
class Clip:
    name: str
    path: Path
    truth: Truth
    frame_rate: float


# The fade-in, read off the decoded frames: 0-4 are black (Y = 16 everywhere); 5 is one level
# of coding dither (47 % of pixels at 17) that does not correlate with the shot (r = -0.12 with
# frame 48); from 6 on the shot shows (r = 0.49) and brightens to 96 % at 47; 48 is the first
# frame at full level, and 49 on stay there. So the ramp is 6-47, as for the synthetic fades
# (first and last blended frame, black frames not counted).
BBB_TRUTH = Truth(hard_cuts=(283, 376, 551), gradual=((6, 47, "fade_in"),), flashes=(), notes={139: "tilt"})


# --------------------------------------------------------------------------------------------
# Media
# --------------------------------------------------------------------------------------------


def edit_key(edit: Edit) -> str:
    return hashlib.sha1(repr(edit).encode()).hexdigest()[:10]


def cached_render(edit: Edit, stem: str, note: str) -> Path:
    """Return the cached render of ``edit`` in bench/_media, rendering it first if needed."""
    path = MEDIA_DIR / f"{stem}_{edit_key(edit)}.mp4"
    if not path.exists():
        MEDIA_DIR.mkdir(parents=True, exist_ok=True)
        log(f"rendering {path.relative_to(ROOT)} ({note}, once)")
        started = time.perf_counter()
        # In a separate process: the render's gigabytes of scratch memory would slow the timed runs.
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            pool.submit(render_edit, edit, path).result()
        log(f"  done in {time.perf_counter() - started:.0f} s")
    return path


def battle_1080p_edit() -> Edit:
    """Return the 60 s 1080p battle edit: whip pans, riders, 2-frame flashes, one dissolve."""
    edit = battle_edit(
        BATTLE_SEED,
        width=1920,
        height=1080,
        frame_rate=24,
        n_shots=24,
        min_shot_frames=36,
        max_shot_frames=84,
        flash_rate=0.45,
    )
    shots = [replace(s, flashes=tuple(replace(f, n_frames=2) for f in s.flashes)) for s in edit.shots]
    edit = replace(edit, shots=tuple(shots))
    # Lengthen the last shot so the edit lasts exactly 60 s.
    missing = BATTLE_N_FRAMES - edit_truth(edit).n_frames
    last = edit.shots[-1]
    return replace(edit, shots=(*edit.shots[:-1], replace(last, n_frames=last.n_frames + missing)))


def memory_edit(n_minutes: int) -> Edit:
    """Return a light 960x540 edit of gently panning shots (cheap to render), ``n_minutes`` long."""
    rng = np.random.default_rng(MEMORY_SEED)
    n_frames = n_minutes * 60 * 24
    lengths: list[int] = []
    while sum(lengths) < n_frames:
        lengths.append(int(rng.integers(36, 97)))
    lengths[-1] -= sum(lengths) - n_frames
    return simple_edit(tuple(lengths), width=960, height=540, seed=MEMORY_SEED, pan_px_per_frame=3.0)


def clips(quick: bool, bbb_path: Path) -> list[Clip]:
    """Return the clips of the accuracy and speed tables (rendering the 1080p edit if needed)."""
    demo = EditTruth.from_dict(json.loads(DEMO_TRUTH.read_text(encoding="utf-8")))
    found = [Clip("demo_cut 960x540", DEMO_VIDEO, Truth.from_edit(demo), float(demo.frame_rate))]
    if not quick:
        edit = battle_1080p_edit()
        note = "1440 frames at 1920x1080, ~2 min, ~2 GB"
        path = cached_render(edit, f"battle_1080p_seed{BATTLE_SEED}", note)
        found.append(Clip("battle 1920x1080", path, Truth.from_edit(edit_truth(edit)), 24.0))
    if bbb_path.exists():
        found.append(Clip("big_buck_bunny 1280x720", bbb_path, BBB_TRUTH, 24.0))
    else:
        log(f"{bbb_path}: not found, Big Buck Bunny skipped (give --bbb PATH)")
    return found


# --------------------------------------------------------------------------------------------
# Methods
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """One method on one clip: the cut frames (first frame of each new shot) and the wall times."""

    cuts: tuple[int, ...]
    n_frames: int
    seconds: list[float]
    transitions: tuple[Cut, ...] = ()  # sonics only: every cut with its kind and span
    cpu_seconds: list[float] = field(default_factory=list)  # process CPU time (all threads)

    @property
    def fps(self) -> float:
        return self.n_frames / statistics.median(self.seconds)


def pure_decode(path: Path) -> Result:
    """Decode every frame with PyAV (thread_type AUTO), converting nothing."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        n_frames = sum(1 for _ in container.decode(stream))
    return Result((), n_frames, [])


def run_sonics(path: Path) -> Result:
    analysis = sonics.analyze(path, audio=False)
    return Result(tuple(c.frame for c in analysis.cuts), analysis.picture.n_frames, [], analysis.cuts)


def scenedetect_method(detector: str, min_scene_len: int | None) -> Callable[[Path], Result]:
    """Return a runner of a PySceneDetect detector (defaults, or a given ``min_scene_len``)."""

    def run(path: Path) -> Result:
        import scenedetect

        make = getattr(scenedetect, detector)
        video = scenedetect.open_video(str(path), backend=SCENEDETECT_BACKEND)
        manager = scenedetect.SceneManager()
        manager.add_detector(make() if min_scene_len is None else make(min_scene_len=min_scene_len))
        n_frames = manager.detect_scenes(video=video)
        starts = [start.frame_num for start, _ in manager.get_scene_list()]
        return Result(tuple(starts[1:]), n_frames, [])

    return run


def methods(frame_rate: float, repeats: int) -> dict[str, tuple[Callable[[Path], Result], int]]:
    """Return name -> (runner, number of timed runs); the speed table's methods run ``repeats`` times."""
    short = max(1, round(SHORT_SCENE_S * frame_rate))
    return {
        "sonics": (run_sonics, repeats),
        "content": (scenedetect_method("ContentDetector", None), repeats),
        "adaptive": (scenedetect_method("AdaptiveDetector", None), 1),
        f"content msl={short}": (scenedetect_method("ContentDetector", short), 1),
        f"adaptive msl={short}": (scenedetect_method("AdaptiveDetector", short), 1),
    }


def timed(run: Callable[[Path], Result], path: Path) -> Result:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = run(path)
    return replace(
        result, seconds=[time.perf_counter() - started], cpu_seconds=[time.process_time() - cpu_started]
    )


def measure(clip: Clip, repeats: int) -> dict[str, Result]:
    """Run pure decoding and every method on ``clip``; interleave the repeated runs."""
    runners = {"decode": (pure_decode, repeats), **methods(clip.frame_rate, repeats)}
    results: dict[str, Result] = {}
    for round_ in range(repeats):
        for name, (run, n_runs) in runners.items():
            if round_ >= n_runs:
                continue
            log(f"  {clip.name}: {name} (run {round_ + 1}/{n_runs})")
            result = timed(run, clip.path)
            if name in results:
                before = results[name]
                result = replace(
                    before,
                    seconds=before.seconds + result.seconds,
                    cpu_seconds=before.cpu_seconds + result.cpu_seconds,
                )
            results[name] = result
    return results


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    tp: int
    fp: tuple[int, ...]
    fn: tuple[int, ...]
    gradual_hits: tuple[int, ...]  # cuts inside a dissolve or fade: neither TP nor FP
    n_flashes_hit: int  # flashes with a false cut within [first, first + n_frames]

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + len(self.fp) + len(self.fn)
        return 2 * self.tp / denominator if denominator else 1.0

    def counts(self) -> str:
        return f"{self.tp}/{len(self.fp)}/{len(self.fn)}"


def score(cuts: Sequence[int], truth: Truth, tolerance_frames: int) -> Score:
    """Match cuts to the true hard cuts one-to-one, closest pairs first."""
    pairs = sorted(
        (abs(p - t), i, j)
        for i, p in enumerate(cuts)
        for j, t in enumerate(truth.hard_cuts)
        if abs(p - t) <= tolerance_frames
    )
    matched_cuts: set[int] = set()
    matched_truth: set[int] = set()
    for _, i, j in pairs:
        if i not in matched_cuts and j not in matched_truth:
            matched_cuts.add(i)
            matched_truth.add(j)
    unmatched = [p for i, p in enumerate(cuts) if i not in matched_cuts]
    gradual = tuple(p for p in unmatched if any(a <= p <= b + 1 for a, b, _ in truth.gradual))
    fp = tuple(p for p in unmatched if p not in gradual)
    fn = tuple(t for j, t in enumerate(truth.hard_cuts) if j not in matched_truth)
    n_flashes_hit = sum(any(first <= p <= first + n for p in fp) for first, n in truth.flashes)
    return Score(len(matched_truth), fp, fn, gradual, n_flashes_hit)


def overlaps(cut: Cut, span: tuple[int, int, str]) -> bool:
    """Return True if ``cut``'s frames touch a true transition's span (one frame either side)."""
    return cut.start_frame <= span[1] + 1 and cut.end_frame >= span[0] - 1


def describe_transition(truth_span: tuple[int, int, str], cuts: Sequence[Cut]) -> tuple[str, str, str]:
    """Return how sonics found one true dissolve or fade: verdict, its span, start/end error."""
    first, last, kind = truth_span
    inside = [c for c in cuts if overlaps(c, truth_span)]
    if not inside:
        return "missed", "-", "-"
    spans = ", ".join(f"{c.kind} {c.start_frame}-{c.end_frame} @{c.frame}" for c in inside)
    if len(inside) > 1:
        return f"split in {len(inside)}", spans, "-"
    cut = inside[0]
    verdict = "one, same kind" if str(cut.kind) == kind else f"one, as {cut.kind}"
    return verdict, spans, f"{cut.start_frame - first:+d}/{cut.end_frame - last:+d}"


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Return a plain-text table; the first column is left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[k]) for row in cells) for k in range(len(headers))]

    def line(row: list[str]) -> str:
        padded = [c.rjust(w) for c, w in zip(row, widths, strict=True)]
        padded[0] = row[0].ljust(widths[0])
        return "  ".join(padded)

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def cpu_model() -> str:
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_header(argv: Sequence[str]) -> None:
    import cv2
    import scenedetect

    print("sonics picture analysis bench")
    print(f"command:  {shlex.join(['python', *argv])}")
    print(f"machine:  {platform.system()} {platform.machine()}, nproc {os.cpu_count()}, {cpu_model()}")
    print(
        f"versions: sonics {sonics.__version__}, av {av.__version__} (libavcodec "
        f"{'.'.join(map(str, av.library_versions['libavcodec']))}), "
        f"scenedetect {scenedetect.__version__} (backend {SCENEDETECT_BACKEND}), "
        f"opencv {cv2.__version__}, numpy {np.__version__}, python {platform.python_version()}"
    )


def print_accuracy(clip: Clip, results: dict[str, Result]) -> None:
    truth = clip.truth
    n_flashes = len(truth.flashes)
    rows = []
    errors = []
    for name, result in results.items():
        if name == "decode":
            continue
        exact, near = score(result.cuts, truth, 0), score(result.cuts, truth, 1)
        runs = len(result.seconds)
        rows.append(
            [
                name,
                exact.counts(),
                f"{exact.f1:.2f}",
                near.counts(),
                f"{near.f1:.2f}",
                f"{near.n_flashes_hit}/{n_flashes}" if n_flashes else "-",
                len(near.gradual_hits),
                f"{result.fps:.0f}" + ("" if runs == 1 else f" (med. {runs})"),
            ]
        )
        wrong = [
            f"FP [{', '.join(truth.describe(f) for f in near.fp)}]" if near.fp else "",
            f"FN [{', '.join(truth.describe(f) for f in near.fn)}]" if near.fn else "",
            f"in gradual {list(near.gradual_hits)}" if near.gradual_hits else "",
        ]
        errors.append(f"  {name}: " + ("; ".join(w for w in wrong if w) or "all right"))
    spans = ", ".join(f"{kind} {a}-{b}" for a, b, kind in truth.gradual) or "none"
    print(
        f"\n{clip.name} ({clip.path.name}): {len(truth.hard_cuts)} hard cuts, {n_flashes} flashes, "
        f"gradual: {spans}"
    )
    headers = ["method", "±0 TP/FP/FN", "F1", "±1 TP/FP/FN", "F1", "flash FA", "grad. hits", "fps"]
    print(table(headers, rows))
    print("errors at ±1 (pan speeds at 960 px either side):")
    print("\n".join(errors))


def print_gradual(clip_results: list[tuple[Clip, dict[str, Result]]]) -> None:
    rows = []
    extra = []
    for clip, results in clip_results:
        sonics_cuts = results["sonics"].transitions
        detectors = [name for name in results if name not in ("decode", "sonics")]
        for span in clip.truth.gradual:
            first, last, kind = span
            verdict, found, error = describe_transition(span, sonics_cuts)
            inside = [
                "/".join(str(p) for p in results[d].cuts if first <= p <= last + 1) or "-" for d in detectors
            ]
            rows.append([clip.name.split()[0], f"{kind} {first}-{last}", verdict, found, error, *inside])
        for cut in sonics_cuts:
            if cut.is_gradual and not any(overlaps(cut, span) for span in clip.truth.gradual):
                extra.append(f"{clip.name}: {cut.kind} {cut.start_frame}-{cut.end_frame} @{cut.frame}")
    headers = ["clip", "truth", "sonics", "sonics span @frame", "start/end err", *detectors]
    print("\nGradual transitions: sonics (one transition each?) and PySceneDetect cuts inside them")
    print(table(headers, rows))
    print("sonics gradual transitions where there is none: " + ("; ".join(extra) or "none"))


def seconds_range(result: Result) -> str:
    """Return the median wall time and, over several runs, the fastest and slowest [s]."""
    median = f"{statistics.median(result.seconds):.2f}"
    if len(result.seconds) == 1:
        return median
    return f"{median} ({min(result.seconds):.2f}-{max(result.seconds):.2f})"


def ratio(ours: list[float], theirs: list[float]) -> float:
    """Return the median of the per-round ratios of two interleaved series of timings."""
    return statistics.median(a / b for a, b in zip(ours, theirs, strict=True))


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def print_speed(clip_results: list[tuple[Clip, dict[str, Result]]], repeats: int, loads: list[str]) -> None:
    rows = []
    verdicts = []
    for clip, results in clip_results:
        decode, ours, content = results["decode"], results["sonics"], results["content"]
        wall, cpu = ratio(ours.seconds, decode.seconds), ratio(ours.cpu_seconds, decode.cpu_seconds)
        speedup = ratio(content.seconds, ours.seconds)
        cpu_speedup = ratio(content.cpu_seconds, ours.cpu_seconds)
        rows.append(
            [
                clip.name,
                decode.n_frames,
                seconds_range(decode),
                f"{statistics.median(decode.cpu_seconds):.2f}",
                seconds_range(ours),
                f"{statistics.median(ours.cpu_seconds):.2f}",
                f"{ours.fps:.0f}",
                f"{wall:.2f}x / {cpu:.2f}x",
                seconds_range(content),
                f"{statistics.median(content.cpu_seconds):.2f}",
                f"{speedup:.2f}x / {cpu_speedup:.2f}x",
            ]
        )
        verdicts.append(
            f"  {clip.name}: sonics/decode {wall:.2f}x wall, {cpu:.2f}x CPU "
            f"({'met' if wall <= 1.3 else 'NOT met'}); sonics speed/content {speedup:.2f}x wall, "
            f"{cpu_speedup:.2f}x CPU ({'met' if speedup >= 1.0 else 'NOT met'})"
        )
    print(f"\nSpeed (wall [s]: median (fastest-slowest) of {repeats} interleaved runs; CPU [s]: median)")
    headers = [
        "clip",
        "frames",
        "decode wall",
        "cpu",
        "sonics wall",
        "cpu",
        "fps",
        "sonics/decode wall/cpu",
        "content wall",
        "cpu",
        "speed vs content wall/cpu",
    ]
    print(table(headers, rows))
    print("decode = PyAV container.decode, thread_type AUTO, no conversion; sonics = sonics.analyze(path,")
    print("audio=False) (decodes with skip_loop_filter in a background thread); content = PySceneDetect")
    print("ContentDetector defaults through its API (open_video + SceneManager.detect_scenes). Ratios are")
    print("medians of the per-round ratios; CPU = process time of all threads (time.process_time).")
    print(f"load average (1, 5, 15 min) before the timed runs: {loads[0]}; after: {loads[-1]}")
    print("targets: sonics within 1.3x of pure decode, and at least as fast as ContentDetector")
    print("\n".join(verdicts))


# VmHWM, not ru_maxrss: Linux carries ru_maxrss across exec, so a child would report the
# parent's size at fork time.
_MEMORY_CHILD = """
import json, sys, time
import sonics
from sonics import pipeline

def status_kb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])

base_kb = status_kb("VmRSS")
started = time.perf_counter()
analysis = sonics.analyze(sys.argv[1], audio=False)
seconds = time.perf_counter() - started
print(json.dumps({"n_frames": analysis.picture.n_frames, "seconds": seconds, "base_kb": base_kb,
                  "peak_kb": status_kb("VmHWM")}))
"""


def peak_memory(path: Path) -> dict[str, float]:
    """Analyse ``path`` in a fresh Python process; return its frames, time and RSS [KiB] (Linux)."""
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY_CHILD, str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def print_memory(long: bool) -> None:
    minutes = (1, 10) if long else (1,)
    rows = []
    peaks = []
    for n_minutes in minutes:
        note = f"{n_minutes * 1440} frames at 960x540" + (", a few minutes" if n_minutes > 1 else "")
        path = cached_render(memory_edit(n_minutes), f"memory_960x540_{n_minutes}min", note)
        log(f"  memory: {path.name}")
        m = peak_memory(path)
        base_mb, peak_mb = m["base_kb"] / 1024, m["peak_kb"] / 1024
        peaks.append(peak_mb)
        rows.append(
            [
                f"{n_minutes} min",
                int(m["n_frames"]),
                f"{base_mb:.0f}",
                f"{peak_mb:.0f}",
                f"{peak_mb - base_mb:.0f}",
                f"{m['seconds']:.1f}",
                f"{m['n_frames'] / m['seconds']:.0f}",
            ]
        )
    print("\nMemory: sonics.analyze(path, audio=False) in a fresh process (VmRSS, VmHWM), 960x540 H.264 edit")
    headers = ["length", "frames", "RSS after imports MB", "peak RSS MB", "analysis MB", "seconds", "fps"]
    print(table(headers, rows))
    if len(peaks) > 1:
        print(f"peak RSS 10 min / 1 min: {peaks[1] / peaks[0]:.2f}x for 10x the frames")
    else:
        print("(run with --long to add the 10-minute edit)")


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="skip the 1080p edit and the 10-minute case")
    mode.add_argument("--long", action="store_true", help="add the 10-minute memory case")
    parser.add_argument("--bbb", type=Path, default=BBB_VIDEO, help="path of big_buck_bunny_0_30.webm")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="timed runs for the speed table")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, got {args.repeats}")
    try:
        import cv2  # noqa: F401
        import scenedetect  # noqa: F401
    except ImportError as exc:
        print(f'missing {exc.name}: run  pip install -e ".[bench]"', file=sys.stderr)
        return 2

    print_header(sys.argv if argv is None else [__file__, *argv])
    clip_results = []
    loads = [load_average()]
    for clip in clips(args.quick, args.bbb):
        log(f"measuring {clip.name}")
        clip_results.append((clip, measure(clip, args.repeats)))
    loads.append(load_average())

    print("\nAccuracy on hard cuts (TP/FP/FN; ±0 = exact frame, ±1 = within one frame)")
    print(
        "methods: sonics = sonics.analyze, every cut of any kind scored by its frame; content / adaptive ="
        "\nPySceneDetect ContentDetector / AdaptiveDetector, defaults (min_scene_len=15) or msl=N frames"
        f"\n({SHORT_SCENE_S} s). flash FA = flashes with a false cut in [first, first + n_frames];"
        "\ngrad. hits = cuts inside a dissolve or fade (neither TP nor FP)."
    )
    for clip, results in clip_results:
        print_accuracy(clip, results)
    print_gradual(clip_results)
    print_speed(clip_results, args.repeats, loads)
    print_memory(args.long)
    return 0


if __name__ == "__main__":
    sys.exit(main())
