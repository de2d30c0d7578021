"""Per-frame measurements on arrays whose answer is known exactly."""

import itertools

import numpy as np
import pytest
from scipy.ndimage import gaussian_filter, shift

from sonics.analysis.features import (
    _BlockMatcher,
    _halves,
    _PhaseCorrelator,
    extract_features,
    measure_chunk,
)
from sonics.analysis.flashes import FlashDetector
from sonics.analysis.motion import bridge
from sonics.core.frames import LumaChunk


def _texture(seed: int, height: int = 90, width: int = 160) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, 1.0, (height, width))
    picture = gaussian_filter(noise, 2.0) * 400 + 110
    return np.clip(picture, 16, 235).astype(np.float32)


@pytest.mark.parametrize("dx_dy", [(0.0, 0.0), (3.0, -2.0), (-7.5, 1.25), (12.3, 4.6)])
def test_phase_correlation_recovers_the_camera_shift(dx_dy):
    base = _texture(1, 120, 200)
    moved = shift(base, (dx_dy[1], dx_dy[0]), order=3, mode="nearest")
    crop = (slice(15, 105), slice(20, 180))
    correlator = _PhaseCorrelator(90, 160)
    spectra = correlator.spectrum(np.stack([base[crop], moved[crop]]))
    found, confidence = correlator.shift(spectra[0], spectra[1])
    np.testing.assert_allclose(found, dx_dy, atol=0.2)
    assert confidence > 0.2


def test_phase_correlation_of_a_pair_does_not_depend_on_where_it_sits_in_a_batch():
    # numpy's vectorised complex product (spec_cur * conj(spec_prev)) fails this: a pair rounds
    # differently alone than inside a batch, and features would depend on the chunking.
    wide = _texture(4, 110, 230)
    frames = np.stack([wide[t : t + 90, 2 * t : 2 * t + 160] for t in range(12)])
    correlator = _PhaseCorrelator(90, 160)
    spectra = correlator.spectrum(frames)
    together = correlator.shift(spectra[:-1], spectra[1:])
    alone = [correlator.shift(spectra[t], spectra[t + 1]) for t in range(11)]
    backwards = correlator.shift(spectra[-2::-1], spectra[:0:-1])
    for found, peaks in (np.array(alone, dtype=object).T, (backwards[0][::-1], backwards[1][::-1])):
        np.testing.assert_array_equal(np.stack(found), together[0])
        np.testing.assert_array_equal(np.stack(peaks), together[1])


def test_block_match_ignores_pans_and_flashes_but_not_cuts():
    frame = _texture(2)
    halves = _halves(np.stack([frame, np.roll(frame, 6, axis=1), 0.3 * frame + 160, _texture(3)]))
    matcher = _BlockMatcher(*halves.shape[1:])
    assert matcher.cost(halves[0], halves[1], np.array([3.0, 0.0])) < 0.05  # pan of 6 px = 3 half px
    assert matcher.cost(halves[0], halves[2], np.zeros(2)) < 0.05  # 70 % white flash
    assert matcher.cost(halves[0], halves[3], np.zeros(2)) > 0.4  # another shot


def test_features_of_a_still_shot_cut_to_another():
    first, second = _texture(4), _texture(5)
    luma = np.stack([first] * 10 + [second] * 10)
    features = extract_features(
        [LumaChunk(np.arange(7) / 24, luma[:7]), LumaChunk(np.arange(7, 20) / 24, luma[7:])]
    )
    assert features.n_frames == 20
    assert np.argmax(np.nan_to_num(features.match_cost)) == 10
    assert np.nanmax(np.delete(features.match_cost, 10)) < 0.01
    assert np.isfinite(features.flicker_cost[10]).all()  # the candidate was tested both ways
    np.testing.assert_array_equal(np.delete(features.moving_share, 10), 0.0)  # the cut itself is masked later


def test_features_do_not_depend_on_how_frames_are_chunked_or_measured():
    # A pan with a cut in the middle and a flash: candidates, flicker tests and spans all run.
    wide = _texture(6, 90, 260)
    luma = np.stack([wide[:, 3 * t : 3 * t + 160] for t in range(20)] + [_texture(7)] * 20)
    luma[28] = 0.4 * luma[28] + 150
    times = np.arange(40) / 24
    whole = extract_features([LumaChunk(times, luma)])
    bounds = [0, 1, 4, 5, 13, 21, 22, 40]
    pieces = [LumaChunk(times[a:b], luma[a:b]) for a, b in itertools.pairwise(bounds)]
    for chunks in (pieces, [measure_chunk(c) for c in pieces]):
        chunked = extract_features(chunks)
        for name in ("shift_px", "match_cost", "moving_share", "flicker_cost", "thumbs", "span_cost"):
            np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name), err_msg=name)
    assert np.isfinite(whole.flicker_cost[20]).all()  # the cut was tested both ways


def test_no_frames_gives_empty_features():
    features = extract_features([])
    assert features.n_frames == 0


def test_flash_detector_finds_bursts_that_end_where_they_began():
    luma = np.full(40, 80.0)
    luma[10:12] = 200.0  # a two-frame muzzle flash
    luma[20] = 150.0  # one-frame lightning
    luma[30:] = 180.0  # a lasting change of light: not a flash
    assert FlashDetector()(luma) == [(10, 2, pytest.approx(120 / 175)), (20, 1, pytest.approx(70 / 175))]


def test_bridge_draws_a_line_over_masked_frames():
    values = np.array([0.0, 1.0, 9.0, 9.0, 4.0, 5.0])
    masked = np.array([False, False, True, True, False, False])
    np.testing.assert_allclose(bridge(values, masked), [0, 1, 2, 3, 4, 5])
