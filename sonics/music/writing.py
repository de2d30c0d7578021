"""What a part writer works with: draft notes, the writing context, and the passes that finish a part.

A writer returns :class:`Draft` notes: beats, a MIDI key and a dynamic level 0..1. Drafts
written *on purpose* (``fixed``: accents on hits, risers, the sting and its ring) stay where
they are; pattern drafts (bar patterns, ostinatos, lines) are cut at the end of the body,
give way to a fixed draft that starts within half a grid step of them (no flams), and are
humanised. Then every draft obeys the form: nothing sounds in the silence before the biggest
moment, nothing before the picture starts or after it ends, and a key never overlaps itself
(a repeated key cuts the one before it, so a synthesiser or a MIDI note-off never ends
the wrong note).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from sonics.core.score import Note
from sonics.core.tempo import TempoMap
from sonics.music.form import Accent, Bar, Form, Riser
from sonics.music.melody import Motif
from sonics.music.scales import Scale
from sonics.presets.schema import MusicSettings

__all__ = ["Context", "Draft", "clip_level", "finish_part", "group_starts", "velocity"]

_MIN_BEATS = 1.0 / 64.0  # a note cut shorter than this is dropped
_EPS_BEATS = 1e-6


class Draft(NamedTuple):
    """A note being written: onset and length in beats, MIDI key, level 0..1, placed on purpose or not."""

    start: float
    duration: float
    pitch: int
    level: float
    fixed: bool = False

    @property
    def end(self) -> float:
        """Where it ends, in beats."""
        return self.start + self.duration


def velocity(level: float) -> int:
    """Return the MIDI velocity of a dynamic level 0..1 (0: ppp at 16, 1: fff at 127)."""
    return int(min(127, max(1, round(16 + 111 * min(1.0, max(0.0, level))))))


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a part writer reads: the form, the scale, the settings, the grid and the motif.

    ``unit`` is the grid step in beats (a sixteenth note: ``denominator / 16``);
    ``bar_units`` counts them in a bar; ``groups`` are the units where the bar's groups of
    eighths start (3+3+2 in 4/4, the accents of an epic ostinato).
    """

    form: Form
    scale: Scale
    settings: MusicSettings
    tempo_map: TempoMap
    unit: float
    bar_units: int
    groups: tuple[int, ...]
    motif: Motif

    def chord_at(self, beat: float) -> int:
        """Return the scale degree of the chord root at ``beat`` (the tonic outside the body)."""
        bar = self.form.bar_at(beat) if beat < self.form.body_end_beat - _EPS_BEATS else None
        return bar.chord if bar is not None else 0

    def hits(self) -> list[Accent]:
        """Return the accents the parts strike: the sync hits and the biggest moment, but not the sting's cut.

        The sting sounds on the last cut itself, so its accent is not struck twice. None when
        the settings turn ``accents`` off.
        """
        form = self.form
        if not self.settings.accents:
            return []
        return [a for a in form.accents if (a.sync or a is form.biggest) and a is not form.sting]

    def other_hits(self) -> list[Accent]:
        """Return the heavy hits that are not sync hits, for drum accents (``accent_min_weight``)."""
        form = self.form
        if not self.settings.accents:
            return []
        return [
            a
            for a in form.accents
            if not a.sync and a is not form.biggest and a is not form.sting
            and a.size >= self.settings.accent_min_weight
        ]  # fmt: skip

    def without_risers(self, drafts: list[Draft]) -> list[Draft]:
        """Return ``drafts`` with what would sound inside a riser removed (notes held into one are cut)."""
        out = []
        for d in drafts:
            if self.riser_at(d.start) is not None:
                continue
            ahead = [r.start_beat for r in self.form.risers if d.start < r.start_beat < d.end]
            cut = _cut(d, min(ahead)) if ahead else d
            if cut is not None:
                out.append(cut)
        return out

    def riser_at(self, beat: float) -> Riser | None:
        """Return the riser sounding at ``beat``, if any."""
        for riser in self.form.risers:
            if riser.start_beat - _EPS_BEATS <= beat < riser.end_beat - _EPS_BEATS:
                return riser
        return None

    def hit_level(self, beat: float, size: float) -> float:
        """Return how loud an accent of ``size`` plays at ``beat``: with the section's level and energy."""
        bar = self.form.bar_at(beat)
        energy = self.form.energy_at(beat)
        level = bar.level if bar is not None else 2
        return min(1.0, 0.45 + 0.15 * level + 0.2 * energy + 0.15 * size)

    def at(self, bar: Bar, unit: int) -> float:
        """Return the beat of grid step ``unit`` of ``bar``."""
        return bar.start_beat + unit * self.unit

    def eighths(self) -> range:
        """Return the units of the bar's eighth notes."""
        return range(0, self.bar_units, 2)


