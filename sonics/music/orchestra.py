"""The orchestral parts: low strings, high strings, brass, the sustained pad and the choir.

Layers join with the energy as the research note orders them (§4.1): in a drone the low
strings hold a pedal under the pad; in an ostinato they drive eighths (a pedal on the tonic
in some runs, the chord roots in others) under tremolo high strings and, as it grows, low
horns; the battle adds the ostinato's full rhythm, high-string arpeggios, the brass motif
(a horn call in octaves) and the choir. Sync hits get brass stabs, low-string *sforzandi*
and short high-string chords; risers get a string run and a held brass chord that swells
(the swell itself is the part's expression curve); the sting is a held tonic chord.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sonics.music.form import Bar
from sonics.music.harmony import chord_pitches, open_fifth
from sonics.music.melody import motif_pitches
from sonics.music.writing import Context, Draft, clip_level

__all__ = ["write_brass", "write_choir", "write_high_strings", "write_low_strings", "write_pad"]

# Registers (MIDI keys) the parts write in.
_LOW_ROOT = (33, 45)  # the ostinato's root: A1 .. A2
_HIGH = (62, 91)
_BRASS = (45, 74)
_PAD = (55, 76)
_CHOIR = (55, 79)
_SPICCATO = 0.6  # share of the gap to the next stroke a short string note lasts
_RHYTHMS = {
    "quarters": lambda units: list(range(0, units, 4)),
    "eighths": lambda units: list(range(0, units, 2)),
    "gallop": lambda units: [u for q in range(0, units, 4) for u in (q, q + 2, q + 3) if u < units],
    "sixteenths": lambda units: list(range(units)),
}
_CALMER = {"eighths": "quarters", "gallop": "eighths", "sixteenths": "eighths"}


def _low_root(ctx: Context, degree: int) -> int:
    lo, hi = _LOW_ROOT
    step = ctx.scale.step_near(lo, degree)
    while ctx.scale.pitch(step) < lo:
        step += ctx.scale.n_steps
    pitch = ctx.scale.pitch(step)
    return pitch if pitch <= hi + 2 else pitch - 12


def _held(ctx: Context, bars: list[Bar], start: int, span: int) -> float:
    """Return where a note held from ``bars[start]`` for ``span`` bars ends (at its run's end at most)."""
    bar = bars[start]
    stop = min(start + span, start + bar.run_bars - bar.run_bar, len(bars))
    return bars[stop - 1].end_beat


def _sting_chord(ctx: Context, register: tuple[int, int], n_voices: int, level: float) -> list[Draft]:
    sting = ctx.form.sting
    if sting is None:
        return []
    ring = ctx.form.end_beat - sting.beat
    return [Draft(sting.beat, ring, p, level, True) for p in chord_pitches(ctx.scale, 0, *register, n_voices)]


def write_low_strings(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the low strings: the pedal, the ostinato, sforzandi on sync hits, the sting."""
    bars = list(ctx.form.bars)
    out: list[Draft] = []
    pedal = False
    for i, bar in enumerate(bars):
        if bar.run_bar == 0:
            pedal = bar.level == 1 and rng.random() < 0.4
        e = bar.energy
        if bar.level == 0:
            if bar.run_bar % 2 == 0:
                root = _low_root(ctx, 0)
                end = _held(ctx, bars, i, 2)
                out += [
                    Draft(bar.start_beat, end - bar.start_beat, p, 0.3 + 0.3 * e) for p in (root, root + 12)
                ]
            continue
        rhythm_name = ctx.settings.ostinato if bar.level == 2 else _CALMER[ctx.settings.ostinato]
        onsets = _RHYTHMS[rhythm_name](ctx.bar_units)
        root = _low_root(ctx, 0 if pedal else bar.chord)
        fifth = chord_pitches(ctx.scale, 0 if pedal else bar.chord, root, root + 12, 3)[-1]
        for k, u in enumerate(onsets):
            gap = (onsets[k + 1] if k + 1 < len(onsets) else ctx.bar_units) - u
            accent = u in ctx.groups
            before_group = (u + gap) in ctx.groups and gap <= 2
            pitch = root if accent else (fifth if before_group else root + 12 * ((u // 2) % 2))
            level = (0.55 + 0.3 * e) * (1.0 if accent else 0.75)
            out.append(Draft(ctx.at(bar, u), gap * ctx.unit * _SPICCATO, pitch, clip_level(level)))
    for accent in ctx.hits():
        root = _low_root(ctx, ctx.chord_at(accent.beat))
        level = 1.0 if accent is ctx.form.biggest else ctx.hit_level(accent.beat, accent.size)
        out += [Draft(accent.beat, 1.0, p, level, True) for p in (root, root + 12)]
    sting = ctx.form.sting
    if sting is not None:
        root = _low_root(ctx, 0)
        out += [Draft(sting.beat, ctx.form.end_beat - sting.beat, p, 0.95, True) for p in (root, root + 12)]
    return out


def _run_pitches(ctx: Context, n_notes: int, top: int) -> list[int]:
    top_step = ctx.scale.step_near(top, 0)
    return [ctx.scale.pitch(top_step - n_notes + 1 + k) for k in range(n_notes)]


def write_high_strings(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the high strings: a held shimmer, tremolo chords, battle arpeggios, riser runs, hits, sting."""
    bars = list(ctx.form.bars)
    out: list[Draft] = []
    for i, bar in enumerate(bars):
        e = bar.energy
        if bar.level == 0:
            if e >= 0.3 and bar.run_bar % 4 == 0:
                end = _held(ctx, bars, i, 4)
                top = chord_pitches(ctx.scale, 0, 74, _HIGH[1], 3)
                out += [Draft(bar.start_beat, end - bar.start_beat, p, 0.25 + 0.2 * e) for p in top[1:]]
        elif bar.level == 1:
            for p in chord_pitches(ctx.scale, bar.chord, 64, 84, 3):
                out.append(Draft(bar.start_beat, bar.end_beat - bar.start_beat, p, 0.35 + 0.3 * e))
        else:
            ladder = chord_pitches(ctx.scale, bar.chord, 67, _HIGH[1], 6)
            shape = [0, 1, 2, 3, 2, 1] if len(ladder) >= 4 else [0, 1, 0, 1]
            for k, u in enumerate(ctx.eighths()):
                pitch = ladder[shape[k % len(shape)] % len(ladder)]
                level = 0.55 + 0.3 * e + (0.1 if u in ctx.groups else 0.0)
                out.append(Draft(ctx.at(bar, u), 2 * ctx.unit * _SPICCATO, pitch, clip_level(level)))
    out = ctx.without_risers(out)
    n_octave = ctx.scale.n_steps
    for riser in ctx.form.risers:
        length = riser.end_beat - riser.start_beat
        per_note = ctx.unit
        while length / per_note > 2 * n_octave + 1:
            per_note *= 2
        n = int(length / per_note + 1e-9)
        for k, pitch in enumerate(_run_pitches(ctx, n, 86)):
            start = riser.end_beat - (n - k) * per_note
            out.append(Draft(start, per_note, pitch, clip_level(0.35 + 0.6 * (k + 1) / n), True))
    for accent in ctx.hits():
        if ctx.form.level_at(accent.beat) >= 1 or accent is ctx.form.biggest:
            chord = chord_pitches(ctx.scale, ctx.chord_at(accent.beat), 67, 88, 3)
            level = 1.0 if accent is ctx.form.biggest else ctx.hit_level(accent.beat, accent.size)
            out += [Draft(accent.beat, 0.5, p, level, True) for p in chord]
    return out + _sting_chord(ctx, (62, 86), 3, 0.85)


def write_brass(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the brass: low horn chords, the horn-call motif in battle, riser swells, stabs, sting."""
    bars = list(ctx.form.bars)
    out: list[Draft] = []
    for i, bar in enumerate(bars):
        e = bar.energy
        if bar.level == 1 and e >= 0.5 and bar.run_bar % 2 == 0:
            end = _held(ctx, bars, i, 2)
            for p in open_fifth(ctx.scale, bar.chord, _BRASS[0], 64):
                out.append(Draft(bar.start_beat, end - bar.start_beat, p, 0.35 + 0.3 * e))
        elif bar.level == 2 and bar.run_bar % 2 == 0:
            pitches = motif_pitches(ctx.motif, ctx.scale, bar.chord, 55, _BRASS[1])
            for (onset, length, _), pitch in zip(ctx.motif.notes, pitches, strict=True):
                start = ctx.at(bar, onset)
                for p in (pitch, pitch - 12):
                    out.append(Draft(start, length * ctx.unit * 0.95, p, clip_level(0.65 + 0.25 * e)))
    out = ctx.without_risers(out)
    for riser in ctx.form.risers:
        for p in chord_pitches(ctx.scale, ctx.chord_at(riser.start_beat), 50, 69, 3):
            out.append(Draft(riser.start_beat, riser.end_beat - riser.start_beat, p, 0.6, True))
    for accent in ctx.hits():
        level = ctx.form.level_at(accent.beat)
        big = accent is ctx.form.biggest
        length = 2.0 if big else (0.5 if level >= 1 else 1.0)
        dyn = 1.0 if big else ctx.hit_level(accent.beat, accent.size)
        for p in chord_pitches(ctx.scale, ctx.chord_at(accent.beat), 48, 72, 4):
            out.append(Draft(accent.beat, length, p, dyn, True))
    return out + _sting_chord(ctx, (48, 72), 4, 1.0)


def _sustained_chords(
    ctx: Context, register: tuple[int, int], n_voices: int, every: int, level: Callable[[Bar], float | None]
) -> list[Draft]:
    """Return chords held under the bars ``level`` gives a level to, a new one every ``every`` bars of a run.

    A chord is tied over into the next bar while it does not change.
    """
    out: list[Draft] = []
    held: list = []  # [start, pitches, end, level] of the chord sounding

    def release() -> None:
        if held:
            out.extend(Draft(held[0], held[2] - held[0], p, held[3]) for p in held[1])
            held.clear()

    for bar in ctx.form.bars:
        dyn = level(bar)
        if dyn is None:
            release()
            continue
        pitches = chord_pitches(ctx.scale, bar.chord, *register, n_voices)
        joined = bool(held) and abs(held[2] - bar.start_beat) < 1e-9
        if joined and (bar.run_bar % every != 0 or pitches == held[1]):
            held[2] = bar.end_beat
            continue
        release()
        held.extend([bar.start_beat, pitches, bar.end_beat, clip_level(dyn)])
    release()
    return out


def write_pad(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the pad: the chords held under everything, and the sting's tonic held to the end."""
    chords = _sustained_chords(ctx, _PAD, 3, 1, lambda bar: 0.3 + 0.25 * bar.energy)
    return chords + _sting_chord(ctx, _PAD, 3, 0.7)


def write_choir(ctx: Context, rng: np.random.Generator) -> list[Draft]:
    """Write the choir: battle chords, a soft "oo" in calmer phrases, a shout on the biggest hit, the sting.

    In battle (and a hot ostinato) it holds full chords two bars at a time; calmer, it breathes
    in the second half of each four-bar phrase.
    """

    def level(bar: Bar) -> float | None:
        if bar.level == 2 or (bar.level == 1 and bar.energy >= 0.65):
            return 0.45 + 0.35 * bar.energy
        if bar.run_bar % 4 >= 2:
            return 0.25 + 0.25 * bar.energy
        return None

    out = _sustained_chords(ctx, _CHOIR, 3, 2, level)
    big = ctx.form.biggest
    if big is not None and big in ctx.hits():
        out += [Draft(big.beat, 1.0, p, 1.0, True) for p in chord_pitches(ctx.scale, 0, *_CHOIR, 3)]
    return out + _sting_chord(ctx, _CHOIR, 3, 0.9)
