"""Crows: distant caws over a battlefield after the battle.

Recipe: a crow's caw is a harsh, harmonic-rich call from the syrinx, a pulse train at
~450-700 Hz with strong jitter, shimmer and period doubling (the rasp), plus breath
noise, through the bird's vocal tract, whose resonances near 1.3 and 2.7 kHz give the
nasal "aah". Each caw rises then falls in pitch over a quarter to a third of a second;
crows call in bursts of 2-4 caws at random times (a Poisson process whose rate follows
the bed's curve). Distance does the rest: level falls as 1/r, air absorbs the highs (a
low-pass that closes with range), and the open field adds a short diffuse tail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.signal import butter, oaconvolve, sosfilt

from sonics.core.sound import Sound
from sonics.dsp.formants import formant_sos, glottal_sos, pulse_times
from sonics.dsp.pulses import impulses, poisson_times
from sonics.dsp.streams import finish_in_place, output_array
from sonics.sfx.generators._fields import check_bed, check_int, check_range, curve_reader, peak_db_for

__all__ = ["Crows"]

_CONTROL_HZ = 400.0  # pitch contour points per second
_TAIL_S = 0.9  # length of the field's diffuse tail


def _caw(
    rng: np.random.Generator, sample_rate: int, *, pitch_hz: float, length_s: float, tract: np.ndarray
) -> np.ndarray:
    """Return one caw (mono): a raspy pulse train and breath through the crow's tract."""
    n_points = max(2, round(length_s * _CONTROL_HZ))
    x = np.linspace(0.0, 1.0, n_points)
    contour = 1.0 + 0.15 * np.sin(np.pi * np.minimum(x / 0.6, 1.0)) - 0.18 * np.maximum(x - 0.6, 0.0) / 0.4
    f0 = pitch_hz * contour * (1.0 + 0.04 * rng.standard_normal(n_points))  # jitter: the rasp
    times, _ = pulse_times(np.maximum(f0, 50.0), _CONTROL_HZ)
    # period doubling: every other pulse weaker, the subharmonic that makes a caw harsh
    weights = np.where(np.arange(times.size) % 2 == 0, 1.0, rng.uniform(0.45, 0.75)) * 10 ** (
        rng.normal(0.0, 2.0, times.size) / 20.0
    )
    n = round(length_s * sample_rate)
    phase = np.arange(n) / n
    envelope = np.minimum(phase / 0.08, 1.0) * np.clip((1.0 - phase) / 0.2, 0.0, 1.0) * (1.0 - 0.3 * phase)
    pulses = impulses(times * sample_rate, weights * np.interp(times, phase * length_s, envelope), 0, n)
    voiced = sosfilt(glottal_sos(sample_rate, corner_hz=600.0), pulses)
    breath = rng.standard_normal(n) * envelope * 0.015
    return sosfilt(tract, voiced + breath)


