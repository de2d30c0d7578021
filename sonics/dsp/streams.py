"""Long sounds rendered block by block: filters and shaped noise that carry their state.

A ten-minute bed at 48 kHz is 28.8 million samples a channel; rendering it in one piece
holds several float64 copies of that. Bed generators instead render fixed-size blocks
into one float32 output (:func:`render_in_blocks`), and the objects here carry what must
survive a block boundary: an IIR filter's state (:class:`SosStream`) and the overlap of a
short-time Fourier synthesis (:class:`NoiseStream`), so the joins are seamless and the
samples do not depend on where the blocks fall. :class:`NoiseStream` is the streaming,
low-cost cousin of :func:`sonics.dsp.noise.spectral_noise`: noise frames drawn and shaped
in the frequency domain, cross-faded a quarter frame. Slow or low parts of a sound are
cheaper at a fraction of the output rate: :class:`Upsampler` brings them back up, block
after block. :class:`NoiseLoop` is stationary coloured noise made once and read in a
loop, for noise that is gated or modulated many times over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.fft
from scipy.signal import lfilter, sosfilt

from sonics.core.errors import ParameterError
from sonics.dsp.envelopes import db_to_gain, fade
from sonics.dsp.noise import ODD_BYTE_POWER, odd_byte_bins
from sonics.dsp.pulses import attack_decay_sos

__all__ = [
    "BLOCK_SAMPLES",
    "BurstStream",
    "ConvolveStream",
    "NoiseLoop",
    "NoiseStream",
    "SosStream",
    "Upsampler",
    "finish_in_place",
    "output_array",
    "render_finished",
    "render_in_blocks",
]

BLOCK_SAMPLES = 1 << 15
"""Default block length (0.68 s at 48 kHz): big enough for numpy, small enough for the cache."""

BlockFn = Callable[[int, int], np.ndarray]
MagnitudeFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def render_in_blocks(
    n_samples: int,
    n_channels: int,
    render_block: BlockFn,
    *,
    block_samples: int = BLOCK_SAMPLES,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Render a long sound block after block into one float32 array.

    Parameters
    ----------
    n_samples : int
        Length of the sound (samples, >= 1).
    n_channels : int
        Channels of the sound (>= 1).
    render_block : callable
        ``render_block(start, stop) -> array (n_channels, stop - start)``: the samples
        ``[start, stop)``. Called in order, each block once, so it may keep state.
    block_samples : int
        Block length (samples, >= 1).
    out : numpy.ndarray, optional
        A float32 array of shape ``(>= n_channels, n_samples)``, in any memory layout,
        to render into (a stem buffer reused from sound to sound, say).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_channels, n_samples)``, float32: ``out[:n_channels]`` when given.

    Raises
    ------
    ParameterError
        If a length is below 1, ``out`` has another shape or type, or a block comes back
        with the wrong shape.

    Examples
    --------
    >>> render_in_blocks(5, 1, lambda a, b: np.arange(a, b)[np.newaxis], block_samples=2)
    array([[0., 1., 2., 3., 4.]], dtype=float32)
    """
    if n_samples < 1 or n_channels < 1 or block_samples < 1:
        got = f"{n_samples}, {n_channels}, {block_samples}"
        raise ParameterError(f"n_samples, n_channels and block_samples must be >= 1, got {got}")
    out = output_array(n_channels, n_samples, out)
    for start in range(0, n_samples, block_samples):
        stop = min(n_samples, start + block_samples)
        block = np.asarray(render_block(start, stop))
        if block.shape != (n_channels, stop - start):
            raise ParameterError(f"a block must have shape {(n_channels, stop - start)}, got {block.shape}")
        for row in range(n_channels):  # row by row: numpy copies into an interleaved out slowly at once
            out[row, start:stop] = block[row]
    return out


