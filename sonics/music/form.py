"""The form of the cue: bars and sections that follow the picture, and the moments it must hit.

The picture's *energy* (0..1) at each frame is 0.8 x its shot's intensity (calm 0.2, tension
0.55, battle 1, as spotting weighs them) + 0.2 x its motion, or whichever of the two the
analysis has. Each bar takes the mean over its frames, times ``intensity_scale``, and picks a
level: *drone* below 0.4, *ostinato* below 0.75, *battle* above. Runs of one level shorter
than ``min_section_bars`` join the neighbour closer in energy, so the music builds and falls
with the picture in phrases, not bar by bar.

The hits come from the tempo map (or are placed on it): each is an :class:`Accent`, sized
by spotting's weight of the same moment (the biggest cut of a picture weighs 1) so the
music and the effects agree on the *biggest moment*: the heaviest cut or impact. Before it
the music drops out for ``silence_before_biggest_s``; the last hard cut gets the sting and
the music after it is the *coda*, ringing out to the end of the picture; the biggest sync
hits get risers ``riser_beats`` long.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from sonics.core.model import Analysis, CutKind, ShotIntensity
from sonics.core.score import Section
from sonics.core.tempo import TempoHit, TempoMap
from sonics.music.harmony import choose_progression
from sonics.presets.schema import MusicSettings, SpottingSettings
from sonics.spotting import picture_length
from sonics.spotting.events import SHOT_LEVELS, EventKind, find_events, keep_apart

__all__ = ["LEVELS", "Accent", "Bar", "Form", "Riser", "picture_energy", "plan_form"]

LEVELS = ("drone", "ostinato", "battle")
"""The section levels, calmest first; a bar's ``level`` indexes this."""

_LEVEL_FROM = (0.4, 0.75)  # energy where ostinato, then battle, begin
_SHOT_SHARE = 0.8  # of the energy, when both shots and motion are known
_NO_PICTURE_ENERGY = SHOT_LEVELS[ShotIntensity.TENSION]  # an analysis with neither
_EPS_BEATS = 1e-6
_HIT_KINDS = {
    "cut": {EventKind.CUT, EventKind.TRANSITION},
    "impact": {EventKind.IMPACT},
    "flash": {EventKind.FLASH},
}
_BIG_KINDS = ("cut", "impact")
_LEVEL_FROM_MID = (0.2, 0.575, 0.875)  # the middle of each level's energy band


@dataclass(frozen=True, slots=True)
class Accent:
    """A hit the music lands on: where (beat and seconds), how big (0..1), and what it is.

    ``sync`` hits get the full accent (brass stab, cymbal, big drum); ``label`` is the
    marker text (``"cut 48"``, ``"impact 120"``).
    """

    beat: float
    time_s: float
    size: float
    sync: bool
    kind: str
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of the body of the cue.

    ``start_beat`` is its downbeat (``index * beats per bar``; the first bar may begin
    before the picture does); ``level`` indexes :data:`LEVELS`; ``energy`` is the picture's
    in 0..1; ``run_bar`` counts the bars since its level's run began, ``run_bars`` is the
    run's length; ``next_level`` is the level of the run after it (-1 at the end); ``chord``
    the scale degree of its chord's root.
    """

    index: int
    start_beat: float
    end_beat: float
    level: int
    energy: float
    run_bar: int
    run_bars: int
    next_level: int
    chord: int

    @property
    def is_run_end(self) -> bool:
        """True for the last bar of its level's run."""
        return self.run_bar == self.run_bars - 1


@dataclass(frozen=True, slots=True)
class Riser:
    """A build from ``start_beat`` to ``end_beat`` into ``target`` (which may sit after a silence)."""

    start_beat: float
    end_beat: float
    target: Accent


