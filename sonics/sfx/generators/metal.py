"""Sword metal: a clash (two blades struck) and a scrape (one blade sliding along another).

Recipe (Farnell's telephone bell; SDT impact + modal resonator): a blade rings in the
inharmonic modes of a free-free bar (1 : 2.756 : 5.404 : 8.933 : 13.344 ...), each
decaying on its own, higher modes faster, every mode split into a slightly mistuned
doublet that beats (the shimmer of real steel). A clash strikes two blades of different
sizes with a short high-passed noise click (the contact) and adds a few short, bright
guard and edge modes. A scrape drives the same modes with friction: stick-slip
impulses and noise whose band climbs as the contact point runs along the blade.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sonics.core.sound import Sound
from sonics.dsp.envelopes import ad_envelope, finish, interpolate_grid, sample_times
from sonics.dsp.filters import bandpass_response, highpass, lowpass
from sonics.dsp.modal import BAR_RATIOS, modal_bank, modal_filter
from sonics.dsp.noise import contact_click, dust, spectral_noise, white_noise
from sonics.sfx.generators._fields import check_range, peak_db_for

__all__ = ["SwordClash", "SwordScrape", "blade_modes"]


def blade_modes(
    rng: np.random.Generator, pitch_hz: float, ring_s: float, brightness: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return one blade's modes ``(freqs_hz, t60_s, amps)``: bar ratios, each as a detuned doublet.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the per-blade variation (strike position, mistuning).
    pitch_hz : float
        First mode (Hz, > 0).
    ring_s : float
        T60 of the first mode (s, > 0); mode ``k`` rings ``ring_s * (f1 / fk) ** 0.5``.
    brightness : float
        0..1: how strongly the high modes are excited (a harder, faster strike).

    Returns
    -------
    tuple of numpy.ndarray
        Frequencies (Hz), T60s (s) and amplitudes, two entries per bar mode.
    """
    ratios = np.array(BAR_RATIOS) * rng.uniform(0.985, 1.015, len(BAR_RATIOS))  # blade taper, temper
    freqs = pitch_hz * ratios
    t60 = ring_s * ratios ** (-0.5) * rng.uniform(0.8, 1.2, ratios.size)
    # the strike position shapes which modes sound; brightness tilts energy upwards, so a
    # hard clash rings in the kHz modes (the "shing"), a soft one lower
    amps = rng.uniform(0.3, 1.0, ratios.size) * ratios ** (-0.6 + 0.9 * brightness)
    split = rng.uniform(0.0008, 0.004, ratios.size)  # doublets beat at a few Hz
    balance = rng.uniform(0.3, 0.7, ratios.size)  # never equal: the beats do not cancel
    return (
        np.concatenate([freqs * (1 - split / 2), freqs * (1 + split / 2)]),
        np.concatenate([t60, t60 * rng.uniform(0.85, 1.15, ratios.size)]),
        np.concatenate([amps, amps * balance]),
    )