def _eighth_groups(n_eighths: int, numerator: int) -> tuple[int, ...]:
    """Return the sizes of the bar's groups of eighths: 3+3+2 in 4/4, 3+3 in 6/8, 2+2+2 in 3/4."""
    if n_eighths <= 3:
        return (n_eighths,)
    if n_eighths == 6 and numerator == 3:
        return (2, 2, 2)
    threes, rest = divmod(n_eighths, 3)
    if rest == 1:
        threes, rest = threes - 1, 4
    return (3,) * threes + ((2,) * (rest // 2))


def group_starts(numerator: int, denominator: int) -> tuple[int, tuple[int, ...]]:
    """Return the grid steps (sixteenths) in a bar and the steps where its groups of eighths start.

    Examples
    --------
    >>> group_starts(4, 4)
    (16, (0, 6, 12))
    >>> group_starts(6, 8)
    (12, (0, 6))
    """
    bar_units = max(1, round(numerator * 16 / denominator))
    sizes = _eighth_groups(max(1, bar_units // 2), numerator)
    starts = np.cumsum((0, *sizes[:-1])) * 2
    return bar_units, tuple(int(s) for s in starts if s < bar_units)


def _humanise(drafts: list[Draft], ctx: Context, rng: np.random.Generator) -> list[Draft]:
    shift_s = ctx.settings.humanize_ms / 1000.0
    if shift_s <= 0 or not drafts:
        return drafts
    starts = np.array([d.start for d in drafts])
    bpm = np.atleast_1d(ctx.tempo_map.bpm_at(np.atleast_1d(ctx.tempo_map.beats_to_seconds(starts))))
    shifts = rng.uniform(-1.0, 1.0, len(drafts)) * shift_s * bpm / 60.0
    lo, hi = ctx.form.start_beat, ctx.form.body_end_beat - _MIN_BEATS
    quiet = ctx.form.silence or (hi, hi)
    out = []
    for d, shift in zip(drafts, shifts.tolist(), strict=True):
        start = d.start + shift
        moved_out = not lo <= start < hi or (quiet[0] <= start < quiet[1]) != (quiet[0] <= d.start < quiet[1])
        if d.fixed or moved_out or d.duration - shift < _MIN_BEATS:
            out.append(d)  # a note at an edge of the picture or of the silence keeps its place
        else:
            out.append(d._replace(start=start, duration=d.duration - shift))
    return out


def _cut(draft: Draft, end: float) -> Draft | None:
    if draft.end <= end:
        return draft
    if end - draft.start < _MIN_BEATS:
        return None
    return draft._replace(duration=end - draft.start)


def _obey_form(drafts: Iterable[Draft], form: Form) -> list[Draft]:
    out = []
    for d in drafts:
        if d.start < form.start_beat - _EPS_BEATS or d.start >= form.end_beat - _MIN_BEATS:
            continue
        if form.silence is not None:
            lo, hi = form.silence
            if lo - _EPS_BEATS <= d.start < hi - _EPS_BEATS:
                continue
            if d.start < lo:
                d = _cut(d, lo)
                if d is None:
                    continue
        cut = _cut(d, form.end_beat)
        if cut is not None:
            out.append(cut)
    return out


def _no_self_overlap(drafts: list[Draft]) -> list[Draft]:
    by_pitch: dict[int, list[Draft]] = {}
    for d in sorted(drafts, key=lambda d: (d.start, -d.level, not d.fixed)):
        same = by_pitch.setdefault(d.pitch, [])
        if same and abs(same[-1].start - d.start) < _MIN_BEATS:
            continue  # the louder of two strikes of one key at one moment
        if same and same[-1].end > d.start:
            cut = _cut(same[-1], d.start)
            if cut is None:
                same.pop()
            else:
                same[-1] = cut
        same.append(d)
    return [d for notes in by_pitch.values() for d in notes]


def finish_part(drafts: Iterable[Draft], ctx: Context, rng: np.random.Generator) -> tuple[Note, ...]:
    """Return a part's notes from its drafts, in the form's bounds, humanised, without self-overlaps.

    Parameters
    ----------
    drafts : iterable of Draft
        Everything the part's writer wrote.
    ctx : Context
        The form (body end, silence, picture bounds) and the humanisation settings.
    rng : numpy.random.Generator
        The part's own stream: onset shifts of pattern notes and velocity changes.

    Returns
    -------
    tuple of Note
        Sorted by start beat, then key.
    """
    drafts = list(drafts)
    fixed = [d for d in drafts if d.fixed]
    pattern = [d for d in drafts if not d.fixed and d.start < ctx.form.body_end_beat - _MIN_BEATS]
    if fixed and pattern:
        # A pattern note within half a grid step of a note placed on purpose gives way to it.
        marks = np.sort(np.array([d.start for d in fixed]))
        starts = np.array([d.start for d in pattern])
        i = np.searchsorted(marks, starts)
        left, right = marks[np.maximum(i - 1, 0)], marks[np.minimum(i, len(marks) - 1)]
        gap = np.minimum(np.abs(starts - left), np.abs(right - starts))
        pattern = [d for d, g in zip(pattern, gap.tolist(), strict=True) if g >= 0.5 * ctx.unit - _EPS_BEATS]
    pattern = [c for c in (_cut(d, ctx.form.body_end_beat) for d in pattern) if c is not None]
    kept = _no_self_overlap(
        _obey_form([*_humanise(pattern, ctx, rng), *(d for d in drafts if d.fixed)], ctx.form)
    )
    kept.sort(key=lambda d: (d.start, d.pitch))
    spread = ctx.settings.humanize_velocity
    jitter = rng.integers(-spread, spread, len(kept), endpoint=True) if spread else np.zeros(len(kept), int)
    return tuple(
        Note(
            float(d.start),
            float(d.duration),
            int(d.pitch),
            velocity(d.level) if d.fixed else int(min(127, max(1, velocity(d.level) + int(j)))),
        )
        for d, j in zip(kept, jitter, strict=True)
    )


def clip_level(x: float) -> float:
    """Return ``x`` clipped to a dynamic level, 0..1."""
    return min(1.0, max(0.0, x))
