"""Arrange: write the battle cue for a picture, on its tempo map, as a :class:`~sonics.core.score.Score`.

The cue rises and falls with the picture and lands its accents on the cuts. The form
(:mod:`sonics.music.form`) cuts it into drone, ostinato and battle sections by the picture's
energy, and finds the hits, the biggest moment (silence before it, then the hit), the
risers and the sting on the last cut. Each instrument of the preset's palette is written by
its own writer (:mod:`~sonics.music.drums`, :mod:`~sonics.music.orchestra`,
:mod:`~sonics.music.soloists`) in the preset's key and mode, from one seeded motif and
seeded progressions; then every part is finished the same way (:mod:`sonics.music.writing`):
no note in the silence, none before the picture or after it, each stroke on a hit exactly
on it. The sustained parts get an expression curve (MIDI CC 11) that follows the energy,
swells through the risers and fades the sting's ring to nothing at the picture's last frame.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from sonics.core.model import Analysis, Hit
from sonics.core.rng import check_seed, stage_rng
from sonics.core.score import DRUM_CHANNEL, DRUM_INSTRUMENTS, Marker, Part, Score
from sonics.core.tempo import TempoMap
from sonics.music.drums import write_cymbals, write_taiko
from sonics.music.form import Form, plan_form
from sonics.music.melody import make_motif
from sonics.music.orchestra import write_brass, write_choir, write_high_strings, write_low_strings, write_pad
from sonics.music.scales import Scale
from sonics.music.soloists import write_dizi, write_koto, write_pipa
from sonics.music.writing import Context, Draft, finish_part, group_starts
from sonics.presets.schema import MusicSettings
from sonics.spotting import picture_length

__all__ = ["PART_MIX", "arrange"]

Writer = Callable[[Context, np.random.Generator], list[Draft]]

_WRITERS: dict[str, Writer] = {
    "taiko": write_taiko,
    "cymbals": write_cymbals,
    "low_strings": write_low_strings,
    "high_strings": write_high_strings,
    "brass": write_brass,
    "pad": write_pad,
    "choir": write_choir,
    "koto": write_koto,
    "pipa": write_pipa,
    "dizi": write_dizi,
}

PART_MIX: dict[str, tuple[float, float]] = {
    "taiko": (0.0, 0.0),
    "cymbals": (-5.0, 0.15),
    "low_strings": (-2.0, -0.15),
    "high_strings": (-6.0, 0.3),
    "brass": (-4.0, 0.1),
    "pad": (-9.0, 0.0),
    "choir": (-8.0, -0.25),
    "koto": (-6.0, -0.4),
    "pipa": (-6.0, 0.4),
    "dizi": (-7.0, 0.2),
}
"""Each instrument's level (dB) and pan (-1..1) in the music premix: a starting balance."""

_SWELLING = frozenset({"low_strings", "high_strings", "brass", "pad", "choir"})
_BASE_LEVEL = 0.55  # expression at energy 0; energy 1 reaches full
_RISER_DIP = 0.35  # a riser starts this soft (subito piano) and grows to full
_LEVEL_DIGITS = 4


def _melodic_channels() -> list[int]:
    return [c for c in range(16) if c != DRUM_CHANNEL]


def _expression(form: Form, name: str, unit: float, bar_beats: int) -> tuple[tuple[float, float], ...]:
    """Return a sustained part's CC 11 curve: the energy, swells through risers, the fade at the end."""
    points = [
        (max(bar.start_beat, form.start_beat), _BASE_LEVEL + (1 - _BASE_LEVEL) * bar.energy)
        for bar in form.bars
    ]
    if not points:
        points = [(form.start_beat, 1.0)]
    xs, ys = zip(*points, strict=True)

    def base(beat: float) -> float:
        return float(np.interp(beat, xs, ys))

    if name in _SWELLING:
        for riser in form.risers:
            points = [p for p in points if not riser.start_beat < p[0] <= riser.end_beat]
            dip = min(riser.start_beat + unit, riser.end_beat)
            points += [(riser.start_beat, base(riser.start_beat)), (dip, _RISER_DIP), (riser.end_beat, 1.0)]
            after = riser.end_beat + unit
            if after < form.body_end_beat:
                points.append((after, base(after)))
    if form.sting is not None:
        points = [p for p in points if p[0] < form.sting.beat] + [(form.sting.beat, 1.0)]
    else:
        fade_from = form.end_beat - min(float(bar_beats), 0.25 * (form.end_beat - form.start_beat))
        points = [p for p in points if p[0] < fade_from] + [(fade_from, base(fade_from))]
    points.append((form.end_beat, 0.0))
    points = sorted(
        (b, round(min(1.0, max(0.0, v)), _LEVEL_DIGITS))
        for b, v in points
        if form.start_beat <= b <= form.end_beat
    )
    merged: list[tuple[float, float]] = []
    for beat, level in points:
        if merged and abs(merged[-1][0] - beat) < 1e-9:
            merged[-1] = (beat, level)
        else:
            merged.append((beat, level))
    # Drop the inside points of flat stretches (the curve is linear between points).
    out = [
        p
        for i, p in enumerate(merged)
        if i in (0, len(merged) - 1) or not (merged[i - 1][1] == p[1] == merged[i + 1][1])
    ]
    return tuple(out)


