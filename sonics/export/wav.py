"""WAV files written byte for byte by sonics, so the same audio gives the same file.

libsndfile stamps the time into the ``PEAK`` chunk of float WAVs; this writer emits
only ``fmt``, ``fact`` (float) and ``data``, which every DAW and editor reads.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["wav_bytes", "wav_chunks", "wav_header"]

_FORMAT_PCM = 1
_FORMAT_FLOAT = 3


def _pcm24(audio: np.ndarray) -> bytes:
    scaled = np.clip(np.round(audio.T.astype(np.float64) * 8388608.0), -8388608, 8388607)
    scaled = np.ascontiguousarray(scaled, dtype="<i4")
    return scaled.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def _check(n_channels: int, n_samples: int, sample_rate: int, bits: int) -> None:
    if sample_rate <= 0:
        raise ParameterError(f"sample_rate must be > 0, got {sample_rate}")
    if bits not in (24, 32):
        raise ParameterError(f"bits must be 32 (float) or 24 (PCM), got {bits}")
    if 64 + n_samples * n_channels * bits // 8 > 0xFFFFFFFF:
        raise ParameterError(
            f"audio of {n_samples} samples x {n_channels} channels is too long for a WAV file"
        )


def wav_header(n_samples: int, n_channels: int, sample_rate: int, *, bits: int = 32) -> bytes:
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

    Returns
    -------
    bytes
        The ``RIFF`` header and the ``fmt``, ``fact`` (float only) and ``data`` chunk headers.

    Examples
    --------
    >>> len(wav_header(48000, 2, 48000))
    58
    """
    _check(n_channels, n_samples, sample_rate, bits)
    width = bits // 8
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
        extra = b"fact" + struct.pack("<II", 4, n_samples)
    else:
        fmt = struct.pack(
            "<HHIIHH", _FORMAT_PCM, n_channels, sample_rate, sample_rate * n_channels * 3, n_channels * 3, 24
        )
        extra = b""
    n_data = n_samples * n_channels * width
    pad = b"\0" if n_data % 2 else b""
    header = (
        b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra + b"data" + struct.pack("<I", n_data)
    )
    return b"RIFF" + struct.pack("<I", len(header) + n_data + len(pad)) + header


def wav_chunks(
    audio: np.ndarray, sample_rate: int, *, bits: int = 32, chunk_samples: int = 1 << 16
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
    """
    audio = np.asarray(audio)
    if audio.ndim != 2 or audio.shape[0] < 1:
        raise ParameterError(f"audio must have shape (channels, samples), got {audio.shape}")
    channels, n_samples = audio.shape
    yield wav_header(n_samples, channels, sample_rate, bits=bits)
    for start in range(0, n_samples, chunk_samples):
        block = audio[:, start : start + chunk_samples]
        yield np.ascontiguousarray(block.T, dtype="<f4").tobytes() if bits == 32 else _pcm24(block)
    if n_samples * channels * bits // 8 % 2:
        yield b"\0"  # chunks are padded to an even length


def wav_bytes(audio: np.ndarray, sample_rate: int, *, bits: int = 32) -> bytes:
    """Return a complete WAV file holding ``audio`` (see :func:`wav_chunks` for the parameters).

    Returns
    -------
    bytes
        The RIFF/WAVE file: ``fmt``, ``fact`` (float only) and ``data`` chunks.
    """
    return b"".join(wav_chunks(audio, sample_rate, bits=bits))
