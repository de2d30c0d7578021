"""The dynamic-programming beat tracker on onset envelopes whose beats are known to the frame.

And the reason it exists: tracking and fitting a track compile nothing (no numba is imported).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.music.beat_dp import estimate_bpm, track_beat_frames

FRAME_RATE_HZ = 22050 / 256
_REPO_ROOT = Path(__file__).resolve().parents[3]


def _pulses(frames: np.ndarray, n_frames: int, strength: float | np.ndarray = 1.0) -> np.ndarray:
    env = np.zeros(n_frames)
    env[frames] = strength
    return env


@pytest.mark.parametrize("lag", [30, 37, 43, 52, 64])
def test_the_tempo_of_a_pulse_train_is_its_period_and_the_prior_picks_the_octave(lag):
    env = _pulses(np.arange(10, 3000, lag), 3000)
    bpm = 60.0 * FRAME_RATE_HZ / lag
    assert estimate_bpm(env, FRAME_RATE_HZ) == pytest.approx(bpm, rel=1e-12)
    assert estimate_bpm(env, FRAME_RATE_HZ, start_bpm=bpm / 2) == pytest.approx(bpm / 2, rel=1e-12)
    assert estimate_bpm(env, FRAME_RATE_HZ, start_bpm=bpm * 2) == pytest.approx(bpm, rel=1e-12)


def test_beats_follow_a_drifting_pulse_to_the_frame():
    onsets = [50.0]
    period = 40.0
    while onsets[-1] < 3000:
        onsets.append(onsets[-1] + period)
        period += 0.05  # 40 -> 43.5 frames: 129 -> 119 BPM
    truth = np.round(onsets[:-1]).astype(int)
    beats = track_beat_frames(_pulses(truth, 3100), FRAME_RATE_HZ, trim=False)
    inside = beats[(beats >= truth[0]) & (beats <= truth[-1])]
    assert np.array_equal(inside, truth)
    assert beats[0] >= truth[0] - 44 and beats[-1] <= truth[-1] + 44  # at most a beat beyond either end


def test_a_missing_onset_still_gets_its_beat():
    truth = np.arange(130, 1900, 43)
    env = _pulses(truth, 2000)
    env[truth[20]] = 0.0
    beats = track_beat_frames(env, FRAME_RATE_HZ, trim=False)
    assert np.array_equal(beats[(beats >= truth[0]) & (beats <= truth[-1])], truth)


def test_trim_drops_a_quiet_count_in_and_nothing_else():
    truth = np.arange(300, 2000, 43)
    strength = np.where(np.arange(truth.size) < 4, 0.05, 1.0)  # four quiet clicks, then the band
    env = _pulses(truth, 3000, strength)
    trimmed = track_beat_frames(env, FRAME_RATE_HZ, trim=True)
    assert np.array_equal(trimmed, truth[4:])
    kept = track_beat_frames(env, FRAME_RATE_HZ, trim=False)
    assert np.array_equal(kept[(kept >= truth[0]) & (kept <= truth[-1])], truth)
    assert kept.size <= truth.size + 2  # at most a beat beyond either end


def test_a_given_tempo_sets_the_beat_period():
    env = _pulses(np.arange(20, 2500, 43), 2600)
    beats = track_beat_frames(env, FRAME_RATE_HZ, bpm=60.0 * FRAME_RATE_HZ / 86, trim=True)
    assert np.all(np.diff(beats) == 86) and np.isin(beats, np.arange(20, 2500, 43)).all()


def test_an_envelope_without_onsets_has_no_beats_and_bad_input_is_refused():
    assert track_beat_frames(np.zeros(500), FRAME_RATE_HZ).size == 0
    env = _pulses(np.arange(10, 500, 40), 500)
    with pytest.raises(ParameterError, match="onset must be finite"):
        track_beat_frames(np.r_[env, np.nan], FRAME_RATE_HZ)
    with pytest.raises(ParameterError, match="frame_rate_hz must be > 0"):
        track_beat_frames(env, 0.0)
    with pytest.raises(ParameterError, match="bpm must be > 0"):
        track_beat_frames(env, FRAME_RATE_HZ, bpm=-1.0)
    with pytest.raises(ParameterError, match="beat period must be at least 2 frames"):
        track_beat_frames(env, FRAME_RATE_HZ, bpm=5000.0)
    with pytest.raises(ParameterError, match="tightness must be > 0"):
        track_beat_frames(env, FRAME_RATE_HZ, tightness=0.0)
    with pytest.raises(ParameterError, match="start_bpm must be > 0"):
        estimate_bpm(env, FRAME_RATE_HZ, start_bpm=0.0)


_NO_JIT_SCRIPT = """
import importlib, pkgutil, sys
from fractions import Fraction
import sonics
for module in pkgutil.walk_packages(sonics.__path__, "sonics."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
from sonics.core.model import Hit
from sonics.music.beats import track_beats
from sonics.music.fitter import fit_track
from sonics.testing.music import band_track
truth = band_track(bpm=120.0, form="A", bars_per_section=2, seed=6)
assert track_beats(truth.audio, 48000).steady
hits = (Hit(1.5, 1.0, "cut:36"), Hit(3.25, 1.0, "cut:78"))
fitted = fit_track(truth.audio, 48000, hits, n_samples=48000 * 6, frame_rate=Fraction(24))
assert fitted.edit.mode == "beats"
print(" ".join(name for name in ("librosa", "numba", "llvmlite") if name in sys.modules) or "none")
"""


def test_tracking_and_fitting_compile_nothing():
    """Every sonics module imported, a track's beats tracked and fitted: numba never imported.

    In a fresh interpreter with JIT enabled (``NUMBA_DISABLE_JIT`` removed), so that nothing
    another test imported counts. A process numba is not imported
    into can compile nothing and read or write no JIT cache: no first-call cost, and no
    cache shared by worker processes (numba issue #10128, which crashed two xdist workers
    in librosa's beat tracker). Import-linter's "No JIT" contract forbids the import statically.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_REPO_ROOT), env.get("PYTHONPATH")) if p)
    result = subprocess.run(
        [sys.executable, "-c", _NO_JIT_SCRIPT],
        cwd=_REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["none"]