@dataclass(frozen=True, slots=True)
class SwordClash:
    """Two swords meeting: contact click, two ringing blades, a bright edge shimmer.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.2..6).
    pitch_hz : float
        First bar mode of the larger blade (Hz, 100..2000); the other blade is 8..35 %
        higher.
    ring_s : float
        Decay (T60) of the first mode (s, 0.1..5); higher modes ring shorter.
    intensity : float
        0..1: strike force: brighter (more high modes), louder click, longer ring and
        level (-12..-6 dBFS).

    Examples
    --------
    >>> sound = SwordClash(duration_s=1.0).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((1, 48000), 0)
    """

    name: ClassVar[str] = "clash"
    kind: ClassVar[str] = "hit"

    duration_s: float = 1.5
    pitch_hz: float = 420.0
    ring_s: float = 1.5
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.2, 6.0)
        check_range(self.name, "pitch_hz", self.pitch_hz, 100.0, 2000.0)
        check_range(self.name, "ring_s", self.ring_s, 0.1, 5.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is 0, the contact's first sample."""
        n = round(self.duration_s * sample_rate)
        force = self.intensity
        ring = min(self.ring_s * (0.6 + 0.4 * force), 0.8 * self.duration_s)
        pitch_a = self.pitch_hz * rng.uniform(0.95, 1.05)
        pitch_b = pitch_a * rng.uniform(1.08, 1.35)
        fa, ta, aa = blade_modes(rng, pitch_a, ring, 0.3 + 0.7 * force)
        fb, tb, ab = blade_modes(rng, pitch_b, ring * rng.uniform(0.6, 0.9), 0.3 + 0.7 * force)
        # guard, edge and tang: a few short bright modes with no common ratio
        n_edge = 6
        fe = rng.uniform(3000.0, 11000.0, n_edge)
        te = rng.uniform(0.04, 0.25, n_edge) * (0.6 + 0.4 * force)
        ae = rng.uniform(0.2, 0.6, n_edge) * (0.3 + 0.7 * force)
        freqs = np.concatenate([fa, fb, fe])
        t60 = np.concatenate([ta, tb * 1.0, te])
        amps = np.concatenate([aa, 0.8 * ab, ae])
        phases = rng.uniform(-0.3, 0.3, freqs.size)  # near sine phase: the ring starts from ~0
        ringing = modal_bank(freqs, t60, amps, n, sample_rate, phases=phases)
        ringing /= np.max(np.abs(ringing))

        contact = contact_click(rng, n, sample_rate, t60_s=0.003, corner_hz=2500.0)
        # the scrape of the edges in the first instant: bright noise, 60-120 ms
        shimmer = highpass(rng.standard_normal(n), 4000.0, sample_rate)
        shimmer *= ad_envelope(n, sample_rate, attack_s=0.002, t60_s=0.06 + 0.06 * force)
        x = ringing + (0.45 + 0.35 * force) * contact + (0.05 + 0.1 * force) * shimmer
        audio = finish(x, sample_rate, peak_db=peak_db_for(self.intensity), fade_out_s=0.02)
        return Sound(audio, sample_rate, 0)


@dataclass(frozen=True, slots=True)
class SwordScrape:
    """One blade sliding along another: a friction-driven, noisy metallic ring that climbs.

    The contact point runs along the blade: stick-slip impulses (their rate follows the
    sliding speed, their size expanded so a few catch hard) and friction noise in a band
    that climbs over the slide drive the modes of both blades; the same band is heard
    directly as the hiss of the edges. It starts with the contact (a click at sample 0)
    and ends as the blades part and ring out.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.15..5); the slide takes the first 75 %.
    pitch_hz : float
        First bar mode of the longer blade (Hz, 100..2000).
    speed_m_s : float
        Sliding speed (m/s, 0.2..6): the stick-slip rate and the climb.
    intensity : float
        0..1: contact pressure: grittier (more and bigger catches), brighter, louder.

    Examples
    --------
    >>> sound = SwordScrape(duration_s=0.6).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((1, 28800), 0)
    """

    name: ClassVar[str] = "scrape"
    kind: ClassVar[str] = "hit"

    duration_s: float = 0.9
    pitch_hz: float = 420.0
    speed_m_s: float = 1.5
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.15, 5.0)
        check_range(self.name, "pitch_hz", self.pitch_hz, 100.0, 2000.0)
        check_range(self.name, "speed_m_s", self.speed_m_s, 0.2, 6.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is 0, the contact's first sample."""
        n = round(self.duration_s * sample_rate)
        pressure = self.intensity
        slide_s = 0.75 * self.duration_s
        t = sample_times(n, sample_rate)
        # sliding: grabs fast, holds, lets go at slide_s
        slide = np.clip(t / 0.01, 0.0, 1.0) * np.clip((slide_s - t) / (0.25 * slide_s), 0.0, 1.0) ** 0.5

        # the contact band climbs as the contact runs towards the tip
        low_hz = 1500.0 * rng.uniform(0.85, 1.15)

        climb = min(2.0, 0.5 + 0.5 * self.speed_m_s)  # octaves, faster slides run further

        def band(freqs_hz: np.ndarray, times_s: np.ndarray) -> np.ndarray:
            rise = 2.0 ** (climb * np.clip(times_s / slide_s, 0.0, 1.0))
            return bandpass_response(freqs_hz, low_hz * rise, 3.0) + 0.05

        # chatter: the pressure jerks at 8-20 Hz; squaring expands it into a few hard grabs.
        # It is slow: drawn at a control rate (1 ms steps) and interpolated
        step = max(1, sample_rate // 1000)
        n_steps = n // step + 2
        wobble = lowpass(white_noise(rng, n_steps), rng.uniform(8.0, 20.0), sample_rate / step, order=2)
        chatter = 0.4 + (wobble / (np.max(np.abs(wobble)) + 1e-12)) ** 2 * 1.6
        grip = slide * interpolate_grid(chatter, step, n)
        friction = spectral_noise(rng, n, sample_rate, band, n_fft=512)
        friction *= grip
        rate_hz = 300.0 + 500.0 * self.speed_m_s * rng.uniform(0.8, 1.2)
        excitation = dust(rng, n, sample_rate, rate_hz=min(rate_hz, 4000.0))
        hits = np.flatnonzero(excitation)  # the catches: sparse, expanded so a few catch hard
        excitation[hits] = excitation[hits] ** (3.0 - pressure) * grip[hits] * (6.0 * (0.5 + pressure))
        excitation += friction

        pitch = self.pitch_hz * rng.uniform(0.95, 1.05)
        fa, ta, aa = blade_modes(rng, pitch, 0.5, 0.4 + 0.6 * pressure)
        fb, tb, ab = blade_modes(rng, pitch * rng.uniform(1.08, 1.35), 0.4, 0.4 + 0.6 * pressure)
        ring = modal_filter(
            excitation,
            np.concatenate([fa, fb]),
            np.concatenate([ta, tb]),
            np.concatenate([aa, ab]),
            sample_rate,
        )
        ring /= np.max(np.abs(ring)) + 1e-12
        hiss = highpass(friction, 2000.0, sample_rate)
        hiss /= np.max(np.abs(hiss)) + 1e-12

        contact = contact_click(rng, n, sample_rate, t60_s=0.003, corner_hz=2000.0)
        x = ring + (0.25 + 0.2 * pressure) * hiss + 0.6 * contact
        audio = finish(x, sample_rate, peak_db=peak_db_for(self.intensity), fade_out_s=0.02)
        return Sound(audio, sample_rate, 0)
