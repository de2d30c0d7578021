"""Where the picture analysis spends its CPU time, stage by stage, in milliseconds per frame.

Run from the repository root::

    python bench/analysis_stages.py [VIDEO ...] [--repeats 3]
    PYTHONPATH=/tmp/before python -P bench/analysis_stages.py   # an older sonics, for before/after

For each video (by default the demo cut and Big Buck Bunny beside the checkout), in one
thread so that the figures do not depend on what else the machine runs: pure PyAV decoding
as ``bench/analysis.py`` times it (thread_type AUTO), decoding with sonics' decoder settings
(no deblocking), decoding into the analysis frames (``VideoReader.luma_chunks``), and the
feature extraction split by step: what each frame gives alone (spectra, block-matching
frames, thumbnails, levels) and the comparisons (phase correlation, block matching,
compensated change, bookkeeping), then the detectors. Each figure is the least CPU time of
``--repeats`` runs; a step's time excludes the steps it calls. The budget line is what 1.3x
of pure decoding leaves for everything after the decoder.
"""

from __future__ import annotations

import argparse
import collections
import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av

from sonics.analysis import features
from sonics.analysis.picture import PictureAnalyzer
from sonics.io.video import VideoReader

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_VIDEOS = (
    ROOT / "samples" / "demo" / "demo_cut.mp4",
    ROOT.parent / "shared" / "media" / "big_buck_bunny_0_30.webm",
)
_STEPS = {
    "measure: spectra (windowed rfft2)": [(features._PhaseCorrelator, "spectrum")],
    "measure: block-matching frames (half size, blur, shading)": [
        (features, "_halves"),
        (features, "_shading"),
    ],
    "measure: thumbnails": [(features, "_thumbs")],
    "measure: levels, float16 thumbnails": [(features, "measure_chunk")],
    "compare: phase correlation (cross-power, irfft2, peaks)": [
        (features._PhaseCorrelator, "shift"),
        (features._PhaseCorrelator, "_peaks"),
    ],
    "compare: block matching (NCC at 25 offsets)": [
        (features._BlockMatcher, name)
        for name in ("costs", "_costs", "_offset_products", "_offset_blocks", "_blocks")
    ]
    + [(features, "_match")],
    "compare: compensated change (moving share, spans)": [(features, "_compensated_change")],
    "compare: rings, columns, flicker and span bookkeeping": [
        (features._Extractor, "add"),
        (features._Extractor, "_flicker"),
        (features._Extractor, "_spans"),
        (features._Recent, "store"),
        (features._Recent, "steps_between"),
        (features, "thumb_change"),
        (features, "blend_residual"),
    ],
}


def least_cpu(run: Callable[[], Any], repeats: int) -> float:
    """Return the least process CPU time of ``repeats`` runs [s]."""
    best = float("inf")
    for _ in range(repeats):
        started = time.process_time()
        run()
        best = min(best, time.process_time() - started)
    return best


def pure_decode(path: Path, skip_loop_filter: bool) -> Callable[[], None]:
    def run() -> None:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            if skip_loop_filter:
                stream.codec_context.options = {"skip_loop_filter": "all"}
            for _ in container.decode(stream):
                pass

    return run


class StepClock:
    """Thread CPU time of the feature steps, each without the steps it calls (wraps them while alive)."""

    def __init__(self) -> None:
        self.seconds: collections.Counter[str] = collections.Counter()
        self._inner: list[float] = []
        self._saved: list[tuple[Any, str, Any]] = []

    def __enter__(self) -> StepClock:
        for step, places in _STEPS.items():
            for owner, name in places:
                original = getattr(owner, name, None)
                if original is None:  # an older sonics, run from another tree, splits steps otherwise
                    continue
                self._saved.append((owner, name, original))
                setattr(owner, name, self._timed(step, original))
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)

    def _timed(self, step: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.thread_time()
            self._inner.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.thread_time() - started
                self.seconds[step] += spent - self._inner.pop()
                if self._inner:
                    self._inner[-1] += spent

        return timed


def stages(path: Path, repeats: int) -> None:
    def read() -> list[Any]:
        with VideoReader(path) as reader:
            return list(reader.luma_chunks())

    chunks = read()
    n_frames = sum(len(c) for c in chunks)
    rows: list[tuple[str, float]] = [
        (
            "decode, thread_type AUTO (bench/analysis.py's pure decode)",
            least_cpu(pure_decode(path, False), repeats),
        ),
        ("decode, sonics' settings (no deblocking)", least_cpu(pure_decode(path, True), repeats)),
        ("decode into analysis frames (luma_chunks)", least_cpu(read, repeats)),
    ]
    best: tuple[float, dict[str, float]] | None = None
    for _ in range(repeats):
        with StepClock() as clock:
            started = time.thread_time()
            found = features.extract_features(chunks)
            total = time.thread_time() - started
        if best is None or total < best[0]:
            best = (total, dict(clock.seconds))
    assert best is not None
    rows.append(("features (extract_features), all steps", best[0]))
    rows += [(f"  {step}", best[1].get(step, 0.0)) for step in _STEPS]
    rows.append(("detectors (PictureAnalyzer)", least_cpu(lambda: PictureAnalyzer()(found), repeats)))
    decode_s, settings_s, frames_s = rows[0][1], rows[1][1], rows[2][1]
    after_decoder_s = frames_s - settings_s + best[0] + rows[-1][1]
    rows.append(("everything after the decoder", after_decoder_s))
    rows.append(("budget after the decoder at 1.3x of pure decode", 1.3 * decode_s - settings_s))
    size = chunks[0].luma.shape[1:] if chunks else (0, 0)
    print(f"{path.name}: {n_frames} frames, analysis frames {size[1]}x{size[0]}", end="; ")
    print(f"least CPU of {repeats} runs, one thread")
    for label, seconds in rows:
        print(f"  {label:60s} {seconds / n_frames * 1e3:6.3f} ms/frame {seconds:7.3f} s")
    print(f"  single-thread CPU ratio to pure decode: {(settings_s + after_decoder_s) / decode_s:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", type=Path, nargs="*", default=list(DEFAULT_VIDEOS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    for path in args.videos:
        if not path.exists():
            print(f"{path}: not found, skipped", file=sys.stderr)
            continue
        stages(path, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
