"""The Chinese colour: koto (guzheng), pipa and dizi lines, made from the cue's motif.

In a drone the koto states the motif slowly and the dizi answers it two bars later; in an
ostinato the koto turns to a plucked arpeggio of the chord, the pipa drums its repeated
notes (the topos of *Ambush from Ten Sides*, the pipa's battle of Gaixia, 202 BC) and the
dizi plays the motif; in battle the koto runs sixteenths, the pipa sweeps chords on the
groups' starts, and the dizi holds long high notes over it all. On sync hits the koto and
the pipa strike rolled chords (a strum: the first string exactly on the hit); a koto
glissando climbs into each riser's hit. In a pentatonic mode every line is pentatonic.
"""

from __future__ import annotations

import numpy as np

from sonics.music.form import Bar
from sonics.music.harmony import chord_pitches
from sonics.music.melody import motif_pitches
from sonics.music.writing import Context, Draft, clip_level

__all__ = ["write_dizi", "write_koto", "write_pipa"]

_KOTO = (55, 86)
_PIPA = (52, 84)
_DIZI = (72, 91)
_PLUCK_BEATS = 1.0  # how long a plucked string rings, at most
_STRUM_S = 0.018  # between the strings of a rolled chord


def _phrase(
    ctx: Context, bar: Bar, register: tuple[int, int], stretch: int, level: float, legato: float
) -> list[Draft]:
    """Return the motif on ``bar``'s chord, ``stretch`` times slower, starting on its downbeat."""
    pitches = motif_pitches(ctx.motif, ctx.scale, bar.chord, *register)
    return [
        Draft(ctx.at(bar, onset * stretch), length * stretch * ctx.unit * legato, pitch, clip_level(level))
        for (onset, length, _), pitch in zip(ctx.motif.notes, pitches, strict=True)
    ]


def _strum(ctx: Context, beat: float, pitches: list[int], level: float, ring: float) -> list[Draft]:
    bpm = float(ctx.tempo_map.bpm_at(ctx.tempo_map.beats_to_seconds(beat)))
    step = _STRUM_S * bpm / 60.0
    return [
        Draft(beat + k * step, ring, p, clip_level(level - 0.04 * k), True) for k, p in enumerate(pitches)
    ]


def _hits(ctx: Context, register: tuple[int, int], n_voices: int, ring: float) -> list[Draft]:
    out = []
    for accent in ctx.hits():
        chord = chord_pitches(ctx.scale, ctx.chord_at(accent.beat), register[0] + 5, register[1], n_voices)
        out += _strum(ctx, accent.beat, chord, ctx.hit_level(accent.beat, accent.size), ring)
    sting = ctx.form.sting
    if sting is not None:
        chord = chord_pitches(ctx.scale, 0, register[0], register[1], n_voices + 1)
        out += _strum(ctx, sting.beat, chord, 0.9, min(4.0, ctx.form.end_beat - sting.beat))
    return out


