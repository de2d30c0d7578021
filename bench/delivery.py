"""Bench the delivery writers: Broadcast WAV streaming, the project files, the scored-video mux.

Run from the repository root::

    python bench/delivery.py [--minutes 10] [--repeats 3]

1. **BWF**: writes a ``--minutes`` stereo 48 kHz stem as 24-bit Broadcast WAV into a scratch
   file, piece by piece; prints CPU time, the multiple of real time, and the peak memory the
   write adds on top of the stem itself (``tracemalloc``, numpy's buffers included; the target
   is a small fraction of the stem: never a second copy).
2. **Project files**: builds ``timeline.otio``, FCP 7 XML and the REAPER project for the demo
   picture with 40 stems and 2000 markers; prints CPU milliseconds each.
3. **Scored video**: muxes the shipped demo cut (30 s) with a 30 s mix (copying its video, and
   once more keeping its audio), against a pure packet copy of its video alone (the floor);
   prints CPU time and the multiple of real time.

CPU times are medians of ``--repeats`` runs (``time.process_time``); on a shared 2-core
machine wall times vary by +-30 %.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from sonics.core.model import Picture
from sonics.export.bwf import BwfInfo, bwf_chunks
from sonics.export.delivery import Delivery, DeliveryMarker, MarkerKind, StemFile
from sonics.export.fcpxml import fcp_xml_bytes
from sonics.export.mp4 import mux_scored_video
from sonics.export.otio import otio_bytes
from sonics.export.rpp import rpp_bytes

ROOT = Path(__file__).resolve().parent.parent
DEMO_VIDEO = ROOT / "samples" / "demo" / "demo_cut.mp4"
SR = 48_000


def _cpu(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times)


def bench_bwf(minutes: float, repeats: int, scratch: Path) -> None:
    n = round(minutes * 60 * SR)
    stem = np.empty((2, n), np.float32)
    rng = np.random.default_rng(0)
    for start in range(0, n, 1 << 20):  # filled in blocks: the bench itself holds one stem
        stem[:, start : start + (1 << 20)] = rng.uniform(-0.5, 0.5, (2, min(1 << 20, n - start)))
    info = BwfInfo(Fraction(24000, 1001), "01:00:00:00", originator_reference="sonics:bench")
    path = scratch / "stem.wav"

    def write() -> None:
        with open(path, "wb") as handle:
            for piece in bwf_chunks(stem, info):
                handle.write(piece)

    cpu_s = _cpu(write, repeats)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    write()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    stem_mb = stem.nbytes / 2**20
    print(f"BWF {minutes:g} min stereo -> {path.stat().st_size / 2**20:.0f} MB file")
    print(f"  CPU {cpu_s:.2f} s  ({minutes * 60 / cpu_s:.0f}x real time)")
    print(f"  peak added memory {peak / 2**20:.1f} MB  (the stem itself: {stem_mb:.0f} MB)")


def bench_projects(repeats: int) -> None:
    rate = Fraction(24000, 1001)
    n_frames = 720
    picture = Picture(str(DEMO_VIDEO), rate, n_frames, 1280, 720, float(n_frames / rate), True)
    n_samples = n_frames * 2002
    roles = ("dialogue", "music", "effects")
    stems = tuple(
        StemFile(f"stem_{i:02d}", roles[i % 3], f"stems/stem_{i:02d}.wav", n_samples) for i in range(40)
    )
    markers = tuple(
        DeliveryMarker(f % n_frames, float(Fraction(f % n_frames) / rate), f"m{f}", MarkerKind.CUE, "x")
        for f in range(2000)
    )
    delivery = Delivery(picture, stems, markers, "01:00:00:00")
    print("Project files, 40 stems, 2000 markers (CPU ms)")
    for name, fn in (("timeline.otio", otio_bytes), ("FCP 7 XML", fcp_xml_bytes), ("REAPER .rpp", rpp_bytes)):
        print(f"  {name:14s} {1000 * _cpu(lambda fn=fn: fn(delivery), repeats):7.1f}")


def _copy_video(source: Path, target: Path) -> None:
    with av.open(str(source)) as inp, av.open(str(target), "w", format="mp4") as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(inp.streams.video[0]):
            if packet.size:
                packet.stream = stream
                out.mux(packet)


def bench_mux(repeats: int, scratch: Path) -> None:
    if not DEMO_VIDEO.exists():
        print(f"Scored video: skipped ({DEMO_VIDEO} is missing)")
        return
    with av.open(str(DEMO_VIDEO)) as container:
        video = container.streams.video[0]
        duration_s = float(video.duration * video.time_base)
    mix = np.random.default_rng(1).uniform(-0.3, 0.3, (2, round(duration_s * SR))).astype(np.float32)
    print(f"Scored video, demo cut ({duration_s:.1f} s)")
    floor = _cpu(lambda: _copy_video(DEMO_VIDEO, scratch / "copy.mp4"), repeats)
    print(f"  packet copy of the video alone   CPU {floor:.3f} s  ({duration_s / floor:.0f}x real time)")
    for keep in (False, True):
        cpu_s = _cpu(
            lambda keep=keep: mux_scored_video(DEMO_VIDEO, mix, scratch / "s.mp4", keep_original_audio=keep),
            repeats,
        )
        label = "with the original audio kept" if keep else "video copy + AAC mix"
        speed = f"{duration_s / cpu_s:.0f}x real time, {cpu_s / floor:.1f}x the copy"
        print(f"  {label:32s} CPU {cpu_s:.3f} s  ({speed})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        bench_bwf(args.minutes, args.repeats, Path(scratch))
        bench_projects(args.repeats)
        bench_mux(args.repeats, Path(scratch))


if __name__ == "__main__":
    main()
