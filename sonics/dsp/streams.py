"""Long sounds rendered block by block: filters and shaped noise that carry their state.

A ten-minute bed at 48 kHz is 28.8 million samples a channel; rendering it in one piece
holds several float64 copies of that. Bed generators instead render fixed-size blocks
into one float32 output (:func:`render_in_blocks`), and the objects here carry what must
survive a block boundary: an IIR filter's state (:class:`SosStream`) and the overlap of a
short-time Fourier synthesis (:class:`NoiseStream`), so the joins are seamless and the
samples do not depend on where the blocks fall. :class:`NoiseStream` is the streaming,
low-cost cousin of :func:`sonics.dsp.noise.spectral_noise`: uniform noise frames shaped
in the frequency domain with a half-overlapped sine window.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.fft
from scipy.signal import sosfilt

from sonics.core.errors import ParameterError

__all__ = ["BLOCK_SAMPLES", "NoiseStream", "SosStream", "render_in_blocks"]

BLOCK_SAMPLES = 1 << 15
"""Default block length (0.68 s at 48 kHz): big enough for numpy, small enough for the cache."""

BlockFn = Callable[[int, int], np.ndarray]
MagnitudeFn = Callable[[np.ndarray, np.ndarray], np.ndarray]


def render_in_blocks(
    n_samples: int, n_channels: int, render_block: BlockFn, *, block_samples: int = BLOCK_SAMPLES
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

    Returns
    -------
    numpy.ndarray
        Shape ``(n_channels, n_samples)``, float32.

    Raises
    ------
    ParameterError
        If a length is below 1 or a block comes back with the wrong shape.

    Examples
    --------
    >>> render_in_blocks(5, 1, lambda a, b: np.arange(a, b)[np.newaxis], block_samples=2)
    array([[0., 1., 2., 3., 4.]], dtype=float32)
    """
    if n_samples < 1 or n_channels < 1 or block_samples < 1:
        raise ParameterError(
            f"n_samples, n_channels and block_samples must be >= 1, got {n_samples}, {n_channels}, {block_samples}"
        )
    out = np.empty((n_channels, n_samples), dtype=np.float32)
    for start in range(0, n_samples, block_samples):
        stop = min(n_samples, start + block_samples)
        block = np.asarray(render_block(start, stop))
        if block.shape != (n_channels, stop - start):
            raise ParameterError(f"a block must have shape {(n_channels, stop - start)}, got {block.shape}")
        out[:, start:stop] = block
    return out


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
        y, self._zi = sosfilt(self._sos, x, axis=-1, zi=self._zi)
        return y


class NoiseStream:
    """Noise with a time-varying magnitude spectrum, produced block after block.

    Each frame is independent uniform white noise, shaped by the requested magnitude in
    the frequency domain, sine-windowed and overlap-added at half a frame, so the power
    adds to exactly the requested spectrum (a flat magnitude of 1 gives unit variance)
    and consecutive blocks join seamlessly.

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
        ``sample_rate / n_fft`` Hz and the time resolution half a frame.

    Examples
    --------
    >>> s = NoiseStream(np.random.default_rng(0), 48000, n_channels=2)
    >>> x = s.render(48000, lambda f, t: np.ones((t.shape[0], f.shape[1])))
    >>> x.shape, 0.9 < float(x.std()) < 1.1
    ((2, 48000), True)
    """

    __slots__ = ("_freqs", "_hop", "_n_channels", "_n_fft", "_next_frame", "_pending", "_rate", "_rng", "_tail", "_window")

    def __init__(self, rng: np.random.Generator, sample_rate: int, *, n_channels: int = 1, n_fft: int = 1024) -> None:
        if n_fft < 64 or n_fft & (n_fft - 1):
            raise ParameterError(f"n_fft must be a power of two >= 64, got {n_fft}")
        self._rng = rng
        self._rate = int(sample_rate)
        self._n_channels = int(n_channels)
        self._n_fft = int(n_fft)
        self._hop = n_fft // 2
        # sin**2 windows at half-frame hops sum to one; sqrt(12) makes uniform noise unit-variance
        self._window = (np.sin(np.pi * (np.arange(n_fft) + 0.5) / n_fft) * np.sqrt(12.0)).astype(np.float32)
        self._freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)[np.newaxis, :]
        self._next_frame = 0
        self._tail = np.zeros((self._n_channels, self._hop), dtype=np.float32)
        self._pending = np.zeros((self._n_channels, 0), dtype=np.float32)

    @property
    def freqs_hz(self) -> np.ndarray:
        """Bin frequencies, shape ``(1, n_fft // 2 + 1)`` (Hz)."""
        return self._freqs

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
        hop = self._hop
        missing = n_samples - self._pending.shape[1]
        if missing > 0:
            n_frames = -(-missing // hop)
            index = self._next_frame + np.arange(n_frames)
            times_s = (index * hop / self._rate)[:, np.newaxis]
            gain = np.asarray(magnitude(self._freqs, times_s), dtype=np.float32)
            noise = self._rng.random((self._n_channels, n_frames, self._n_fft), dtype=np.float32) - 0.5
            frames = scipy.fft.irfft(scipy.fft.rfft(noise, axis=-1) * gain, n=self._n_fft, axis=-1)
            frames *= self._window
            # frame k covers [(k - 1) * hop, (k + 1) * hop): its halves add to two hop slots
            done = frames[:, :, :hop].reshape(self._n_channels, -1)
            done[:, :hop] += self._tail
            done[:, hop:] += frames[:, :-1, hop:].reshape(self._n_channels, -1)
            self._tail = frames[:, -1, hop:].copy()
            self._next_frame += n_frames
            self._pending = np.concatenate([self._pending, done], axis=1)
        out, self._pending = self._pending[:, :n_samples], self._pending[:, n_samples:]
        return out
