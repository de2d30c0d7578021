"""Fit a track held in memory to a picture's length and hits: arrays in, arrays out.

:func:`fit_track` is what ``sonics fit-music`` runs once the files are read, and what a
scoring run calls to put an editor's own track in place of the generated score: it returns
the fitted audio, its tempo map and the edit list, and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ
from sonics.core.errors import MediaError, ParameterError
from sonics.core.model import Hit
from sonics.core.tempo import TempoMap
from sonics.dsp.resample import resample
from sonics.dsp.stretch import find_transients
from sonics.music.beats import BeatTrack, track_beats
from sonics.music.edit import FitEdit
from sonics.music.fit import FitOptions, hits_on_beats, plan_fit, plan_length_fit, source_tempo_map
from sonics.music.render import render_fit
from sonics.music.sections import bar_features, bar_similarity, find_sections

__all__ = ["FittedTrack", "fit_track", "to_stereo"]

SILENT_PEAK = 1e-5
"""A track whose peak is below this (-100 dBFS) is silent."""
MIN_TRACK_S = 1.0
"""Shortest track that can be fitted [s]."""


@dataclass(frozen=True, slots=True, eq=False)
class FittedTrack:
    """A track fitted to a picture.

    Attributes
    ----------
    audio : ndarray, float32, shape (2, n_samples)
        The fitted track at ``sample_rate``, exactly the picture's length.
    sample_rate : int
        48 000 Hz.
    tempo_map : TempoMap
        The fitted track's beats, with the picture's hits placed on them.
    edit : FitEdit
        What was played where (the ``fit.json`` document, with the before/after report).
    beats : BeatTrack
        The source's beat grid as tracked.
    """

    audio: np.ndarray
    sample_rate: int
    tempo_map: TempoMap
    edit: FitEdit
    beats: BeatTrack

    @property
    def notes(self) -> tuple[str, ...]:
        """What the fit had to do that an editor should know (loops, fallbacks, trims)."""
        return tuple(self.edit.info.get("notes", ()))

    @property
    def report(self) -> dict[str, Any]:
        """Hits on beats before (the track as it is, from the first frame) and after the fit."""
        return dict(self.edit.info.get("report", {}))


def to_stereo(audio: np.ndarray) -> np.ndarray:
    """Return ``(2, n)`` float32: mono doubled, stereo kept, more channels folded (even left, odd right).

    Examples
    --------
    >>> to_stereo(np.ones((1, 4), np.float32)).shape
    (2, 4)
    """
    x = np.asarray(audio, dtype=np.float32)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    if x.shape[0] == 1:
        return np.repeat(x, 2, axis=0)
    if x.shape[0] == 2:
        return x
    return np.stack([x[0::2].mean(axis=0), x[1::2].mean(axis=0)]).astype(np.float32)


def fit_track(
    audio: np.ndarray,
    sample_rate: int,
    hits: tuple[Hit, ...],
    *,
    n_samples: int,
    frame_rate: Fraction,
    options: FitOptions | None = None,
    meter: int | None = None,
    name: str = "track",
) -> FittedTrack:
    """Fit a track to a picture: its length to the sample, its beats onto the picture's hits.

    Parameters
    ----------
    audio : numpy.ndarray
        The track, shape ``(channels, samples)`` or ``(samples,)``, any rate.
    sample_rate : int
        Rate of ``audio`` [Hz]; it is resampled to 48 kHz (polyphase, exact ratio).
    hits : tuple of Hit
        The picture's hits (:meth:`sonics.Analysis.hits`), seconds from its first frame.
    n_samples : int >= 1
        The picture's length at 48 kHz [samples].
    frame_rate : Fraction
        The picture's frame rate.
    options : FitOptions, optional
        Stretch limit, tolerances, crossfades.
    meter : int, optional
        Beats per bar of the track; found from its accents when omitted.
    name : str
        How to call the track in messages (its file name).

    Returns
    -------
    FittedTrack
        The fitted 48 kHz stereo audio, its tempo map and the edit list. A track without a
        steady beat is fitted by length alone, and its notes say so.

    Raises
    ------
    MediaError
        If the track is silent or shorter than a second.
    ParameterError
        If a length or an option is out of range.

    Examples
    --------
    >>> from sonics.testing.music import band_track
    >>> truth = band_track(bpm=120.0, form="AB", bars_per_section=2)
    >>> fitted = fit_track(truth.audio, 48000, (), n_samples=576000, frame_rate=24)  # doctest: +SKIP
    >>> fitted.audio.shape  # doctest: +SKIP
    (2, 576000)
    """
    options = options or FitOptions()
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise ParameterError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    x = to_stereo(audio)
    if x.shape[1] == 0 or not np.isfinite(x).all():
        raise MediaError(f"{name}: the track holds no usable samples")
    rate = DELIVERY_RATE_HZ
    if sample_rate != rate:
        x = resample(x, sample_rate, rate)
    peak = float(np.abs(x).max())
    if peak < SILENT_PEAK:
        raise MediaError(
            f"{name}: the track is silent (peak {20 * np.log10(max(peak, 1e-12)):.0f} dBFS); nothing to fit"
        )
    if x.shape[1] < MIN_TRACK_S * rate:
        raise MediaError(
            f"{name}: the track is {x.shape[1] / rate:.2f} s long; "
            f"a track must last at least {MIN_TRACK_S:g} s"
        )
    beats = track_beats(x, rate, meter=meter)
    transients = find_transients(x, rate)
    planned = None
    notes: list[str] = []
    if beats.steady and beats.n_bars >= options.ending_bars + 1:
        features = bar_features(beats)
        similarity = bar_similarity(features)
        sections = find_sections(similarity)
        planned = plan_fit(
            beats,
            similarity,
            sections,
            hits,
            n_samples=int(n_samples),
            source_n_samples=x.shape[1],
            sample_rate=rate,
            frame_rate=frame_rate,
            options=options,
        )
        if planned is None:
            notes.append(f"no whole-bar fit within ±{options.max_stretch_pct:g} %: fitted by length only")
    else:
        notes.append(
            f"{name}: no steady beat (pulse clarity {beats.pulse_clarity:.2f}); fitted by length only, "
            "hits are not aligned"
        )
    if planned is not None:
        edit, tempo_map = planned
    else:
        tempo_map = TempoMap.constant(beats.bpm, frame_rate=frame_rate).with_hits(
            hits, sync_weight=options.sync_weight
        )
        before = source_tempo_map(beats, frame_rate)
        report = {
            "tolerance_frames": options.tolerance_frames,
            "before": hits_on_beats(
                before, hits, tolerance_frames=options.tolerance_frames, sync_weight=options.sync_weight
            ),
            "after": hits_on_beats(
                tempo_map, hits, tolerance_frames=options.tolerance_frames, sync_weight=options.sync_weight
            ),
        }
        info = {
            "track": {
                "bpm": round(beats.bpm, 3),
                "steady_beat": beats.steady,
                "pulse_clarity": round(beats.pulse_clarity, 4),
            },
            "report": report,
            "notes": notes,
        }
        edit = plan_length_fit(x, n_samples=int(n_samples), sample_rate=rate, options=options, info=info)
    fitted = render_fit(x, edit, transients=transients)
    return FittedTrack(fitted, rate, tempo_map, edit, beats)
