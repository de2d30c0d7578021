"""Render an SFX plan: one stereo stem per layer, sample-exact, and their premix.

Each planned sound is rendered (a generator from its recorded parameters and seed, or
a library file transposed by varispeed), its sync point found, and the sound added to
its layer's stem so that the sync point falls on the planned sample. Stems are exactly
the picture's length; sounds that reach past either end are cut there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.core.sfxplan import PlannedSound, SfxPlan, SoundSource
from sonics.core.sound import SampleLibrary, Sound, Stem
from sonics.dsp.resample import resample, resample_ratio
from sonics.dsp.sync import onset_sample, peak_sample
from sonics.sfx.generators import GENERATORS

__all__ = ["premix", "render_layer", "render_sfx", "render_sound", "sound_counter"]

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
    played_hz = file_rate * 2.0 ** (planned.pitch_semitones / 12.0)
    if planned.sync == "start":
        audio = resample(audio, played_hz, sample_rate)
        n_samples = max(1, round(float(planned.params.get("duration_s", 0.0)) * sample_rate))
        audio = _fill_bed(audio, n_samples, sample_rate)
        curve = planned.params.get("curve")
        if curve:
            audio = audio * _curve_gain(curve, float(planned.params["curve_rate_hz"]), n_samples, sample_rate)
        return Sound(audio, sample_rate, 0)
    # The sync point is found in the file as recorded (the resampler's pre-ringing
    # would pull an onset early) and carried over by the exact resampling ratio.
    find = peak_sample if planned.sync == "peak" else onset_sample
    sync_in_file = find(audio, file_rate)
    ratio = resample_ratio(played_hz, sample_rate)
    audio = resample(audio, played_hz, sample_rate)
    sync = min(audio.shape[1] - 1, round(sync_in_file * ratio))
    return Sound(audio, sample_rate, sync)


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


def _rendered(
    sounds: Sequence[PlannedSound], library: SampleLibrary | None, sample_rate: int, workers: int
) -> Iterator[Sound]:
    """Yield each sound rendered, in plan order; ``workers`` threads render ahead."""
    if workers <= 1 or len(sounds) < 2:
        yield from (render_sound(s, library=library, sample_rate=sample_rate) for s in sounds)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sonics-sfx") as pool:
        # A bounded window keeps memory flat: only a few rendered sounds wait at a time.
        window = 4 * workers
        pending = [
            pool.submit(render_sound, s, library=library, sample_rate=sample_rate) for s in sounds[:window]
        ]
        for k in range(len(sounds)):
            if k + window < len(sounds):
                pending.append(
                    pool.submit(render_sound, sounds[k + window], library=library, sample_rate=sample_rate)
                )
            yield pending[k].result()
            pending[k] = None  # type: ignore[call-overload]


def render_layer(
    plan: SfxPlan,
    layer: str,
    *,
    library: SampleLibrary | None = None,
    workers: int = 2,
    on_sound: Callable[[], None] | None = None,
) -> Stem:
    """Render one layer of a plan into its stem.

    Parameters
    ----------
    plan : SfxPlan
        The plan (from :func:`sonics.sfx.plan.plan_sfx`, or read back from JSON).
    layer : str
        One of ``plan.layers``.
    library : SampleLibrary, optional
        The library the plan's sample keys refer to.
    workers : int
        Threads that render sounds ahead (>= 1). Sounds are added to the stem in plan
        order whatever the number, so the result is the same bytes.
    on_sound : callable, optional
        Called after each sound is placed.

    Returns
    -------
    Stem
        ``sfx_<layer>``, shape ``(2, plan.n_samples)``; silence if the layer has no sound.
    """
    if layer not in plan.layers:
        raise ParameterError(f"the plan has no layer {layer!r} (it has: {', '.join(plan.layers)})")
    stem = np.zeros((2, plan.n_samples), dtype=np.float32)
    sounds = plan.for_layer(layer)
    for planned, sound in zip(sounds, _rendered(sounds, library, plan.sample_rate, workers), strict=True):
        _place(stem, sound, planned.sync_at_sample, planned.pan, 10.0 ** (planned.gain_db / 20))
        if on_sound is not None:
            on_sound()
    return Stem(f"sfx_{layer}", "effects", stem, plan.sample_rate)


def sound_counter(plan: SfxPlan, on_progress: Progress | None) -> Callable[[], None]:
    """Return a callback that reports ``("sfx", sounds done, sounds in the plan)`` at each call."""
    done = [0]

    def tick() -> None:
        done[0] += 1
        if on_progress is not None:
            on_progress("sfx", done[0], len(plan.sounds))

    return tick


def render_sfx(
    plan: SfxPlan,
    *,
    library: SampleLibrary | None = None,
    workers: int = 2,
    on_progress: Progress | None = None,
) -> tuple[Stem, ...]:
    """Render every layer of a plan into its stem, all held in memory.

    For long pictures prefer :func:`render_layer`, one layer at a time.

    Parameters
    ----------
    plan : SfxPlan
        The plan.
    library : SampleLibrary, optional
        The library the plan's sample keys refer to.
    workers : int
        Threads that render sounds ahead (the bytes do not depend on it).
    on_progress : callable, optional
        Called as ``on_progress("sfx", done, total)`` after each sound.

    Returns
    -------
    tuple of Stem
        One ``sfx_<layer>`` stem per layer the plan owns, in plan order, each of shape
        ``(2, plan.n_samples)``; a layer without sounds is silence.
    """
    tick = sound_counter(plan, on_progress)
    return tuple(
        render_layer(plan, name, library=library, workers=workers, on_sound=tick) for name in plan.layers
    )


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
    total = stems[0].audio.copy()
    for stem in stems[1:]:
        total += stem.audio
    peak = float(max(total.max(initial=0.0), -total.min(initial=0.0)))
    ceiling = 10.0 ** (peak_db / 20.0)
    trim_db = 0.0 if peak <= ceiling else 20.0 * math.log10(ceiling / peak)
    if trim_db:
        total *= np.float32(10.0 ** (trim_db / 20.0))
    return total, trim_db
