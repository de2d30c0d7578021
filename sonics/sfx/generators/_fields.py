"""Field checks, control curves and the finishing shared by the bed and designed-sound generators."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np

from sonics.core.errors import ParameterError
from sonics.dsp.streams import BLOCK_SAMPLES, render_finished

MAX_BED_S = 600.0
"""Longest bed a generator renders (s): ten minutes of picture."""


def check_range(owner: str, field: str, value: float, low: float, high: float) -> float:
    """Return ``value`` as a float if it is a finite number in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParameterError(f"{owner} {field} must be a number in [{low:g}, {high:g}], got {value!r}")
    if not low <= value <= high:
        raise ParameterError(f"{owner} {field} must be in [{low:g}, {high:g}], got {value:g}")
    return float(value)


def check_int(owner: str, field: str, value: int, low: int, high: int) -> int:
    """Return ``value`` if it is an integer in ``[low, high]``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        raise ParameterError(f"{owner} {field} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def check_choice(owner: str, field: str, value: str, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    allowed = tuple(choices)
    if value not in allowed:
        raise ParameterError(f"{owner} {field} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def check_curve(owner: str, curve: Iterable[float], curve_rate_hz: float) -> tuple[float, ...]:
    """Return ``curve`` as a tuple of floats in [0, 1], after checking ``curve_rate_hz``."""
    check_range(owner, "curve_rate_hz", curve_rate_hz, 1.0, 1000.0)
    try:
        values = tuple(float(v) for v in curve)
    except (TypeError, ValueError):
        raise ParameterError(f"{owner} curve must be a sequence of numbers in [0, 1]") from None
    if not all(0.0 <= v <= 1.0 for v in values):  # also refuses NaN
        raise ParameterError(f"{owner} curve values must be in [0, 1]")
    return values


def curve_reader(
    curve: tuple[float, ...], curve_rate_hz: float, default: float
) -> Callable[[np.ndarray], np.ndarray]:
    """Return ``read(times_s)``: the control curve at those times (linear, last value held).

    The curve is converted to an array once, so a bed can read it block after block;
    an empty curve reads as the constant ``default``.
    """
    if not curve:
        return lambda times_s: np.full(np.shape(times_s), float(default))
    values = np.asarray(curve, dtype=np.float64)
    knots_s = np.arange(values.size) / curve_rate_hz
    return lambda times_s: np.interp(times_s, knots_s, values)


def peak_db_for(intensity: float) -> float:
    """Return the output peak for an intensity: -6 dBFS at 1, 6 dB lower at 0."""
    return -6.0 + 6.0 * (intensity - 1.0)


def finish_stereo_bed(
    n_samples: int,
    render_block: Callable[[int, int], np.ndarray],
    *,
    sample_rate: int,
    intensity: float,
    out: np.ndarray | None,
    block_samples: int = BLOCK_SAMPLES,
) -> np.ndarray:
    """Render a stereo bed block by block to its intensity's peak, faded in and out over 50 ms.

    See :func:`sonics.dsp.streams.render_finished` for ``render_block``, ``block_samples`` and ``out``.
    """
    return render_finished(
        n_samples,
        2,
        render_block,
        sample_rate=sample_rate,
        peak_db=peak_db_for(intensity),
        fade_in_s=0.05,
        fade_out_s=0.05,
        block_samples=block_samples,
        out=out,
    )


def check_bed(bed: object, *, min_duration_s: float = 0.1) -> tuple[float, ...]:
    """Check the fields every bed shares; return its curve as a tuple of floats.

    ``duration_s`` in ``[min_duration_s, MAX_BED_S]``, ``intensity`` in [0, 1], ``curve``
    values in [0, 1] at ``curve_rate_hz`` in [1, 1000].
    """
    owner = bed.name  # type: ignore[attr-defined]
    check_range(owner, "duration_s", bed.duration_s, min_duration_s, MAX_BED_S)  # type: ignore[attr-defined]
    check_range(owner, "intensity", bed.intensity, 0.0, 1.0)  # type: ignore[attr-defined]
    return check_curve(owner, bed.curve, bed.curve_rate_hz)  # type: ignore[attr-defined]
