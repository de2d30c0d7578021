"""Ducking: where music and effect beds dip, and the gain curves that make them dip.

**Under speech.** The side-chain key is 1 inside the speech regions of the cut's own
audio and 0 elsewhere: the analysis's ``audio_regions`` of kind ``"speech"`` when an
analysis is given (they are already merged across the pauses between words), else the
regions :func:`sonics.analysis.activity.find_audio_regions` finds in the dialogue
signal. A :class:`~sonics.dsp.dynamics.Ducker` turns the key into a gain: down into the
dip with ``duck_attack_ms``, held ``duck_hold_ms`` past the end of the speech, back up
with ``duck_release_ms``. Music dips ``duck_depth_db``; effect beds (the stems named as
beds) dip ``duck_beds_depth_db``. Foreground sound that is not speech (the production's
own explosions, engines) does not duck anything.

**Under the biggest impacts.** The biggest impacts are the hit cues of the cue sheet on
a cut, impact, flash or last cut whose intensity is at least ``impact_min_intensity``
(every layer's; cues on one moment make one dip); with no cue sheet, the analysis's
impacts at least that strong. Music dips a further ``impact_duck_db`` from 25 ms before
each (a 5 ms attack, so the dip is complete when the transient lands) until
``impact_duck_ms`` after it, then releases with ``duck_release_ms``. The impact dip
adds to the speech dip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sonics.analysis.activity import find_audio_regions
from sonics.core.cues import CueKind, CueSheet
from sonics.core.model import Analysis
from sonics.dsp.dynamics import Ducker
from sonics.presets.schema import MixSettings

__all__ = ["IMPACT_EVENTS", "DuckCurves", "duck_curves", "impact_times", "spans_to_key", "speech_spans"]

IMPACT_EVENTS = frozenset({"cut", "impact", "flash", "last_cut"})
"""Cue events that can be one of the biggest impacts (transient moments, not beds or swells)."""

_IMPACT_ATTACK_MS = 5.0
_IMPACT_LEAD_S = 0.025  # 5 attack time constants: 99 % of the dip is in when the hit lands

Spans = tuple[tuple[float, float], ...]


def speech_spans(
    analysis: Analysis | None, dialogue: np.ndarray | None, sample_rate: int
) -> tuple[Spans, str]:
    """Return where the cut's own audio has speech, and where that was read from.

    Parameters
    ----------
    analysis : Analysis or None
        Its ``audio_regions`` of kind ``"speech"`` are used when given.
    dialogue : numpy.ndarray or None
        The cut's own audio, ``(channels, samples)``; searched for speech when there is
        no analysis.
    sample_rate : int
        Samples per second of ``dialogue``.

    Returns
    -------
    spans : tuple of (start_s, end_s)
        Sorted speech regions [s].
    source : str
        ``"analysis"``, ``"dialogue"`` or ``"none"``.
    """
    if analysis is not None:
        return tuple((r.start_s, r.end_s) for r in analysis.audio_regions if r.kind == "speech"), "analysis"
    if dialogue is not None and dialogue.shape[1] > 0:
        regions = find_audio_regions(dialogue, sample_rate)
        return tuple((r.start_s, r.end_s) for r in regions if r.kind == "speech"), "dialogue"
    return (), "none"


def impact_times(cues: CueSheet | None, analysis: Analysis | None, min_intensity: float) -> tuple[float, ...]:
    """Return the times [s] of the biggest impacts (see the module notes), sorted, distinct.

    Examples
    --------
    >>> from fractions import Fraction
    >>> from sonics.core.cues import Cue
    >>> sheet = CueSheet(4.0, 192000, Fraction(24), "demo", ("hit",), (
    ...     Cue(1.0, "hit", "impact", "hit", 0.95, 0.5, ""), Cue(2.0, "hit", "cut", "hit", 0.4, 0.5, "")))
    >>> impact_times(sheet, None, 0.85)
    (1.0,)
    """
    if cues is not None:
        times = {
            c.time_s
            for c in cues.cues
            if c.kind is CueKind.HIT and c.event in IMPACT_EVENTS and c.intensity >= min_intensity
        }
    elif analysis is not None:
        times = {i.time_s for i in analysis.impacts if i.strength >= min_intensity}
    else:
        times = set()
    return tuple(sorted(times))


def spans_to_key(spans_s: Sequence[tuple[float, float]], n_samples: int, sample_rate: int) -> np.ndarray:
    """Return a float32 side-chain key: 1 on ``[round(start * rate), round(end * rate))`` of each span.

    Examples
    --------
    >>> spans_to_key([(0.001, 0.002)], 5, 2000).tolist()
    [0.0, 0.0, 1.0, 1.0, 0.0]
    """
    key = np.zeros(n_samples, dtype=np.float32)
    for start_s, end_s in spans_s:
        a = min(n_samples, max(0, round(start_s * sample_rate)))
        b = min(n_samples, max(0, round(end_s * sample_rate)))
        key[a:b] = 1.0
    return key


@dataclass(frozen=True, slots=True, eq=False)
class DuckCurves:
    """Per-sample gains (dB, float32, shape ``(samples,)``) of the ducked parts of the mix.

    ``music_db`` is the music bus's: the speech dip plus the impact dip. ``beds_db`` is
    the effect beds'. Both are 0 where nothing ducks.
    """

    music_db: np.ndarray
    beds_db: np.ndarray


def duck_curves(
    n_samples: int,
    sample_rate: int,
    settings: MixSettings,
    *,
    speech_s: Spans = (),
    impacts_s: Sequence[float] = (),
) -> DuckCurves:
    """Return the music and bed gain curves for the speech regions and the biggest impacts.

    Parameters
    ----------
    n_samples : int
        Length of the mix.
    sample_rate : int
        Samples per second.
    settings : MixSettings
        ``duck_depth_db``, ``duck_beds_depth_db``, ``duck_attack_ms``,
        ``duck_release_ms``, ``duck_hold_ms``, ``impact_duck_db``, ``impact_duck_ms``.
    speech_s : tuple of (start_s, end_s)
        Speech regions [s].
    impacts_s : sequence of float
        Times of the biggest impacts [s].

    Returns
    -------
    DuckCurves

    Examples
    --------
    >>> curves = duck_curves(96000, 48000, MixSettings(duck_depth_db=-9.0), speech_s=((0.5, 1.5),))
    >>> round(float(curves.music_db[48000]), 2), float(curves.music_db[0])
    (-9.0, 0.0)
    """
    if speech_s:
        key = spans_to_key(speech_s, n_samples, sample_rate)
        # A ducker is homogeneous in its depth (hold and follower commute with scaling), so
        # one 1 dB dip scaled gives both the music's and the beds' curves.
        unit = Ducker(
            -1.0,
            attack_ms=settings.duck_attack_ms,
            release_ms=settings.duck_release_ms,
            hold_ms=settings.duck_hold_ms,
        ).gain_db(key, sample_rate)
        music_db = unit * -settings.duck_depth_db
        beds_db = unit * -settings.duck_beds_depth_db
    else:
        music_db = beds_db = np.zeros(n_samples, dtype=np.float32)
    if impacts_s and settings.impact_duck_db < 0.0 and settings.impact_duck_ms > 0.0:
        after_s = settings.impact_duck_ms / 1000.0
        key = spans_to_key([(t - _IMPACT_LEAD_S, t + after_s) for t in impacts_s], n_samples, sample_rate)
        dip = Ducker(
            settings.impact_duck_db,
            attack_ms=_IMPACT_ATTACK_MS,
            release_ms=settings.duck_release_ms,
            hold_ms=0.0,
        )
        music_db = music_db + dip.gain_db(key, sample_rate)
    return DuckCurves(music_db, beds_db)
