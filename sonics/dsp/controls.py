"""Slow random control signals: gusts, swells, flicker.

Procedural sounds are driven by slowly wandering controls (a wind's speed, a fire's
flicker, a crowd's swell). :class:`SmoothRandom` draws one such control as a sum of
sinusoids at random frequencies inside a band and random phases: band-limited noise
that can be read at any time without state, so a ten-minute bed rendered block by block
reads the same curve as one rendered in a piece. :func:`expand` raises a control to a
power, Farnell's trick for turning an even wander into rare, sudden bursts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.core.errors import ParameterError

__all__ = ["SmoothRandom", "expand"]


@dataclass(frozen=True, slots=True)
class SmoothRandom:
    """Band-limited random control: ``sum_k a_k sin(2 pi f_k t + phi_k)``, unit RMS.

    Parameters
    ----------
    freqs_hz : numpy.ndarray
        Component frequencies (Hz).
    phases : numpy.ndarray
        Component phases (radians).
    amps : numpy.ndarray
        Component amplitudes (their squares sum to 2, so the RMS is 1).

    Examples
    --------
    >>> gust = SmoothRandom.draw(np.random.default_rng(0), low_hz=0.05, high_hz=0.5)
    >>> x = gust(np.linspace(0.0, 600.0, 60001))
    >>> 0.8 < float(np.sqrt(np.mean(x**2))) < 1.2
    True
    """

    freqs_hz: np.ndarray
    phases: np.ndarray
    amps: np.ndarray

    @classmethod
    def draw(
        cls, rng: np.random.Generator, *, low_hz: float, high_hz: float, n_components: int = 8
    ) -> SmoothRandom:
        """Draw a control whose wander lies between ``low_hz`` and ``high_hz``.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of randomness.
        low_hz, high_hz : float
            Band of the wander (Hz, ``0 < low_hz <= high_hz``); frequencies are drawn
            log-uniformly, so a wide band wanders on several time scales.
        n_components : int
            Number of sinusoids (>= 1); 6-10 sound irregular.

        Returns
        -------
        SmoothRandom
            The control.

        Raises
        ------
        ParameterError
            If the band or the count is invalid.
        """
        if not 0.0 < low_hz <= high_hz or n_components < 1:
            raise ParameterError(f"need 0 < low_hz <= high_hz and n_components >= 1, got {low_hz}, {high_hz}")
        freqs = np.exp(rng.uniform(np.log(low_hz), np.log(high_hz), n_components))
        phases = rng.uniform(0.0, 2.0 * np.pi, n_components)
        weights = rng.uniform(0.5, 1.0, n_components)
        amps = weights * np.sqrt(2.0 / np.sum(weights**2))
        return cls(freqs, phases, amps)

    @property
    def bound(self) -> float:
        """The largest magnitude the control can reach (the sum of its amplitudes)."""
        return float(np.sum(self.amps))

    def __call__(self, times_s: np.ndarray | float) -> np.ndarray:
        """Return the control at ``times_s`` (s); same shape, float64."""
        t = np.asarray(times_s, dtype=np.float64)
        # whole cycles dropped in float64; the sine of the remainder is cheap in float32
        cycles = t[..., np.newaxis] * self.freqs_hz + self.phases / (2.0 * np.pi)
        cycles -= np.floor(cycles)
        return np.sin((2.0 * np.pi * cycles).astype(np.float32)) @ self.amps


def expand(control: np.ndarray, power: float = 4.0, *, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Return ``((control - low) / (high - low)) ** power``, clipped to [0, 1]: rare, sudden peaks.

    Farnell (*Designing Sound*, ch. 34) squares a fire's hiss modulator twice: a
    normalised wander raised to the 4th power sits near zero most of the time and
    jumps up briefly. The bounds are fixed (not taken from the values) so that every
    block of a long sound is expanded alike; for a :class:`SmoothRandom` use
    ``-bound, bound`` or a narrower band for more frequent peaks.

    Parameters
    ----------
    control : numpy.ndarray
        Control values.
    power : float
        Exponent (> 0).
    low, high : float
        Values mapped to 0 and 1 (``low < high``).

    Returns
    -------
    numpy.ndarray
        Values in [0, 1], float64.

    Raises
    ------
    ParameterError
        If ``power <= 0`` or ``low >= high``.

    Examples
    --------
    >>> expand(np.array([-1.0, 0.0, 1.0]), 2.0).tolist()
    [0.0, 0.25, 1.0]
    """
    if power <= 0 or low >= high:
        raise ParameterError(f"need power > 0 and low < high, got {power}, {low}, {high}")
    x = (np.asarray(control, dtype=np.float64) - low) / (high - low)
    return np.clip(x, 0.0, 1.0) ** power
