"""Metal physics: inharmonic bar modes, higher modes decaying faster; a scrape rings the same modes."""

from __future__ import annotations

import numpy as np
import pytest

from sonics.dsp.modal import BAR_RATIOS
from sonics.sfx.generators.metal import SwordClash, SwordScrape, blade_modes

SR = 48_000
SEEDS = (0, 1, 2)


def _spectrum(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = 4 * x.size
    return np.fft.rfftfreq(n, 1 / SR), np.abs(np.fft.rfft(x * np.hanning(x.size), n)) ** 2


def _level_db(x: np.ndarray, freq_hz: float, tol: float = 0.02) -> float:
    """Strongest bin within ``freq_hz * (1 ± tol)``, in dB re the strongest bin overall."""
    freqs, power = _spectrum(x)
    band = (freqs >= freq_hz * (1 - tol)) & (freqs <= freq_hz * (1 + tol))
    return float(10 * np.log10(power[band].max() / power.max()))


def _first_mode_hz(x: np.ndarray, pitch_hz: float) -> float:
    freqs, power = _spectrum(x)
    band = (freqs > 0.93 * pitch_hz) & (freqs < 1.07 * pitch_hz)
    return float(freqs[band][np.argmax(power[band])])


def _band_energy_db(x: np.ndarray, freq_hz: float) -> float:
    spectrum = np.abs(np.fft.rfft(x)) ** 2
    freqs = np.fft.rfftfreq(x.size, 1 / SR)
    return float(10 * np.log10(spectrum[(freqs > 0.97 * freq_hz) & (freqs < 1.03 * freq_hz)].sum()))


@pytest.mark.parametrize("seed", SEEDS)
def test_clash_partials_are_inharmonic_bar_modes(seed: int) -> None:
    audio = SwordClash(pitch_hz=420.0).render(np.random.default_rng(seed)).audio[0].astype(np.float64)
    ring = audio[round(0.02 * SR) : round(0.4 * SR)]
    f1 = _first_mode_hz(ring, 420.0)
    bar = [_level_db(ring, f1 * r) for r in BAR_RATIOS[1:3]]  # 2.756 and 5.404 times the first
    harmonic = [_level_db(ring, f1 * k) for k in (2, 4)]  # where a musical tone would have partials
    assert min(bar) > -45.0
    assert max(harmonic) < min(bar) - 20.0


@pytest.mark.parametrize("seed", SEEDS)
def test_clash_higher_modes_decay_faster(seed: int) -> None:
    audio = SwordClash(pitch_hz=420.0).render(np.random.default_rng(seed)).audio[0].astype(np.float64)
    f1 = _first_mode_hz(audio[round(0.02 * SR) : round(0.4 * SR)], 420.0)
    early, late = audio[round(0.02 * SR) : round(0.12 * SR)], audio[round(0.4 * SR) : round(0.5 * SR)]

    def drop_db(ratio: float) -> float:
        return _band_energy_db(early, f1 * ratio) - _band_energy_db(late, f1 * ratio)

    assert drop_db(BAR_RATIOS[2]) > drop_db(BAR_RATIOS[0]) + 6.0


def test_blade_modes_are_detuned_doublets_with_shorter_high_decays() -> None:
    freqs, t60, amps = blade_modes(np.random.default_rng(0), 400.0, 1.5, 1.0)
    k = len(BAR_RATIOS)
    assert freqs.size == t60.size == amps.size == 2 * k
    split = freqs[k:] / freqs[:k] - 1.0
    assert np.all((split > 0.0005) & (split < 0.005))  # a few Hz of beating, never a second note
    assert np.all(amps[k:] < amps[:k])  # the two halves of a doublet never cancel
    assert t60[k - 1] < t60[0] / 2


@pytest.mark.parametrize("seed", SEEDS)
def test_scrape_rings_the_blade_modes_under_a_climbing_band(seed: int) -> None:
    scrape = SwordScrape(duration_s=0.9, pitch_hz=420.0, speed_m_s=1.5)
    audio = scrape.render(np.random.default_rng(seed)).audio[0].astype(np.float64)
    slide = audio[round(0.1 * SR) : round(0.6 * SR)]
    f1 = _first_mode_hz(slide, 420.0)
    assert _level_db(slide, f1 * BAR_RATIOS[1]) > _level_db(slide, f1 * 2) + 10.0

    def tilt(a: float, b: float) -> float:  # energy 3-6 kHz over 1-2.5 kHz
        seg = audio[round(a * SR) : round(b * SR)]
        spectrum = np.abs(np.fft.rfft(seg)) ** 2
        freqs = np.fft.rfftfreq(seg.size, 1 / SR)
        return float(
            spectrum[(freqs > 3000) & (freqs < 6000)].sum() / spectrum[(freqs > 1000) & (freqs < 2500)].sum()
        )

    assert tilt(0.45, 0.6) > 2.0 * tilt(0.05, 0.2)
