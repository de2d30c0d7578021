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
from typing import TypeVar

import numpy as np

from sonics.core.errors import MediaError, ParameterError
from sonics.core.jobs import run_jobs, usable_processes
from sonics.core.sfxplan import PlannedSound, SfxPlan, SoundSource
from sonics.core.sound import SampleLibrary, Sound, Stem
from sonics.dsp.envelopes import sample_times
from sonics.dsp.resample import resample, resample_ratio
from sonics.dsp.sync import onset_sample, peak_sample
from sonics.sfx.generators import GENERATORS

__all__ = [
    "premix",
    "render_layer",
    "render_sfx",
    "render_sound",
    "render_stems",
    "stem_buffer",
    "trim_to_peak",
]

_BED_CROSSFADE_S = 0.05
"""Crossfade between repeats of a sample that fills a bed."""

_SOUND_COST_S = 0.25
"""What a sound costs to render besides its length, as seconds of audio: a guess to order the layers by."""

_PLACE_SAMPLES = 1 << 16
"""Samples added to a stem at a time: a bed minutes long is placed without a copy of its length."""

Progress = Callable[[str, int, int | None], None]
T = TypeVar("T")


def _generator_sound(planned: PlannedSound, sample_rate: int, out: np.ndarray | None = None) -> Sound:
    generator = GENERATORS.get(planned.name)
    if generator is None:
        raise ParameterError(f"plan names an unknown generator {planned.name!r}")
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in planned.params.items()}
    rng = np.random.default_rng(planned.seed)
    if out is None:
        return generator(**params).render(rng, sample_rate)
    return generator(**params).render(rng, sample_rate, out=out)


def _fills_the_stem(planned: PlannedSound, n_samples: int, sample_rate: int) -> bool:
    """Whether ``planned`` is a generated bed that starts on the stem's first sample and ends on its last."""
    generator = GENERATORS.get(planned.name) if planned.source is SoundSource.GENERATOR else None
    if generator is None or generator.kind != "bed" or planned.sync_at_sample != 0:
        return False
    return round(float(planned.params.get("duration_s", 0.0)) * sample_rate) == n_samples  # as beds count


def _bed_in_place(stem: np.ndarray, planned: PlannedSound, sample_rate: int) -> None:
    """Render a bed that fills the silent ``stem`` straight into it, then set its gain and pan there."""
    sound = _generator_sound(planned, sample_rate, out=stem)
    gains = _stereo_gains(sound.audio.shape[0], planned.pan, 10.0 ** (planned.gain_db / 20))
    if sound.audio.shape[0] == 1:  # a mono bed in the left row: the right gets its own copy
        np.multiply(stem[0], gains[1], out=stem[1])
    else:
        stem[1] *= gains[1]
    stem[0] *= gains[0]


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
    times_s = sample_times(n_samples, sample_rate)
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


def stem_buffer(n_samples: int) -> np.ndarray:
    """Return a silent stereo stem, shape ``(2, n_samples)``, float32, stored interleaved.

    The samples of both channels alternate in memory, as in a WAV file, so a stem is
    written out without being reordered; numpy reads it as any ``(2, n)`` array.

    Examples
    --------
    >>> stem = stem_buffer(4)
    >>> stem.shape, stem.dtype.name, stem.T.flags.c_contiguous
    ((2, 4), 'float32', True)
    """
    return np.zeros((n_samples, 2), dtype=np.float32).T


def _stereo_gains(n_channels: int, pan: float, gain: float) -> np.ndarray:
    if n_channels == 1:
        angle = (pan + 1.0) * math.pi / 4.0  # equal-power: -3 dB each side in the centre
        gains = np.array([math.cos(angle), math.sin(angle)], dtype=np.float32)
    else:
        gains = np.array([min(1.0, 1.0 - pan), min(1.0, 1.0 + pan)], dtype=np.float32)
    return gains * np.float32(gain)


