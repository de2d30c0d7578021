"""Loudness targets, BS.1770 measurement and normalising under a ceiling, against known answers."""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from sonics.core.errors import ParameterError
from sonics.mix import loudness
from sonics.mix.loudness import (
    LOUDNESS_TARGETS,
    METER_MARGIN_DB,
    TOLERANCE_LU,
    integrated_lufs,
    loudness_target,
    measure_loudness,
    normalize_loudness,
)

SR = 48_000


def _tone(level_dbfs: float, seconds: float, freq_hz: float = 1000.0) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    return np.tile(10 ** (level_dbfs / 20) * np.sin(2 * np.pi * freq_hz * t), (2, 1))


def _scaler(programme: np.ndarray):
    def render(gain_db: float) -> np.ndarray:
        return (programme * np.float32(10 ** (gain_db / 20))).astype(np.float32)

    return render


def test_named_targets_and_numbers() -> None:
    assert {n: (t.integrated_lufs, t.true_peak_dbtp) for n, t in LOUDNESS_TARGETS.items()} == {
        "streaming": (-14.0, -1.0),
        "ebu-r128": (-23.0, -1.0),
        "atsc": (-24.0, -2.0),
    }
    assert loudness_target("-16").integrated_lufs == -16.0
    assert loudness_target(-18.5).true_peak_dbtp == -1.0
    assert loudness_target("atsc", true_peak_dbtp=-3.0).true_peak_dbtp == -3.0
    for bad in ("loud", "-3", -70, True, "16"):
        with pytest.raises(ParameterError, match="loudness"):
            loudness_target(bad)
    with pytest.raises(ParameterError, match="true_peak_dbtp"):
        loudness_target("streaming", true_peak_dbtp=1.0)


def test_tech_3341_tone_measures_minus_23() -> None:
    tone = _tone(-23.0, 20.0)
    assert integrated_lufs(tone, SR) == pytest.approx(-23.0, abs=0.05)
    m = measure_loudness(tone, SR)
    assert m.sample_peak_dbfs == pytest.approx(-23.0, abs=0.01)
    assert m.true_peak_dbtp == pytest.approx(-23.0, abs=0.01)
    # A steady tone: the short-term curve sits on the integrated value, and its range is 0.
    assert np.allclose(m.short_term_lufs, m.integrated_lufs, atol=0.05)
    assert m.loudness_range_lu == pytest.approx(0.0, abs=0.1)


def test_tech_3342_range_of_two_levels_is_their_difference() -> None:
    # EBU Tech 3342 case 1: 20 s of 1 kHz at -20 dBFS, then 20 s at -30 dBFS: LRA 10 +- 1 LU.
    programme = np.concatenate([_tone(-20.0, 20.0), _tone(-30.0, 20.0)], axis=1)
    assert measure_loudness(programme, SR).loudness_range_lu == pytest.approx(10.0, abs=1.0)


def test_short_term_curve_is_centred_and_follows_the_level() -> None:
    programme = np.concatenate([_tone(-40.0, 5.0), _tone(-20.0, 5.0)], axis=1)
    curve = measure_loudness(programme, SR).short_term_lufs
    assert curve.shape == (101,)  # one every 0.1 s from 0 to 10 s
    assert curve[10] == pytest.approx(-40.0, abs=0.1)  # 1 s: all quiet
    assert curve[90] == pytest.approx(-20.0, abs=0.1)  # 9 s: all loud
    assert -40.0 < curve[50] < -20.0  # 5 s: half and half


