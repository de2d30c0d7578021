"""Picture time: exact frame rates, frames <-> seconds, SMPTE timecode.

Frame rates are :class:`fractions.Fraction` (``24000/1001``, never ``23.976``). Frame
indices are 0-based. Timecode follows SMPTE 12M: ``HH:MM:SS:FF`` for non-drop, and
``HH:MM:SS;FF`` for drop-frame at 30000/1001 and 60000/1001, where frame numbers 0 and 1
(0-3 at 59.94) are skipped at the start of every minute except each tenth minute.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from sonics.core.errors import ParameterError

__all__ = [
    "frame_to_timecode",
    "frames_to_seconds",
    "is_drop_frame_rate",
    "parse_frame_rate",
    "seconds_to_frames",
    "timecode_to_frame",
]

# Rates that are conventionally written as decimals but are exact NTSC fractions.
_NTSC_RATES = {
    Fraction(24000, 1001),
    Fraction(30000, 1001),
    Fraction(48000, 1001),
    Fraction(60000, 1001),
    Fraction(120000, 1001),
}
_TIMECODE = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})([:;.])(\d{2,3})$")


def parse_frame_rate(value: Fraction | int | float | str) -> Fraction:
    """Return an exact frame rate from a number or a string.

    Parameters
    ----------
    value : Fraction, int, float or str
        ``24``, ``"25"``, ``"24000/1001"``, ``Fraction(30000, 1001)``, or a decimal such as
        ``23.976`` or ``"29.97"``, which is snapped to its NTSC fraction when within 0.01 fps.

    Returns
    -------
    Fraction
        The frame rate in frames per second, > 0.

    Raises
    ------
    ParameterError
        If the value is not a positive number.

    Examples
    --------
    >>> parse_frame_rate("23.976")
    Fraction(24000, 1001)
    >>> parse_frame_rate("25")
    Fraction(25, 1)
    """
    try:
        if isinstance(value, str) and "/" in value:
            num, den = value.split("/", 1)
            rate = Fraction(int(num), int(den))
        else:
            rate = Fraction(value).limit_denominator(1001) if isinstance(value, float) else Fraction(value)
    except (ValueError, ZeroDivisionError, TypeError):
        raise ParameterError(
            f"frame rate must be a positive number such as 24000/1001, got {value!r}"
        ) from None
    if rate <= 0:
        raise ParameterError(f"frame rate must be > 0, got {value!r}")
    if rate.denominator != 1 and rate not in _NTSC_RATES:
        for ntsc in _NTSC_RATES:
            if abs(float(rate) - float(ntsc)) < 0.01:
                return ntsc
    return rate


def frames_to_seconds(frame: int, frame_rate: Fraction) -> float:
    """Return the start time in seconds of a 0-based frame at a constant frame rate."""
    return float(Fraction(frame) / frame_rate)


def seconds_to_frames(time_s: float, frame_rate: Fraction) -> int:
    """Return the 0-based index of the frame whose start is nearest to ``time_s``."""
    return math.floor(Fraction(time_s) * frame_rate + Fraction(1, 2))


def is_drop_frame_rate(frame_rate: Fraction) -> bool:
    """Return True for the rates that use drop-frame timecode (30000/1001, 60000/1001)."""
    return frame_rate in (Fraction(30000, 1001), Fraction(60000, 1001))


def _nominal_fps(frame_rate: Fraction) -> int:
    return round(frame_rate)


def frame_to_timecode(frame: int, frame_rate: Fraction, drop_frame: bool | None = None) -> str:
    """Return the SMPTE timecode of a 0-based frame index.

    Parameters
    ----------
    frame : int >= 0
        Frame index counted from the first frame (timecode 00:00:00:00).
    frame_rate : Fraction
        Exact frame rate.
    drop_frame : bool, optional
        Use drop-frame counting; by default True exactly for 30000/1001 and 60000/1001.

    Returns
    -------
    str
        ``HH:MM:SS:FF``, or ``HH:MM:SS;FF`` when drop-frame.

    Examples
    --------
    >>> frame_to_timecode(1800, Fraction(30000, 1001))
    '00:01:00;02'
    >>> frame_to_timecode(1439, Fraction(24))
    '00:00:59:23'
    """
    if frame < 0:
        raise ParameterError(f"frame must be >= 0, got {frame}")
    fps = _nominal_fps(frame_rate)
    if drop_frame is None:
        drop_frame = is_drop_frame_rate(frame_rate)
    if drop_frame:
        if fps % 30:
            raise ParameterError(f"drop-frame timecode needs a 29.97 or 59.94 rate, got {frame_rate}")
        dropped = 2 * fps // 30
        per_10min = fps * 600 - dropped * 9
        per_min = fps * 60 - dropped
        tens, rem = divmod(frame, per_10min)
        frame += dropped * 9 * tens
        if rem > dropped:
            frame += dropped * ((rem - dropped) // per_min)
    ff = frame % fps
    total_s = frame // fps
    sep = ";" if drop_frame else ":"
    return f"{total_s // 3600:02d}:{total_s // 60 % 60:02d}:{total_s % 60:02d}{sep}{ff:02d}"


def timecode_to_frame(timecode: str, frame_rate: Fraction) -> int:
    """Return the 0-based frame index of a SMPTE timecode (``;`` or ``.`` marks drop-frame).

    Examples
    --------
    >>> timecode_to_frame("00:01:00;02", Fraction(30000, 1001))
    1800
    """
    match = _TIMECODE.match(timecode.strip())
    if match is None:
        raise ParameterError(f"timecode must look like HH:MM:SS:FF, got {timecode!r}")
    hh, mm, ss, sep, ff = match.groups()
    fps = _nominal_fps(frame_rate)
    hours, minutes, seconds, frames = int(hh), int(mm), int(ss), int(ff)
    if minutes > 59 or seconds > 59 or frames >= fps:
        raise ParameterError(f"timecode {timecode!r} is out of range at {frame_rate} fps")
    total_minutes = 60 * hours + minutes
    frame = (3600 * hours + 60 * minutes + seconds) * fps + frames
    if sep in ";.":
        dropped = 2 * fps // 30
        frame -= dropped * (total_minutes - total_minutes // 10)
    return frame