def output_array(n_channels: int, n_samples: int, out: np.ndarray | None = None) -> np.ndarray:
    """Return the array a sound is rendered into: ``out``'s first rows, or a new one.

    Parameters
    ----------
    n_channels, n_samples : int
        Shape of the sound.
    out : numpy.ndarray, optional
        Float32, shape ``(>= n_channels, n_samples)``, any memory layout.

    Returns
    -------
    numpy.ndarray
        ``out[:n_channels]``, or a new (uninitialised) float32 array.

    Raises
    ------
    ParameterError
        If ``out`` is not float32 or has too few rows or another length.

    Examples
    --------
    >>> output_array(1, 4, np.zeros((2, 4), dtype=np.float32)).shape
    (1, 4)
    """
    if out is None:
        return np.empty((n_channels, n_samples), dtype=np.float32)
    if out.ndim != 2 or out.shape[0] < n_channels or out.shape[1] != n_samples or out.dtype != np.float32:
        want = f"(>= {n_channels}, {n_samples})"
        raise ParameterError(f"out must be float32 of shape {want}, got {out.dtype} {out.shape}")
    return out[:n_channels]


class SosStream:
    """An IIR filter in second-order sections run block after block, its state carried.

    Parameters
    ----------
    sos : array_like
        Shape ``(n_sections, 6)``, as :func:`scipy.signal.butter` ``output="sos"`` gives.
    n_channels : int
        Number of independent channels filtered in parallel (>= 1).

    Examples
    --------
    >>> from scipy.signal import butter
    >>> x = np.random.default_rng(0).standard_normal((1, 1000))
    >>> f = SosStream(butter(2, 0.1, output="sos"))
    >>> y = np.concatenate([f(x[:, :300]), f(x[:, 300:])], axis=1)
    >>> bool(np.allclose(y, SosStream(butter(2, 0.1, output="sos"))(x)))
    True
    """

    __slots__ = ("_sos", "_zi")

    def __init__(self, sos: np.ndarray, n_channels: int = 1) -> None:
        self._sos = np.asarray(sos, dtype=np.float64)
        if self._sos.ndim != 2 or self._sos.shape[1] != 6:
            raise ParameterError(f"sos must have shape (n_sections, 6), got {self._sos.shape}")
        self._zi = np.zeros((self._sos.shape[0], int(n_channels), 2))

    def retune(self, sos: np.ndarray) -> None:
        """Replace the coefficients (same number of sections), keeping the state.

        For slowly moving filters (a sweep updated every few milliseconds) the kept
        transposed-direct-form state makes the change click-free in practice.
        """
        sos = np.asarray(sos, dtype=np.float64)
        if sos.shape != self._sos.shape:
            raise ParameterError(f"sos must keep the shape {self._sos.shape}, got {sos.shape}")
        self._sos = sos

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Filter the next block ``x`` of shape ``(n_channels, m)``; return float64."""
        if self._sos.shape[0] == 1:  # lfilter calls cost less; both keep the same (transposed) state
            y, self._zi[0] = lfilter(self._sos[0, :3], self._sos[0, 3:], x, axis=-1, zi=self._zi[0])
            return y
        y, self._zi = sosfilt(self._sos, x, axis=-1, zi=self._zi)
        return y


class NoiseStream:
    """Noise with a time-varying magnitude spectrum, produced block after block.

    Each frame is noise drawn directly in the frequency domain (independent uniform real
    and imaginary parts, zero mean), shaped by the requested magnitude and brought back
    with one inverse FFT; frames overlap by a quarter, cross-faded with power-complementary
    (sine and cosine) ramps, so the power adds to exactly the requested spectrum (a flat
    magnitude of 1 gives unit variance) and consecutive blocks join seamlessly. The
    magnitude is read once per frame (every ``3 * n_fft / 4`` samples) and changes across
    the quarter-frame cross-fades.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (the stream draws from it at each call).
    sample_rate : int
        Samples per second.
    n_channels : int
        Independent (decorrelated) channels (>= 1).
    n_fft : int
        Frame length (a power of two >= 64); the spectral resolution is
        ``sample_rate / n_fft`` Hz and the magnitude is updated every ``3 * n_fft / 4``
        samples (64 ms for the default at 48 kHz).

    Examples
    --------
    >>> s = NoiseStream(np.random.default_rng(0), 48000, n_channels=2)
    >>> x = s.render(48000, lambda f, t: np.ones((t.shape[0], f.shape[1])))
    >>> x.shape, 0.9 < float(x.std()) < 1.1
    ((2, 48000), True)
    """

    __slots__ = (
        "_fade",
        "_freqs",
        "_hop",
        "_n_channels",
        "_n_fft",
        "_next_frame",
        "_overlap",
        "_pending",
        "_rate",
        "_rng",
        "_scale",
        "_tail",
    )

    def __init__(
        self, rng: np.random.Generator, sample_rate: int, *, n_channels: int = 1, n_fft: int = 4096
    ) -> None:
        if n_fft < 64 or n_fft & (n_fft - 1):
            raise ParameterError(f"n_fft must be a power of two >= 64, got {n_fft}")
        self._rng = rng
        self._rate = int(sample_rate)
        self._n_channels = int(n_channels)
        self._n_fft = int(n_fft)
        self._overlap = n_fft // 4
        self._hop = n_fft - self._overlap
        # sin**2 + cos**2 = 1 over each cross-fade: independent frames keep a constant power
        self._fade = np.sin(0.5 * np.pi * (np.arange(self._overlap) + 0.5) / self._overlap).astype(np.float32)
        self._freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)[np.newaxis, :]
        # bins hold odd integers in [-127, 127] times the magnitude: mean 0, E|X|^2 = 2 * 5461;
        # the inverse FFT divides by n_fft: this makes a flat magnitude of 1 unit-variance
        self._scale = np.float32(np.sqrt(n_fft / ODD_BYTE_POWER))
        self._next_frame = 0
        self._tail = np.zeros((self._n_channels, 0), dtype=np.float32)  # last frame, not yet emitted
        self._pending = np.zeros((self._n_channels, 0), dtype=np.float32)

    @property
    def freqs_hz(self) -> np.ndarray:
        """Bin frequencies, shape ``(1, n_fft // 2 + 1)`` (Hz)."""
        return self._freqs

    def _frames(self, n_frames: int, magnitude: MagnitudeFn) -> np.ndarray:
        """Return the next frames, windowed, shape ``(n_channels, n_frames, n_fft)``, float32."""
        n_bins = self._freqs.shape[1]
        index = self._next_frame + np.arange(n_frames)
        # frame k spans [k * hop - overlap, k * hop - overlap + n_fft): its centre
        times_s = ((index * self._hop - self._overlap + self._n_fft / 2) / self._rate)[:, np.newaxis]
        gain = np.asarray(magnitude(self._freqs, times_s), dtype=np.float32) * self._scale
        # complex times complex is numpy's fastest way to scale interleaved real and imaginary parts
        gain = np.broadcast_to(gain.astype(np.complex64), (self._n_channels, n_frames, n_bins))
        # drawn frame by frame, so the samples do not depend on how the stream is cut in blocks;
        # odd bytes (-127..127, mean 0) as real and imaginary parts: cheap, and Gaussian once summed
        spectrum = odd_byte_bins(self._rng, n_frames * self._n_channels * n_bins * 2)
        spectrum = spectrum.reshape(n_frames, self._n_channels, n_bins * 2)
        spectrum = spectrum.transpose(1, 0, 2).view(np.complex64)
        spectrum *= gain
        frames = scipy.fft.irfft(spectrum, n=self._n_fft, axis=-1, overwrite_x=True)
        frames[..., : self._overlap] *= self._fade
        frames[..., self._n_fft - self._overlap :] *= self._fade[::-1]
        self._next_frame += n_frames
        return frames

    def render(self, n_samples: int, magnitude: MagnitudeFn) -> np.ndarray:
        """Return the next ``n_samples`` of noise.

        Parameters
        ----------
        n_samples : int
            Samples wanted (>= 0).
        magnitude : callable
            ``magnitude(freqs_hz, times_s) -> array``: the linear magnitude at each bin
            (``freqs_hz`` of shape ``(1, n_bins)``) of each frame centred at
            ``times_s`` (seconds from the stream's start, shape ``(n_frames, 1)``).
            Broadcastable to ``(n_frames, n_bins)``, or ``(n_channels, n_frames,
            n_bins)`` to shape each channel differently.

        Returns
        -------
        numpy.ndarray
            Shape ``(n_channels, n_samples)``, float32.
        """
        hop, overlap = self._hop, self._overlap
        missing = n_samples - self._pending.shape[1]
        if missing > 0:
            # hop k is frame k's flat part and fade-out plus frame k + 1's fade-in
            n_hops = -(-missing // hop)
            first = 1 if self._tail.shape[1] == 0 else 0  # the very first frame starts the tail
            frames = self._frames(n_hops + first, magnitude)
            if first:
                self._tail = frames[:, 0, overlap:]
                frames = frames[:, 1:]
            # the new hops are assembled right after the samples still pending: no copy to join them
            waiting = self._pending.shape[1]
            joined = np.empty((self._n_channels, waiting + n_hops * hop), dtype=np.float32)
            joined[:, :waiting] = self._pending
            body = joined[:, waiting:].reshape(self._n_channels, n_hops, hop)
            body[:, 0] = self._tail
            body[:, 1:] = frames[:, :-1, overlap:]
            body[:, :, hop - overlap :] += frames[:, :, :overlap]
            self._tail = frames[:, -1, overlap:]
            self._pending = joined
        out, self._pending = self._pending[:, :n_samples], self._pending[:, n_samples:]
        return out


class Upsampler:
    """Raise the rate of a block-by-block signal by an integer factor (linear interpolation).

    For the slow or low parts of a long sound, rendered at ``1 / factor`` of the output
    rate: linear interpolation costs one addition per output sample (each phase is the one
    before plus a step, so it rounds within ``factor`` float32 steps of the exact line),
    and its images (around multiples of the low rate) are more than 40 dB down for content
    below a tenth of the low rate. The output lags the input by one low-rate sample
    (``factor`` output samples): low sample ``j`` lands on output sample ``(j + 1) * factor``.

    Parameters
    ----------
    factor : int
        Output samples per input sample (>= 1).
    n_channels : int
        Rows of each block (>= 1).

    Examples
    --------
    >>> up = Upsampler(4)
    >>> up(np.array([[1.0, 1.0]])).tolist()
    [[0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 1.0]]
    """

    __slots__ = ("_factor", "_last", "_step")

    def __init__(self, factor: int, n_channels: int = 1) -> None:
        if factor < 1 or n_channels < 1:
            raise ParameterError(f"factor and n_channels must be >= 1, got {factor} and {n_channels}")
        self._factor = int(factor)
        self._step = np.float32(1.0 / self._factor)
        self._last = np.zeros((int(n_channels), 1), dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Return the next block: ``(n_channels, m * factor)`` for ``x`` of ``(n_channels, m)``, float32."""
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[0] != self._last.shape[0]:
            raise ParameterError(f"a block must have shape ({self._last.shape[0]}, m), got {x.shape}")
        if x.shape[1] == 0:
            return np.zeros((x.shape[0], 0), dtype=np.float32)
        before = np.concatenate([self._last, x[:, :-1]], axis=1)
        self._last = x[:, -1:].copy()
        step = x - before
        step *= self._step
        out = np.empty((x.shape[0], x.shape[1], self._factor), dtype=np.float32)
        out[:, :, 0] = before
        for i in range(1, self._factor):  # one pass per phase (long inner loops), one step on from the last
            np.add(out[:, :, i - 1], step, out=out[:, :, i])
        return out.reshape(x.shape[0], -1)


class ConvolveStream:
    """A sum of signals each through its own FIR filter, block after block (FFT overlap-add).

    For long impulse responses (resonances tens of milliseconds long) on many rows at
    once, one FFT per row and segment beats any recursive filter: each input row is cut
    in segments, transformed, multiplied by its filter's spectrum, summed over the inputs
    and transformed back once; the tails carry over to the next segment and block, so
    the result is the exact linear convolution whatever the block sizes.

    Parameters
    ----------
    impulse_responses : numpy.ndarray
        Shape ``(n_inputs, ir_samples)``: the filter of each input.
    n_rows : int
        Rows (channels) of every input and of the output (>= 1).
    n_fft : int
        FFT length, at least ``2 * ir_samples`` (a power of two is fastest); segments are
        ``n_fft - ir_samples + 1`` samples long.

    Examples
    --------
    >>> conv = ConvolveStream(np.array([[1.0, 0.5]]), 1, n_fft=8)
    >>> x = np.zeros((1, 1, 10)); x[0, 0, 6] = 1.0
    >>> (np.round(np.concatenate([conv(x[..., :7]), conv(x[..., 7:])], axis=1), 6) + 0.0).tolist()
    [[0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.5, 0.0, 0.0]]
    """

    __slots__ = ("_hop", "_n_fft", "_spectra", "_tail")

    def __init__(self, impulse_responses: np.ndarray, n_rows: int, *, n_fft: int) -> None:
        irs = np.atleast_2d(np.asarray(impulse_responses, dtype=np.float32))
        if irs.ndim != 2 or n_rows < 1 or n_fft < 2 * irs.shape[1]:
            raise ParameterError(
                f"need impulse responses of shape (n_inputs, samples), n_rows >= 1 and n_fft >= "
                f"{2 * irs.shape[-1]}, got {irs.shape}, {n_rows} and {n_fft}"
            )
        self._n_fft = int(n_fft)
        self._hop = self._n_fft - irs.shape[1] + 1
        self._spectra = scipy.fft.rfft(irs, n=self._n_fft, axis=-1)[:, np.newaxis, np.newaxis, :]
        self._tail = np.zeros((int(n_rows), self._n_fft - self._hop), dtype=np.float32)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Return the next block: ``(n_rows, m)`` for inputs of shape ``(n_inputs, n_rows, m)``, float32."""
        n_inputs, n_rows, m = x.shape
        hop, n_fft, spill = self._hop, self._n_fft, self._n_fft - self._hop
        n_seg = max(1, -(-m // hop))
        segments = np.zeros((n_inputs, n_rows, n_seg * hop), dtype=np.float32)
        segments[..., :m] = x
        spectra = scipy.fft.rfft(segments.reshape(n_inputs, n_rows, n_seg, hop), n=n_fft, axis=-1)
        spectra *= self._spectra
        y = scipy.fft.irfft(spectra.sum(axis=0), n=n_fft, axis=-1)
        # segment k starts at k * hop; its last n_fft - hop (<= hop) samples spill into the next
        out = np.zeros((n_rows, n_seg + 1, hop), dtype=np.float32)
        out[:, :-1] = y[:, :, :hop]
        out[:, 1:, :spill] += y[:, :, hop:]
        out = out.reshape(n_rows, -1)
        out[:, :spill] += self._tail
        self._tail = out[:, m : m + spill].copy()
        return out[:, :m]


class NoiseLoop:
    """Stationary coloured noise made once and read in a loop.

    A burst generator gates or modulates noise thousands of times; filtering fresh noise
    for each sample of a ten-minute bed costs far more than reading a few seconds of
    ready-coloured noise in a loop. The loop is made in the frequency domain (so it joins
    itself without a seam) with the power spectrum of unit-variance white noise at
    ``sample_rate`` through a filter of magnitude ``magnitude(freqs_hz)``; each channel
    has its own noise. Reading starts at a random point of the loop.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the noise and the starting point.
    sample_rate : float
        Samples per second of the loop.
    n_samples : int
        Length of the loop (>= 16); a loop at least as long as the sound never repeats.
    magnitude : callable
        ``magnitude(freqs_hz) -> array``: the filter's linear magnitude at the bin
        frequencies (Hz, shape ``(n_bins,)``).
    n_channels : int
        Independent channels (>= 1).

    Examples
    --------
    >>> loop = NoiseLoop(np.random.default_rng(0), 48000, 48000, lambda f: np.ones_like(f))
    >>> x = loop.read(0, 96000)
    >>> x.shape, bool(np.array_equal(x[:, :48000], x[:, 48000:])), 0.95 < float(x.std()) < 1.05
    ((1, 96000), True, True)
    """

    __slots__ = ("_loop", "_offset")

    def __init__(
        self,
        rng: np.random.Generator,
        sample_rate: float,
        n_samples: int,
        magnitude: Callable[[np.ndarray], np.ndarray],
        *,
        n_channels: int = 1,
    ) -> None:
        if n_samples < 16 or n_channels < 1:
            raise ParameterError(
                f"n_samples must be >= 16 and n_channels >= 1, got {n_samples}, {n_channels}"
            )
        n = int(n_samples)
        freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
        # the magnitude on at most 4097 points, interpolated: filters are smooth at that scale
        grid = freqs if freqs.size <= 4097 else np.linspace(0.0, freqs[-1], 4097)
        shape = np.interp(freqs, grid, np.asarray(magnitude(grid), dtype=np.float64)).astype(np.float32)
        # odd bytes (-127..127, mean 0) as real and imaginary parts, as in NoiseStream
        spectrum = odd_byte_bins(rng, int(n_channels) * freqs.size * 2).view(np.complex64)
        spectrum = spectrum.reshape(int(n_channels), -1)
        spectrum *= (shape * np.float32(np.sqrt(n / ODD_BYTE_POWER))).astype(np.complex64)
        self._loop = scipy.fft.irfft(spectrum, n=n, axis=-1)
        self._offset = int(rng.integers(n))

    def read(self, start: int, n_samples: int) -> np.ndarray:
        """Return samples ``[start, start + n_samples)`` of the looped noise, shape ``(n_channels, n)``."""
        size = self._loop.shape[1]
        first = (self._offset + int(start)) % size
        if first + n_samples <= size:
            return self._loop[:, first : first + n_samples]
        pieces, left = [], n_samples
        while left > 0:
            take = min(left, size - first)
            pieces.append(self._loop[:, first : first + take])
            left, first = left - take, 0
        return np.concatenate(pieces, axis=1)


_SCAN_SAMPLES = 1 << 16
"""Samples of a row searched at a time for a long sound's extremes."""

Extreme = tuple[int, np.float32]
"""Where an extreme of a row is and its value: ``(sample, value)``."""


def _span_extremes(row: np.ndarray, start: int, stop: int) -> tuple[Extreme, Extreme]:
    """Return the first maximum and the first minimum (or first NaN) of ``row[start:stop]``.

    Searched in pieces: numpy copies a piece that is not contiguous before searching it,
    and a long stem buffer is stored interleaved.
    """
    found: list[Extreme] = []
    for find, wins in ((np.argmax, np.greater), (np.argmin, np.less)):
        best: Extreme | None = None
        for a in range(start, stop, _SCAN_SAMPLES):
            piece = row[a : min(stop, a + _SCAN_SAMPLES)]
            at = int(find(piece))
            if best is None or np.isnan(piece[at]) or wins(piece[at], best[1]):
                best = (a + at, piece[at])
                if np.isnan(best[1]):
                    break
        assert best is not None  # never asked for an empty span
        found.append(best)
    return found[0], found[1]


def _first_extreme(rows: Sequence[Sequence[Extreme]], wins: Callable[[Any, Any], Any]) -> tuple[int, int]:
    """Return ``(row, sample)`` of the first extreme (or first NaN) in row order among each row's candidates.

    ``rows[r]`` lists row ``r``'s candidates in sample order, each the first extreme of
    its span: the result is where ``np.argmax`` (``wins`` = ``np.greater``) or
    ``np.argmin`` (``np.less``) would point on the whole array.
    """
    best: tuple[int, int] | None = None
    best_value = np.float32(0.0)
    for r, candidates in enumerate(rows):
        for sample, value in candidates:
            if np.isnan(value):
                return r, sample
            if best is None or wins(value, best_value):
                best, best_value = (r, sample), value
    if best is None:
        raise ParameterError("cannot normalise an empty sound")
    return best


def _fade_lengths(n: int, sample_rate: int, fade_in_s: float, fade_out_s: float) -> tuple[int, int]:
    return min(n, round(fade_in_s * sample_rate)), min(n, round(fade_out_s * sample_rate))


def _check_float32(audio: np.ndarray) -> None:
    if audio.dtype != np.float32 or audio.ndim != 2:
        raise ParameterError(
            f"audio must be float32 of shape (channels, samples), got {audio.dtype} {audio.shape}"
        )


def _fade_and_scale(
    audio: np.ndarray,
    sample_rate: int,
    peak_db: float,
    fade_in_s: float,
    fade_out_s: float,
    body: Sequence[tuple[Sequence[Extreme], Sequence[Extreme]]] | None,
) -> np.ndarray:
    """Fade the ends of ``audio``, scale it to ``peak_db``; ``body``: each row's extremes between the fades.

    ``body[r]`` holds row ``r``'s maxima and minima of spans that cover the samples the
    fades leave alone, in sample order; without it the whole sound is searched.
    """
    n = audio.shape[1]
    n_in, n_out = _fade_lengths(n, sample_rate, fade_in_s, fade_out_s)
    if n_in > 0:
        audio[:, :n_in] = fade(audio[:, :n_in], sample_rate, in_s=fade_in_s, out_s=0.0)
    if n_out > 0:
        audio[:, n - n_out :] = fade(audio[:, n - n_out :], sample_rate, in_s=0.0, out_s=fade_out_s)
    spans = [(0, n)] if body is None or n_in + n_out >= n else [(0, n_in), (n - n_out, n)]
    highs: list[list[Extreme]] = []
    lows: list[list[Extreme]] = []
    for r in range(audio.shape[0]):
        found = [_span_extremes(audio[r], a, b) for a, b in spans if a < b]
        inner = ([], []) if len(spans) == 1 or body is None else body[r]
        head, tail = (found[:1], found[1:]) if n_in > 0 else ([], found)
        highs.append([f[0] for f in head] + list(inner[0]) + [f[0] for f in tail])
        lows.append([f[1] for f in head] + list(inner[1]) + [f[1] for f in tail])
    high, low = _first_extreme(highs, np.greater), _first_extreme(lows, np.less)
    index = high if audio[high] >= -audio[low] else low
    peak = float(abs(audio[index]))
    if not np.isfinite(peak) or peak == 0.0:
        raise ParameterError(f"cannot normalise a silent or non-finite sound (peak {peak})")
    target = db_to_gain(peak_db)
    audio *= np.float32(target / peak)
    audio[index] = np.float32(np.sign(audio[index]) * target)  # exactly the target after rounding
    return audio


def finish_in_place(
    audio: np.ndarray, sample_rate: int, *, peak_db: float, fade_in_s: float = 0.0, fade_out_s: float = 0.01
) -> np.ndarray:
    """Fade and set the peak of a long float32 sound without copying it.

    The in-place counterpart of :func:`sonics.dsp.envelopes.finish` for beds that are
    minutes long (their DC is removed while rendering, with a high-pass
    :class:`SosStream`): raised-cosine fades on the ends, then the whole array is scaled
    so its largest magnitude is exactly ``peak_db`` dBFS.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)``, float32, modified in place.
    sample_rate : int
        Samples per second.
    peak_db : float
        Peak level (dBFS, <= 0).
    fade_in_s, fade_out_s : float
        Fade lengths (s, >= 0).

    Returns
    -------
    numpy.ndarray
        ``audio`` itself.

    Raises
    ------
    ParameterError
        If ``audio`` is not float32 (channels, samples), or is silent or not finite.

    Examples
    --------
    >>> x = np.ones((1, 4800), dtype=np.float32)
    >>> y = finish_in_place(x, 48000, peak_db=-6.0, fade_in_s=0.01)
    >>> float(y[0, 0]), round(float(y.max()), 6)
    (0.0, 0.501187)
    """
    _check_float32(audio)
    if audio.shape[1] == 0:
        raise ParameterError(f"cannot normalise an empty sound (shape {audio.shape})")
    return _fade_and_scale(audio, sample_rate, peak_db, fade_in_s, fade_out_s, None)


def render_finished(
    n_samples: int,
    n_channels: int,
    render_block: BlockFn,
    *,
    sample_rate: int,
    peak_db: float,
    fade_in_s: float = 0.0,
    fade_out_s: float = 0.01,
    block_samples: int = BLOCK_SAMPLES,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Render a long sound block after block and finish it: fades and peak level.

    The same samples as :func:`render_in_blocks` followed by :func:`finish_in_place`,
    for less: each block's extremes are found while it is fresh and contiguous, so the
    finished sound (a stem buffer stored interleaved, say) is never searched for its peak;
    only the faded ends are.

    Parameters
    ----------
    n_samples, n_channels, render_block, block_samples, out
        As for :func:`render_in_blocks`.
    sample_rate, peak_db, fade_in_s, fade_out_s
        As for :func:`finish_in_place`.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_channels, n_samples)``, float32: ``out[:n_channels]`` when given.

    Raises
    ------
    ParameterError
        As :func:`render_in_blocks` and :func:`finish_in_place` do.

    Examples
    --------
    >>> x = render_finished(6, 1, lambda a, b: np.arange(a, b)[np.newaxis] + 1.0, sample_rate=4,
    ...                     peak_db=0.0, fade_out_s=0.0, block_samples=4)
    >>> [round(float(v), 3) for v in x[0]]
    [0.167, 0.333, 0.5, 0.667, 0.833, 1.0]
    """
    n_in, n_out = _fade_lengths(n_samples, sample_rate, fade_in_s, fade_out_s)
    body: list[tuple[list[Extreme], list[Extreme]]] = [([], []) for _ in range(n_channels)]

    def measured(start: int, stop: int) -> np.ndarray:
        block = np.asarray(render_block(start, stop))
        if block.dtype != np.float32:  # searched as it will be stored
            block = block.astype(np.float32)
        lo, hi = max(start, n_in), min(stop, n_samples - n_out)  # the fades' samples are searched later
        if lo < hi and block.shape == (n_channels, stop - start):
            for r, (highs, lows) in enumerate(body):
                high, low = _span_extremes(block[r], lo - start, hi - start)
                highs.append((high[0] + start, high[1]))
                lows.append((low[0] + start, low[1]))
        return block

    audio = render_in_blocks(n_samples, n_channels, measured, block_samples=block_samples, out=out)
    return _fade_and_scale(audio, sample_rate, peak_db, fade_in_s, fade_out_s, body)


class BurstStream:
    """Noise bursts triggered by impulses, block after block (Farnell's crackle and scuff).

    Each impulse of the trigger signal opens an attack-decay envelope
    (:func:`~sonics.dsp.pulses.attack_decay_sos`) scaled by its weight; the envelope
    gates white noise, which a filter then colours. Any number of overlapping events
    costs the same: two filters and one noise draw per sample.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the noise.
    sample_rate : int
        Samples per second.
    attack_s, decay_s : float
        Envelope time constants (s), as for :func:`~sonics.dsp.pulses.attack_decay_sos`.
    sos : numpy.ndarray
        Colouring filter, second-order sections of shape ``(n_sections, 6)``.
    n_channels : int
        Channels (>= 1); each gets its own noise.

    Examples
    --------
    >>> from scipy.signal import butter
    >>> b = BurstStream(np.random.default_rng(0), 48000, attack_s=0.0, decay_s=0.01,
    ...                 sos=butter(2, [1000, 4000], "bandpass", fs=48000, output="sos"))
    >>> trig = np.zeros((1, 4800)); trig[0, 100] = 1.0
    >>> y = b(trig)
    >>> bool(np.all(y[0, :100] == 0)), bool(np.abs(y[0, 100:]).max() > 0)
    (True, True)
    """

    __slots__ = ("_colour", "_envelope", "_n_channels", "_rng")

    def __init__(
        self,
        rng: np.random.Generator,
        sample_rate: int,
        *,
        attack_s: float,
        decay_s: float,
        sos: np.ndarray,
        n_channels: int = 1,
    ) -> None:
        self._rng = rng
        self._n_channels = int(n_channels)
        self._envelope = SosStream(attack_decay_sos(attack_s, decay_s, sample_rate), self._n_channels)
        self._colour = SosStream(sos, self._n_channels)

    def __call__(self, triggers: np.ndarray) -> np.ndarray:
        """Return the bursts for the next block of triggers, shape ``(n_channels, m)``, float64."""
        envelope = self._envelope(triggers)
        # uniform noise in [-sqrt(3), sqrt(3)) has unit variance and is cheap to draw
        # drawn sample by sample, so the samples do not depend on how the stream is cut in blocks
        draw = self._rng.random(envelope.shape[::-1], dtype=np.float32).T
        noise = (draw - np.float32(0.5)) * np.float32(2.0 * np.sqrt(3.0))
        return self._colour(envelope * noise)
