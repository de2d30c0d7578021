"""Render a part, or a whole score, to 48 kHz stereo stems: strokes placed on their samples.

For each note the tempo map gives its onset sample, ``round(beats_to_seconds(start_beat)
* sample_rate)``, and its end; the instrument gives its articulation. Notes of one key and
articulation share a few cached strokes (round-robin variants, so repeated notes are not
identical copies), each rendered once as long as its longest note needs. Each note's
stroke is then blended between its timbre layers by the note's dynamics (velocity times
the part's expression, which may move during the note: brighter as well as louder),
scaled by that dynamic squared (the General MIDI 40 log10 curve), released after the
note's end if it is gated, damped by the next note on its key if the instrument damps,
and added on its onset sample. The part's pan and gain are applied last, then a peak
limiter catches overs (-1 dBFS) and the stem fades out over its last 10 ms, so nothing
sounds past the picture's end.
"""

from __future__ import annotations

import mmap
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ
from sonics.core.errors import ParameterError
from sonics.core.jobs import run_jobs, usable_processes
from sonics.core.memory import steady_heap
from sonics.core.rng import stage_rng
from sonics.core.score import Part, Score
from sonics.core.sound import Stem
from sonics.core.tempo import TempoMap
from sonics.dsp.dynamics import peak_limit
from sonics.dsp.envelopes import db_to_gain
from sonics.music.synth.registry import instrument_for
from sonics.music.synth.voice import Articulation, Instrument

__all__ = ["CEILING_DB", "END_FADE_S", "render_part", "render_score"]

CEILING_DB = -1.0
"""No sample of a stem exceeds this (dBFS)."""

END_FADE_S = 0.01
"""Fade at the picture's end (s): tails that would run on are cut smoothly."""

_N_VARIANTS_LONG = (
    2  # at most, for strokes ringing longer than _LONG_S (each costs more, a long ring hides repeats)
)
_LONG_S = 1.5
_N_VARIANTS_GATED = 1  # a held note is a whole ensemble's own motion: one render per key serves
_DAMP_S = 0.08  # a re-struck drum or re-plucked string: how long the old ring takes to die
_CONTROL_STEP = 256  # samples between points of a moving expression
_STEADY = 0.01  # expression that moves less than this over a note is taken as constant (a 0.1 dB step)
_HEAD_FADE_S = 0.002  # a note cut by the picture's start fades in over this
_RAMP = (np.arange(_CONTROL_STEP) / _CONTROL_STEP).astype(np.float32)
_PLACE_MS_PER_S = 0.35  # CPU to blend and place a second of a note (the same core as render_ms_per_s)

Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class _Placed:
    """One note, resolved to samples."""

    onset: int
    gate: int
    extent: int
    key: int
    velocity: int
    articulation: Articulation
    variant: int
    damped: bool


def _balance(pan: float) -> tuple[float, float]:
    """Left/right gains of a stereo balance: unity in the centre, the far side closed at +-1."""
    if abs(pan) == 1.0:  # exactly closed: cos(pi / 2) is not quite 0 in floating point
        return (0.0, 1.0) if pan > 0 else (1.0, 0.0)
    angle = (pan + 1.0) * np.pi / 4.0
    return min(1.0, np.sqrt(2.0) * np.cos(angle)), min(1.0, np.sqrt(2.0) * np.sin(angle))


def _envelope(note: _Placed, sample_rate: int) -> tuple[int, np.ndarray] | None:
    """Return where the note's gain leaves 1 and its gain from there to its extent's end (None: all 1).

    The release after a gated note's end, the damping by the next stroke on its key, a head
    cut by the picture's start: only the samples they touch get a gain, not the whole note.
    """
    first = note.extent
    release = note.articulation.gated and note.extent > note.gate
    damp = min(note.extent, round(_DAMP_S * sample_rate)) if note.damped else 0
    if release:
        first = note.gate
    if damp:
        first = min(first, note.extent - damp)
    if note.onset < 0:
        first = min(first, -note.onset)
    if first >= note.extent:
        return None
    length = max(1, round(note.articulation.release_s * sample_rate))
    tail = _tail(note.extent - first, note.gate - first if release else -1, length, damp)
    if note.onset < 0:  # a note cut by the picture's start fades in
        tail = tail.copy()
        head = min(note.extent + note.onset, round(_HEAD_FADE_S * sample_rate))
        tail[-note.onset - first : -note.onset - first + head] *= np.linspace(
            0.0, 1.0, head, dtype=np.float32
        )
    return first, tail


