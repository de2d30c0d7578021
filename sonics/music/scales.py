"""Scales: the twelve modes of the presets, keys, and the scale-step arithmetic the score is written in.

The arrangement writes pitches as *steps* of the scale, not as MIDI keys: step 0 is the tonic
in MIDI octave -1 (key 0..11), step ``n`` (``n`` notes per octave) the tonic an octave up.
Every pitch made from a step is in the mode, so a line moved by steps stays in it. The
Chinese pentatonic modes are named by their tonic (IMSLP; research note §4.2): C gong =
C D E G A, D shang = D E G A C, E jue = E G A C D, G zhi = G A C D E, A yu = A C D E G.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sonics.core.errors import ParameterError

__all__ = ["PENTATONIC_MODES", "SCALES", "Scale", "key_pitch_class", "key_signature"]

SCALES: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "major": (0, 2, 4, 5, 7, 9, 11),
        "minor": (0, 2, 3, 5, 7, 8, 10),
        "dorian": (0, 2, 3, 5, 7, 9, 10),
        "phrygian": (0, 1, 3, 5, 7, 8, 10),
        "lydian": (0, 2, 4, 6, 7, 9, 11),
        "mixolydian": (0, 2, 4, 5, 7, 9, 10),
        "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
        "gong": (0, 2, 4, 7, 9),
        "shang": (0, 2, 5, 7, 10),
        "jue": (0, 3, 5, 8, 10),
        "zhi": (0, 2, 5, 7, 9),
        "yu": (0, 3, 5, 7, 10),
    }
)
"""Semitones of each mode's notes above its tonic."""

PENTATONIC_MODES = frozenset({"gong", "shang", "jue", "zhi", "yu"})
"""The Chinese five-tone modes (do re mi sol la, named by the degree that is the tonic)."""

_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

# Where each mode's notes sit in a major scale (semitones from the mode's tonic down to the
# major's tonic), for the key signature; None for the minor modes, written as minor keys.
_PARENT_MAJOR = {
    "major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7, "minor": None,
    "harmonic_minor": None, "gong": 0, "shang": 2, "jue": 4, "zhi": 7, "yu": None,
}  # fmt: skip

# Key signatures as MIDI writes them (mido's names), with their accidentals: + sharps, - flats.
_MAJOR_KEYS = {
    "C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7,
    "F": -1, "Bb": -2, "Eb": -3, "Ab": -4, "Db": -5, "Gb": -6, "Cb": -7,
}  # fmt: skip
_MINOR_KEYS = {
    "Am": 0, "Em": 1, "Bm": 2, "F#m": 3, "C#m": 4, "G#m": 5, "D#m": 6, "A#m": 7,
    "Dm": -1, "Gm": -2, "Cm": -3, "Fm": -4, "Bbm": -5, "Ebm": -6, "Abm": -7,
}  # fmt: skip


def key_pitch_class(key: str) -> int:
    """Return the pitch class 0..11 of a key name (``"C"`` 0, ``"F#"`` 6, ``"Bb"`` 10).

    Raises
    ------
    ParameterError
        If ``key`` is not a letter A..G with an optional ``#`` or ``b``.

    Examples
    --------
    >>> key_pitch_class("D"), key_pitch_class("Cb")
    (2, 11)
    """
    if not isinstance(key, str) or not 1 <= len(key) <= 2 or key[0] not in _LETTERS:
        raise ParameterError(f"key must be C..B with an optional # or b, got {key!r}")
    shift = {"": 0, "#": 1, "b": -1}.get(key[1:])
    if shift is None:
        raise ParameterError(f"key must be C..B with an optional # or b, got {key!r}")
    return (_LETTERS[key[0]] + shift) % 12


def key_signature(key: str, mode: str) -> str:
    """Return the key signature of a key and mode, as a MIDI file names it (``"Dm"``, ``"F"``).

    Modes write the signature of the major scale holding their notes (D dorian: C; G zhi: C);
    minor, harmonic minor and yu write the minor key of their tonic. Of two spellings of one
    signature the one with fewer accidentals wins, then the one the key's own accidental uses.

    Examples
    --------
    >>> key_signature("D", "yu"), key_signature("D", "dorian"), key_signature("F#", "major")
    ('Dm', 'C', 'F#')
    """
    scale = Scale(key, mode)
    parent = _PARENT_MAJOR[mode]
    if parent is None:
        pc, table, names = scale.tonic, _MINOR_KEYS, lambda n: key_pitch_class(n[:-1])
    else:
        pc, table, names = (scale.tonic - parent) % 12, _MAJOR_KEYS, key_pitch_class
    flats = key.endswith("b")
    candidates = [name for name in table if names(name) == pc]
    return min(candidates, key=lambda n: (abs(table[n]), (table[n] < 0) != flats))


@dataclass(frozen=True, slots=True)
class Scale:
    """A key and a mode, and the step <-> MIDI key arithmetic in it.

    Parameters
    ----------
    key : str
        Tonic name, ``C`` .. ``B`` with an optional ``#`` or ``b``.
    mode : str
        One of :data:`SCALES`.

    Raises
    ------
    ParameterError
        If the key or the mode is unknown.

    Examples
    --------
    >>> s = Scale("D", "yu")
    >>> [s.pitch(step) for step in range(25, 31)]  # D4 F4 G4 A4 C5 D5
    [62, 65, 67, 69, 72, 74]
    """

    key: str
    mode: str

    def __post_init__(self) -> None:
        if self.mode not in SCALES:
            raise ParameterError(f"mode must be one of {', '.join(SCALES)}, got {self.mode!r}")
        key_pitch_class(self.key)

    @property
    def tonic(self) -> int:
        """The tonic's pitch class, 0..11."""
        return key_pitch_class(self.key)

    @property
    def intervals(self) -> tuple[int, ...]:
        """Semitones of the mode's notes above the tonic."""
        return SCALES[self.mode]

    @property
    def n_steps(self) -> int:
        """Notes per octave (7, or 5 for a pentatonic mode)."""
        return len(self.intervals)

    @property
    def is_pentatonic(self) -> bool:
        """True for the Chinese five-tone modes."""
        return self.mode in PENTATONIC_MODES

    @property
    def pitch_classes(self) -> frozenset[int]:
        """The pitch classes of the mode's notes."""
        return frozenset((self.tonic + i) % 12 for i in self.intervals)

    def pitch(self, step: int) -> int:
        """Return the MIDI key of scale step ``step`` (step 0: the tonic at key 0..11)."""
        octave, index = divmod(step, self.n_steps)
        return self.tonic + 12 * octave + self.intervals[index]

    def step_below(self, pitch: int) -> int:
        """Return the highest step whose key is at or below ``pitch``."""
        octave, rest = divmod(pitch - self.tonic, 12)
        index = max(i for i, semis in enumerate(self.intervals) if semis <= rest)
        return octave * self.n_steps + index

    def step_near(self, pitch: int, degree: int | None = None) -> int:
        """Return the step nearest ``pitch`` (the lower on a tie), of scale degree ``degree`` if given."""
        low = self.step_below(pitch)
        options = range(low - self.n_steps, low + self.n_steps + 1)
        if degree is not None:
            options = [s for s in options if s % self.n_steps == degree % self.n_steps]
        return min(options, key=lambda s: (abs(self.pitch(s) - pitch), s))

    def contains(self, pitch: int) -> bool:
        """Return True if the MIDI key ``pitch`` is a note of the mode."""
        return pitch % 12 in self.pitch_classes