def _place(stem: np.ndarray, sound: Sound, at_sample: int, pan: float, gain: float) -> tuple[int, int]:
    """Add ``sound`` into ``stem`` with its sync point on ``at_sample``; return the span it covers."""
    start = at_sample - sound.sync_sample
    lo, hi = max(0, start), min(stem.shape[1], start + sound.n_samples)
    if lo >= hi:
        return lo, lo
    gains = _stereo_gains(sound.audio.shape[0], pan, gain)
    rows = (0, 0) if sound.audio.shape[0] == 1 else (0, 1)  # a mono sound feeds both sides
    # each channel scaled into its column of an interleaved piece, then added in one pass:
    # long inner loops both times, and no copy of a long bed
    piece = np.empty((min(_PLACE_SAMPLES, hi - lo), 2), dtype=np.float32)
    for a in range(lo, hi, _PLACE_SAMPLES):
        b = min(hi, a + _PLACE_SAMPLES)
        part = piece[: b - a]
        for side, row in enumerate(rows):
            np.multiply(sound.audio[row, a - start : b - start], gains[side], out=part[:, side])
        stem[:, a:b] += part.T
    return lo, hi


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
    out: np.ndarray | None = None,
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
    out : numpy.ndarray, optional
        A silent float32 array of shape ``(2, plan.n_samples)`` to render into (a
        buffer reused from layer to layer); by default a new :func:`stem_buffer`.

    Returns
    -------
    Stem
        ``sfx_<layer>``, shape ``(2, plan.n_samples)``; silence if the layer has no sound.
        Its audio is ``out`` when given.
    """
    if layer not in plan.layers:
        raise ParameterError(f"the plan has no layer {layer!r} (it has: {', '.join(plan.layers)})")
    if out is None:
        out = stem_buffer(plan.n_samples)
    elif out.shape != (2, plan.n_samples) or out.dtype != np.float32:
        want = (2, plan.n_samples)
        raise ParameterError(f"out must be float32 of shape {want}, got {out.dtype} {out.shape}")
    _layer_into(out, plan, layer, library, workers, on_sound)
    return Stem(f"sfx_{layer}", "effects", out, plan.sample_rate)


def _layer_into(
    out: np.ndarray,
    plan: SfxPlan,
    layer: str,
    library: SampleLibrary | None,
    workers: int,
    on_sound: Callable[[], None] | None,
) -> list[tuple[int, int]]:
    """Add a layer's sounds into the silent ``out``; return the spans of samples written, merged."""
    sounds, spans = plan.for_layer(layer), []
    if sounds and _fills_the_stem(sounds[0], plan.n_samples, plan.sample_rate):
        # a bed minutes long is made where it belongs, not in an array of its own
        _bed_in_place(out, sounds[0], plan.sample_rate)
        spans.append((0, plan.n_samples))
        sounds = sounds[1:]
        if on_sound is not None:
            on_sound()
    for planned, sound in zip(sounds, _rendered(sounds, library, plan.sample_rate, workers), strict=True):
        lo, hi = _place(out, sound, planned.sync_at_sample, planned.pan, 10.0 ** (planned.gain_db / 20))
        if spans and lo <= spans[-1][1] and hi >= spans[-1][0]:  # sounds come in time order: mostly here
            spans[-1] = (min(lo, spans[-1][0]), max(hi, spans[-1][1]))
        elif lo < hi:
            spans.append((lo, hi))
        if on_sound is not None:
            on_sound()
    return spans


def _layer_order(plan: SfxPlan) -> list[str]:
    """Return the plan's layers, the costliest first: a pool of workers then balances best."""

    def cost(layer: str) -> float:
        sounds = plan.for_layer(layer)
        return sum(_SOUND_COST_S + float(s.params.get("duration_s", 1.0)) for s in sounds)

    return sorted(plan.layers, key=lambda layer: -cost(layer))


