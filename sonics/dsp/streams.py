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
from sonics.dsp.envelopes import db_to_gain, fade
from sonics.dsp.pulses import attack_decay_sos

__all__ = ["BLOCK_SAMPLES", "BurstStream", "NoiseStream", "SosStream", "finish_in_place", "render_in_blocks"]

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
        got = f"{n_samples}, {n_channels}, {block_samples}"
        raise ParameterError(f"n_samples, n_channels and block_samples must be >= 1, got {got}")
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

    __slots__ = (
        "_freqs",
        "_hop",
        "_n_channels",
        "_n_fft",
        "_next_frame",
        "_pending",
        "_rate",
        "_rng",
        "_tail",
        "_window",
    )

    def __init__(
        self, rng: np.random.Generator, sample_rate: int, *, n_channels: int = 1, n_fft: int = 1024
    ) -> None:
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
            # the stream's first sample is half a frame before frame 0's centre
            times_s = ((index + 1) * hop / self._rate)[:, np.newaxis]
            gain = np.asarray(magnitude(self._freqs, times_s), dtype=np.float32)
            # drawn frame by frame, so the samples do not depend on how the stream is cut in blocks
            noise = self._rng.random((n_frames, self._n_channels, self._n_fft), dtype=np.float32).transpose(
                1, 0, 2
            )
            noise -= np.float32(0.5)
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
    if audio.dtype != np.float32 or audio.ndim != 2:
        raise ParameterError(
            f"audio must be float32 of shape (channels, samples), got {audio.dtype} {audio.shape}"
        )
    n = audio.shape[1]
    n_in, n_out = min(n, round(fade_in_s * sample_rate)), min(n, round(fade_out_s * sample_rate))
    if n_in > 0:
        audio[:, :n_in] = fade(audio[:, :n_in], sample_rate, in_s=fade_in_s, out_s=0.0)
    if n_out > 0:
        audio[:, n - n_out :] = fade(audio[:, n - n_out :], sample_rate, in_s=0.0, out_s=fade_out_s)
    # max and min instead of abs: no copy of a sound that may be hundreds of megabytes
    high, low = (
        np.unravel_index(int(np.argmax(audio)), audio.shape),
        np.unravel_index(int(np.argmin(audio)), audio.shape),
    )
    index = high if audio[high] >= -audio[low] else low
    peak = float(abs(audio[index]))
    if not np.isfinite(peak) or peak == 0.0:
        raise ParameterError(f"cannot normalise a silent or non-finite sound (peak {peak})")
    target = db_to_gain(peak_db)
    audio *= np.float32(target / peak)
    audio[index] = np.float32(np.sign(audio[index]) * target)  # exactly the target after rounding
    return audio


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
