"""Render the shipped demo cut: a 30 s synthetic battle edit with exact known truth.

Run ``python samples/demo/render_demo.py``. It writes, next to this script:

- ``demo_cut.mp4``: 960x540, 24 fps, H.264 + a quiet speech-like AAC track;
- ``demo_cut.truth.json``: the :class:`sonics.testing.EditTruth` plus the speech regions;
- ``demo_cut.cuts.csv``: every cut, dissolve, fade, flash and camera stop with its timecode.

The render is deterministic: the same sonics gives byte-identical files.
"""

from __future__ import annotations

import csv
import sys
import time
from fractions import Fraction
from pathlib import Path

from sonics.core.timebase import frame_to_timecode
from sonics.testing import Edit, EditTruth, Flash, Rider, Shot, Transition, render_edit
from sonics.testing.audio import speech_track

HERE = Path(__file__).resolve().parent
FRAME_RATE = Fraction(24)
WIDTH, HEIGHT = 960, 540
N_FRAMES = 30 * 24
CRF = 22
SPEECH_REGIONS_S = ((2.2, 5.6), (8.4, 10.9), (14.6, 19.2), (23.8, 27.4))
DISSOLVE_FRAMES = 12


def _charge(
    seed: int, n: int, y_lo: float, y_hi: float, speed_lo: float, speed_hi: float, size: int, direction: int
):
    """Return ``n`` riders spread over the frame, each at its own speed: a cavalry charge."""
    riders = []
    for k in range(n):
        frac = k / max(n - 1, 1)
        riders.append(
            Rider(
                y_frac=round(y_lo + (y_hi - y_lo) * ((k * 0.618) % 1.0), 3),
                speed_px_per_frame=direction
                * round(speed_lo + (speed_hi - speed_lo) * ((k * 0.381) % 1.0), 2),
                size_px=round(size * (0.8 + 0.4 * ((k * 0.7) % 1.0))),
                seed=seed * 100 + k,
                start_x_frac=round((-0.25 + 0.9 * frac) if direction > 0 else (1.25 - 0.9 * frac), 3),
            )
        )
    return tuple(riders)


