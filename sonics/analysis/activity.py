"""Find the foreground sound in the cut's own audio: speech, and other sound.

The audio is mixed to mono and resampled to 16 kHz, then cut into 48 ms Hann frames
every ``hop_s`` (10 ms). Each frame's power spectrum is summed into 24 mel-spaced
bands (60 Hz - 7.9 kHz).

**Noise floor** (minimum statistics, after Martin 2001). In each band the energy,
smoothed over 50 ms, is tracked to its minimum over the 1.5 s before each frame and
over the 1.5 s after it; the floor is the higher of the two, times the ratio of mean
to minimum that white noise shows. A steady background (room tone, traffic, a drone)
is its own floor however loud it is, a background that jumps at a shot cut is
followed at once (one side of the frame sees only the new background), and the
pauses between words keep the floor down inside long dialogue. The price: a sound
that stays steady for more than 1.5 s is partly, and beyond 3 s wholly, taken for
background (a long engine run or rain is ambience, not foreground).

**Foreground.** A frame's score is how far it rises above the floor [dB]: the mean,
over the 8 bands that rise most, of the band energy (30 ms smoothing) over its floor,
each clipped to 0..30 dB. On a steady background it stays below 3 dB; speech only
5 dB louder than a steady background scores about 4-8 dB. Regions are runs above
``low_db`` that reach ``high_db`` (hysteresis) and are louder than ``min_level_db``;
runs closer than ``merge_gap_s`` are merged, and regions shorter than
``min_region_s`` dropped.

**Speech or sound.** In each region the per-bin floor is subtracted (twice over)
from each frame's 150 Hz - 1.5 kHz spectrum, whose normalised autocorrelation
(corrected for the window, as in Boersma 1993) gives the frame's harmonicity at
lags of 2.5-14 ms (pitch 70-400 Hz); a frame is voiced when that exceeds 0.45 and
the foreground holds most of the band's energy. A region is speech when at least a
quarter of its frames are voiced, its voiced runs are syllable-long (median 60-600
ms) and its 300-3400 Hz band level moves by at least 6 dB (syllables): noise and
impacts are unvoiced, a horn or a whine is one long steady voiced run, so they are
"sound". Singing or a melody over a pause-free beat may pass for speech.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import fft, ndimage, signal

from sonics.core.errors import ParameterError
from sonics.core.model import AudioRegion

__all__ = ["find_audio_regions", "foreground_envelope"]

_RATE_HZ = 16000
_WINDOW = 768  # 48 ms: three periods of the lowest pitch, for the autocorrelation
_N_FFT = 1024  # >= _WINDOW + the longest pitch lag, so the autocorrelation is linear
_FREQS_HZ = np.arange(_N_FFT // 2 + 1) * _RATE_HZ / _N_FFT
_N_BANDS = 24
_BAND_RANGE_HZ = (60.0, 7900.0)
_SPEECH_BAND_HZ = (300.0, 3400.0)
_PITCH_BAND_HZ = (150.0, 1500.0)  # spectrum the harmonicity reads
_PITCH_BINS = slice(*(round(f * _N_FFT / _RATE_HZ) for f in _PITCH_BAND_HZ))
_BLOCK_S = 0.1  # the floor is tracked on 100 ms blocks
_FLOOR_SIDE_S = 1.5
_FLOOR_SMOOTH_S = 0.05
_SCORE_SMOOTH_S = 0.03
_MAX_BAND_RISE_DB = 30.0
_N_SCORE_BANDS = 8
_CHUNK_BLOCKS = 400
_EPS = 1e-12
_ENVELOPE_RANGE_DB = (3.0, 15.0)
_ENVELOPE_MIN_LEVEL_DB = -65.0
# Speech or sound.
_PITCH_RANGE_HZ = (70.0, 400.0)
_VOICED_HARMONICITY = 0.45
_MIN_FOREGROUND_SHARE = 0.5
_MIN_VOICED_SHARE = 0.25
_MEDIAN_VOICED_RUN_S = (0.06, 0.6)
_MIN_SYLLABLE_DEPTH_DB = 6.0


@dataclass(frozen=True, slots=True, eq=False)
class _Frames:
    """Per-frame measurements of mono 16 kHz audio, frame ``i`` centred at ``i * hop``."""

    x: np.ndarray  # the samples, float32
    hop: int
    block: int  # frames per floor block
    score_db: np.ndarray  # (n_frames,)
    level_db: np.ndarray  # (n_frames,), dBFS
    speech_band_db: np.ndarray  # (n_frames,), dBFS
    bin_floor: np.ndarray  # (n_blocks, n_pitch_bins), power per bin


def find_audio_regions(
    audio: np.ndarray,
    sample_rate: int,
    *,
    min_region_s: float = 0.2,
    merge_gap_s: float = 0.25,
    high_db: float = 5.0,
    low_db: float = 3.0,
    min_level_db: float = -65.0,
) -> tuple[AudioRegion, ...]:
    """Find where the audio has speech or other foreground sound above its noise floor.

    Parameters
    ----------
    audio : ndarray, float, shape (channels, samples) or (samples,)
        The cut's own audio, full scale 1.0; channels are averaged.
    sample_rate : int >= 8000
        Sample rate of ``audio`` [Hz].
    min_region_s : float >= 0
        Regions shorter than this are dropped [s].
    merge_gap_s : float >= 0
        Regions separated by less than this are merged into one [s].
    high_db : float > 0
        A region must rise this far above the noise floor somewhere [dB] (see the
        module notes for the score).
    low_db : float in (0, high_db]
        A region lasts while the audio stays this far above the floor [dB].
    min_level_db : float
        Frames quieter than this are never foreground [dBFS].

    Returns
    -------
    tuple of AudioRegion
        Sorted by time, not overlapping; ``kind`` is ``"speech"`` or ``"sound"``,
        ``level_db`` the RMS level of the (mono) audio inside the region [dBFS].
        Boundaries fall halfway between 10 ms frames.

    Raises
    ------
    ParameterError
        If ``audio`` is not a finite 1-D or 2-D float array, or a parameter is out of range.

    Examples
    --------
    >>> from sonics.testing.audio import speech_track
    >>> audio = speech_track(4.0, sample_rate=16000, regions=((1.0, 3.0),), seed=0)
    >>> [(round(r.start_s, 1), round(r.end_s, 1), r.kind) for r in find_audio_regions(audio, 16000)]
    [(1.0, 3.0, 'speech')]
    """
    for name, value in (("min_region_s", min_region_s), ("merge_gap_s", merge_gap_s)):
        if not value >= 0:
            raise ParameterError(f"{name} must be >= 0, got {value}")
    if not 0 < low_db <= high_db:
        raise ParameterError(f"need 0 < low_db <= high_db, got low_db={low_db}, high_db={high_db}")
    frames = _measure(audio, sample_rate, hop_s=0.01)
    hop_s = frames.hop / _RATE_HZ
    loud = frames.level_db >= min_level_db
    above_low = (frames.score_db >= low_db) & loud
    above_high = (frames.score_db >= high_db) & loud
    merged: list[list[int]] = []
    for a, b in _runs(above_low):
        if not above_high[a:b].any():
            continue
        if merged and (a - merged[-1][1]) * hop_s < merge_gap_s:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    duration_s = len(frames.x) / _RATE_HZ
    regions = []
    for a, b in merged:
        if (b - a) * hop_s < min_region_s:
            continue
        start_s = max(0.0, (a - 0.5) * hop_s)
        end_s = min(duration_s, (b - 0.5) * hop_s)
        samples = frames.x[round(start_s * _RATE_HZ) : round(end_s * _RATE_HZ)]
        level_db = 10.0 * np.log10(float(np.mean(np.square(samples, dtype=np.float64))) + _EPS)
        kind = "speech" if _is_speech(frames, a, b, above_low[a:b]) else "sound"
        regions.append(AudioRegion(start_s, end_s, kind, float(level_db)))
    return tuple(regions)


def foreground_envelope(audio: np.ndarray, sample_rate: int, *, hop_s: float = 0.01) -> np.ndarray:
    """Return how far the audio stands above its noise floor, per frame, in 0..1.

    0 on a steady background or silence (a score of 3 dB or less, or quieter than
    -65 dBFS), 1 where foreground sound rises 15 dB or more above the floor, linear
    in dB between. Suited to ducking music and effect beds under the cut's own
    dialogue and sound.

    Parameters
    ----------
    audio : ndarray, float, shape (channels, samples) or (samples,)
        The cut's own audio; channels are averaged.
    sample_rate : int >= 8000
        Sample rate of ``audio`` [Hz].
    hop_s : float in [0.002, 0.1]
        Frame step [s]; frame ``i`` is centred at ``i * hop`` with
        ``hop = round(hop_s * 16000) / 16000``.

    Returns
    -------
    ndarray, float32, shape (n_frames,)
        ``n_frames = n // round(hop_s * 16000) + 1`` for ``n`` samples at 16 kHz,
        i.e. ``round(n_samples * 16000 / sample_rate)``.

    Raises
    ------
    ParameterError
        If ``audio`` is not a finite 1-D or 2-D float array, or ``hop_s`` is out of range.
    """
    if not 0.002 <= hop_s <= 0.1:
        raise ParameterError(f"hop_s must be in [0.002, 0.1] s, got {hop_s}")
    frames = _measure(audio, sample_rate, hop_s=hop_s)
    low, high = _ENVELOPE_RANGE_DB
    envelope = np.clip((frames.score_db - low) / (high - low), 0.0, 1.0)
    envelope[frames.level_db < _ENVELOPE_MIN_LEVEL_DB] = 0.0
    return envelope.astype(np.float32)


def _mono_16k(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    audio = np.asarray(audio)
    if audio.ndim not in (1, 2) or not np.issubdtype(audio.dtype, np.floating):
        raise ParameterError(
            f"audio must be a float array of shape (channels, samples), got {audio.dtype} {audio.shape}"
        )
    if int(sample_rate) != sample_rate or sample_rate < 8000:
        raise ParameterError(f"sample_rate must be an integer >= 8000 Hz, got {sample_rate}")
    x = audio.astype(np.float32, copy=False)
    if x.ndim == 2:
        x = x[0] if x.shape[0] == 1 else x.mean(axis=0, dtype=np.float32)
    if not np.all(np.isfinite(x)):
        raise ParameterError("audio must be finite (no NaN or inf samples)")
    if sample_rate != _RATE_HZ:
        g = int(np.gcd(int(sample_rate), _RATE_HZ))
        x = signal.resample_poly(x, _RATE_HZ // g, int(sample_rate) // g).astype(np.float32)
    return np.ascontiguousarray(x)


@functools.lru_cache(maxsize=1)
def _band_weights() -> np.ndarray:
    """``(n_bins, n_bands)`` 0/1 matrix of mel-spaced rectangular bands."""

    def mel(f: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + f / 700.0)

    edges = np.linspace(mel(np.array(_BAND_RANGE_HZ[0])), mel(np.array(_BAND_RANGE_HZ[1])), _N_BANDS + 1)
    index = np.searchsorted(edges, mel(_FREQS_HZ), side="right") - 1
    inside = _bins_between(*_BAND_RANGE_HZ)
    weights = np.zeros((len(_FREQS_HZ), _N_BANDS), dtype=np.float32)
    weights[np.nonzero(inside)[0], index[inside]] = 1.0
    return weights


def _bins_between(low_hz: float, high_hz: float) -> np.ndarray:
    freqs = _FREQS_HZ
    return (freqs >= low_hz) & (freqs < high_hz)


@functools.lru_cache(maxsize=1)
def _window() -> np.ndarray:
    return signal.windows.hann(_WINDOW, sym=False).astype(np.float32)


def _to_mean_square() -> float:
    """Factor from a frame's one-sided power spectrum bin to its share of the mean square."""
    return 2.0 / (_N_FFT * float(np.sum(_window().astype(np.float64) ** 2)))


