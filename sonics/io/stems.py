"""Read back stems sonics wrote earlier (a pass re-run keeps the other passes' stems)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile

from sonics.core.errors import MediaError

__all__ = ["read_stem"]


def read_stem(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """Return a WAV stem as ``(audio (channels, samples) float32, sample_rate)``.

    Raises
    ------
    MediaError
        If the file is missing or not a readable audio file.
    """
    path = Path(path)
    try:
        audio, sample_rate = soundfile.read(path, dtype="float32", always_2d=True)
    except FileNotFoundError:
        raise MediaError(f"{path}: no such file") from None
    except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
        raise MediaError(f"{path}: not a readable audio file ({str(exc).lower()})") from None
    return np.ascontiguousarray(audio.T), int(sample_rate)