@dataclass(frozen=True, slots=True)
class Form:
    """The plan the parts are written on.

    Parameters
    ----------
    start_beat, end_beat : float
        The picture's first and last instant, in beats: the music sounds only between them.
    body_end_beat : float
        Where the bars end and the coda begins (the sting), or ``end_beat``.
    bars : tuple of Bar
        The bars of the body, in order.
    sections : tuple of Section
        Contiguous from ``start_beat`` to ``end_beat``: the level runs, the ``silence`` and
        the ``coda``.
    accents : tuple of Accent
        Every hit inside the picture, in time order.
    biggest : Accent or None
        The biggest moment (the heaviest cut or impact, the earlier on a tie).
    silence : tuple of float or None
        ``(start_beat, end_beat)`` of the silence before the biggest moment.
    sting : Accent or None
        The last hard cut, when the settings ask for a sting.
    risers : tuple of Riser
        The builds into the biggest sync hits, in time order.
    """

    start_beat: float
    end_beat: float
    body_end_beat: float
    bars: tuple[Bar, ...]
    sections: tuple[Section, ...]
    accents: tuple[Accent, ...]
    biggest: Accent | None
    silence: tuple[float, float] | None
    sting: Accent | None
    risers: tuple[Riser, ...]

    def bar_at(self, beat: float) -> Bar | None:
        """Return the bar holding ``beat``, or None outside the body."""
        for bar in self.bars:
            if bar.start_beat - _EPS_BEATS <= beat < bar.end_beat - _EPS_BEATS:
                return bar
        return None

    def energy_at(self, beat: float) -> float:
        """Return the energy of the bar at ``beat`` (the sting's bar's after the body)."""
        bar = self.bar_at(beat)
        if bar is None:
            return self.bars[-1].energy if self.bars else _NO_PICTURE_ENERGY
        return bar.energy

    def level_at(self, beat: float) -> int:
        """Return the level of the bar at ``beat`` (battle after the body: the sting rings full)."""
        bar = self.bar_at(beat)
        return bar.level if bar is not None else len(LEVELS) - 1


def picture_energy(analysis: Analysis) -> tuple[np.ndarray, np.ndarray]:
    """Return each frame's start time [s] and the picture's energy there (0..1).

    Energy is ``0.8 * shot level + 0.2 * motion`` with shot levels calm 0.2, tension 0.55,
    battle 1; the shot level alone without a motion envelope, the motion alone without
    shots, and 0.55 throughout with neither.

    Parameters
    ----------
    analysis : Analysis
        The picture's shots and motion envelope.

    Returns
    -------
    times_s : ndarray of float64, shape (n_frames,)
    energy : ndarray of float64, shape (n_frames,)

    Examples
    --------
    >>> from fractions import Fraction
    >>> from sonics.core.model import Picture, Shot
    >>> picture = Picture("cut.mp4", Fraction(24), 48, 320, 180, 2.0)
    >>> shots = (Shot(0, 0, 24, 0.0, 1.0, 0.1, 30.0, "calm"), Shot(1, 24, 48, 1.0, 2.0, 0.9, 30.0, "battle"))
    >>> times, energy = picture_energy(Analysis(picture, np.arange(48) / 24, (), shots, None))
    >>> float(energy[0]), float(energy[47])
    (0.2, 1.0)
    """
    picture = analysis.picture
    n = picture.n_frames
    times = np.asarray(analysis.frame_times_s, dtype=np.float64)
    if len(times) != n:
        times = np.arange(n, dtype=np.float64) / float(picture.frame_rate)
    shot = None
    if analysis.shots:
        shot = np.full(n, SHOT_LEVELS[ShotIntensity.CALM])
        for s in analysis.shots:
            shot[max(s.start_frame, 0) : max(s.end_frame, 0)] = SHOT_LEVELS[s.intensity]
    motion = None
    if analysis.motion is not None and len(analysis.motion.values) == n:
        motion = np.clip(np.asarray(analysis.motion.values, dtype=np.float64), 0.0, 1.0)
    if shot is not None and motion is not None:
        energy = _SHOT_SHARE * shot + (1.0 - _SHOT_SHARE) * motion
    elif shot is not None:
        energy = shot
    elif motion is not None:
        energy = motion
    else:
        energy = np.full(n, _NO_PICTURE_ENERGY)
    return times, energy


def _bar_energies(tempo_map: TempoMap, analysis: Analysis, edges: np.ndarray) -> np.ndarray:
    times, energy = picture_energy(analysis)
    if len(energy) == 0:
        return np.full(len(edges) - 1, _NO_PICTURE_ENERGY)
    sums = np.concatenate([[0.0], np.cumsum(energy)])
    at = np.searchsorted(times, np.asarray(tempo_map.beats_to_seconds(edges)), side="left")
    lo, hi = at[:-1], at[1:]
    single = energy[np.clip(lo, 0, len(energy) - 1)]
    span = np.maximum(hi - lo, 1)
    return np.where(hi > lo, (sums[hi] - sums[lo]) / span, single)