def _frame_view(x: np.ndarray, hop: int) -> np.ndarray:
    """Frames of ``_WINDOW`` samples centred at ``i * hop`` (reflect-padded ends)."""
    half = _WINDOW // 2
    mode = "reflect" if len(x) > half else "constant"
    padded = np.pad(x, (half, half), mode=mode)
    return np.lib.stride_tricks.sliding_window_view(padded, _WINDOW)[::hop]


def _power(frames: np.ndarray) -> np.ndarray:
    spectrum = fft.rfft(frames * _window(), n=_N_FFT, axis=1)
    return (spectrum.real**2 + spectrum.imag**2).astype(np.float32)


def _frames_per(duration_s: float, hop: int) -> int:
    return max(1, round(duration_s * _RATE_HZ / hop))


def _measure(audio: np.ndarray, sample_rate: int, *, hop_s: float) -> _Frames:
    x = _mono_16k(audio, sample_rate)
    hop = max(1, round(hop_s * _RATE_HZ))
    energy, level, speech_band, band_min, bin_min = _scan(x, hop)
    block = _frames_per(_BLOCK_S, hop)
    band_bias, bin_bias = _min_bias(hop)
    band_floor = _frame_floor(_one_sided_min(band_min, hop) * band_bias, block, 0, len(energy))
    smooth = ndimage.uniform_filter1d(energy, _frames_per(_SCORE_SMOOTH_S, hop), axis=0, mode="nearest")
    rise_db = np.clip(10.0 * np.log10(smooth / band_floor), 0.0, _MAX_BAND_RISE_DB)
    score = np.partition(rise_db, -_N_SCORE_BANDS, axis=1)[:, -_N_SCORE_BANDS:].mean(axis=1)
    return _Frames(
        x=x,
        hop=hop,
        block=block,
        score_db=score.astype(np.float32),
        level_db=(10.0 * np.log10(level + _EPS)).astype(np.float32),
        speech_band_db=(10.0 * np.log10(speech_band + _EPS)).astype(np.float32),
        bin_floor=_one_sided_min(bin_min, hop) * bin_bias,
    )


