import pytest

from sonics.core.errors import ParameterError
from sonics.music.harmony import PROGRESSIONS, chord_pitches, chord_steps, open_fifth
from sonics.music.scales import SCALES, Scale, key_pitch_class, key_signature
from sonics.presets.schema import MusicSettings

NAMES = {
    "C": 0,
    "C#": 1,
    "D": 2,
    "Eb": 3,
    "E": 4,
    "F": 5,
    "F#": 6,
    "G": 7,
    "Ab": 8,
    "A": 9,
    "Bb": 10,
    "B": 11,
}


def pcs(*names: str) -> set[int]:
    return {NAMES[n] for n in names}


# The Chinese modes as IMSLP names them (research note §4.2), and the western modes.
@pytest.mark.parametrize(
    ("key", "mode", "notes"),
    [
        ("C", "gong", ("C", "D", "E", "G", "A")),
        ("D", "shang", ("D", "E", "G", "A", "C")),
        ("E", "jue", ("E", "G", "A", "C", "D")),
        ("G", "zhi", ("G", "A", "C", "D", "E")),
        ("A", "yu", ("A", "C", "D", "E", "G")),
        ("D", "yu", ("D", "F", "G", "A", "C")),
        ("D", "minor", ("D", "E", "F", "G", "A", "Bb", "C")),
        ("D", "harmonic_minor", ("D", "E", "F", "G", "A", "Bb", "C#")),
        ("D", "dorian", ("D", "E", "F", "G", "A", "B", "C")),
        ("E", "phrygian", ("E", "F", "G", "A", "B", "C", "D")),
        ("F", "lydian", ("F", "G", "A", "B", "C", "D", "E")),
        ("G", "mixolydian", ("G", "A", "B", "C", "D", "E", "F")),
        ("Eb", "major", ("Eb", "F", "G", "Ab", "Bb", "C", "D")),
    ],
)
def test_every_mode_has_its_notes(key, mode, notes):
    scale = Scale(key, mode)
    assert scale.pitch_classes == pcs(*notes)
    assert scale.n_steps == len(notes)
    # Steps climb through the notes in order, an octave per n_steps.
    climb = [scale.pitch(s) for s in range(10 * len(notes), 11 * len(notes) + 1)]
    assert [p % 12 for p in climb[:-1]] == [NAMES[n] for n in notes]
    assert climb[-1] - climb[0] == 12


def test_the_schema_modes_are_the_scales():
    assert set(SCALES) == set(MusicSettings.__dataclass_fields__["mode"].metadata["spec"].choices)


def test_key_names_and_bad_keys():
    assert [key_pitch_class(k) for k in ("C", "C#", "Db", "Cb", "B#", "E#", "Fb")] == [0, 1, 1, 11, 0, 5, 4]
    for bad in ("H", "c", "D##", "", "Dm"):
        with pytest.raises(ParameterError, match=r"key must be C\.\.B"):
            key_pitch_class(bad)
    with pytest.raises(ParameterError, match="mode must be one of"):
        Scale("D", "aeolian")


@pytest.mark.parametrize(
    ("key", "mode", "signature"),
    [
        ("D", "minor", "Dm"), ("D", "yu", "Dm"), ("A", "yu", "Am"), ("C", "gong", "C"), ("G", "zhi", "C"),
        ("D", "shang", "C"), ("E", "jue", "C"), ("D", "dorian", "C"), ("E", "phrygian", "C"),
        ("F", "lydian", "C"), ("G", "mixolydian", "C"), ("F#", "major", "F#"), ("Gb", "major", "Gb"),
        ("B", "major", "B"), ("Bb", "harmonic_minor", "Bbm"), ("C#", "minor", "C#m"),
    ],
)  # fmt: skip
def test_key_signature_is_the_parent_scale(key, mode, signature):
    assert key_signature(key, mode) == signature


@pytest.mark.parametrize("mode", list(SCALES))
def test_every_chord_of_every_mode_is_in_the_scale(mode):
    for key in NAMES:
        scale = Scale(key, mode)
        for degree in range(scale.n_steps):
            steps = chord_steps(scale, degree)
            assert steps[0] == 0 and len(set(steps)) == 3
            voices = chord_pitches(scale, degree, 40, 90, 6)
            assert list(voices) == sorted(voices) and len(voices) == 6
            assert all(scale.contains(p) for p in voices)
            assert voices[0] % 12 == scale.pitch(degree) % 12 and voices[0] >= 40
            root, fifth = open_fifth(scale, degree, 40, 90)
            assert scale.contains(fifth) and 5 <= fifth - root <= 8


def test_triads_in_the_seven_note_modes_and_open_chords_in_the_pentatonic():
    assert chord_pitches(Scale("D", "minor"), 5, 40, 60) == (46, 50, 53)  # Bb D F
    assert chord_pitches(Scale("D", "harmonic_minor"), 4, 40, 60) == (45, 49, 52)  # A C# E
    assert chord_pitches(Scale("D", "yu"), 0, 50, 70) == (50, 53, 57)  # D F A
    assert chord_pitches(Scale("C", "gong"), 0, 48, 70) == (48, 52, 55)  # C E G
    assert chord_pitches(Scale("D", "shang"), 0, 50, 70) == (50, 52, 57)  # D E A: no third in shang
    # E jue has no fifth: E G A (root, minor third, fourth)
    assert chord_pitches(Scale("E", "jue"), 0, 52, 70) == (52, 55, 57)


def test_progressions_start_on_the_tonic_and_use_the_mode_degrees():
    for mode, options in PROGRESSIONS.items():
        n = Scale("C", mode).n_steps
        for progression in options:
            assert progression[0] == 0 and all(0 <= d < n for d in progression)


def test_step_lookup_round_trips():
    scale = Scale("F#", "zhi")
    for step in range(20, 60):
        pitch = scale.pitch(step)
        assert scale.step_below(pitch) == step == scale.step_near(pitch)
        assert scale.step_below(pitch + 1) == step or scale.pitch(step + 1) == pitch + 1
    assert scale.pitch(scale.step_near(61, degree=3)) % 12 == scale.pitch(3) % 12