@lru_cache(maxsize=256)
def _tail(n: int, gate: int, release: int, damp: int) -> np.ndarray:
    """Return ``n`` samples of a note's gain: 1, its release from ``gate`` on (if >= 0), its damping.

    A note's tail depends on these alone, so notes share them (never written to).
    """
    envelope = np.ones(n, dtype=np.float32)
    if gate >= 0:  # an exponential glide to exactly 0
        u = np.arange(1, n - gate + 1, dtype=np.float32) / np.float32(release)
        envelope[gate:] = np.exp(np.float32(-5.0) * u) * (1.0 - np.minimum(u, 1.0) ** 2)
    if damp:  # the next stroke on the key stops this one's ring
        envelope[n - damp :] *= _fall(damp)
    envelope.flags.writeable = False
    return envelope


@lru_cache(maxsize=64)
def _fall(n: int) -> np.ndarray:
    """Return a linear fall from 1 to 0 over ``n`` samples, float32 (shared: never written to)."""
    ramp = np.linspace(1.0, 0.0, n, dtype=np.float32)
    ramp.flags.writeable = False
    return ramp


def _resolve(
    part: Part, instrument: Instrument, tempo_map: TempoMap, n_samples: int, sample_rate: int, seed: int
) -> list[_Placed]:
    """Every note of the part as samples, with its articulation, extent and round-robin variant."""
    notes = part.notes
    if not notes:
        return []
    starts = np.array([n.start_beat for n in notes])
    ends = np.array([n.end_beat for n in notes])
    onset_s = np.atleast_1d(tempo_map.beats_to_seconds(starts))
    end_s = np.atleast_1d(tempo_map.beats_to_seconds(ends))
    onsets = np.round(onset_s * sample_rate).astype(np.int64)
    gates = np.maximum(1, np.round(end_s * sample_rate).astype(np.int64) - onsets)
    # Python numbers from here: the loops below read and write them one note at a time
    onset_at, gate_of = onsets.tolist(), gates.tolist()
    rng = stage_rng(seed, f"music:{part.name}")
    placed: list[_Placed] = []
    counts: dict[tuple[int, str], int] = {}
    orders: dict[tuple[int, str], list[int]] = {}
    next_on_key: dict[int, int] = {}
    articulations = [
        instrument.articulation(n.pitch, e - s)
        for n, s, e in zip(notes, onset_s.tolist(), end_s.tolist(), strict=True)
    ]
    full_of = [
        gate + round(art.release_s * sample_rate) if art.gated else round(art.length_s * sample_rate)
        for art, gate in zip(articulations, gate_of, strict=True)
    ]
    extents = list(full_of)
    damp = round(_DAMP_S * sample_rate)
    for i in range(len(notes) - 1, -1, -1):  # the next note on a damped key stops this one's ring
        if instrument.damps(notes[i].pitch):
            later = next_on_key.get(notes[i].pitch)
            if later is not None and later > onset_at[i]:
                extents[i] = min(extents[i], later - onset_at[i] + damp)
            next_on_key[notes[i].pitch] = onset_at[i]
    for note, onset, gate, extent, full, art in zip(
        notes, onset_at, gate_of, extents, full_of, articulations, strict=True
    ):
        group = (note.pitch, art.name)
        k = counts.get(group, 0)
        counts[group] = k + 1
        if group not in orders:
            n_variants = (
                _N_VARIANTS_GATED
                if art.gated
                else min(
                    instrument.n_variants,
                    _N_VARIANTS_LONG if art.length_s > _LONG_S else instrument.n_variants,
                )
            )
            orders[group] = rng.permutation(n_variants).tolist()
        variant = orders[group][k % len(orders[group])]
        placed.append(_Placed(onset, gate, extent, note.pitch, note.velocity, art, variant, extent < full))
    return [p for p in placed if p.onset < n_samples and p.onset + p.extent > 0]


