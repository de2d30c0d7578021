"""Write a score as a Standard MIDI File (type 1) whose tempo map puts every beat where the score's is.

Tick 0 is the picture's first frame, so the file lines up with the picture when a DAW or a
notation program places it at the start. The first track (``conductor``) holds the tempo
map, the meter (a pickup bar first when the picture starts inside a bar), the key signature
and a marker at every hit and section start. Then one named track per part: a program change
on its channel before its first note (drums on channel index 9, "channel 10"), its level and
pan (CC 7, CC 10) and expression curve (CC 11) unless it is a drum part (the drum parts share
one channel, so its controllers stay at their defaults), and its notes.

MIDI tempo is a whole number of microseconds per quarter note, so a tempo cannot always be
written exactly. The conductor is written between *anchors*: the picture's start and end,
the first and last whole beats and the quarter note before the end, every tempo segment's
start, every grid line inside a ramp (a ramp becomes steps), and at least every 256 quarter
notes. Between two anchors the tempo is the one that reaches the
next anchor's time from where the file's own clock stands, so rounding never builds up: at
each anchor the file's time equals :meth:`~sonics.core.tempo.TempoMap.beats_to_seconds`
to within half a microsecond per quarter note since the last anchor, and every beat is well
within 1 ms of the map. The file ends at the picture's last frame.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import math
from typing import Any

import mido
import numpy as np

from sonics.core.errors import ParameterError
from sonics.core.score import DRUM_CHANNEL, Part, Score
from sonics.core.tempo import TempoMap
from sonics.music.scales import key_signature

__all__ = ["midi_bytes"]

_MAX_ANCHOR_QUARTERS = 256
_CC_VOLUME, _CC_PAN, _CC_EXPRESSION = 7, 10, 11
_CC_SAMPLES_PER_BEAT = 16  # expression ramps are written as steps this fine
_MAX_TEMPO_US = 0xFFFFFF
_ORDER_OFF, _ORDER_CONTROL, _ORDER_ON = 0, 1, 2


class _Ticks:
    """Beats and seconds to ticks: tick 0 is the picture's start, beat ``b`` at ``origin + b * per_beat``."""

    def __init__(self, tempo_map: TempoMap, ticks_per_quarter: int) -> None:
        quarters_per_beat = 4 / tempo_map.denominator
        per_beat = ticks_per_quarter * quarters_per_beat
        if not float(per_beat).is_integer():
            raise ParameterError(
                f"ticks_per_beat must give whole ticks per 1/{tempo_map.denominator} note, "
                f"got {ticks_per_quarter}"
            )
        self.tempo_map = tempo_map
        self.per_beat = int(per_beat)
        self.start_beat = float(tempo_map.seconds_to_beats(0.0))
        self.origin = round(-self.start_beat * self.per_beat)

    def of_beat(self, beat: float) -> int:
        return self.origin + round(beat * self.per_beat)

    def beat_of(self, tick: int) -> float:
        return (tick - self.origin) / self.per_beat

    def of_time(self, time_s: float) -> int:
        return self.of_beat(float(self.tempo_map.seconds_to_beats(time_s)))


def _anchors(ticks: _Ticks, end_tick: int, ticks_per_quarter: int) -> list[int]:
    tm = ticks.tempo_map
    # The first and last whole beats: the picture's ends rarely sit on a tick of the beat grid,
    # and the part-beats before and after them take up that rounding.
    first_beat = math.ceil(ticks.start_beat - 1e-9)
    last_beat = math.floor(ticks.beat_of(end_tick) + 1e-9)
    found = {0, end_tick, ticks.of_beat(first_beat), ticks.of_beat(last_beat), end_tick - ticks_per_quarter}
    for i, segment in enumerate(tm.segments):
        found.add(ticks.of_beat(segment.start_beat))
        if segment.is_ramp:
            stop = tm.segments[i + 1].start_beat
            step = 1.0 / tm.subdivision
            grid = np.arange(math.floor(segment.start_beat / step) + 1, math.ceil(stop / step)) * step
            found.update(ticks.of_beat(float(b)) for b in grid)
    inside = sorted(t for t in found if 0 <= t <= end_tick)
    limit = _MAX_ANCHOR_QUARTERS * ticks_per_quarter
    out = []
    for a, b in itertools.pairwise(inside):
        out += list(range(a, b, limit))
    return [*out, inside[-1]]


