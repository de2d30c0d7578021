"""Render an SFX plan: one stereo stem per layer, sample-exact, and their premix.

Each planned sound is rendered (a generator from its recorded parameters and seed, or
a library file transposed by varispeed), its sync point found, and the sound added to
its layer's stem so that the sync point falls on the planned sample. Stems are exactly
the picture's length; sounds that reach past either end are cut there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.core.sfxplan import PlannedSound, SfxPlan, SoundSource
from sonics.core.sound import SampleLibrary, Sound, Stem
from sonics.dsp.resample import resample
from sonics.dsp.sync import onset_sample, peak_sample
from sonics.sfx.generators import GENERATORS

__all__ = ["premix", "render_sfx", "render_sound"]

_BED_CROSSFADE_S = 0.05
"""Crossfade between repeats of a sample that fills a bed."""

Progress = Callable[[str, int, int | None], None]


def _generator_sound(planned: PlannedSound, sample_rate: int) -> Sound:
    generator = GENERATORS.get(planned.name)
    if generator is None:
        raise ParameterError(f"plan names an unknown generator {planned.name!r}")
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in planned.params.items()}
    return generator(**params).render(np.random.default_rng(planned.seed), sample_rate)


def _fill_bed(audio: np.ndarray, n_samples: int, sample_rate: int) -> np.ndarray:
    """Repeat a sample with short crossfades until it lasts ``n_samples``."""
    fade = min(round(_BED_CROSSFADE_S * sample_rate), audio.shape[1] // 4)
    if audio.shape[1] >= n_samples or fade < 1:
        reps = math.ceil(n_samples / audio.shape[1])
        return np.tile(audio, (1, reps))[:, :n_samples]
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    step = audio.shape[1] - fade
    out = np.zeros((audio.shape[0], n_samples + audio.shape[1]), dtype=np.float32)
    piece = audio.copy()
    piece[:, :fade] *= ramp
    piece[:, -fade:] *= ramp[::-1]
    for start in range(0, n_samples, step):
        out[:, start : start + audio.shape[1]] += piece
    return out[:, :n_samples]


def _curve_gain(curve: Sequence[float], rate_hz: float, n_samples: int, sample_rate: int) -> np.ndarray:
    times_s = np.arange(n_samples) / sample_rate
    points_s = np.arange(len(curve)) / rate_hz
    return np.interp(times_s, points_s, np.asarray(curve, dtype=np.float64)).astype(np.float32)


def _sample_sound(planned: PlannedSound, library: SampleLibrary | None, sample_rate: int) -> Sound:
    if library is None:
        raise MediaError(f"the plan uses sample {planned.name!r} but no sample library was given")
    audio, file_rate = library.load(library.get(planned.name))
    # Varispeed, as a sampler transposes: play the file as if it were recorded at a
    # rate 2**(st/12) times its own, then bring that to the delivery rate.
    audio = resample(audio, file_rate * 2.0 ** (planned.pitch_semitones / 12.0), sample_rate)
    if planned.sync == "start":
        n_samples = max(1, round(float(planned.params.get("duration_s", 0.0)) * sample_rate))
        audio = _fill_bed(audio, n_samples, sample_rate)
        curve = planned.params.get("curve")
        if curve:
            audio = audio * _curve_gain(curve, float(planned.params["curve_rate_hz"]), n_samples, sample_rate)
        return Sound(audio, sample_rate, 0)
    find = peak_sample if planned.sync == "peak" else onset_sample
    return Sound(audio, sample_rate, find(audio, sample_rate))


def render_sound(planned: PlannedSound, *, library: SampleLibrary | None = None, sample_rate: int) -> Sound:
    """Render one planned sound before gain and pan, with its sync point.

    Raises
    ------
    MediaError
        If a sample cannot be loaded.
    ParameterError
        If the plan names an unknown generator.
    """
    if planned.source is SoundSource.GENERATOR:
        return _generator_sound(planned, sample_rate)
    return _sample_sound(planned, library, sample_rate)


def _to_stereo(audio: np.ndarray, pan: float, gain: float) -> np.ndarray:
    if audio.shape[0] == 1:
        angle = (pan + 1.0) * math.pi / 4.0  # equal-power: -3 dB each side in the centre
        gains = np.array([[math.cos(angle)], [math.sin(angle)]], dtype=np.float32)
        return audio * (gains * gain)
    balance = np.array([[min(1.0, 1.0 - pan)], [min(1.0, 1.0 + pan)]], dtype=np.float32)
    return audio[:2] * (balance * gain)


def _place(stem: np.ndarray, sound: Sound, at_sample: int, pan: float, gain: float) -> None:
    start = at_sample - sound.sync_sample
    lo, hi = max(0, start), min(stem.shape[1], start + sound.n_samples)
    if lo >= hi:
        return
    stem[:, lo:hi] += _to_stereo(sound.audio[:, lo - start : hi - start], pan, gain)


def render_sfx(
    plan: SfxPlan, *, library: SampleLibrary | None = None, on_progress: Progress | None = None
) -> tuple[Stem, ...]:
    """Render every layer of a plan into its stem.

    Parameters
    ----------
    plan : SfxPlan
        The plan (from :func:`sonics.sfx.plan.plan_sfx`, or read back from JSON).
    library : SampleLibrary, optional
        The library the plan's sample keys refer to.
    on_progress : callable, optional
        Called as ``on_progress("sfx", done, total)`` after each sound.

    Returns
    -------
    tuple of Stem
        One ``sfx_<layer>`` stem per layer the plan owns, in plan order, each of shape
        ``(2, plan.n_samples)``; a layer without sounds is silence.
    """
    stems = {name: np.zeros((2, plan.n_samples), dtype=np.float32) for name in plan.layers}
    total = len(plan.sounds)
    for done, planned in enumerate(plan.sounds, start=1):
        sound = render_sound(planned, library=library, sample_rate=plan.sample_rate)
        _place(stems[planned.layer], sound, planned.sync_at_sample, planned.pan, 10.0 ** (planned.gain_db / 20))
        if on_progress is not None:
            on_progress("sfx", done, total)
    return tuple(Stem(f"sfx_{name}", "effects", audio, plan.sample_rate) for name, audio in stems.items())


def premix(stems: Sequence[Stem], *, peak_db: float = -1.0) -> tuple[np.ndarray, float]:
    """Sum stems into a premix that peaks no higher than ``peak_db``.

    Returns
    -------
    audio : numpy.ndarray
        Shape ``(2, n)``, float32.
    trim_db : float
        The gain (<= 0 dB) applied to reach the ceiling; apply the same to the stems
        for them to sum to the premix.
    """
    if not stems:
        raise ParameterError("premix needs at least one stem")
    lengths = {s.n_samples for s in stems}
    if len(lengths) != 1:
        raise ParameterError(f"stems must have one length, got {sorted(lengths)}")
    total = np.sum([s.audio for s in stems], axis=0, dtype=np.float64)
    peak = float(np.max(np.abs(total))) if total.size else 0.0
    ceiling = 10.0 ** (peak_db / 20.0)
    trim_db = 0.0 if peak <= ceiling else 20.0 * math.log10(ceiling / peak)
    return (total * 10.0 ** (trim_db / 20.0)).astype(np.float32), trim_db
