"""The drum parts: a taiko / war-drum ensemble and the cymbals, on the General MIDI drum channel.

The taiko ensemble interlocks as the research note asks (§4.1): the big drum on the
downbeat, the low drums on the starts of the bar's groups of eighths (3+3+2 in 4/4), the
middle drums between them, and, as the battle builds, the small high drum's ghost sixteenths.
A drone plays a heartbeat every other bar; a fill of sixteenths down the drums leads into
every rise of level and every fourth battle bar; a crescendo roll leads into each riser's
hit. The cymbals mark the starts of louder sections, crash on sync hits (crash and china on
the biggest moment and the sting), splash on other heavy hits in battle, and swell as a
suspended-cymbal roll through every riser. Keys: :class:`~sonics.core.score.DrumKey`.
"""

from __future__ import annotations

import numpy as np

from sonics.core.score import DrumKey
from sonics.music.form import Bar
from sonics.music.writing import Context, Draft, clip_level

__all__ = ["write_cymbals", "write_taiko"]

_RING_BEATS = 1.0  # how long a drum stroke rings before it is damped
_CRASH_BEATS = 3.0
_ROLL_MAX_S = 0.07  # a roll's strokes are at most this far apart
_FILL_KEYS = (DrumKey.MID_HIGH, DrumKey.MID_HIGH, DrumKey.MID, DrumKey.MID, DrumKey.MID_LOW, DrumKey.MID_LOW,
              DrumKey.TAIKO_LOW, DrumKey.TAIKO_LOW)  # fmt: skip


def _stroke(ctx: Context, bar: Bar, unit: int, key: int, level: float) -> Draft:
    return Draft(ctx.at(bar, unit), _RING_BEATS, int(key), clip_level(level))


def _hit(beat: float, key: int, level: float, ring: float) -> Draft:
    """Return a stroke placed on purpose (on a hit, in a roll, the sting): it never moves."""
    return Draft(beat, ring, int(key), clip_level(level), True)


def _fill_units(ctx: Context, bar: Bar) -> int:
    """Return how many grid steps at the end of ``bar`` a fill takes (0: no fill)."""
    rising = bar.is_run_end and bar.next_level > bar.level
    if rising:
        return min(ctx.bar_units, 8 if bar.next_level == 2 else 4)
    if bar.level == 2 and bar.run_bar % 4 == 3 and not bar.is_run_end:
        return min(ctx.bar_units, 4)
    return 0


