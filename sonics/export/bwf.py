"""Broadcast WAV: 24-bit PCM with a ``bext`` chunk that places the sound at its timecode, and iXML.

A DAW or an editor reads ``TimeReference`` (EBU Tech 3285: samples since midnight) and
spots the file at the picture's timecode on import. Every field is fixed or derived from the
arguments, never from the clock, so the same stem gives the same file. The chunks go after
``fmt`` and before ``data``; the samples are written piece by piece (see
:func:`sonics.export.wav.wav_chunks`), so a long stem is never held twice.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from xml.sax.saxutils import escape

import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ
from sonics.core.errors import ParameterError
from sonics.export.delivery import time_reference_samples, uses_drop_frame
from sonics.export.wav import riff_chunk, wav_bytes, wav_chunks

__all__ = [
    "ORIGINATION_DATE",
    "ORIGINATION_TIME",
    "BextLoudness",
    "BwfInfo",
    "bext_chunk",
    "bwf_bytes",
    "bwf_chunks",
    "ixml_chunk",
]

ORIGINATION_DATE = "2000-01-01"
"""The fixed ``OriginationDate`` written unless the caller gives one (never today's date)."""
ORIGINATION_TIME = "00:00:00"
"""The fixed ``OriginationTime`` written unless the caller gives one."""

_BEXT_VERSION = 2
_NOT_MEASURED = 0x7FFF  # EBU Tech 3285 v2: a loudness field that was not measured
_BEXT_FIXED = struct.Struct("<256s32s32s10s8sIIH64s5h180s")  # 602 bytes before CodingHistory


@dataclass(frozen=True, slots=True)
class BextLoudness:
    """EBU R128 loudness of the file, written in a version 2 ``bext`` (units of 0.01).

    Parameters
    ----------
    integrated_lufs : float
        Integrated loudness [LUFS].
    range_lu : float, optional
        Loudness range [LU].
    true_peak_dbtp : float, optional
        Maximum true peak [dBTP].
    max_momentary_lufs, max_short_term_lufs : float, optional
        Highest momentary (400 ms) and short-term (3 s) loudness [LUFS].
    """

    integrated_lufs: float
    range_lu: float | None = None
    true_peak_dbtp: float | None = None
    max_momentary_lufs: float | None = None
    max_short_term_lufs: float | None = None

    def fields(self) -> tuple[int, int, int, int, int]:
        """Return the five ``bext`` words: each value x 100, or 0x7FFF where not measured."""
        values = (
            self.integrated_lufs,
            self.range_lu,
            self.true_peak_dbtp,
            self.max_momentary_lufs,
            self.max_short_term_lufs,
        )
        words = []
        for value in values:
            if value is None:
                words.append(_NOT_MEASURED)
                continue
            if not math.isfinite(value) or not -327.67 <= value <= 327.66:
                raise ParameterError(f"bext loudness values must be finite, within +-327.66, got {value}")
            words.append(round(value * 100))
        return (words[0], words[1], words[2], words[3], words[4])


@dataclass(frozen=True, slots=True)
class BwfInfo:
    """Where a Broadcast WAV sits and what it is.

    Parameters
    ----------
    frame_rate : Fraction
        The picture's exact frame rate (it reads the start timecode).
    start_timecode : str
        Timecode of the picture's first frame (``;`` before the frames for drop-frame).
    offset_samples : int >= 0
        Where the sound starts after the picture's first frame (0 for a stem).
    description : str
        Free text, at most 256 ASCII characters (``bext`` Description).
    originator_reference : str
        At most 32 ASCII characters; a stable id of the file (``"sonics:sfx_whoosh"``).
    origination_date, origination_time : str
        ``yyyy-mm-dd`` and ``hh:mm:ss``; fixed by default, so the file does not depend on when it
        was written.
    loudness : BextLoudness, optional
        Measured loudness for the version 2 fields.
    project, scene, take, note : str
        iXML ``PROJECT``, ``SCENE``, ``TAKE`` and ``NOTE``.
    track_names : tuple of str
        One name per channel for the iXML ``TRACK_LIST``; by default ``"L"``/``"R"`` (or
        ``"M"`` for mono) after ``originator_reference``.
    """

    frame_rate: Fraction
    start_timecode: str = "00:00:00:00"
    offset_samples: int = 0
    description: str = ""
    originator_reference: str = ""
    origination_date: str = ORIGINATION_DATE
    origination_time: str = ORIGINATION_TIME
    loudness: BextLoudness | None = None
    project: str = ""
    scene: str = ""
    take: str = "1"
    note: str = ""
    track_names: tuple[str, ...] = ()

    def time_reference(self, sample_rate: int) -> int:
        """Return ``TimeReference``: samples since midnight of the first sample."""
        return time_reference_samples(self.start_timecode, self.frame_rate, sample_rate, self.offset_samples)


def _ascii(value: str, size: int, field: str) -> bytes:
    try:
        data = value.encode("ascii")
    except UnicodeEncodeError:
        raise ParameterError(f"bext {field} must be ASCII, got {value!r}") from None
    if len(data) > size:
        raise ParameterError(f"bext {field} must be at most {size} characters, got {len(data)}")
    return data


def _check_stamp(date: str, time: str) -> None:
    date_ok = (
        len(date) == 10
        and date[4] in "-:"
        and date[7] in "-:"
        and (date[:4] + date[5:7] + date[8:]).isdigit()
    )
    time_ok = (
        len(time) == 8 and time[2] in "-:" and time[5] in "-:" and (time[:2] + time[3:5] + time[6:]).isdigit()
    )
    if not date_ok or not time_ok:
        raise ParameterError(f"bext origination must be yyyy-mm-dd and hh:mm:ss, got {date!r} {time!r}")


def bext_chunk(info: BwfInfo, *, sample_rate: int, channels: int) -> bytes:
    """Return the ``bext`` chunk (version 2) of a 24-bit PCM file.

    Parameters
    ----------
    info : BwfInfo
        Timecode, description, references and loudness.
    sample_rate : int
        Samples per second of the file (``TimeReference`` counts these).
    channels : int
        Channel count, for the coding history line.

    Returns
    -------
    bytes
        The whole chunk, id and size included.

    Raises
    ------
    ParameterError
        If a text field is not ASCII or too long, or the date or time is malformed.
    """
    _check_stamp(info.origination_date, info.origination_time)
    reference = info.time_reference(sample_rate)
    loudness = info.loudness.fields() if info.loudness is not None else (_NOT_MEASURED,) * 5
    mode = "mono" if channels == 1 else "stereo" if channels == 2 else "multichannel"
    history = f"A=PCM,F={sample_rate},W=24,M={mode},T=sonics\r\n".encode("ascii")
    fixed = _BEXT_FIXED.pack(
        _ascii(info.description, 256, "description"),
        b"sonics",
        _ascii(info.originator_reference, 32, "originator_reference"),
        _ascii(info.origination_date, 10, "origination_date"),
        _ascii(info.origination_time, 8, "origination_time"),
        reference & 0xFFFFFFFF,
        reference >> 32,
        _BEXT_VERSION,
        b"",
        *loudness,
        b"",
    )
    return riff_chunk(b"bext", fixed + history)


def _speed(rate: Fraction) -> str:
    return f"{rate.numerator}/{rate.denominator}"


def ixml_chunk(info: BwfInfo, *, sample_rate: int, channels: int) -> bytes:
    """Return the ``iXML`` chunk: project, scene, take, note, timecode and track names.

    Parameters
    ----------
    info : BwfInfo
        What to write; ``track_names`` must hold one name per channel when given.
    sample_rate : int
        Samples per second of the file.
    channels : int
        Channel count.

    Returns
    -------
    bytes
        The whole chunk (UTF-8 XML), id and size included.

    Raises
    ------
    ParameterError
        If ``track_names`` does not hold one name per channel.
    """
    names = info.track_names
    if not names:
        suffixes = (
            ("M",)
            if channels == 1
            else ("L", "R")
            if channels == 2
            else tuple(map(str, range(1, channels + 1)))
        )
        base = info.originator_reference.removeprefix("sonics:")
        names = tuple(f"{base} {s}".strip() for s in suffixes)
    if len(names) != channels:
        raise ParameterError(f"track_names must name each of the {channels} channels, got {len(names)}")
    reference = info.time_reference(sample_rate)
    flag = "DF" if uses_drop_frame(info.start_timecode) else "NDF"
    tracks = "".join(
        f"<TRACK><CHANNEL_INDEX>{i}</CHANNEL_INDEX><INTERLEAVE_INDEX>{i}</INTERLEAVE_INDEX>"
        f"<NAME>{escape(name)}</NAME></TRACK>"
        for i, name in enumerate(names, start=1)
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<BWFXML><IXML_VERSION>2.10</IXML_VERSION>"
        f"<PROJECT>{escape(info.project)}</PROJECT><SCENE>{escape(info.scene)}</SCENE>"
        f"<TAKE>{escape(info.take)}</TAKE><NOTE>{escape(info.note)}</NOTE>"
        f"<SPEED><MASTER_SPEED>{_speed(info.frame_rate)}</MASTER_SPEED>"
        f"<CURRENT_SPEED>{_speed(info.frame_rate)}</CURRENT_SPEED>"
        f"<TIMECODE_RATE>{_speed(info.frame_rate)}</TIMECODE_RATE><TIMECODE_FLAG>{flag}</TIMECODE_FLAG>"
        f"<FILE_SAMPLE_RATE>{sample_rate}</FILE_SAMPLE_RATE><AUDIO_BIT_DEPTH>24</AUDIO_BIT_DEPTH>"
        f"<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>{reference >> 32}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>"
        f"<TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>{reference & 0xFFFFFFFF}</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>"
        f"<TIMESTAMP_SAMPLE_RATE>{sample_rate}</TIMESTAMP_SAMPLE_RATE></SPEED>"
        f"<TRACK_LIST><TRACK_COUNT>{channels}</TRACK_COUNT>{tracks}</TRACK_LIST>"
        "</BWFXML>\n"
    )
    return riff_chunk(b"iXML", xml.encode("utf-8"))


def _chunks(audio: np.ndarray, sample_rate: int, info: BwfInfo, ixml: bool) -> Sequence[bytes]:
    audio = np.asarray(audio)
    if audio.ndim != 2 or audio.shape[0] < 1:
        raise ParameterError(f"audio must have shape (channels, samples), got {audio.shape}")
    channels = int(audio.shape[0])
    chunks = [bext_chunk(info, sample_rate=sample_rate, channels=channels)]
    if ixml:
        chunks.append(ixml_chunk(info, sample_rate=sample_rate, channels=channels))
    return chunks


def bwf_chunks(
    audio: np.ndarray,
    info: BwfInfo,
    *,
    sample_rate: int = DELIVERY_RATE_HZ,
    ixml: bool = True,
    chunk_samples: int = 1 << 16,
) -> Iterator[bytes]:
    """Yield a Broadcast WAV (24-bit PCM, ``bext`` and ``iXML``) piece by piece.

    Parameters
    ----------
    audio : numpy.ndarray
        Shape ``(channels, samples)``, float, full scale 1.0; rounded to the nearest 24-bit
        step and clipped at full scale.
    info : BwfInfo
        Start timecode and frame rate (for ``TimeReference``), description, references.
    sample_rate : int
        Samples per second (48 000 for everything sonics delivers).
    ixml : bool
        Also write the ``iXML`` chunk.
    chunk_samples : int
        Samples per channel in each piece after the header.

    Yields
    ------
    bytes
        The header (``fmt``, ``bext``, ``iXML``, the ``data`` header), then the samples.

    Raises
    ------
    ParameterError
        On audio of the wrong shape, a bad rate, or a malformed ``info``.

    Examples
    --------
    >>> info = BwfInfo(Fraction(24), "01:00:00:00", originator_reference="sonics:sfx_whoosh")
    >>> data = b"".join(bwf_chunks(np.zeros((2, 480), np.float32), info))
    >>> data[:4], len(data) > 2880
    (b'RIFF', True)
    """
    extra = _chunks(audio, sample_rate, info, ixml)
    return wav_chunks(audio, sample_rate, bits=24, chunk_samples=chunk_samples, extra_chunks=extra)


def bwf_bytes(
    audio: np.ndarray, info: BwfInfo, *, sample_rate: int = DELIVERY_RATE_HZ, ixml: bool = True
) -> bytes:
    """Return a whole Broadcast WAV file (see :func:`bwf_chunks` for the parameters)."""
    return wav_bytes(audio, sample_rate, bits=24, extra_chunks=_chunks(audio, sample_rate, info, ixml))