@dataclass(frozen=True, slots=True)
class Crows:
    """Distant crows cawing now and then (a bed for an aftermath).

    Parameters
    ----------
    duration_s : float
        Length (s, 0.5..600).
    calls_per_min : float
        Mean number of bursts of caws per minute at full curve (0.5..60); there is
        always at least one.
    n_crows : int
        Different birds (1..12), each with its own pitch, voice and place.
    distance_m : float
        Distance of the nearest crow (m, 10..1000); the others are up to 3x farther.
    intensity : float
        0..1: how agitated: more and longer bursts, higher calls; without a curve, also
        the constant activity.
    curve : tuple of float
        Activity in 0..1 at ``curve_rate_hz``: the rate of bursts. Empty: constant
        ``intensity``.
    curve_rate_hz : float
        Points per second of ``curve`` (1..1000).

    Examples
    --------
    >>> sound = Crows(duration_s=3.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((2, 144000), 0)
    """

    name: ClassVar[str] = "crows"
    kind: ClassVar[str] = "bed"

    duration_s: float = 20.0
    calls_per_min: float = 8.0
    n_crows: int = 3
    distance_m: float = 80.0
    intensity: float = 0.6
    curve: tuple[float, ...] = ()
    curve_rate_hz: float = 100.0

    def __post_init__(self) -> None:
        check_range(self.name, "calls_per_min", self.calls_per_min, 0.5, 60.0)
        check_int(self.name, "n_crows", self.n_crows, 1, 12)
        check_range(self.name, "distance_m", self.distance_m, 10.0, 1000.0)
        object.__setattr__(self, "curve", check_bed(self, min_duration_s=0.5))

    def bursts(self, rng: np.random.Generator) -> np.ndarray:
        """Draw the start times (s) of the bursts of caws: a Poisson process following the curve."""
        control_hz = 10.0
        grid = np.arange(int(np.ceil(self.duration_s * control_hz)) + 1) / control_hz
        activity = curve_reader(self.curve, self.curve_rate_hz, self.intensity)(grid)
        rate = self.calls_per_min / 60.0 * (0.1 + 0.9 * activity)
        times = poisson_times(rng, rate, control_hz, self.duration_s)
        if times.size == 0:  # a crow bed with no crow is no use: one burst somewhere
            times = np.array([rng.uniform(0.0, max(0.0, self.duration_s - 1.5))])
        return times

    def render(
        self, rng: np.random.Generator, sample_rate: int = 48_000, *, out: np.ndarray | None = None
    ) -> Sound:
        """Render one variation: fresh birds, fresh calls.

        ``out``: an array to render into, as :class:`~sonics.core.sound.Generator` describes.
        """
        n_samples = round(self.duration_s * sample_rate)
        out = output_array(2, n_samples, out)
        out.fill(0.0)
        starts = self.bursts(rng)
        # the birds: pitch, vocal tract, distance and place of each
        pitch = rng.uniform(450.0, 650.0, self.n_crows) * (1.0 + 0.12 * self.intensity)
        tracts = [
            np.concatenate(
                [
                    formant_sos(((1300.0, 260.0), (2700.0, 420.0), (4100.0, 700.0)), sample_rate, shift=s),
                    butter(2, 300.0, "highpass", fs=sample_rate, output="sos"),
                ]
            )
            for s in rng.uniform(0.9, 1.1, self.n_crows)
        ]
        distance = self.distance_m * np.concatenate([[1.0], rng.uniform(1.0, 3.0, self.n_crows - 1)])
        pan = rng.uniform(-0.9, 0.9, self.n_crows)
        tail = rng.standard_normal((2, round(_TAIL_S * sample_rate))) * np.exp(
            -np.arange(round(_TAIL_S * sample_rate)) / (0.15 * sample_rate)
        )
        tail *= 0.006  # the field's diffuse reflections, about -8 dB re the direct sound
        for start_s in starts:
            bird = int(rng.integers(self.n_crows))
            n_caws = int(rng.integers(2, 5 if self.intensity < 0.7 else 6)) if rng.random() < 0.9 else 1
            caws, t = [], 0.0
            for k in range(n_caws):
                length_s = rng.uniform(0.22, 0.38) * (1.0 + 0.3 * self.intensity)
                voice = _caw(
                    rng,
                    sample_rate,
                    pitch_hz=pitch[bird] * (1.0 - 0.03 * k),
                    length_s=length_s,
                    tract=tracts[bird],
                )
                caws.append((t, voice * (1.0 - 0.1 * k)))
                t += length_s + rng.uniform(0.08, 0.25)
            burst = np.zeros(round(t * sample_rate) + 1)
            for at_s, voice in caws:
                i = round(at_s * sample_rate)
                burst[i : i + voice.size] += voice[: burst.size - i]
            # air absorption: the highs go first with distance
            cutoff_hz = float(np.clip(9000.0 * (60.0 / distance[bird]) ** 0.8, 1500.0, 14000.0))
            burst = (
                sosfilt(butter(4, cutoff_hz, "lowpass", fs=sample_rate, output="sos"), burst) / distance[bird]
            )
            angle = (pan[bird] + 1.0) * np.pi / 4.0
            response = tail.copy()
            response[:, 0] += [np.cos(angle), np.sin(angle)]  # the direct sound, panned
            stereo = oaconvolve(burst[np.newaxis, :], response, axes=1)
            i = round(start_s * sample_rate)
            if i < n_samples:
                m = min(stereo.shape[1], n_samples - i)
                for row in range(2):  # row by row: fast whatever the layout of out
                    out[row, i : i + m] += stereo[row, :m]
        finish_in_place(
            out, sample_rate, peak_db=peak_db_for(self.intensity), fade_in_s=0.01, fade_out_s=0.05
        )
        return Sound(out, sample_rate, 0)