def _tempo_events(
    ticks: _Ticks, duration_s: float, end_tick: int, ticks_per_quarter: int
) -> list[tuple[int, int]]:
    """Return ``(tick, microseconds per quarter)`` tempo changes landing every anchor on the map's time."""
    anchors = _anchors(ticks, end_tick, ticks_per_quarter)  # at least the start and the end
    targets = [float(ticks.tempo_map.beats_to_seconds(ticks.beat_of(t))) for t in anchors]
    targets[0], targets[-1] = 0.0, duration_s
    events: list[tuple[int, int]] = []
    clock_s = 0.0
    for (t0, t1), target in zip(itertools.pairwise(anchors), targets[1:], strict=True):
        span = t1 - t0
        us = round((target - clock_s) * 1e6 * ticks_per_quarter / span)
        us = min(_MAX_TEMPO_US, max(1, us))
        clock_s += us * span / (ticks_per_quarter * 1e6)
        if not events or events[-1][1] != us:
            events.append((t0, us))
    return events


def _as_meter(n_ticks: int, ticks_per_quarter: int, beat_denominator: int) -> tuple[int, int] | None:
    """Return a time signature ``(numerator, denominator)`` exactly ``n_ticks`` long, if there is one."""
    for denominator in (1, 2, 4, 8, 16, 32, 64):
        if denominator < beat_denominator:
            continue
        unit = ticks_per_quarter * 4 / denominator
        if unit.is_integer() and n_ticks % int(unit) == 0 and n_ticks // int(unit) <= 255:
            return n_ticks // int(unit), denominator
    return None


def _meter_events(ticks: _Ticks, ticks_per_quarter: int) -> list[tuple[int, int, int]]:
    """Return ``(tick, numerator, denominator)`` changes: the meter, after a pickup if there is one.

    A picture that starts inside a bar starts with a pickup: the part-beat before the
    first whole beat (as a time signature when one is that long, else a bar of the meter
    cut short), then the whole beats up to the first bar line as a bar of their own; so
    every beat and downbeat a reader derives from the time signatures is the score's.
    """
    tm = ticks.tempo_map
    meter = (tm.numerator, tm.denominator)
    first_beat = math.ceil(ticks.start_beat - 1e-9)
    first_bar = math.ceil(first_beat / tm.numerator - 1e-9) * tm.numerator
    beat_tick, bar_tick = ticks.of_beat(first_beat), ticks.of_beat(first_bar)
    events = []
    if beat_tick > 0:
        events.append((0, *(_as_meter(beat_tick, ticks_per_quarter, 1) or meter)))
    if bar_tick > beat_tick:
        events.append((beat_tick, first_bar - first_beat, tm.denominator))
    events.append((bar_tick, *meter))
    return events


def _expression_events(part: Part, ticks: _Ticks) -> list[tuple[int, int]]:
    """Return ``(tick, value)`` CC 11 changes following the part's linear expression curve."""
    if not part.expression:
        return [(0, 127)]
    first, last = part.expression[0][0], part.expression[-1][0]
    n = max(2, math.ceil((last - first) * _CC_SAMPLES_PER_BEAT) + 1)
    beats = np.unique(np.concatenate([np.linspace(first, last, n), [b for b, _ in part.expression]]))
    values = np.rint(np.asarray(part.expression_at(beats)) * 127).astype(int)
    events: list[tuple[int, int]] = [(0, int(values[0]))]
    for beat, value in zip(beats, values, strict=True):
        tick = max(0, ticks.of_beat(float(beat)))
        if value != events[-1][1]:
            if tick == events[-1][0]:
                events[-1] = (tick, int(value))
            else:
                events.append((tick, int(value)))
    return events


_META = frozenset({"set_tempo", "time_signature", "key_signature", "marker"})

_Event = tuple[int, int, str, dict[str, Any]]
"""``(tick, order at that tick, message type, fields)`` of one MIDI event, made into a message once."""


def _event(tick: int, order: int, kind: str, **fields: Any) -> _Event:
    return tick, order, kind, fields


def _delta_track(name: str, events: list[_Event], end_tick: int) -> mido.MidiTrack:
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=name, time=0))
    now = 0
    for tick, _, kind, fields in sorted(events, key=lambda e: (e[0], e[1])):
        make = mido.MetaMessage if kind in _META else mido.Message
        track.append(make(kind, time=tick - now, **fields))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=max(0, end_tick - now)))
    return track


