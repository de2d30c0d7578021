"""WAV files written byte for byte by sonics, so the same audio gives the same file.

libsndfile stamps the time into the ``PEAK`` chunk of float WAVs; this writer emits
only ``fmt``, ``fact`` (float), the chunks the caller adds (``bext`` and ``iXML`` for a
Broadcast WAV, see :mod:`sonics.export.bwf`) and ``data``, which every DAW and editor reads.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["riff_chunk", "wav_bytes", "wav_chunks", "wav_header"]

_FORMAT_PCM = 1
_FORMAT_FLOAT = 3


def _pcm24(audio: np.ndarray) -> bytes:
    # x * 2**23 is exact in float32 for float32 audio, so rounding there is rounding exactly
    exact = np.float64 if audio.dtype == np.float64 else np.float32
    scaled = np.empty((audio.shape[1], audio.shape[0]), dtype=exact)
    np.multiply(audio.T, 8388608.0, out=scaled, casting="unsafe")
    np.rint(scaled, out=scaled)
    np.clip(scaled, -8388608, 8388607, out=scaled)
    low_bytes = scaled.astype("<i4").ravel().view(np.uint8)
    packed = np.empty(scaled.size * 3, dtype=np.uint8)
    for k in range(3):  # the three low bytes of each little-endian int32, the top one dropped
        packed[k::3] = low_bytes[k::4]
    return packed.tobytes()


def riff_chunk(chunk_id: bytes, payload: bytes) -> bytes:
    """Return one RIFF chunk: its four-character id, its size and ``payload``, padded to an even length.

    Raises
    ------
    ParameterError
        If ``chunk_id`` is not four bytes.
    """
    if len(chunk_id) != 4:
        raise ParameterError(f"a RIFF chunk id must be 4 bytes, got {chunk_id!r}")
    return chunk_id + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


def _check(n_channels: int, n_samples: int, sample_rate: int, bits: int, n_extra: int) -> None:
    if sample_rate <= 0:
        raise ParameterError(f"sample_rate must be > 0, got {sample_rate}")
    if bits not in (24, 32):
        raise ParameterError(f"bits must be 32 (float) or 24 (PCM), got {bits}")
    if 64 + n_extra + n_samples * n_channels * bits // 8 > 0xFFFFFFFF:
        raise ParameterError(
            f"audio of {n_samples} samples x {n_channels} channels is too long for a WAV file"
        )


def wav_header(
    n_samples: int, n_channels: int, sample_rate: int, *, bits: int = 32, extra_chunks: Sequence[bytes] = ()
) -> bytes:
    """Return the bytes a WAV file of :func:`wav_chunks` starts with, up to its first sample.

    The samples follow, interleaved: ``len(wav_header(...))`` is their offset in the file.

    Parameters
    ----------
    n_samples, n_channels : int
        Samples per channel and channels of the audio.
    sample_rate : int
        Samples per second (> 0).
    bits : {32, 24}
        32-bit float or 24-bit PCM, as for :func:`wav_chunks`.
    extra_chunks : sequence of bytes
        Whole RIFF chunks (see :func:`riff_chunk`) written after ``fmt`` and before ``data``.

    Returns
    -------
    bytes
        The ``RIFF`` header, the ``fmt``, ``fact`` (float only) and extra chunks, and the
        ``data`` chunk's header.

    Raises
    ------
    ParameterError
        If the rate or the bit depth is invalid, or the file would pass the 4 GiB limit of
        a RIFF file.

    Examples
    --------
    >>> len(wav_header(48000, 2, 48000))
    58
    """
    extra = b"".join(extra_chunks)
    _check(n_channels, n_samples, sample_rate, bits, len(extra))
    if bits == 32:
        fmt = struct.pack(
            "<HHIIHHH",
            _FORMAT_FLOAT,
            n_channels,
            sample_rate,
            sample_rate * n_channels * 4,
            n_channels * 4,
            32,
            0,
        )
        fact = riff_chunk(b"fact", struct.pack("<I", n_samples))
    else:
        fmt = struct.pack(
            "<HHIIHH", _FORMAT_PCM, n_channels, sample_rate, sample_rate * n_channels * 3, n_channels * 3, 24
        )
        fact = b""
    n_data = n_samples * n_channels * bits // 8
    pad = b"\0" if n_data % 2 else b""
    header = b"WAVE" + riff_chunk(b"fmt ", fmt) + fact + extra + b"data" + struct.pack("<I", n_data)
    return b"RIFF" + struct.pack("<I", len(header) + n_data + len(pad)) + header


def wav_chunks(
    audio: np.ndarray,
    sample_rate: int,
    *,
    bits: int = 32,
    chunk_samples: int = 1 << 16,
    extra_chunks: Sequence[bytes] = (),
) -> Iterator[bytes]:
    """Yield a WAV file holding ``audio`` piece by piece: the header, then the samples.

    Writing the pieces in order gives the same bytes as :func:`wav_bytes`, without a
    second copy of a long stem in memory.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)``; float, full scale is 1.0.
    sample_rate : int
        Samples per second (> 0).
    bits : {32, 24}
        32: IEEE float, lossless and never clips (stems and premixes). 24: PCM,
        rounded to the nearest step and clipped at full scale (deliverables).
    chunk_samples : int
        Samples per channel in each piece after the header.
    extra_chunks : sequence of bytes
        Whole RIFF chunks (see :func:`riff_chunk`) written after ``fmt`` and before ``data``.

    Raises
    ------
    ParameterError
        If the audio is not ``(channels, samples)``, the rate or the bit depth is invalid,
        or the file would pass the 4 GiB limit of a RIFF file.
    """
    audio = np.asarray(audio)
    if audio.ndim != 2 or audio.shape[0] < 1:
        raise ParameterError(f"audio must have shape (channels, samples), got {audio.shape}")
    channels, n_samples = audio.shape
    yield wav_header(n_samples, channels, sample_rate, bits=bits, extra_chunks=extra_chunks)
    for start in range(0, n_samples, chunk_samples):
        block = audio[:, start : start + chunk_samples]
        yield np.ascontiguousarray(block.T, dtype="<f4").tobytes() if bits == 32 else _pcm24(block)
    if n_samples * channels * bits // 8 % 2:
        yield b"\0"  # chunks are padded to an even length


def wav_bytes(
    audio: np.ndarray, sample_rate: int, *, bits: int = 32, extra_chunks: Sequence[bytes] = ()
) -> bytes:
    """Return a complete WAV file holding ``audio`` (see :func:`wav_chunks` for the parameters).

    Returns
    -------
    bytes
        The RIFF/WAVE file: ``fmt``, ``fact`` (float only), ``extra_chunks`` and ``data``.
    """
    return b"".join(wav_chunks(audio, sample_rate, bits=bits, extra_chunks=extra_chunks))
