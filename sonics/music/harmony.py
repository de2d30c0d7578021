"""Harmony: the progressions a film composer writes in each mode, and chords voiced in a register.

Chords are built from the mode's own notes, so every chord tone is in the scale. In the
seven-note modes a chord is a triad (steps 0, 2, 4 above its root); in the pentatonic modes,
which have no full set of triads, a chord is the root, the scale's third above it if there
is one (else a second, else a fourth) and the note nearest a fifth: open, modal sonorities
(D-A with F or E), as Chinese and epic writing voices them. Progressions are written as the
scale degrees of the roots, one per bar: aeolian i-VI-VII-i and i-VI-III-VII, dorian
i-IV, phrygian i-bII, mixolydian I-bVII-IV, pentatonic moves by the mode's own notes.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from sonics.music.scales import PENTATONIC_MODES, Scale

__all__ = ["PROGRESSIONS", "choose_progression", "chord_pitches", "chord_steps", "open_fifth"]

_PENTATONIC = ((0, 4, 1, 0), (0, 3, 4, 0), (0, 1, 4, 0), (0, 2, 3, 0), (0, 0, 4, 3))

PROGRESSIONS: Mapping[str, tuple[tuple[int, ...], ...]] = MappingProxyType(
    {
        "minor": ((0, 5, 6, 0), (0, 5, 2, 6), (0, 3, 5, 6), (0, 0, 5, 6)),
        "harmonic_minor": ((0, 5, 3, 4), (0, 3, 4, 0), (0, 5, 4, 0)),
        "dorian": ((0, 3, 0, 3), (0, 6, 3, 0), (0, 2, 3, 0)),
        "phrygian": ((0, 1, 0, 6), (0, 1, 2, 1), (0, 6, 1, 0)),
        "major": ((0, 4, 5, 3), (0, 3, 5, 4), (0, 5, 3, 4)),
        "lydian": ((0, 1, 0, 1), (0, 1, 4, 0), (0, 6, 1, 0)),
        "mixolydian": ((0, 6, 3, 0), (0, 3, 6, 0), (0, 6, 0, 3)),
        **{mode: _PENTATONIC for mode in sorted(PENTATONIC_MODES)},
    }
)
"""Chord roots (scale degrees, 0 = the tonic) of four-bar progressions, per mode."""


def choose_progression(mode: str, rng: np.random.Generator) -> tuple[int, ...]:
    """Return one of the mode's progressions, drawn with ``rng``."""
    options = PROGRESSIONS[mode]
    return options[int(rng.integers(len(options)))]


def chord_steps(scale: Scale, degree: int) -> tuple[int, ...]:
    """Return the chord on scale degree ``degree`` as step offsets above its root (root first).

    Examples
    --------
    >>> chord_steps(Scale("D", "minor"), 5)  # VI: Bb D F
    (0, 2, 4)
    >>> chord_steps(Scale("D", "yu"), 0)  # D F A
    (0, 1, 3)
    """
    if not scale.is_pentatonic:
        return (0, 2, 4)
    root = scale.pitch(degree)
    above = {k: scale.pitch(degree + k) - root for k in range(1, scale.n_steps)}

    def nearest(targets: tuple[int, ...], avoid: int = 0) -> int:
        for target in targets:
            for k, semis in above.items():
                if semis == target and k != avoid:
                    return k
        return min((k for k in above if k != avoid), key=lambda k: (abs(above[k] - targets[0]), k))

    fifth = nearest((7, 5, 8))
    colour = nearest((3, 4, 2, 5), avoid=fifth)
    return tuple(sorted((0, colour, fifth)))


@functools.lru_cache(maxsize=4096)
def chord_pitches(scale: Scale, degree: int, low: int, high: int, n_voices: int = 3) -> tuple[int, ...]:
    """Return ``n_voices`` chord tones, lowest first, from the root nearest ``low`` upwards.

    The root is the degree's note at or above ``low``; the other voices climb through the
    chord's tones and octaves, and stay at or below ``high`` where they can (a voice that
    cannot is dropped, but the root always sounds).

    Examples
    --------
    >>> chord_pitches(Scale("D", "minor"), 0, 50, 70, 4)  # D F A D
    (50, 53, 57, 62)
    """
    steps = chord_steps(scale, degree)
    n = scale.n_steps
    root = scale.step_near(low, degree)
    if scale.pitch(root) < low:
        root += n
    ladder = [root + octave * n + s for octave in range(4) for s in steps]
    voices = [scale.pitch(s) for s in ladder[:n_voices]]
    return (voices[0], *(p for p in voices[1:] if p <= high))


def open_fifth(scale: Scale, degree: int, low: int, high: int) -> list[int]:
    """Return the chord's root (at or above ``low``) and the fifth above it: the open sonority of low brass.

    Examples
    --------
    >>> open_fifth(Scale("D", "minor"), 5, 45, 64)  # Bb2 F3
    [46, 53]
    """
    return [p for i, p in enumerate(chord_pitches(scale, degree, low, high, 3)) if i != 1]
