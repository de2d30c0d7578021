"""Choir: voices singing "oh" softly and "ah" loudly (the source-filter model of the voice).

Physics: each singer's glottis releases a puff of air per period (a pulse train whose
spectrum falls about 12 dB per octave, flatter when singing loud), and the vocal tract
filters it with its resonances, the formants, which make the vowel: "oh" has its first
two formants low and close (570, 840 Hz), "ah" open and higher (730, 1090 Hz). Trained
singers add the singer's formant, a bump near 3 kHz that carries over an orchestra, and
a vibrato of about 5.5 Hz. Women's and boys' tracts are shorter: their formants sit ~17 %
higher. A choir is many such voices a little apart in pitch and time.

Recipe: :func:`~sonics.dsp.oscillators.pulse_voices` for every singer at once, then,
since the filters are linear, one glottal filter and one formant cascade for the whole
section per layer: soft is a dark "oh", loud a bright "ah" with the singer's formant (the
part renderer's blend between them is coherent, so the vowel opens as the choir swells).
Breath noise through the same tract.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import sosfilt

from sonics.dsp.filters import peaking_sos
from sonics.dsp.formants import formant_sos, glottal_sos
from sonics.dsp.noise import uniform_noise
from sonics.dsp.oscillators import pulse_voices
from sonics.music.synth.voice import (
    CONTROL_RATE_HZ,
    Articulation,
    Overlapping,
    control_points,
    ensemble_contours,
    finish_layers,
    key_to_hz,
    rise,
    sample_rise,
    seat_gains,
)

__all__ = ["CHOIR", "ChoirSection"]

_SUNG = Articulation("sung", gated=True, release_s=0.45)
_HIGH_VOICES_FROM = 57  # from A3 up the part is sung by women (shorter tracts, higher formants)


@dataclass(frozen=True, slots=True)
class ChoirSection(Overlapping):
    """A choir in unison (see the module docstring).

    Parameters
    ----------
    name : str
        Registry name.
    n_singers : int
        Voices (>= 1).
    vibrato_cents : float
        Mean vibrato depth (cents).
    attack_s : float
        How long the choir takes to reach full voice (s).
    peak_db : float
        Peak of a loud note (dBFS).
    """

    name: str = "choir"
    n_singers: int = 12
    vibrato_cents: float = 22.0
    attack_s: float = 0.14
    peak_db: float = -12.0
    n_layers: int = 2
    n_variants: int = 2
    render_ms_per_s: float = 12.5  # CPU per second of stroke: how the renderer weighs a part

    def articulation(self, key: int, duration_s: float) -> Articulation:
        """Return the one way a choir sings a note: held, then released."""
        return _SUNG

    def render(
        self, key: int, articulation: Articulation, n_samples: int, rng: np.random.Generator, sample_rate: int
    ) -> np.ndarray:
        """Return the choir's note on ``key``: ``(2, 2, n_samples)`` float32, "oh" and "ah"."""
        f0 = key_to_hz(key)
        n_points = control_points(n_samples, sample_rate)
        pitch = ensemble_contours(
            rng, f0, self.n_singers, n_points, detune_cents=7.0, vibrato_cents=self.vibrato_cents,
            vibrato_hz=(4.8, 6.0), vibrato_delay_s=0.1, vibrato_rise_s=0.35, scoop_cents=20.0, scoop_s=0.05,
        )  # fmt: skip
        t = np.arange(n_points) / CONTROL_RATE_HZ
        lag_s = np.r_[0.0, rng.uniform(0.004, 0.05, self.n_singers - 1)]
        # each singer's own breath pressure wavers a little (shimmer)
        shimmer = 1.0 + 0.08 * np.sin(2 * np.pi * rng.uniform(2.0, 7.0, (self.n_singers, 1)) * t)
        amps = rng.uniform(0.6, 1.0, (self.n_singers, 1)) * shimmer * (0.02 + 0.98 * rise(t, self.attack_s))
        glottis = pulse_voices(
            pitch, amps, CONTROL_RATE_HZ, n_samples, sample_rate,
            channel_gains=seat_gains(rng, self.n_singers, 0.8) / np.sqrt(self.n_singers),
            start_samples=lag_s * sample_rate,
        )  # fmt: skip
        # the breath (aspiration) with the pulses, swelling with the voices
        breath = uniform_noise(rng, n_samples, n_channels=2)
        breath *= np.float32(0.008)
        m = min(n_samples, int(np.ceil(self.attack_s * sample_rate)))
        breath[:, :m] *= sample_rise(m, sample_rate, self.attack_s).astype(np.float32)
        source = np.add(glottis, breath, out=glottis)
        shift = 1.17 if key >= _HIGH_VOICES_FROM else 1.0
        singer = peaking_sos(2900.0 * shift**0.5, 2.0, 9.0, sample_rate)
        layers = []
        for i, (vowel, corner_hz) in enumerate((("o", 120.0), ("a", 600.0))):
            tract = formant_sos(vowel, sample_rate, shift=shift, f1_raise_hz=60.0 * i)
            if i:  # the loud "ah" carries the singer's formant
                tract = np.concatenate([tract, singer])
            # glottis and tract in one cascade
            chain = np.concatenate([glottal_sos(sample_rate, corner_hz=corner_hz), tract])
            layers.append(sosfilt(chain, source, axis=-1))
        # zero-mean pulses through a glottis with a zero at DC: nothing to block
        return finish_layers(layers, sample_rate, peak_db=self.peak_db, dc_cutoff_hz=None)


CHOIR = ChoirSection()
"""Twelve voices; men below A3, women from it."""