def _level(energy: float) -> int:
    return sum(energy >= edge for edge in _LEVEL_FROM)


def _merge_short_runs(levels: list[int], energies: np.ndarray, min_bars: int) -> list[int]:
    """Return the bar levels with runs shorter than ``min_bars`` joined to a neighbour."""
    runs = [[lv, 1] for lv in levels[:1]]
    for lv in levels[1:]:
        if lv == runs[-1][0]:
            runs[-1][1] += 1
        else:
            runs.append([lv, 1])
    while len(runs) > 1:
        short = [i for i, (_, n) in enumerate(runs) if n < min_bars]
        if not short:
            break
        i = min(short, key=lambda k: (runs[k][1], k))
        start = sum(n for _, n in runs[:i])
        mean = float(np.mean(energies[start : start + runs[i][1]]))
        neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(runs)]
        j = min(neighbours, key=lambda k: (abs(_LEVEL_FROM_MID[runs[k][0]] - mean), k))
        runs[j][1] += runs[i][1]
        del runs[i]
        merged: list[list[int]] = []
        for run in runs:
            if merged and merged[-1][0] == run[0]:
                merged[-1][1] += run[1]
            else:
                merged.append(run)
        runs = merged
    return [lv for lv, n in runs for _ in range(n)]


def _accents(
    tempo_map: TempoMap, analysis: Analysis, hits: tuple[TempoHit, ...], end_s: float
) -> list[Accent]:
    # Cut and impact weights do not depend on the spotting settings: any settings give spotting's sizes.
    events = find_events(analysis, SpottingSettings())
    half_frame_s = 0.5 / float(analysis.picture.frame_rate)
    accents = []
    for hit in hits:
        if not 0.0 <= hit.time_s < end_s:
            continue
        kind, _, rest = hit.source.partition(":")
        kinds = _HIT_KINDS.get(kind)
        sizes = [
            e.weight
            for e in events
            if abs(e.time_s - hit.time_s) <= half_frame_s and (kinds is None or e.event in kinds)
        ]
        size = max(sizes) if sizes else hit.weight
        label = f"{kind} {rest}" if rest else hit.source
        accents.append(Accent(hit.beat, hit.time_s, min(1.0, max(0.0, size)), hit.sync, kind, label))
    return sorted(accents, key=lambda a: (a.time_s, a.label))


def _sting(tempo_map: TempoMap, analysis: Analysis, accents: list[Accent], end_s: float) -> Accent | None:
    hard = [c for c in analysis.cuts if c.kind is CutKind.HARD and 0.0 < c.time_s < end_s]
    if not hard:
        return None
    last = max(hard, key=lambda c: c.time_s)
    half_frame_s = 0.5 / float(analysis.picture.frame_rate)
    for accent in accents:
        if accent.kind == "cut" and abs(accent.time_s - last.time_s) <= half_frame_s:
            return accent
    beat = float(tempo_map.seconds_to_beats(last.time_s))
    return Accent(beat, last.time_s, 1.0, True, "cut", f"cut {last.frame}")


def _splice(sections: list[Section], new: Section) -> list[Section]:
    """Return ``sections`` with ``new`` laid over them (what it covers is cut away)."""
    out = []
    for s in sections:
        if s.end_beat <= new.start_beat + _EPS_BEATS or s.start_beat >= new.end_beat - _EPS_BEATS:
            out.append(s)
            continue
        if new.start_beat - s.start_beat > _EPS_BEATS:
            out.append(replace(s, end_beat=new.start_beat))
        if s.end_beat - new.end_beat > _EPS_BEATS:
            out.append(replace(s, start_beat=new.end_beat))
    out.append(new)
    return sorted(out, key=lambda s: s.start_beat)


