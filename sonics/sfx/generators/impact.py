"""Body impacts: a punch, a shield hit, a body falling, in three layers that start together.

Recipe (explosion/impact anatomy): a **transient** (a sub-10 ms broadband click: the
contact), a **body** (a pitched thump whose pitch glides down over 50-150 ms, with a
short burst of low-passed noise: the mass being hit), a **sub** (a low sine that carries
the weight) and a **tail** (band-passed noise: debris, cloth, the room). A bigger hit
has more sub, a lower body and a longer tail. The first sample is the transient at full
level, so the sync point is the onset, sample 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

import numpy as np

from sonics.core.sound import Sound
from sonics.dsp.envelopes import ad_envelope, finish, sample_times
from sonics.dsp.filters import bandpass, dc_block, highpass_sos, lowpass, ring_samples
from sonics.dsp.modal import glide_cycles, sin_cycles
from sonics.dsp.noise import contact_click, white_noise
from sonics.sfx.generators._fields import check_range, peak_db_for

__all__ = ["BodyImpact"]


def _glide_sine(n: int, sample_rate: int, start_hz: float, end_hz: float, glide_s: float) -> np.ndarray:
    """Sine whose frequency falls exponentially from ``start_hz`` to ``end_hz``, time constant ``glide_s``."""
    return sin_cycles(glide_cycles(sample_times(n, sample_rate), start_hz, end_hz, glide_s))


@lru_cache(maxsize=8)
def _dc_ring_samples(sample_rate: int) -> int:
    """Return how many samples the 20 Hz DC block takes to forget its input (its ring 200 dB down)."""
    return ring_samples(highpass_sos(20.0, sample_rate))


@dataclass(frozen=True, slots=True)
class BodyImpact:
    """A body hit: transient click, gliding thump, sub weight and a noise tail.

    Parameters
    ----------
    duration_s : float
        Length (s, 0.15..6); the tail decays within it.
    pitch_hz : float
        Pitch the body's thump settles at (Hz, 30..300); it starts about 2.5 times
        higher and glides down.
    hardness : float
        0..1: how hard the surfaces are (0 flesh and cloth: dull, little click; 1 armour
        and wood: bright click, higher thump).
    intensity : float
        0..1: size of the hit: more sub, a lower thump, a longer tail, and level
        (-12..-6 dBFS).

    Examples
    --------
    >>> sound = BodyImpact(duration_s=0.5).render(np.random.default_rng(0))
    >>> sound.audio.shape, sound.sync_sample
    ((1, 24000), 0)
    """

    name: ClassVar[str] = "impact"
    kind: ClassVar[str] = "hit"

    duration_s: float = 1.0
    pitch_hz: float = 70.0
    hardness: float = 0.5
    intensity: float = 1.0

    def __post_init__(self) -> None:
        check_range(self.name, "duration_s", self.duration_s, 0.15, 6.0)
        check_range(self.name, "pitch_hz", self.pitch_hz, 30.0, 300.0)
        check_range(self.name, "hardness", self.hardness, 0.0, 1.0)
        check_range(self.name, "intensity", self.intensity, 0.0, 1.0)

    def render(self, rng: np.random.Generator, sample_rate: int = 48_000) -> Sound:
        """Render one variation; ``sync_sample`` is 0, the transient's first sample."""
        n = round(self.duration_s * sample_rate)
        size, hard = self.intensity, self.hardness
        room = 0.85 * self.duration_s  # every layer has died away before the end
        jitter = rng.uniform(0.9, 1.1)

        def span(t60_s: float) -> int:  # a layer is computed only until it is 66 dB down
            return min(n, round(1.1 * t60_s * sample_rate) + 1)

        # the tail is the longest layer: past it and the DC block's own ring, every sample is 0
        tail_t60 = min(room, 0.2 + 0.7 * size)
        m_tail = span(tail_t60)
        live = min(n, m_tail + _dc_ring_samples(sample_rate))
        fade_out_s = 0.01
        if live + round(fade_out_s * sample_rate) > n:  # the fade would reach the live part
            live = n
        x = np.zeros(live)
        t60_s = 0.004 + 0.004 * (1 - hard)
        # the click lasts 2 * t60 (contact_click's own length): only that much is made and added
        contact = contact_click(
            rng,
            min(n, round(2.0 * t60_s * sample_rate) + 8),
            sample_rate,
            t60_s=t60_s,
            corner_hz=600 + 2400 * hard,
        )
        x[: contact.size] += (0.9 + 0.6 * hard) * contact

        end_hz = self.pitch_hz * jitter * (1.15 - 0.3 * size)  # bigger bodies sit lower
        t60 = min(room, 0.12 + 0.15 * size)
        m = span(t60)
        thump = _glide_sine(m, sample_rate, 2.6 * end_hz, end_hz, glide_s=0.02 + 0.02 * size)
        x[:m] += 0.9 * thump * ad_envelope(m, sample_rate, attack_s=0.0015, t60_s=t60)

        t60 = min(room, 0.06 + 0.05 * size)
        m = span(t60)
        punch = lowpass(white_noise(rng, m), 500 + 1500 * hard, sample_rate, order=2)
        punch *= (0.35 + 0.25 * hard) * 0.25 / np.std(punch)
        x[:m] += punch * ad_envelope(m, sample_rate, attack_s=0.001, t60_s=t60)

        sub_hz = max(35.0, 0.6 * end_hz)
        t60 = min(room, 0.2 + 0.5 * size)
        m = span(t60)
        sub = _glide_sine(m, sample_rate, 1.6 * sub_hz, sub_hz, glide_s=0.05)
        x[:m] += (0.08 + 0.62 * size**1.5) * sub * ad_envelope(m, sample_rate, attack_s=0.004, t60_s=t60)

        low_hz, high_hz = 250.0 + 500.0 * hard, 2500.0 + 4000.0 * hard
        tail = bandpass(white_noise(rng, m_tail), low_hz, high_hz, sample_rate, order=1)
        # its level as an RMS (a band-pass has no DC to take out): one pass, where np.std takes four
        envelope = ad_envelope(m_tail, sample_rate, attack_s=0.015, t60_s=tail_t60)
        envelope *= (0.04 + 0.05 * size) / np.sqrt(np.einsum("i,i->", tail, tail) / m_tail)
        tail *= envelope
        x[:m_tail] += tail

        audio = np.zeros((1, n), dtype=np.float32)
        audio[:, :live] = finish(
            dc_block(x, sample_rate, cutoff_hz=20.0),
            sample_rate,
            peak_db=peak_db_for(self.intensity),
            fade_out_s=fade_out_s if live == n else 0.0,
            dc_cutoff_hz=None,
        )
        return Sound(audio, sample_rate, 0)