def demo_edit() -> Edit:
    """Return the demo edit (16 shots, 720 frames)."""
    shots = [
        # 1. Opening: fade in from black on a calm wide of the field at dusk.
        Shot(72, seed=101, pan_px_per_frame=(1.2, 0.0), palette_seed=7),
        # 2. The charge begins: riders at different speeds, camera drifting with them.
        Shot(
            40,
            seed=102,
            pan_px_per_frame=(3.0, 0.0),
            shake_px=1.0,
            riders=_charge(2, 5, 0.62, 0.86, 5, 13, 110, 1),
            palette_seed=101,
        ),
        # 3. Whip pan that stops dead (impact).
        Shot(22, seed=103, pan_px_per_frame=(36.0, 2.0), stop_frame=14),
        # 4. Close on the riders, a musket volley (2-frame muzzle flash).
        Shot(
            30,
            seed=104,
            pan_px_per_frame=(6.0, 0.0),
            riders=_charge(4, 3, 0.6, 0.8, 10, 16, 260, 1),
            flashes=(Flash(12, 2, 0.8),),
            palette_seed=31,
        ),
        # 5. Look-alike shot (same palette and brightness): a hard cut between two similar shots.
        Shot(
            26,
            seed=105,
            pan_px_per_frame=(-5.0, 0.0),
            riders=_charge(5, 2, 0.7, 0.8, 8, 9, 180, -1),
            palette_seed=31,
        ),
        # 6. Whip pan the other way, stop.
        Shot(20, seed=106, pan_px_per_frame=(-30.0, -3.0), stop_frame=12),
        # 7. Battle lines, hand-held, two volleys.
        Shot(
            44,
            seed=107,
            pan_px_per_frame=(2.0, 0.5),
            shake_px=2.5,
            flashes=(Flash(10, 2, 0.7), Flash(30, 2, 0.9)),
            riders=_charge(7, 4, 0.65, 0.9, 4, 9, 90, -1),
        ),
        # 8. Dissolves (12 frames) into the long calm shot.
        Shot(34, seed=108, pan_px_per_frame=(8.0, 0.0), riders=_charge(8, 2, 0.7, 0.85, 12, 14, 140, 1)),
        # 9. Long calm slow shot (5 s) at night, one lightning strike (a fully white frame).
        Shot(120, seed=109, pan_px_per_frame=(0.6, 0.0), flashes=(Flash(70, 2, 1.0),), palette_seed=102),
        # 10. Whip pan on a diagonal, stop.
        Shot(24, seed=110, pan_px_per_frame=(40.0, 8.0), stop_frame=16),
        # 11. Charge right to left, six riders.
        Shot(
            38,
            seed=111,
            pan_px_per_frame=(-4.0, 0.0),
            shake_px=1.5,
            riders=_charge(11, 6, 0.6, 0.9, 6, 15, 120, -1),
        ),
        # 12. Explosion: heavy shake and a flash.
        Shot(22, seed=112, shake_px=4.0, flashes=(Flash(8, 2, 0.9),)),
        # 13. Tracking a rider, the camera stops short.
        Shot(
            30,
            seed=113,
            pan_px_per_frame=(14.0, 0.0),
            stop_frame=20,
            riders=_charge(13, 1, 0.72, 0.72, 14, 14, 200, 1),
        ),
        # 14. Whip pan.
        Shot(26, seed=114, pan_px_per_frame=(-26.0, 0.0), flashes=(Flash(18, 2, 0.6),)),
        # 15. Riders crossing, medium pan.
        Shot(36, seed=115, pan_px_per_frame=(5.0, -1.0), riders=_charge(15, 4, 0.6, 0.85, 7, 12, 130, 1)),
    ]
    used = sum(s.n_frames for s in shots) - DISSOLVE_FRAMES
    # 16. Final wide, slow, to the end of the 30 s.
    shots.append(Shot(N_FRAMES - used, seed=116, pan_px_per_frame=(-1.0, 0.0), palette_seed=7))
    transitions = [Transition("hard")] * (len(shots) - 1)
    transitions[7] = Transition("dissolve", DISSOLVE_FRAMES)
    return Edit(
        shots=tuple(shots),
        transitions=tuple(transitions),
        width=WIDTH,
        height=HEIGHT,
        frame_rate=FRAME_RATE,
        fade_in_frames=24,
    )


def _events(truth: EditTruth) -> list[tuple[int, str, str]]:
    events = [(f, "hard_cut", "") for f in truth.hard_cuts]
    for first, last in truth.dissolves:
        events += [(first, "dissolve_start", f"{last - first + 1} frames"), (last, "dissolve_end", "")]
    for first, last, kind in truth.fades:
        events += [(first, f"{kind}_start", f"{last - first + 1} frames"), (last, f"{kind}_end", "")]
    events += [(first, "flash", f"{n} frames") for first, n in truth.flashes]
    events += [(f, "camera_stop", "impact") for f in truth.impacts]
    return sorted(events)


def main() -> int:
    """Render the demo files next to this script and print their size and render time."""
    started = time.perf_counter()
    edit = demo_edit()
    duration_s = N_FRAMES / float(FRAME_RATE)
    audio = speech_track(duration_s, sample_rate=48000, regions=SPEECH_REGIONS_S, seed=2024, level_db=-30.0)
    video = HERE / "demo_cut.mp4"
    truth = render_edit(edit, video, audio=audio, audio_sample_rate=48000, crf=CRF)
    truth.to_json(
        HERE / "demo_cut.truth.json",
        speech_regions_s=[list(r) for r in SPEECH_REGIONS_S],
        speech_level_db=-30.0,
    )
    with open(HERE / "demo_cut.cuts.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["frame", "timecode", "time_s", "kind", "detail"])
        for frame, kind, detail in _events(truth):
            writer.writerow(
                [
                    frame,
                    frame_to_timecode(frame, FRAME_RATE),
                    f"{truth.frame_times_s[frame]:.4f}",
                    kind,
                    detail,
                ]
            )
    elapsed = time.perf_counter() - started
    size_mb = video.stat().st_size / 1e6
    print(f"{video.name}: {truth.n_frames} frames, {size_mb:.2f} MB, rendered in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