def test_short_term_curve_does_not_depend_on_where_the_blocks_fall(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(9)
    programme = rng.standard_normal((2, 12 * SR + 1234)) * np.linspace(0.01, 0.3, 12 * SR + 1234)
    whole = measure_loudness(programme, SR)
    monkeypatch.setattr(loudness, "_HOPS_PER_BLOCK", 3)
    again = measure_loudness(programme, SR)
    assert np.allclose(again.short_term_lufs, whole.short_term_lufs, atol=1e-4)
    assert again.loudness_range_lu == pytest.approx(whole.loudness_range_lu, abs=1e-4)
    assert whole.short_term_lufs.size == 121  # 0 .. 12.0 s every 0.1 s; 12.03 s is no step


def test_silence_and_short_audio_cannot_be_measured() -> None:
    assert integrated_lufs(np.zeros((2, SR)), SR) is None
    assert integrated_lufs(_tone(-20.0, 0.3), SR) is None
    m = measure_loudness(np.zeros((2, SR)), SR)
    assert m.integrated_lufs is None and m.true_peak_dbtp is None and m.sample_peak_dbfs is None
    data = m.to_dict()
    assert data["integrated_lufs"] is None and all(v is None for v in data["short_term"]["lufs"])


@pytest.mark.parametrize("name", ["streaming", "ebu-r128", "atsc", "-16"])
def test_normalising_lands_on_the_target_under_the_ceiling(name: str) -> None:
    rng = np.random.default_rng(5)
    bursts = rng.standard_normal((2, 10 * SR)) * np.repeat(rng.uniform(0.01, 0.3, (1, 100)), SR // 10, axis=1)
    target = loudness_target(name)
    done = normalize_loudness(_scaler(bursts.astype(np.float32)), SR, target)
    independent = pyloudnorm.Meter(SR).integrated_loudness(done.audio.T.astype(np.float64))
    assert abs(independent - target.integrated_lufs) <= TOLERANCE_LU
    tp_db = 20 * math.log10(float(np.abs(signal.resample_poly(done.audio, 4, 1, axis=-1)).max()))
    assert tp_db < target.true_peak_dbtp
    assert done.measurement.true_peak_dbtp <= target.true_peak_dbtp - METER_MARGIN_DB
    assert done.normalized and not done.warnings


def test_limiting_that_pulls_the_loudness_down_is_made_up() -> None:
    # Sparse loud clicks over a quiet bed: reaching -14 LUFS needs several dB of limiting.
    rng = np.random.default_rng(6)
    x = 0.01 * rng.standard_normal((2, 10 * SR))
    x[:, ::4800] += 0.9
    done = normalize_loudness(_scaler(x.astype(np.float32)), SR, loudness_target("streaming"))
    assert done.n_passes >= 2
    assert float(done.limiter_gain.min()) < 10 ** (-6 / 20)
    assert done.measurement.integrated_lufs == pytest.approx(-14.0, abs=TOLERANCE_LU)
    assert done.gain_db > -14.0 - done.input_lufs  # more gain than the linear estimate


def test_silence_is_not_normalised_and_says_so() -> None:
    done = normalize_loudness(_scaler(np.zeros((2, SR), dtype=np.float32)), SR, loudness_target("ebu-r128"))
    assert not done.normalized and done.gain_db == 0.0
    assert "silent" in done.warnings[0]
    assert not done.audio.any()
    short = normalize_loudness(_scaler(np.ones((2, 1000), dtype=np.float32)), SR, loudness_target("ebu-r128"))
    assert "0.4 s" in short.warnings[0]
    assert short.measurement.true_peak_dbtp <= -1.0 - METER_MARGIN_DB


def test_a_target_the_ceiling_cannot_allow_is_missed_with_a_warning() -> None:
    x = np.zeros((2, 5 * SR), dtype=np.float32)
    x[:, ::SR] = 1.0  # five clicks: no gain makes this -5 LUFS under -1 dBTP
    done = normalize_loudness(_scaler(x), SR, loudness_target("-5"))
    assert done.warnings and "not -5" in done.warnings[0]
    assert done.measurement.true_peak_dbtp <= -1.0 - METER_MARGIN_DB


def test_loudest_momentary_and_short_term_windows() -> None:
    # 10 s at -30 dBFS with one second at -20: the loudest 400 ms sits on it (-20 LUFS for a 1 kHz
    # tone), the loudest 3 s holds 1 s of it and 2 s of the quiet part.
    programme = np.concatenate([_tone(-30.0, 5.0), _tone(-20.0, 1.0), _tone(-30.0, 4.0)], axis=1)
    m = measure_loudness(programme, SR)
    assert m.max_momentary_lufs == pytest.approx(-20.0, abs=0.1)
    expected = 10 * math.log10((10 ** (-2.0) + 2 * 10 ** (-3.0)) / 3)
    assert m.max_short_term_lufs == pytest.approx(expected, abs=0.1)
    assert m.short_term_times_s[-1] == pytest.approx(10.0)
    short = measure_loudness(_tone(-20.0, 2.0), SR)
    assert short.max_short_term_lufs is None and short.max_momentary_lufs == pytest.approx(-20.0, abs=0.1)