def render_stems(
    plan: SfxPlan,
    deliver: Callable[[Stem], T],
    *,
    library: SampleLibrary | None = None,
    workers: int = 2,
    on_progress: Progress | None = None,
) -> Iterator[tuple[str, T]]:
    """Render every layer of a plan and hand each stem to ``deliver`` where it was rendered.

    The layers are rendered by ``workers`` processes at once, this one and forked
    helpers, where the platform forks (elsewhere here alone, sound by sound on
    ``workers`` threads), the costliest first; each process renders into one stem buffer
    of its own, reused from layer to layer, and calls ``deliver(stem)`` on it (to write
    it out, say) before the next. What ``deliver`` returns comes back here, one layer
    after another in an order that does not depend on ``workers``, so the same plan
    gives the same bytes whatever the number.

    Parameters
    ----------
    plan : SfxPlan
        The plan.
    deliver : callable
        ``deliver(stem) -> result``, called in the process that rendered the stem; the
        stem's audio is reused after it returns, so keep a copy to keep it. The result
        must pickle (``None``, a path, a copy of the audio...).
    library : SampleLibrary, optional
        The library the plan's sample keys refer to.
    workers : int
        Processes (or threads) rendering at once (>= 1).
    on_progress : callable, optional
        Called here as ``on_progress("sfx", sounds done, sounds in the plan)``, as this
        process learns of them.

    Yields
    ------
    layer : str
        One of ``plan.layers``, each once.
    result : object
        What ``deliver`` returned for its stem.

    Raises
    ------
    MediaError
        If a sample cannot be loaded.
    ParameterError
        If the plan names an unknown generator.

    Examples
    --------
    >>> peaks = dict(render_stems(plan, lambda stem: float(abs(stem.audio).max())))  # doctest: +SKIP
    """
    order = _layer_order(plan)
    processes = usable_processes(workers, len(order))
    threads = workers if processes == 1 else 1
    # each process's stem buffer, made at its first layer (after the fork), and the spans the
    # last layer wrote: only those need silencing for the next
    buffer: list[np.ndarray] = []
    written: list[tuple[int, int]] = []

    def job(k: int, tick: Callable[[], None]) -> T:
        if not buffer:
            buffer.append(stem_buffer(plan.n_samples))
        for lo, hi in written:
            buffer[0][:, lo:hi] = 0.0
        written[:] = _layer_into(buffer[0], plan, order[k], library, threads, tick)
        return deliver(Stem(f"sfx_{order[k]}", "effects", buffer[0], plan.sample_rate))

    def count(done: int) -> None:
        if on_progress is not None:
            on_progress("sfx", done, len(plan.sounds))

    for k, result in run_jobs(len(order), job, processes=processes, on_count=count):
        yield order[k], result


def render_sfx(
    plan: SfxPlan,
    *,
    library: SampleLibrary | None = None,
    workers: int = 2,
    on_progress: Progress | None = None,
) -> tuple[Stem, ...]:
    """Render every layer of a plan into its stem, all held in memory.

    For long pictures prefer :func:`sonics.pipeline.write_sfx_pass`, which holds a few
    stems at a time, or :func:`render_stems`.

    Parameters
    ----------
    plan : SfxPlan
        The plan.
    library : SampleLibrary, optional
        The library the plan's sample keys refer to.
    workers : int
        Processes (or threads) rendering at once; the bytes do not depend on it.
    on_progress : callable, optional
        Called as ``on_progress("sfx", done, total)`` as sounds are done.

    Returns
    -------
    tuple of Stem
        One ``sfx_<layer>`` stem per layer the plan owns, in plan order, each of shape
        ``(2, plan.n_samples)``; a layer without sounds is silence.
    """

    def keep(stem: Stem) -> np.ndarray:
        return stem.audio.copy(order="K")

    audio = dict(render_stems(plan, keep, library=library, workers=workers, on_progress=on_progress))
    return tuple(Stem(f"sfx_{layer}", "effects", audio[layer], plan.sample_rate) for layer in plan.layers)


def trim_to_peak(audio: np.ndarray, peak_db: float) -> float:
    """Turn ``audio`` down in place if it peaks above ``peak_db``; return the gain applied.

    Parameters
    ----------
    audio : numpy.ndarray
        Float32 audio of any shape, modified in place.
    peak_db : float
        The ceiling (dBFS).

    Returns
    -------
    float
        The gain (dB, <= 0) applied: 0 when the audio already peaks at or below the ceiling.

    Examples
    --------
    >>> x = np.array([[0.5, -2.0]], dtype=np.float32)
    >>> round(trim_to_peak(x, 0.0), 2), x.tolist()
    (-6.02, [[0.25, -1.0]])
    """
    peak = float(max(audio.max(initial=0.0), -audio.min(initial=0.0)))
    ceiling = 10.0 ** (peak_db / 20.0)
    trim_db = 0.0 if peak <= ceiling else 20.0 * math.log10(ceiling / peak)
    if trim_db:
        audio *= np.float32(10.0 ** (trim_db / 20.0))
    return trim_db


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
    total = stem_buffer(stems[0].n_samples)
    for stem in stems:
        total += stem.audio
    return total, trim_to_peak(total, peak_db)