def _taiko_bar(ctx: Context, bar: Bar, variant: int) -> list[Draft]:
    e = bar.energy
    groups = ctx.groups
    out = []
    if bar.level == 0:
        if e >= 0.22 and bar.run_bar % 2 == 0:
            out += [
                _stroke(ctx, bar, 0, DrumKey.TAIKO_LOW, 0.35 + 0.4 * e),
                _stroke(ctx, bar, 2, DrumKey.TAIKO_LOW, 0.25 + 0.3 * e),
            ]
        return out
    if bar.level == 1:
        big = DrumKey.TAIKO_BIG if e >= 0.6 else DrumKey.TAIKO_LOW
        if variant == 0:
            out += [
                _stroke(ctx, bar, g, big if g == 0 else DrumKey.TAIKO_LOW, 0.55 + 0.3 * e) for g in groups
            ]
            out += [
                _stroke(ctx, bar, g - 2, DrumKey.MID, 0.35 + 0.3 * e)
                for g in (*groups[1:], ctx.bar_units)
                if g >= 2
            ]
        else:
            half = (ctx.bar_units // 4) * 2
            out += [
                _stroke(ctx, bar, 0, big, 0.6 + 0.3 * e),
                _stroke(ctx, bar, half, DrumKey.TAIKO_LOW, 0.5 + 0.3 * e),
            ]
            out += [_stroke(ctx, bar, g, DrumKey.MID, 0.35 + 0.3 * e) for g in groups[1:] if g != half]
            out.append(_stroke(ctx, bar, ctx.bar_units - 1, DrumKey.TAIKO_LOW, 0.3 + 0.25 * e))
        return out
    out.append(_stroke(ctx, bar, 0, DrumKey.TAIKO_BIG, 0.85 + 0.15 * e))
    if variant == 0:
        out += [_stroke(ctx, bar, g, DrumKey.TAIKO_LOW, 0.75 + 0.15 * e) for g in groups[1:]]
        mids = [u for u in ctx.eighths() if u not in groups]
        out += [
            _stroke(ctx, bar, u, DrumKey.MID if k % 2 == 0 else DrumKey.MID_LOW, 0.5 + 0.2 * e)
            for k, u in enumerate(mids)
        ]
    else:
        half = (ctx.bar_units // 4) * 2
        out.append(_stroke(ctx, bar, half, DrumKey.TAIKO_BIG, 0.8 + 0.15 * e))
        out += [_stroke(ctx, bar, g, DrumKey.TAIKO_LOW, 0.7 + 0.15 * e) for g in groups[1:] if g != half]
        out += [
            _stroke(ctx, bar, u, DrumKey.MID_HIGH, 0.45 + 0.2 * e)
            for u in ctx.eighths()
            if u not in groups and u != half
        ]
        out += [_stroke(ctx, bar, u, DrumKey.RIM, 0.4 + 0.15 * e) for u in range(4, ctx.bar_units, 8)]
        out.append(_stroke(ctx, bar, ctx.bar_units - 1, DrumKey.TAIKO_LOW, 0.5 + 0.2 * e))
    if bar.run_bar >= 2 or e >= 0.9:
        # The battle builds: the small high drum's ghost notes join after two bars.
        out += [
            Draft(ctx.at(bar, u), 0.25, int(DrumKey.SHIME), clip_level(0.18 + 0.15 * e))
            for u in range(1, ctx.bar_units, 2)
        ]
    return out


def _fill(ctx: Context, bar: Bar, n_units: int, fixed: bool = False) -> list[Draft]:
    first = ctx.bar_units - n_units
    return [
        Draft(ctx.at(bar, first + k), _RING_BEATS / 2, int(_FILL_KEYS[(k * len(_FILL_KEYS)) // n_units]),
              clip_level(0.45 + 0.5 * (k + 1) / n_units + 0.1 * bar.energy), fixed)
        for k in range(n_units)
    ]  # fmt: skip


def _roll_step(ctx: Context, beat: float) -> float:
    """Return the largest power-of-two division of the beat whose strokes are at most 70 ms apart."""
    bpm = float(ctx.tempo_map.bpm_at(ctx.tempo_map.beats_to_seconds(beat)))
    step = 1.0
    while step * 60.0 / bpm > _ROLL_MAX_S:
        step /= 2
    return step


def write_taiko(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the taiko ensemble: bar patterns by level, fills, riser rolls, accents and the sting."""
    form = ctx.form
    out: list[Draft] = []
    variant = 0
    for bar in form.bars:
        if bar.run_bar == 0:
            variant = int(rng.integers(2))
        fill = _fill_units(ctx, bar)
        cut_at = ctx.at(bar, ctx.bar_units - fill) if fill else bar.end_beat
        out += [
            d
            for d in _taiko_bar(ctx, bar, variant)
            if d.start < cut_at - 1e-9 and ctx.riser_at(d.start) is None
        ]
        if fill:
            out += _fill(ctx, bar, fill)
    for riser in form.risers:
        # The last two beats roll in sixteenths down to the hit; the low drum pulses the beats before.
        step = ctx.unit
        n = int(min(2.0, riser.end_beat - riser.start_beat) / step + 1e-9)
        for k in range(n):
            key = DrumKey.MID_LOW if k % 2 == 0 else DrumKey.TAIKO_LOW
            out.append(_hit(riser.end_beat - (n - k) * step, key, 0.35 + 0.6 * (k + 1) / n, step))
        beats = np.arange(np.ceil(riser.start_beat - 1e-9), riser.end_beat - 2.0 - 1e-9, 1.0)
        for k, beat in enumerate(beats.tolist()):
            out.append(_hit(beat, DrumKey.TAIKO_LOW, 0.4 + 0.4 * k / max(1, len(beats)), _RING_BEATS))
    for accent in ctx.hits():
        big = 1.0 if accent is form.biggest else ctx.hit_level(accent.beat, accent.size)
        out += [_hit(accent.beat, DrumKey.TAIKO_BIG, big, 2 * _RING_BEATS),
                _hit(accent.beat, DrumKey.TAIKO_LOW, 0.9 * big, 2 * _RING_BEATS)]  # fmt: skip
    for accent in ctx.other_hits():
        size = accent.size
        out += [_hit(accent.beat, DrumKey.MID_HIGH, 0.4 + 0.5 * size, _RING_BEATS),
                _hit(accent.beat, DrumKey.TAIKO_LOW, 0.3 + 0.5 * size, _RING_BEATS)]  # fmt: skip
    if form.sting is not None:
        ring = form.end_beat - form.sting.beat
        strokes = ((DrumKey.TAIKO_BIG, 1.0), (DrumKey.TAIKO_LOW, 0.95), (DrumKey.MID_LOW, 0.8))
        out += [_hit(form.sting.beat, key, level, ring) for key, level in strokes]
    return out


def write_cymbals(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the cymbals: section starts, crashes on sync hits, splashes, riser swells, the sting."""
    form = ctx.form
    out: list[Draft] = []
    for bar in form.bars:
        if bar.run_bar == 0 and bar.level >= 1 and bar.index > form.bars[0].index:
            out.append(
                _stroke(ctx, bar, 0, DrumKey.CRASH, 0.45 + 0.4 * bar.energy)._replace(duration=_CRASH_BEATS)
            )
        if bar.level == 2 and bar.run_bar % 4 == 3 and ctx.bar_units >= 2:
            out.append(_stroke(ctx, bar, ctx.bar_units - 2, DrumKey.SPLASH, 0.35 + 0.3 * bar.energy))
    for riser in form.risers:
        step = _roll_step(ctx, riser.start_beat)
        n = int((riser.end_beat - riser.start_beat) / step + 1e-9)
        for k in range(n):
            x = (k + 1) / n
            out.append(_hit(riser.end_beat - (n - k) * step, DrumKey.SWELL, 0.08 + 0.82 * x * x, step))
    for k, accent in enumerate(ctx.hits()):
        if accent is form.biggest:
            out += [_hit(accent.beat, DrumKey.CRASH, 1.0, 2 * _CRASH_BEATS),
                    _hit(accent.beat, DrumKey.CHINA, 0.95, 2 * _CRASH_BEATS)]  # fmt: skip
        else:
            key = (DrumKey.CRASH, DrumKey.CRASH_2)[k % 2]
            out.append(_hit(accent.beat, key, ctx.hit_level(accent.beat, accent.size), _CRASH_BEATS))
    for accent in ctx.other_hits():
        if form.level_at(accent.beat) == 2:
            out.append(_hit(accent.beat, DrumKey.SPLASH, 0.3 + 0.4 * accent.size, _RING_BEATS))
    if form.sting is not None:
        ring = form.end_beat - form.sting.beat
        out += [
            _hit(form.sting.beat, DrumKey.CRASH, 1.0, ring),
            _hit(form.sting.beat, DrumKey.CHINA, 0.9, ring),
        ]
    return out