def _scan(x: np.ndarray, hop: int) -> tuple[np.ndarray, ...]:
    """Stream the frames once.

    Returns per-frame band energies ``(n, bands)``, levels and 300-3400 Hz levels (mean
    squares), and per-block minima of the smoothed band energies and of the smoothed
    power of the pitch bins.
    """
    weights = _band_weights()
    speech_bins = _bins_between(*_SPEECH_BAND_HZ)
    to_ms = _to_mean_square()
    block = _frames_per(_BLOCK_S, hop)
    smooth = _frames_per(_FLOOR_SMOOTH_S, hop)
    n_frames = len(x) // hop + 1
    n_blocks = -(-n_frames // block)
    view = _frame_view(x, hop)[:n_frames]
    energy = np.empty((n_frames, _N_BANDS), dtype=np.float32)
    level = np.empty(n_frames, dtype=np.float32)
    speech_band = np.empty(n_frames, dtype=np.float32)
    n_pitch_bins = _PITCH_BINS.stop - _PITCH_BINS.start
    band_min = np.empty((n_blocks, _N_BANDS), dtype=np.float32)
    bin_min = np.empty((n_blocks, n_pitch_bins), dtype=np.float32)
    chunk = block * _CHUNK_BLOCKS
    for start in range(0, n_frames, chunk):
        power = _power(view[start : start + chunk])
        stop = start + len(power)
        bands = power @ weights
        energy[start:stop] = bands
        level[start:stop] = (power.sum(axis=1) - 0.5 * (power[:, 0] + power[:, -1])) * to_ms
        speech_band[start:stop] = power[:, speech_bins].sum(axis=1) * to_ms
        first = start // block
        for out, values in ((band_min, bands), (bin_min, power[:, _PITCH_BINS])):
            smoothed = ndimage.uniform_filter1d(values, smooth, axis=0, mode="nearest")
            n_full = -(-len(smoothed) // block)
            padded = np.full((n_full * block, smoothed.shape[1]), np.inf, dtype=np.float32)
            padded[: len(smoothed)] = smoothed
            out[first : first + n_full] = padded.reshape(n_full, block, -1).min(axis=1)
    energy *= to_ms
    energy += _EPS
    band_min *= to_ms
    return energy, level, speech_band, band_min, bin_min


def _one_sided_min(block_min: np.ndarray, hop: int) -> np.ndarray:
    """Per block: the higher of the minima over the blocks just before and just after it."""
    n_blocks = len(block_min)
    side = max(2, round(_FLOOR_SIDE_S / _BLOCK_S))
    if n_blocks <= 2 * side:
        return np.repeat(block_min.min(axis=0, keepdims=True), n_blocks, axis=0)
    before = ndimage.minimum_filter1d(block_min, side, axis=0, mode="nearest", origin=(side - 1) // 2)
    after = ndimage.minimum_filter1d(block_min, side, axis=0, mode="nearest", origin=-(side // 2))
    # Near the ends one side sees too little of the track; trust the other one there.
    half = side // 2
    before[:half] = after[:half]
    after[n_blocks - half :] = before[n_blocks - half :]
    return np.maximum(before, after)


def _frame_floor(block_floor: np.ndarray, block: int, a: int, b: int) -> np.ndarray:
    """Interpolate a per-block floor to frames ``a..b`` (block centres as anchors)."""
    centres = (np.arange(len(block_floor)) + 0.5) * block - 0.5
    frames = np.arange(a, b)
    floor = np.empty((b - a, block_floor.shape[1]), dtype=np.float32)
    for k in range(block_floor.shape[1]):
        floor[:, k] = np.interp(frames, centres, block_floor[:, k])
    return np.maximum(floor, _EPS)


@functools.lru_cache(maxsize=8)
def _min_bias(hop: int) -> tuple[np.ndarray, float]:
    """Mean over floor estimate of white noise: per band, and for the pitch bins."""
    x = np.random.default_rng(0).standard_normal(30 * _RATE_HZ).astype(np.float32)
    energy, _, _, band_min, bin_min = _scan(x, hop)
    band_bias = energy.mean(axis=0) / np.median(_one_sided_min(band_min, hop), axis=0)
    power = _power(_frame_view(x, hop)[::10])[:, _PITCH_BINS]
    bin_bias = float(np.median(power.mean(axis=0) / np.median(_one_sided_min(bin_min, hop), axis=0)))
    return band_bias.astype(np.float32), bin_bias


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``[start, stop)`` of each run of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.nonzero(edges == 1)[0].tolist(), np.nonzero(edges == -1)[0].tolist(), strict=True))


def _voicing(frames: _Frames, a: int, b: int) -> np.ndarray:
    """Return which of frames ``a..b`` hold a voice above the background.

    A frame is voiced when, with the background's per-bin floor subtracted (twice
    over) from its 150 Hz - 1.5 kHz spectrum, what is left is most of that spectrum's
    energy and its normalised autocorrelation peaks above 0.45 at a pitch of
    70-400 Hz. The pitch period of voiced speech lives in its harmonics there, while a
    low thump or hum below it is no voice; a periodic background (a drone, music) is
    removed by the floor, and where it is not, the energy test keeps it out.
    """
    rise = np.clip((_FREQS_HZ[_PITCH_BINS] - _PITCH_BAND_HZ[0]) / 100.0, 0.0, 1.0)
    fall = np.clip((_PITCH_BAND_HZ[1] - _FREQS_HZ[_PITCH_BINS]) / 700.0, 0.0, 1.0)
    taper = (rise * fall).astype(np.float32)
    window = _window()
    window_ac = np.correlate(window, window, mode="full")[_WINDOW - 1 :]
    lag_lo = int(_RATE_HZ / _PITCH_RANGE_HZ[1])
    lag_hi = int(_RATE_HZ / _PITCH_RANGE_HZ[0]) + 1
    unbias = (window_ac[0] / window_ac[lag_lo:lag_hi]).astype(np.float32)
    floor = _frame_floor(frames.bin_floor, frames.block, a, b)
    view = _frame_view(frames.x, frames.hop)[a:b]
    voiced = np.empty(b - a, dtype=bool)
    chunk = frames.block * _CHUNK_BLOCKS
    for start in range(0, b - a, chunk):
        power = _power(view[start : start + chunk])[:, _PITCH_BINS] * taper
        clean = np.zeros((len(power), _N_FFT // 2 + 1), dtype=np.float32)
        clean[:, _PITCH_BINS] = np.maximum(power - 2.0 * taper * floor[start : start + chunk], 0.0)
        ac = fft.irfft(clean, n=_N_FFT, axis=1)
        zero = np.maximum(ac[:, 0], _EPS)
        harmonicity = np.max(ac[:, lag_lo:lag_hi] * unbias, axis=1) / zero
        foreground_share = clean.sum(axis=1) / np.maximum(power.sum(axis=1), _EPS)
        voiced[start : start + len(power)] = (harmonicity > _VOICED_HARMONICITY) & (
            foreground_share > _MIN_FOREGROUND_SHARE
        )
    return voiced


def _is_speech(frames: _Frames, a: int, b: int, active: np.ndarray) -> bool:
    if not active.any():
        return False
    voiced = _voicing(frames, a, b) & active
    if voiced.sum() < _MIN_VOICED_SHARE * active.sum():
        return False
    hop_s = frames.hop / _RATE_HZ
    median_run_s = float(np.median([(q - p) * hop_s for p, q in _runs(voiced)]))
    if not _MEDIAN_VOICED_RUN_S[0] <= median_run_s <= _MEDIAN_VOICED_RUN_S[1]:
        return False
    band_db = frames.speech_band_db[a:b][active]
    return float(np.percentile(band_db, 90) - np.percentile(band_db, 10)) >= _MIN_SYLLABLE_DEPTH_DB
