"""WAV files written byte for byte by sonics, so the same audio gives the same file.

libsndfile stamps the time into the ``PEAK`` chunk of float WAVs; this writer emits
only ``fmt``, ``fact`` (float) and ``data``, which every DAW and editor reads.
"""

from __future__ import annotations

import struct

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["wav_bytes"]

_FORMAT_PCM = 1
_FORMAT_FLOAT = 3


def _pcm24(audio: np.ndarray) -> bytes:
    scaled = np.clip(np.round(audio.T.astype(np.float64) * 8388608.0), -8388608, 8388607)
    scaled = np.ascontiguousarray(scaled, dtype="<i4")
    return scaled.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


def wav_bytes(audio: np.ndarray, sample_rate: int, *, bits: int = 32) -> bytes:
    """Return a complete WAV file holding ``audio``.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)``; float, full scale is 1.0.
    sample_rate : int
        Samples per second (> 0).
    bits : {32, 24}
        32: IEEE float, lossless and never clips (stems and premixes). 24: PCM,
        rounded to the nearest step and clipped at full scale (deliverables).

    Returns
    -------
    bytes
        The RIFF/WAVE file.
    """
    audio = np.asarray(audio)
    if audio.ndim != 2 or audio.shape[0] < 1:
        raise ParameterError(f"audio must have shape (channels, samples), got {audio.shape}")
    if sample_rate <= 0:
        raise ParameterError(f"sample_rate must be > 0, got {sample_rate}")
    channels, n_samples = audio.shape
    if bits == 32:
        data = np.ascontiguousarray(audio.T, dtype="<f4").tobytes()
        fmt = struct.pack(
            "<HHIIHHH", _FORMAT_FLOAT, channels, sample_rate, sample_rate * channels * 4, channels * 4, 32, 0
        )
        extra = b"fact" + struct.pack("<II", 4, n_samples)
    elif bits == 24:
        data = _pcm24(audio)
        fmt = struct.pack(
            "<HHIIHH", _FORMAT_PCM, channels, sample_rate, sample_rate * channels * 3, channels * 3, 24
        )
        extra = b""
    else:
        raise ParameterError(f"bits must be 32 (float) or 24 (PCM), got {bits}")
    pad = b"\0" if len(data) % 2 else b""
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + extra
    body += b"data" + struct.pack("<I", len(data)) + data + pad
    if len(body) + 8 > 0xFFFFFFFF:
        raise ParameterError(f"audio of {n_samples} samples x {channels} channels is too long for a WAV file")
    return b"RIFF" + struct.pack("<I", len(body)) + body