def _part_track(part: Part, ticks: _Ticks, end_tick: int) -> mido.MidiTrack:
    ch = part.channel
    events = [_event(0, _ORDER_CONTROL, "program_change", channel=ch, program=part.program)]
    if ch != DRUM_CHANNEL:
        volume = min(127, max(0, round(127 * 10 ** (part.gain_db / 40))))
        pan = min(127, max(0, round(64 + 63.5 * part.pan)))
        events += [
            _event(0, _ORDER_CONTROL, "control_change", channel=ch, control=_CC_VOLUME, value=volume),
            _event(0, _ORDER_CONTROL, "control_change", channel=ch, control=_CC_PAN, value=pan),
        ]
        events += [
            _event(tick, _ORDER_CONTROL, "control_change", channel=ch, control=_CC_EXPRESSION, value=v)
            for tick, v in _expression_events(part, ticks)
        ]
    for note in part.notes:
        on = ticks.of_beat(note.start_beat)
        if on < 0:
            raise ParameterError(
                f"part {part.name}: a note starts on beat {note.start_beat:.3f}, before the picture "
                f"(beat {ticks.start_beat:.3f})"
            )
        off = max(on + 1, ticks.of_beat(note.end_beat))
        events.append(_event(on, _ORDER_ON, "note_on", channel=ch, note=note.pitch, velocity=note.velocity))
        events.append(_event(off, _ORDER_OFF, "note_off", channel=ch, note=note.pitch, velocity=0))
    return _delta_track(part.name, events, max(end_tick, *(e[0] for e in events)))


def _check_channels(score: Score) -> None:
    programs: dict[int, Part] = {}
    for part in score.parts:
        other = programs.setdefault(part.channel, part)
        if other.program != part.program:
            raise ParameterError(
                f"parts {other.name} and {part.name} share channel {part.channel} but not a program "
                f"({other.program} and {part.program}); give them one"
            )


def midi_bytes(score: Score, *, ticks_per_beat: int = 960) -> bytes:
    """Return the score as a type-1 Standard MIDI File: a conductor track, then a track per part.

    Parameters
    ----------
    score : Score
        The score; its tempo map becomes the file's tempo map, its markers the file's markers.
    ticks_per_beat : int
        Resolution: ticks per quarter note (the file header's division), 24..32767; a
        quarter must split into whole ticks per note of the meter's denominator.

    Returns
    -------
    bytes
        The file. Tick 0 is the picture's start and the last event is at ``duration_s``;
        the same score gives the same bytes.

    Raises
    ------
    ParameterError
        If ``ticks_per_beat`` is out of range or does not divide the meter's beat, two parts
        on one channel ask for different programs, or a note starts before the picture.

    Examples
    --------
    >>> import mido
    >>> from sonics.core.score import Note, Part
    >>> taiko = Part("taiko", "taiko", 0, 9, (Note(0.0, 1.0, 36, 110), Note(2.0, 1.0, 36, 90)))
    >>> data = midi_bytes(Score(TempoMap.constant(120.0), (taiko,), duration_s=2.0))
    >>> f = mido.MidiFile(file=io.BytesIO(data))
    >>> [t.name for t in f.tracks], round(f.length, 6)
    (['conductor', 'taiko'], 2.0)
    """
    if (
        isinstance(ticks_per_beat, bool)
        or not isinstance(ticks_per_beat, int)
        or not 24 <= ticks_per_beat <= 32767
    ):
        raise ParameterError(f"ticks_per_beat must be an integer in 24..32767, got {ticks_per_beat!r}")
    _check_channels(score)
    tm = score.tempo_map
    ticks = _Ticks(tm, ticks_per_beat)
    end_tick = max(1, ticks.of_time(score.duration_s))
    conductor: list[_Event] = []
    for tick, us in _tempo_events(ticks, score.duration_s, end_tick, ticks_per_beat):
        conductor.append(_event(tick, 1, "set_tempo", tempo=us))
    for tick, numerator, denominator in _meter_events(ticks, ticks_per_beat):
        conductor.append(_event(tick, 0, "time_signature", numerator=numerator, denominator=denominator))
    with contextlib.suppress(ParameterError):  # a key or mode sonics does not name: no key signature
        conductor.append(_event(0, 0, "key_signature", key=key_signature(score.key, score.mode)))
    for marker in score.markers:
        tick = min(end_tick, max(0, ticks.of_time(marker.time_s)))
        conductor.append(_event(tick, 2, "marker", text=marker.text))
    midi = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    midi.tracks.append(_delta_track("conductor", conductor, end_tick))
    midi.tracks.extend(_part_track(part, ticks, end_tick) for part in score.parts)
    buffer = io.BytesIO()
    midi.save(file=buffer)
    return buffer.getvalue()
