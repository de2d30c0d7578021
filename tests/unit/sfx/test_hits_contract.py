"""The delivery contract of the hit generators (whoosh, swish, impact, clash, scrape, arrows, thunder, boom).

Every render: the designed length and channels, float32, finite, peak exactly -6 dBFS at
intensity 1 (never above it), no DC, ends on zero with no click, the same bytes for the
same seed and different ones for another, and a sync point that lands: the exact onset
for hits that start on a transient, the loudness peak within 5 ms of the design for
sounds that build to their moment.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.core.sound import Sound
from sonics.dsp.sync import onset_sample, peak_sample
from sonics.sfx.generators.arrows import ArrowFlyby, ArrowVolley
from sonics.sfx.generators.impact import BodyImpact
from sonics.sfx.generators.metal import SwordClash, SwordScrape
from sonics.sfx.generators.thunder import Boom, Thunder
from sonics.sfx.generators.whoosh import Swish, Whoosh

SR = 48_000
PEAK = np.float32(10 ** (-6 / 20))
SEEDS = (0, 1, 2)

# (generator, channels, synced on the onset?)
CASES = [
    (Whoosh(duration_s=0.6), 1, False),
    (Swish(), 1, False),
    (BodyImpact(duration_s=0.6), 1, True),
    (SwordClash(duration_s=0.8), 1, True),
    (SwordScrape(duration_s=0.5), 1, True),
    (ArrowFlyby(duration_s=0.8), 1, False),
    (ArrowVolley(duration_s=2.0, n_arrows=10), 2, False),
    (Thunder(duration_s=2.0), 1, True),
    (Boom(duration_s=1.5), 1, True),
]
IDS = [type(g).__name__ for g, _, _ in CASES]


def _render(generator: object, seed: int) -> Sound:
    return generator.render(np.random.default_rng(seed), SR)  # type: ignore[attr-defined]


def _clicks(audio: np.ndarray, skip: int) -> float:
    """Largest first difference relative to the RMS of the differences around it (10 ms)."""
    diff = np.abs(np.diff(audio.astype(np.float64), axis=-1)).max(axis=0)
    window = SR // 100
    local = np.sqrt(np.convolve(diff**2, np.ones(window) / window, mode="same")) + 1e-4 * float(PEAK)
    return float(np.max(diff[skip:] / local[skip:]))


@pytest.mark.parametrize(("generator", "channels", "onset"), CASES, ids=IDS)
def test_contract(generator: object, channels: int, onset: bool) -> None:
    renders = {seed: _render(generator, seed) for seed in SEEDS}
    n = round(generator.duration_s * SR)  # type: ignore[attr-defined]
    for seed, sound in renders.items():
        audio = sound.audio
        assert sound.sample_rate == SR
        assert audio.dtype == np.float32 and audio.shape == (channels, n)
        assert np.isfinite(audio).all()
        assert float(np.max(np.abs(audio))) == PEAK, seed
        for channel in audio:
            assert abs(float(np.mean(channel))) < 1e-3 * float(PEAK), seed
        # the end fades to exactly zero; the start is zero or the designed transient
        assert not audio[:, -1].any()
        assert float(np.max(np.abs(np.diff(audio[:, -SR // 200 :], axis=-1)))) < 0.01 * PEAK
        if onset:
            assert onset_sample(audio, SR) == sound.sync_sample == 0, seed
            assert float(np.max(np.abs(audio[:, 0]))) > 0.05 * PEAK  # the transient is at full level
        else:
            assert not audio[:, 0].any()
            assert float(np.max(np.abs(np.diff(audio[:, : SR // 200], axis=-1)))) < 0.01 * PEAK
            assert sound.sync_sample == peak_sample(audio, SR)
            design = round(generator.peak_s * SR)  # type: ignore[attr-defined]
            assert abs(sound.sync_sample - design) <= 5 * SR // 1000, (seed, sound.sync_sample - design)
        # no clicks: no jump far above the local rate of change, except where the design
        # puts one: a hit's transient (first 10 ms), a thunder's crack of shock fronts
        skip_s = 0.25 if isinstance(generator, Thunder) else 0.01
        assert _clicks(audio, skip=round(skip_s * SR)) < 8.0, seed
    # determinism: the same seed gives the same bytes; another seed another sound
    again = _render(generator, 0)
    assert again.audio.tobytes() == renders[0].audio.tobytes()
    assert renders[0].audio.tobytes() != renders[1].audio.tobytes()


@pytest.mark.parametrize(("generator", "channels", "onset"), CASES, ids=IDS)
def test_lower_intensity_is_quieter_never_louder(generator: object, channels: int, onset: bool) -> None:
    soft = dataclasses.replace(generator, intensity=0.3)  # type: ignore[type-var]
    peak = float(np.max(np.abs(_render(soft, 0).audio)))
    assert peak == pytest.approx(10 ** (-10.2 / 20), rel=1e-6)  # -6 dB + 6 * (0.3 - 1) dB


@pytest.mark.parametrize(
    ("cls", "field", "value"),
    [
        (Whoosh, "duration_s", 12.0),
        (Whoosh, "intensity", 1.5),
        (Swish, "tip_speed_m_s", 0.0),
        (BodyImpact, "pitch_hz", 5.0),
        (SwordClash, "ring_s", -1.0),
        (SwordScrape, "speed_m_s", 100.0),
        (ArrowFlyby, "miss_distance_m", 0.0),
        (ArrowVolley, "n_arrows", 0),
        (ArrowVolley, "release", "yes"),
        (Thunder, "distance_m", 1.0),
        (Boom, "pitch_hz", float("nan")),
    ],
)
def test_fields_are_checked(cls: type, field: str, value: object) -> None:
    with pytest.raises(ParameterError, match=f"{cls.name} {field}"):
        cls(**{field: value})


def test_generators_are_frozen_with_names() -> None:
    names = {type(g).name for g, _, _ in CASES}
    assert names == {
        "whoosh",
        "swish",
        "impact",
        "clash",
        "scrape",
        "arrow_flyby",
        "arrow_volley",
        "thunder",
        "boom",
    }
    assert all(type(g).kind == "hit" for g, _, _ in CASES)
    with pytest.raises(AttributeError):
        Whoosh().duration_s = 2.0  # type: ignore[misc]