def _dynamics(
    part: Part, tempo_map: TempoMap, placed: list[_Placed], sample_rate: int
) -> list[float | np.ndarray]:
    """Return each note's dynamics 0..1: velocity times expression (a number if constant, else its points).

    The expression is read on each note's own grid of a point every ``_CONTROL_STEP``
    samples from its onset, for every note in one pass; a level that moves is returned as
    those points (float32), which :func:`_ramp` interpolates to every sample when the note
    is placed (so only one note's ramp is held at a time).
    """
    velocities = [p.velocity / 127.0 for p in placed]
    if not part.expression or not placed:
        return velocities
    n_points = np.array([p.extent // _CONTROL_STEP + 2 for p in placed])
    onsets = np.repeat(np.array([p.onset for p in placed]), n_points)
    steps = np.arange(n_points.sum()) - np.repeat(np.cumsum(n_points) - n_points, n_points)
    times_s = (onsets + _CONTROL_STEP * steps) / sample_rate
    levels = np.split(
        np.asarray(part.expression_at(tempo_map.seconds_to_beats(times_s)), dtype=np.float64),
        np.cumsum(n_points)[:-1],
    )
    out: list[float | np.ndarray] = []
    for velocity, level in zip(velocities, levels, strict=True):
        if float(level.max() - level.min()) <= _STEADY:
            out.append(velocity * float(level.mean()))
        else:
            out.append((velocity * level).astype(np.float32))
    return out


def _ramp(points: np.ndarray, n_samples: int, buffer: np.ndarray) -> np.ndarray:
    """Return a moving level's points (one every ``_CONTROL_STEP`` samples) as ``n_samples`` samples.

    Linear between the points, float32, written into ``buffer`` (at least ``n_samples``
    rounded up to a whole step) and a view of it.
    """
    n_seg = -(-n_samples // _CONTROL_STEP)  # the points cover every segment (two spare)
    ramp = buffer[: n_seg * _CONTROL_STEP].reshape(n_seg, _CONTROL_STEP)
    np.multiply(np.diff(points[: n_seg + 1])[:, np.newaxis], _RAMP, out=ramp)
    ramp += points[:n_seg, np.newaxis]
    return buffer[:n_samples]


def _layer_weights(n_layers: int, dynamics: float | np.ndarray) -> list[tuple[int, float | np.ndarray]]:
    """Return each sounding layer's gain (a number, or one per sample): the blend at the dynamics.

    Dynamics ``d`` sit at layer position ``x = d * (n_layers - 1)``; the two layers around
    ``x`` are mixed linearly (coherent layers: a timbre in between), at a gain of ``d**2``.
    """
    top = n_layers - 1
    if np.ndim(dynamics) == 0:
        d = float(dynamics)
        low = min(int(d * top), max(top - 1, 0))
        frac = d * top - low
        pairs = [(low, d * d * (1.0 - frac))] + ([(low + 1, d * d * frac)] if top > 0 and frac > 0 else [])
        return [(layer, w) for layer, w in pairs if w > 0]
    d = np.asarray(dynamics, dtype=np.float32)
    gain = d * d
    if top == 1:  # the usual two layers: d**2 (1 - d) and d**3
        loud = gain * d
        return [(0, np.subtract(gain, loud, out=gain)), (1, loud)]
    x = d * np.float32(top)
    weights: list[tuple[int, float | np.ndarray]] = []
    for layer in range(int(x.min()), min(top, int(np.ceil(x.max()))) + 1):
        weight = np.abs(x - np.float32(layer))
        np.subtract(np.float32(1.0), weight, out=weight)
        np.maximum(weight, np.float32(0.0), out=weight)
        weight *= gain
        weights.append((layer, weight))
    return weights


Gains = tuple[list[tuple[int, np.ndarray]], tuple[int, np.ndarray] | None]
"""Each sounding layer's gain over a note's span (``(2, 1)`` or one per sample), and a gain to
apply to the mix after (from a sample of the span on), if any."""


def _note_gains(
    weights: list[tuple[int, float | np.ndarray]],
    envelope: tuple[int, np.ndarray] | None,
    channel_gains: np.ndarray,
    span: tuple[int, int],
) -> Gains:
    """Return a note's layer gains over ``span``: its blend weights, envelope and the part's pan and gain.

    ``weights`` are the note's own (modified here); ``channel_gains`` ``(2, 1)``.
    """
    a, b = span
    if not weights:
        return [], None
    first, curve = envelope if envelope is not None else (b, None)
    lo = max(first, a)
    tail = None if curve is None else (lo - a, curve[lo - first : b - first])
    if np.ndim(weights[0][1]) == 0:  # numbers: the envelope goes on the mix
        return [(layer, channel_gains * np.float32(w)) for layer, w in weights], tail
    # a gain per sample: the envelope and a centred part's gain go into it
    uniform = channel_gains[0, 0] == channel_gains[1, 0]
    gains = []
    for layer, weight in weights:
        gain = weight[a:b]
        if tail is not None:
            gain[tail[0] :] *= tail[1]
        if uniform and channel_gains[0, 0] != 1.0:
            gain *= channel_gains[0, 0]
        gains.append((layer, gain))
    return gains, None if uniform else (0, channel_gains)


def _blend(
    stroke: np.ndarray, span: tuple[int, int], gains: Gains, scratch: np.ndarray, mix: np.ndarray
) -> bool:
    """Write the blend of the stroke's layers over ``span`` (its samples) into ``mix`` ``(2, span)``.

    ``scratch`` is work space of at least ``(2, span)``. Return False, ``mix`` untouched, if
    no layer sounds.
    """
    a, b = span
    layers, after = gains
    for i, (layer, gain) in enumerate(layers):
        np.multiply(stroke[layer, :, a:b], gain, out=mix if i == 0 else scratch[:, : b - a])
        if i:
            mix += scratch[:, : b - a]
    if after is not None and layers:
        mix[:, after[0] :] *= after[1]
    return bool(layers)


def _alike(note: _Placed, level: float | np.ndarray) -> tuple[object, ...] | None:
    """Return what makes notes sound alike but for their onsets (None for one that is its own)."""
    if np.ndim(level) or note.onset < 0:  # a moving level, a head cut by the picture: unique
        return None
    gate = note.gate if note.articulation.gated else 0
    return (note.key, note.articulation.name, note.variant, float(level), note.extent, gate, note.damped)


def render_part(
    part: Part, tempo_map: TempoMap, n_samples: int, *, sample_rate: int = DELIVERY_RATE_HZ, seed: int = 0
) -> np.ndarray:
    """Render one part of a score with the built-in synthesiser.

    Parameters
    ----------
    part : Part
        The notes (in beats), the instrument (a name of
        :data:`~sonics.music.synth.registry.INSTRUMENTS`), expression, pan and gain.
    tempo_map : TempoMap
        Converts the notes' beats to seconds.
    n_samples : int
        Length of the result (samples, >= 1): the picture's length; nothing sounds past it.
    sample_rate : int
        Samples per second (32000..192000).
    seed : int
        Seed of the variation (players' detunes, noise, round-robin picks); the same seed
        gives the same samples.

    Returns
    -------
    numpy.ndarray
        Shape ``(2, n_samples)``, float32, no sample above :data:`CEILING_DB`. Each note
        starts on sample ``round(tempo_map.beats_to_seconds(note.start_beat) * sample_rate)``.

    Raises
    ------
    ParameterError
        If the instrument is unknown or a length or rate is out of range.

    Examples
    --------
    >>> from sonics.core.score import Note
    >>> part = Part("cellos", "low_strings", 42, 0, notes=(Note(0.0, 1.0, 48),))
    >>> audio = render_part(part, TempoMap.constant(120.0), 48000)
    >>> audio.shape, audio.dtype.name, bool(audio[:, 0].any())  # the note sounds from sample 0
    ((2, 48000), 'float32', True)
    """
    _check_lengths(n_samples, sample_rate)
    instrument = instrument_for(part.instrument)
    out = np.zeros((2, int(n_samples)), dtype=np.float32)
    with steady_heap():  # strokes and their temporaries come and go by the hundred
        placed = _resolve(part, instrument, tempo_map, out.shape[1], sample_rate, seed)
        _render_into(out, part, placed, tempo_map, sample_rate, seed)
    return out


def _check_lengths(n_samples: int, sample_rate: int) -> None:
    """Raise ParameterError unless the stem has samples and the rate is one the instruments reach."""
    if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 1:
        raise ParameterError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    if not 32_000 <= sample_rate <= 192_000:  # the instruments' bodies and bells reach 12 kHz
        raise ParameterError(f"sample_rate must be in 32000..192000, got {sample_rate}")


def _stroke_lengths(placed: list[_Placed]) -> dict[tuple[int, str, int], int]:
    """Return each stroke's length (samples): the longest extent of the notes that play it."""
    lengths: dict[tuple[int, str, int], int] = {}
    for p in placed:
        key = (p.key, p.articulation.name, p.variant)
        lengths[key] = max(lengths.get(key, 0), p.extent)
    return lengths


def _cost_s(instrument: Instrument, placed: list[_Placed], sample_rate: int) -> float:
    """Return about how long a part takes to render (CPU s): its strokes, then placing its notes."""
    stroke_s = sum(_stroke_lengths(placed).values()) / sample_rate
    note_s = sum(p.extent for p in placed) / sample_rate
    return (instrument.render_ms_per_s * stroke_s + _PLACE_MS_PER_S * note_s) / 1000.0


def _render_into(
    out: np.ndarray, part: Part, placed: list[_Placed], tempo_map: TempoMap, sample_rate: int, seed: int
) -> None:
    """Render ``part``, resolved to ``placed``, into ``out`` (``(2, n_samples)`` float32, silent)."""
    instrument = instrument_for(part.instrument)
    lengths = _stroke_lengths(placed)
    left, right = _balance(part.pan)
    gain = db_to_gain(part.gain_db)
    channel_gains = np.array([[gain * left], [gain * right]], dtype=np.float32)
    dynamics = _dynamics(part, tempo_map, placed, sample_rate)
    # notes alike but for their onset (a repeated stab, a ride on every beat) share one blend
    alike = [_alike(p, level) for p, level in zip(placed, dynamics, strict=True)]
    uses = Counter(k for k in alike if k is not None)
    last_alike = {k: i for i, k in enumerate(alike) if uses.get(k, 0) > 1}
    first_alike: dict[tuple[object, ...], int] = {}
    for i, k in enumerate(alike):
        if k in last_alike:
            first_alike.setdefault(k, i)
    # a stroke is kept until the last note that reads it: a note like an earlier one reads the blend
    last_use = {
        (p.key, p.articulation.name, p.variant): i
        for i, (p, k) in enumerate(zip(placed, alike, strict=True))
        if k not in last_alike or first_alike[k] == i
    }
    blends: dict[tuple[object, ...], np.ndarray] = {}
    chord: dict[tuple[object, ...], Gains] = {}  # the last note's gains, for the next if it is alike
    longest = max((p.extent for p in placed), default=0)
    scratch = np.empty((2, 2, longest), dtype=np.float32)
    ramp = np.empty(-(-longest // _CONTROL_STEP) * _CONTROL_STEP, dtype=np.float32)
    strokes: dict[tuple[int, str, int], np.ndarray] = {}
    for i, (p, level, same) in enumerate(zip(placed, dynamics, alike, strict=True)):
        key = (p.key, p.articulation.name, p.variant)
        if key not in strokes and (same not in last_alike or same not in blends):
            rng = stage_rng(seed, f"music:{part.name}:{p.key}:{p.articulation.name}:{p.variant}")
            strokes[key] = instrument.render(p.key, p.articulation, lengths[key], rng, sample_rate)
            if not p.articulation.gated:  # a stroke that decays by itself ends on exactly 0
                n_end = min(lengths[key], round(END_FADE_S * sample_rate))
                strokes[key][..., lengths[key] - n_end :] *= _fall(n_end)
        start, stop = max(0, p.onset), min(out.shape[1], p.onset + p.extent)
        a, b = start - p.onset, stop - p.onset
        if same in last_alike:
            if same not in blends:  # the whole extent, once, for every note like it
                blend = np.empty((2, p.extent), dtype=np.float32)
                weights = _layer_weights(instrument.n_layers, level)
                gains = _note_gains(weights, _envelope(p, sample_rate), channel_gains, (0, p.extent))
                if not _blend(strokes[key], (0, p.extent), gains, scratch[1], blend):
                    blend[...] = 0.0
                blends[same] = blend
            out[:, start:stop] += blends[same][:, a:b]
            if i == last_alike[same]:
                del blends[same]
        else:
            timing = (p.onset, p.extent, p.gate, p.velocity, p.damped, p.articulation.name)
            if timing not in chord:  # the notes of a chord move alike: their gains are one
                if np.ndim(level):  # a moving level: its points to every sample
                    level = _ramp(level, p.extent, ramp)
                weights = _layer_weights(instrument.n_layers, level)
                chord.clear()
                chord[timing] = _note_gains(weights, _envelope(p, sample_rate), channel_gains, (a, b))
            mix = scratch[0, :, : b - a]
            if _blend(strokes[key], (a, b), chord[timing], scratch[1], mix):
                out[:, start:stop] += mix
        if i == last_use.get(key):
            del strokes[key]
    peak_limit(out, sample_rate, ceiling_db=CEILING_DB)
    n_fade = min(out.shape[1], round(END_FADE_S * sample_rate))
    out[:, out.shape[1] - n_fade :] *= np.cos(0.5 * np.pi * np.arange(1, n_fade + 1) / n_fade).astype(
        np.float32
    )


def render_score(
    score: Score,
    *,
    sample_rate: int = DELIVERY_RATE_HZ,
    seed: int = 0,
    workers: int = 2,
    on_progress: Progress | None = None,
) -> tuple[Stem, ...]:
    """Render every part of a score to its stem, exactly as long as the picture.

    The parts are shared out among ``workers`` processes (this one and forked helpers,
    :mod:`sonics.core.jobs`), the costliest first; a helper renders its parts straight
    into memory it shares with this process, so nothing is pickled back. Where processes
    cannot be forked (macOS, Windows, a daemonic worker) threads render them instead.

    Parameters
    ----------
    score : Score
        The cue: parts in beats on its tempo map.
    sample_rate : int
        Samples per second.
    seed : int
        Seed of the variation (each part draws from its own stream, by name).
    workers : int
        Parts rendered at once (>= 1); the samples do not depend on it.
    on_progress : callable, optional
        Called as ``on_progress("music", parts_done, n_parts)`` as parts finish.

    Returns
    -------
    tuple of Stem
        One ``music_<part.name>`` stem per part, role ``"music"``, in the score's order,
        each of shape ``(2, round(score.duration_s * sample_rate))``.

    Raises
    ------
    ParameterError
        If a part names an unknown instrument or ``workers < 1``.

    Examples
    --------
    >>> from sonics.core.score import Note
    >>> part = Part("drums", "taiko", 116, 9, notes=(Note(0.0, 0.5, 36),))
    >>> stems = render_score(Score(TempoMap.constant(140.0), (part,), duration_s=1.0))
    >>> [(s.name, s.role, s.n_samples) for s in stems]
    [('music_drums', 'music', 48000)]
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ParameterError(f"workers must be an integer >= 1, got {workers!r}")
    parts = score.parts
    instruments = [instrument_for(part.instrument) for part in parts]  # an unknown name fails first
    n_samples = round(score.duration_s * sample_rate)
    if parts:
        _check_lengths(n_samples, sample_rate)
    if on_progress is not None:
        on_progress("music", 0, len(parts))
    placed = [
        _resolve(part, instrument, score.tempo_map, n_samples, sample_rate, seed)
        for part, instrument in zip(parts, instruments, strict=True)
    ]
    # the costliest parts first (by their strokes' lengths and the instruments' cost), so that the
    # workers finish together: the last part taken is the cheapest
    costs = [_cost_s(instrument, p, sample_rate) for instrument, p in zip(instruments, placed, strict=True)]
    order = sorted(range(len(parts)), key=lambda i: -costs[i])
    processes = usable_processes(workers, len(parts))
    # a helper's stems go to memory this process shares with it (nothing is copied back); the
    # ones rendered here to its own memory, which costs less to fill than shared pages
    here = os.getpid()
    shared = [_shared_silence(n_samples) for _ in parts] if processes > 1 else []
    audio: dict[int, np.ndarray] = {}

    def job(k: int, tick: Callable[[], None]) -> None:
        i = order[k]
        out = np.zeros((2, n_samples), dtype=np.float32) if os.getpid() == here else shared[i]
        with steady_heap():  # (threads, where nothing forks: run_jobs keeps it otherwise)
            _render_into(out, parts[i], placed[i], score.tempo_map, sample_rate, seed)
        if os.getpid() == here:
            audio[i] = out

    if processes > 1 or workers == 1:
        for done, (k, _) in enumerate(run_jobs(len(order), job, processes=processes), start=1):
            if order[k] not in audio:  # a helper's, in the memory it shares with this process
                audio[order[k]] = shared[order[k]]
            if on_progress is not None:
                on_progress("music", done, len(parts))
    else:  # no forking here: threads, which numpy's long calls let run side by side
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(job, k, lambda: None) for k in range(len(order))]
            for done, future in enumerate(futures, start=1):
                future.result()
                if on_progress is not None:
                    on_progress("music", done, len(parts))
    return tuple(Stem(f"music_{part.name}", "music", audio[i], sample_rate) for i, part in enumerate(parts))


def _shared_silence(n_samples: int) -> np.ndarray:
    """Return a silent float32 ``(2, n_samples)`` array in memory that forked processes share."""
    memory = mmap.mmap(-1, 2 * n_samples * 4)  # anonymous, shared, zero-filled
    return np.frombuffer(memory, dtype=np.float32).reshape(2, n_samples)