def _risers(
    accents: list[Accent],
    biggest: Accent | None,
    silence: tuple[float, float] | None,
    start_beat: float,
    settings: MusicSettings,
) -> tuple[Riser, ...]:
    length = float(settings.riser_beats)
    if length <= 0:
        return ()
    candidates = [
        a for a in accents if a.sync and a.size >= settings.riser_min_weight and a.kind in _BIG_KINDS
    ]
    if biggest is not None and biggest not in candidates:
        candidates.append(biggest)
    kept = keep_apart([a.beat for a in candidates], [a.size for a in candidates], length)
    risers = []
    for i in kept:
        target = candidates[i]
        end = silence[0] if target is biggest and silence is not None else target.beat
        start = max(end - length, start_beat)
        if end - start >= min(1.0, length) - _EPS_BEATS:
            risers.append(Riser(start, end, target))
    return tuple(risers)


def plan_form(
    tempo_map: TempoMap,
    analysis: Analysis,
    hits: tuple[TempoHit, ...],
    settings: MusicSettings,
    rng: np.random.Generator,
) -> Form:
    """Plan the cue: bars, levels and chords, sections, the accents and the biggest moment.

    Parameters
    ----------
    tempo_map : TempoMap
        The score's tempo map (bars are ``numerator`` beats from beat 0).
    analysis : Analysis
        The picture: its length, shots, motion, cuts and spotting's weights of its events.
    hits : tuple of TempoHit
        The hits placed on ``tempo_map``; those inside the picture become accents.
    settings : MusicSettings
        ``intensity_scale``, ``min_section_bars``, ``silence_before_biggest_s``, ``sting``,
        ``riser_beats``, ``riser_min_weight`` and ``mode`` (for the progressions).
    rng : numpy.random.Generator
        Draws each run's progression.

    Returns
    -------
    Form
        The plan (see :class:`Form`).
    """
    duration_s, _ = picture_length(analysis.picture)
    start = float(tempo_map.seconds_to_beats(0.0))
    end = float(tempo_map.seconds_to_beats(duration_s))
    accents = _accents(tempo_map, analysis, hits, duration_s)
    sting = _sting(tempo_map, analysis, accents, duration_s) if settings.sting else None
    body_end = sting.beat if sting is not None else end
    per_bar = tempo_map.bar_beats
    first = math.floor(start / per_bar + _EPS_BEATS)
    n_bars = max(0, math.ceil(body_end / per_bar - _EPS_BEATS) - first)
    downbeats = (first + np.arange(n_bars + 1)) * float(per_bar)
    edges = np.clip(downbeats, start, body_end)
    energies = np.clip(_bar_energies(tempo_map, analysis, edges) * settings.intensity_scale, 0.0, 1.0)
    levels = _merge_short_runs([_level(e) for e in energies], energies, settings.min_section_bars)

    bars: list[Bar] = []
    sections: list[Section] = []
    i = 0
    while i < n_bars:
        j = i
        while j < n_bars and levels[j] == levels[i]:
            j += 1
        progression = choose_progression(settings.mode, rng)
        slow = 2 if levels[i] == 0 else 1
        for k in range(i, j):
            run_bar = k - i
            chord = progression[(run_bar // slow) % len(progression)]
            bars.append(
                Bar(first + k, float(downbeats[k]), float(downbeats[k + 1]), levels[i], float(energies[k]),
                    run_bar, j - i, levels[j] if j < n_bars else -1, chord)
            )  # fmt: skip
        sections.append(
            Section(LEVELS[levels[i]], float(edges[i]), float(edges[j]), float(np.mean(energies[i:j])))
        )
        i = j

    biggest = None
    big = [a for a in accents if a.kind in _BIG_KINDS]
    if big:
        biggest = min(big, key=lambda a: (-a.size, a.time_s))
    silence = None
    if biggest is not None and settings.silence_before_biggest_s > 0:
        lo = float(tempo_map.seconds_to_beats(max(0.0, biggest.time_s - settings.silence_before_biggest_s)))
        if sting is not None and lo <= sting.beat < biggest.beat:
            lo = sting.beat + 0.25
        if biggest.beat - lo > _EPS_BEATS:
            silence = (lo, biggest.beat)
    if sting is not None and end - sting.beat > _EPS_BEATS:
        sections = _splice(sections, Section("coda", sting.beat, end, float(energies[-1]) if n_bars else 1.0))
    if silence is not None:
        sections = _splice(sections, Section("silence", silence[0], silence[1], 0.0))
    risers = _risers(accents, biggest, silence, start, settings)
    return Form(
        start, end, body_end, tuple(bars), tuple(sections), tuple(accents), biggest, silence, sting, risers
    )