def _markers(form: Form, tempo_map: TempoMap) -> list[Marker]:
    markers = [Marker(a.time_s, a.label) for a in form.accents]
    for section in form.sections:
        bar, _ = tempo_map.bar_and_beat(section.start_beat)
        time_s = max(0.0, float(tempo_map.beats_to_seconds(section.start_beat)))
        markers.append(Marker(time_s, f"{section.name} (bar {bar})"))
    return markers


def arrange(
    tempo_map: TempoMap,
    analysis: Analysis,
    *,
    settings: MusicSettings | None = None,
    hits: Iterable[Hit] | None = None,
    seed: int = 0,
) -> Score:
    """Write the cue for a picture on its tempo map: every part's notes, sections and markers.

    Parameters
    ----------
    tempo_map : TempoMap
        The score's tempo map; its ``hits`` are the moments the music lands on, unless
        ``hits`` is given.
    analysis : Analysis
        The picture: its length (the music ends exactly there), shots and motion (the
        sections), cuts (the sting on the last hard cut) and events (the hits' sizes).
    settings : MusicSettings, optional
        The preset's ``[music]`` table: key, mode, palette, and how the form is cut
        (defaults: :class:`~sonics.presets.schema.MusicSettings`).
    hits : iterable of Hit, optional
        Hits to land on instead of the map's (placed on it with ``sync_weight`` 0.8); when
        neither is given, the analysis's own hits.
    seed : int
        Seeds the variation: progressions, motif, drum pattern variants, humanisation.

    Returns
    -------
    Score
        One part per instrument of ``settings.parts``, named after it, on the General MIDI
        program ``settings.program(name)``, drums on :data:`~sonics.core.score.DRUM_CHANNEL`;
        sections covering the picture; markers at every hit (``"cut 48"``) and every
        section start (``"battle (bar 9)"``); its tempo map carries the hits. No note sounds
        before 0 s, after ``duration_s``, or in the silence before the biggest moment.

    Raises
    ------
    ParameterError
        If the seed is outside ``[0, 2**32 - 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from fractions import Fraction
    >>> from sonics.core.model import Cut, Picture
    >>> picture = Picture("cut.mp4", Fraction(24), 240, 320, 180, 10.0)
    >>> cuts = (Cut(48, 2.0), Cut(144, 6.0), Cut(216, 9.0))
    >>> analysis = Analysis(picture, np.arange(240) / 24, cuts, (), None)
    >>> score = arrange(TempoMap.constant(120.0), analysis, settings=MusicSettings(parts=["taiko", "brass"]))
    >>> [p.name for p in score.parts], score.parts[0].channel, score.markers[0].text
    (['taiko', 'brass'], 9, 'ostinato (bar 1)')
    """
    seed = check_seed(seed)
    settings = settings if settings is not None else MusicSettings()
    if hits is not None:
        tempo_map = tempo_map.with_hits(hits)
    elif not tempo_map.hits:
        tempo_map = tempo_map.with_hits(analysis.hits())
    duration_s, _ = picture_length(analysis.picture)
    form = plan_form(tempo_map, analysis, tempo_map.hits, settings, stage_rng(seed, "music:form"))
    scale = Scale(settings.key, settings.mode)
    bar_units, groups = group_starts(tempo_map.numerator, tempo_map.denominator)
    unit = tempo_map.denominator / 16.0
    motif = make_motif(scale, bar_units, stage_rng(seed, "music:motif"))
    ctx = Context(form, scale, settings, tempo_map, unit, bar_units, groups, motif)
    channels = iter(_melodic_channels())
    parts = []
    for name in settings.parts:
        drums = name in DRUM_INSTRUMENTS
        drafts = _WRITERS[name](ctx, stage_rng(seed, f"music:{name}"))
        notes = finish_part(drafts, ctx, stage_rng(seed, f"music:{name}:humanise"))
        gain_db, pan = PART_MIX[name]
        parts.append(
            Part(
                name=name,
                instrument=name,
                program=settings.program(name),
                channel=DRUM_CHANNEL if drums else next(channels),
                notes=notes,
                expression=() if drums else _expression(form, name, unit, tempo_map.bar_beats),
                gain_db=gain_db,
                pan=pan,
            )
        )
    return Score(
        tempo_map=tempo_map,
        parts=tuple(parts),
        duration_s=duration_s,
        key=settings.key,
        mode=settings.mode,
        sections=form.sections,
        markers=tuple(_markers(form, tempo_map)),
        seed=seed,
    )
