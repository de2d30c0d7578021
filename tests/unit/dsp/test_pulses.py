from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import sosfilt

from sonics.core.errors import ParameterError
from sonics.dsp.pulses import attack_decay_sos, impulses, poisson_times

SR = 48_000


def test_poisson_times_follow_a_varying_rate() -> None:
    rng = np.random.default_rng(0)
    rate = np.r_[np.full(100, 5.0), np.full(100, 50.0)]  # 10 s at 5/s, then 10 s at 50/s (10 Hz control)
    times = poisson_times(rng, rate, 10.0, 20.0)
    assert np.all(np.diff(times) >= 0) and times.min() >= 0 and times.max() < 20.0
    first, second = np.sum(times < 9.9), np.sum(times >= 10.1)
    assert first == pytest.approx(50, abs=25)
    assert second == pytest.approx(500, rel=0.15)
    assert poisson_times(rng, 0.0, 10.0, 5.0).size == 0
    silent_then_busy = poisson_times(rng, np.r_[np.zeros(50), np.full(50, 100.0)], 10.0, 10.0)
    assert silent_then_busy.min() >= 4.9  # no event where the rate is zero
    with pytest.raises(ParameterError, match="rate_hz"):
        poisson_times(rng, -1.0, 10.0, 1.0)


def test_impulses_are_exact_on_whole_samples_and_split_between_samples() -> None:
    pos = np.array([3.0, 5.5, 9.25, 12.0])
    block = impulses(pos, np.array([1.0, 2.0, 4.0, 8.0]), 4, 8)
    # samples 4..11: 5.5 -> 1 at 5 and 1 at 6; 9.25 -> 3 at 9, 1 at 10; 3.0 and 12.0 are outside
    assert block.tolist() == [0.0, 1.0, 1.0, 0.0, 0.0, 3.0, 1.0, 0.0]
    stereo = impulses(pos, np.array([[1.0] * 4, [0.5] * 4]), 0, 16, n_channels=2)
    assert stereo.shape == (2, 16) and stereo[1, 12] == 0.5
    # blocks add up to the whole
    whole = impulses(pos, 1.0, 0, 16)
    assert np.array_equal(np.concatenate([impulses(pos, 1.0, a, 4) for a in range(0, 16, 4)]), whole)


@pytest.mark.parametrize(("attack_s", "decay_s"), [(0.0, 0.01), (0.002, 0.02), (0.0005, 0.2)])
def test_attack_decay_response_peaks_at_one(attack_s: float, decay_s: float) -> None:
    x = np.zeros(SR)
    x[10] = 1.0
    env = sosfilt(attack_decay_sos(attack_s, decay_s, SR), x)
    assert env.max() == pytest.approx(1.0, abs=1e-9)
    assert np.all(env[:10] == 0)
    peak = int(np.argmax(env))
    if attack_s == 0:
        assert peak == 10
    else:
        # the peak of a difference of exponentials: ln(td / ta) / (1 / ta - 1 / td)
        expected = np.log(decay_s / attack_s) / (1 / attack_s - 1 / decay_s) * SR
        assert abs(peak - 10 - expected) <= 2
    # then it falls by e every decay_s
    later = peak + round(3 * decay_s * SR)
    assert env[later] / env[later - round(decay_s * SR)] == pytest.approx(np.exp(-1), rel=0.05)
    with pytest.raises(ParameterError):
        attack_decay_sos(0.1, 0.01, SR)
