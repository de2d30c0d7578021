"""The cut's own audio as the dialogue bus: decoded at 48 kHz, aligned to the first picture frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ
from sonics.core.errors import MediaError
from sonics.core.model import Analysis
from sonics.io.audio import has_audio_stream, read_audio

__all__ = ["read_dialogue"]


def read_dialogue(analysis: Analysis, n_samples: int, warnings: list[str]) -> np.ndarray | None:
    """Return the picture file's own audio as ``(2, n_samples)`` float32, sample 0 on the first frame.

    The audio is placed by its first presentation time against the picture's
    (:attr:`~sonics.core.model.Picture.start_s`): audio that starts late is preceded by
    silence, audio that starts early is trimmed, and it is cut or padded to the picture's
    length. Mono is played on both sides; more than two channels are folded to stereo by
    their mean.

    Parameters
    ----------
    analysis : Analysis
        The picture; its ``picture.path`` is read when it is a media file with audio.
    n_samples : int
        The picture's length in samples at 48 kHz.
    warnings : list of str
        Decoding problems are appended here.

    Returns
    -------
    numpy.ndarray or None
        None when the picture has no audio (or is a timeline without media).
    """
    path = Path(analysis.picture.path)
    if not analysis.picture.has_audio or not path.is_file():
        return None
    try:
        if not has_audio_stream(path):
            return None
        decoded = read_audio(path, sample_rate=DELIVERY_RATE_HZ)
    except MediaError as exc:
        warnings.append(f"{exc}; the mix has no dialogue")
        return None
    warnings.extend(decoded.warnings)
    audio = decoded.audio
    if audio.shape[0] == 1:
        audio = np.repeat(audio, 2, axis=0)
    elif audio.shape[0] > 2:
        audio = np.repeat(audio.mean(axis=0, keepdims=True), 2, axis=0)
    offset = round((decoded.start_s - analysis.picture.start_s) * DELIVERY_RATE_HZ)
    out = np.zeros((2, n_samples), dtype=np.float32)
    src_lo, dst_lo = max(0, -offset), max(0, offset)
    n = min(audio.shape[1] - src_lo, n_samples - dst_lo)
    if n > 0:
        out[:, dst_lo : dst_lo + n] = audio[:, src_lo : src_lo + n]
    return out