def write_koto(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the koto: the slow motif, plucked arpeggios, running sixteenths, strums, glissandi."""
    out: list[Draft] = []
    for bar in ctx.form.bars:
        e = bar.energy
        if bar.level == 0:
            if bar.run_bar % 4 == 0 and bar.run_bars - bar.run_bar >= 2:
                out += _phrase(ctx, bar, (62, _KOTO[1]), 2, 0.4 + 0.25 * e, 1.0)
            continue
        ladder = chord_pitches(ctx.scale, bar.chord, _KOTO[0], _KOTO[1], 7)
        if bar.level == 1:
            shape, every = (0, 2, 1, 3, 2, 4, 3, 1), 2
        else:
            shape, every = (0, 1, 2, 3, 4, 3, 2, 1), 1
        for k, u in enumerate(range(0, ctx.bar_units, every)):
            pitch = ladder[shape[k % len(shape)] % len(ladder)]
            level = 0.4 + 0.3 * e + (0.12 if u in ctx.groups else 0.0)
            out.append(
                Draft(ctx.at(bar, u), min(_PLUCK_BEATS, 2 * every * ctx.unit), pitch, clip_level(level))
            )
    out = [d for d in out if ctx.riser_at(d.start) is None or d.start < ctx.riser_at(d.start).end_beat - 1.0]
    for riser in ctx.form.risers:
        span = min(1.0, riser.end_beat - riser.start_beat)
        ladder = chord_pitches(ctx.scale, 0, _KOTO[0], _KOTO[1], 8)
        step = span / len(ladder)
        for k, p in enumerate(ladder):
            out.append(
                Draft(
                    riser.end_beat - span + k * step,
                    _PLUCK_BEATS,
                    p,
                    clip_level(0.4 + 0.5 * k / len(ladder)),
                    True,
                )
            )
    return out + _hits(ctx, _KOTO, 4, _PLUCK_BEATS)


def write_pipa(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the pipa: tremolo notes in a drone, repeated-note drumming, battle sweeps, strums."""
    out: list[Draft] = []
    for bar in ctx.form.bars:
        e = bar.energy
        ladder = chord_pitches(ctx.scale, bar.chord, 57, _PIPA[1], 5)
        if bar.level == 0:
            if bar.run_bar % 4 == 3:
                # Lunzhi: the tremolo, a rapid roll on one string swelling and fading over a beat.
                n = 8
                for k in range(n):
                    swell = 1.0 - abs(2.0 * k / (n - 1) - 1.0)
                    out.append(
                        Draft(
                            bar.start_beat + k / n,
                            1.0 / n,
                            ladder[min(2, len(ladder) - 1)],
                            0.25 + 0.2 * swell + 0.1 * e,
                        )
                    )
            continue
        if bar.level == 1:
            if bar.run_bar % 2 == 1:
                continue
            for u in range(ctx.bar_units):
                level = (0.4 + 0.3 * e) * (1.25 if u in ctx.groups else 0.85)
                out.append(Draft(ctx.at(bar, u), ctx.unit * 0.8, ladder[0], clip_level(level)))
            continue
        shape = (0, 0, 2, 0, 3, 0, 2, 1)
        for u in range(ctx.bar_units):
            if u in ctx.groups:
                out += [
                    d._replace(fixed=False)
                    for d in _strum(ctx, ctx.at(bar, u), ladder[:3], 0.6 + 0.3 * e, 2 * ctx.unit)
                ]
                continue
            pitch = ladder[shape[u % len(shape)] % len(ladder)]
            out.append(Draft(ctx.at(bar, u), ctx.unit * 0.8, pitch, clip_level(0.45 + 0.3 * e)))
    return out + _hits(ctx, _PIPA, 4, _PLUCK_BEATS)


def write_dizi(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the dizi: the motif answering the koto, then the motif, then long high notes in battle."""
    out: list[Draft] = []
    for bar in ctx.form.bars:
        e = bar.energy
        if bar.level == 0:
            if bar.run_bar % 4 == 2 and bar.run_bars - bar.run_bar >= 2:
                out += _phrase(ctx, bar, _DIZI, 2, 0.4 + 0.25 * e, 0.97)
        elif bar.level == 1:
            if bar.run_bar % 4 == 0 and bar.run_bars - bar.run_bar >= 2:
                out += _phrase(ctx, bar, _DIZI, 1, 0.5 + 0.25 * e, 0.95)
        else:
            top = chord_pitches(ctx.scale, bar.chord, 74, 88, 3)
            out.append(
                Draft(bar.start_beat, bar.end_beat - bar.start_beat, top[-1], clip_level(0.55 + 0.3 * e))
            )
    sting = ctx.form.sting
    if sting is not None:
        tonic = chord_pitches(ctx.scale, 0, 74, _DIZI[1], 1)[0]
        out.append(Draft(sting.beat, ctx.form.end_beat - sting.beat, tonic, 0.6, True))
    return out
