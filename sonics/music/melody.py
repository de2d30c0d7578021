"""The cue's motif: one short seeded phrase in scale steps that every melodic line is made from.

A film cue keeps one simple motif and moves it around (research note §4.1: "keep a simple
motif"): here a two-bar phrase of scale steps above a chord root, moving by steps and small
leaps, resting on a chord tone. Written in the Chinese pentatonic modes it is a pentatonic
melody (the koto, pipa and dizi lines); each line transposes it by scale steps to the
chord of its bar, so it stays in the mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sonics.music.harmony import chord_steps
from sonics.music.scales import Scale

__all__ = ["Motif", "make_motif", "motif_pitches"]

# Rhythm cells filling one quarter note (four grid steps), with how often each is drawn.
_CELLS = ((4,), (2, 2), (3, 1), (2, 1, 1), (1, 1, 2), (6,))
_CELL_P = (0.22, 0.3, 0.18, 0.12, 0.1, 0.08)
_MOVES = (-2, -1, 1, 2, 3, -3)
_MOVE_P = (0.18, 0.3, 0.28, 0.14, 0.05, 0.05)


@dataclass(frozen=True, slots=True)
class Motif:
    """A phrase: ``(onset, length, step)`` triples in grid steps and scale steps above a root.

    ``n_units`` is the phrase's length in grid steps (two bars).
    """

    notes: tuple[tuple[int, int, int], ...]
    n_units: int


def make_motif(scale: Scale, bar_units: int, rng: np.random.Generator) -> Motif:
    """Draw a two-bar motif in ``scale`` (its steps above the tonic chord's root).

    It starts on the root or the chord's fifth, moves mostly by step, never leaves the
    range of a tenth, and ends with a long note on a chord tone.

    Parameters
    ----------
    scale : Scale
        Gives the number of steps per octave and the tonic chord.
    bar_units : int
        Grid steps (sixteenths) in a bar.
    rng : numpy.random.Generator
        The motif's stream.

    Returns
    -------
    Motif
    """
    n_units = 2 * bar_units
    octave = scale.n_steps
    chord = chord_steps(scale, 0)
    tones = sorted({*chord, *(s + octave for s in chord)})
    ending = max(4, bar_units // 2)
    rhythm: list[int] = []
    while sum(rhythm) < n_units - ending:
        cell = _CELLS[int(rng.choice(len(_CELLS), p=_CELL_P))]
        rhythm.extend(cell)
    rhythm[-1] -= sum(rhythm) - (n_units - ending)
    rhythm = [r for r in rhythm if r > 0] + [ending]
    step = int(rng.choice([0, chord[-1]]))
    notes = []
    onset = 0
    for i, length in enumerate(rhythm):
        if i == len(rhythm) - 1:
            step = min(tones, key=lambda t: (abs(t - step), t))
        notes.append((onset, length, step))
        onset += length
        move = int(rng.choice(_MOVES, p=_MOVE_P))
        step = int(np.clip(step + move, -2, octave + 2))
    return Motif(tuple(notes), n_units)


def motif_pitches(motif: Motif, scale: Scale, degree: int, low: int, high: int) -> list[int]:
    """Return the motif's MIDI keys above chord root ``degree``, an octave placed to fit ``low..high``.

    The root is the degree's note at or above ``low``, raised by octaves while the whole
    phrase still fits under ``high``.
    """
    root = scale.step_near(low, degree)
    if scale.pitch(root) < low:
        root += scale.n_steps
    lowest = min(s for _, _, s in motif.notes)
    while scale.pitch(root + lowest) < low:
        root += scale.n_steps
    highest = max(s for _, _, s in motif.notes)
    while (
        scale.pitch(root + highest + scale.n_steps) <= high
        and scale.pitch(root + scale.n_steps) <= (low + high) // 2
    ):
        root += scale.n_steps
    return [scale.pitch(root + s) for _, _, s in motif.notes]
