from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfilt

from sonics.core.errors import ParameterError
from sonics.dsp.streams import (
    BurstStream,
    NoiseStream,
    SosStream,
    finish_in_place,
    render_finished,
    render_in_blocks,
)

SR = 48_000


def test_render_in_blocks_calls_each_block_once_in_order() -> None:
    seen = []

    def block(start: int, stop: int) -> np.ndarray:
        seen.append((start, stop))
        return np.full((2, stop - start), start, dtype=np.float64)

    out = render_in_blocks(10, 2, block, block_samples=4)
    assert seen == [(0, 4), (4, 8), (8, 10)]
    assert out.dtype == np.float32 and out.shape == (2, 10)
    assert out[1].tolist() == [0, 0, 0, 0, 4, 4, 4, 4, 8, 8]
    with pytest.raises(ParameterError, match="shape"):
        render_in_blocks(10, 1, lambda a, b: np.zeros((1, 3)))
    with pytest.raises(ParameterError, match=">= 1"):
        render_in_blocks(0, 1, block)


def test_sos_stream_equals_one_pass_whatever_the_blocks() -> None:
    x = np.random.default_rng(0).standard_normal((2, 5000))
    sos = butter(4, [300, 3000], "bandpass", fs=SR, output="sos")
    stream = SosStream(sos, 2)
    pieces = [stream(x[:, a:b]) for a, b in ((0, 7), (7, 1234), (1234, 5000))]
    assert np.allclose(np.concatenate(pieces, axis=1), sosfilt(sos, x, axis=-1))
    with pytest.raises(ParameterError, match="keep the shape"):
        stream.retune(butter(2, 100, fs=SR, output="sos"))


def test_noise_stream_has_the_requested_spectrum_and_joins_blocks_seamlessly() -> None:
    def band(freqs: np.ndarray, times: np.ndarray) -> np.ndarray:
        return np.broadcast_to(
            ((freqs > 1000) & (freqs < 4000)).astype(float), (times.shape[0], freqs.shape[1])
        )

    stream = NoiseStream(np.random.default_rng(1), SR, n_channels=2)
    x = np.concatenate([stream.render(n, band) for n in (1000, 31000, 16000, 48000)], axis=1)
    assert x.shape == (2, 96000) and x.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(x[0, 4800:])) ** 2
    freqs = np.fft.rfftfreq(x.shape[1] - 4800, 1 / SR)
    inside = spectrum[(freqs > 1500) & (freqs < 3500)].mean()
    assert inside > 1000 * spectrum[freqs > 8000].mean()
    # a flat magnitude of 1 is unit-variance white noise; the channels are independent
    flat = NoiseStream(np.random.default_rng(2), SR, n_channels=2).render(96000, lambda f, t: 1.0 + 0 * f * t)
    assert np.std(flat[:, 2000:]) == pytest.approx(1.0, rel=0.05)
    assert abs(np.corrcoef(flat)[0, 1]) < 0.05
    # same seed, different block sizes: the same samples
    again = NoiseStream(np.random.default_rng(1), SR, n_channels=2)
    whole = again.render(96000, band)
    assert np.allclose(whole, x, atol=1e-6)


def test_noise_stream_follows_a_time_varying_magnitude() -> None:
    def ramp(freqs: np.ndarray, times: np.ndarray) -> np.ndarray:
        return np.broadcast_to(times, (times.shape[0], freqs.shape[1]))

    x = NoiseStream(np.random.default_rng(3), SR).render(2 * SR, ramp)[0]
    early, late = np.std(x[round(0.4 * SR) : round(0.6 * SR)]), np.std(x[round(1.4 * SR) : round(1.6 * SR)])
    assert late / early == pytest.approx(3.0, rel=0.15)


def test_burst_stream_starts_on_the_trigger_and_decays() -> None:
    sos = butter(2, [500, 5000], "bandpass", fs=SR, output="sos")
    bursts = BurstStream(np.random.default_rng(4), SR, attack_s=0.0, decay_s=0.005, sos=sos, n_channels=1)
    trig = np.zeros((1, 4800))
    trig[0, 1000] = 1.0
    y = np.concatenate([bursts(trig[:, :1200]), bursts(trig[:, 1200:])], axis=1)[0]
    assert np.all(y[:1000] == 0.0) and y[1000] != 0.0
    assert np.abs(y[1000:1240]).max() > 100 * np.abs(y[3000:]).max()


def test_finish_in_place_sets_the_peak_and_fades_without_copying() -> None:
    x = np.random.default_rng(5).standard_normal((2, 9600)).astype(np.float32)
    y = finish_in_place(x, SR, peak_db=-6.0, fade_in_s=0.01, fade_out_s=0.01)
    assert y is x
    assert float(np.max(np.abs(x))) == pytest.approx(10 ** (-6 / 20), abs=1e-7)
    assert x[0, 0] == 0.0 and x[1, -1] == 0.0
    with pytest.raises(ParameterError, match="silent"):
        finish_in_place(np.zeros((1, 10), dtype=np.float32), SR, peak_db=-6.0)
    with pytest.raises(ParameterError, match="float32"):
        finish_in_place(np.zeros((1, 10)), SR, peak_db=-6.0)


@pytest.mark.parametrize(
    ("n", "block", "fade_in_s", "fade_out_s"), [(9600, 1000, 0.01, 0.01), (5000, 4096, 0.0, 0.02)]
)
def test_render_finished_is_render_in_blocks_then_finish_in_place(n, block, fade_in_s, fade_out_s) -> None:
    rng = np.random.default_rng(6)
    audio = rng.standard_normal((2, n))
    audio[1, 3] = 9.0  # the loudest sample under the fade-in: it must lose to the loudest after it
    audio[0, n // 2] = audio[1, n // 3] = -4.0  # equal extremes in two rows: the first row's wins
    audio[0, 2 * n // 3] = 4.0

    def render(a: int, b: int) -> np.ndarray:
        return audio[:, a:b]

    expected = finish_in_place(
        render_in_blocks(n, 2, render, block_samples=block),
        SR,
        peak_db=-3.0,
        fade_in_s=fade_in_s,
        fade_out_s=fade_out_s,
    )
    interleaved = np.zeros((n, 2), dtype=np.float32).T
    got = render_finished(
        n,
        2,
        render,
        sample_rate=SR,
        peak_db=-3.0,
        fade_in_s=fade_in_s,
        fade_out_s=fade_out_s,
        block_samples=block,
        out=interleaved,
    )
    assert np.shares_memory(got, interleaved) and np.array_equal(got, expected)
