"""Draw a spectrogram of every instrument of the built-in synthesiser, so a person can see what each plays.

Run ``pip install -e ".[docs]" && python docs/make_music_spectrograms.py``. It writes
``docs/instruments/<instrument>.png`` and ``docs/instruments.md`` (a page with every
picture, what the instrument models and the phrase it plays). Each instrument plays a
short phrase at 120 BPM that shows its articulations: short and long notes, soft and
loud (velocity 50 and 120), and for the pipa a long tremolo note; the drums a pattern.
Dashed lines mark the notes' onsets.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.signal import spectrogram

from sonics.core.score import DRUM_CHANNEL, Note, Part
from sonics.core.tempo import TempoMap
from sonics.music.synth import INSTRUMENTS, render_part

HERE = Path(__file__).resolve().parent
OUT = HERE / "instruments"
SEED = 7
SECONDS = 6.0
FLOOR_DB = -90.0
TEMPO = TempoMap.constant(120.0)  # a beat is half a second

# (key of the phrase, what the phrase is) per instrument family
ROOTS = {"low_strings": 38, "high_strings": 69, "brass": 50, "pad": 57, "choir": 57, "koto": 62, "pipa": 69}


def phrase(name: str) -> tuple[tuple[Note, ...], str]:
    """Return the notes an instrument plays in its picture and a one-line description of them."""
    if name == "taiko":
        keys = (36, 37, 41, 38, 36, 45, 43, 37, 35, 38, 38, 41, 36, 50, 48, 45)
        notes = tuple(Note(0.5 * i, 0.5, k, 120 if i % 4 == 0 else 80) for i, k in enumerate(keys))
        return notes, "eighth notes: o-daiko, rim, nagado taiko, shime; accents at 120, the rest at 80"
    if name == "cymbals":
        keys = (49, 51, 51, 52, 55, 51, 57, 42, 46)
        notes = tuple(Note(1.0 * i, 1.0, k, 110) for i, k in enumerate(keys))
        return (
            notes,
            "one a beat: crash, ride twice, china, splash, ride, crash 2, closed and open small cymbals",
        )
    root = ROOTS.get(name, 74)
    short = tuple(
        Note(0.5 * i, 0.4, root + (0, 3, 7, 12)[i % 4], 120 if i % 2 == 0 else 50) for i in range(4)
    )
    long = (Note(2.0, 3.0, root + 7, 50), Note(5.0, 4.0, root, 120))
    if name == "pipa":
        long = (Note(2.0, 3.0, root + 7, 80), Note(5.0, 4.0, root, 120))
        return short + long, "four plucks (120, 50, 120, 50), then two tremolo notes (80, 120)"
    return (
        short + long,
        "four short notes (velocity 120, 50, 120, 50), then a long soft note and a long loud one",
    )


def draw(name: str) -> tuple[Path, str, str]:
    """Render one instrument's phrase and save its spectrogram; return the PNG, the model and the phrase."""
    notes, what = phrase(name)
    channel = DRUM_CHANNEL if name in ("taiko", "cymbals") else 0
    audio = render_part(Part(name, name, 0, channel, notes=notes), TEMPO, round(SECONDS * 48000), seed=SEED)
    mono = audio.astype(np.float64).mean(axis=0)
    freqs, times, power = spectrogram(mono, fs=48000, nperseg=2048, noverlap=1536, window="hann")
    level_db = 10 * np.log10(np.maximum(power, 1e-20))
    level_db -= level_db.max()
    fig, ax = plt.subplots(figsize=(7.0, 3.0), dpi=72)
    mesh = ax.pcolormesh(times, freqs, np.maximum(level_db, FLOOR_DB), shading="auto", cmap="magma")
    ax.set_yscale("symlog", linthresh=200)
    ax.set_ylim(30, 20000)
    for note in notes:
        ax.axvline(float(TEMPO.beats_to_seconds(note.start_beat)), color="cyan", lw=0.5, ls="--")
    ax.set_xlabel("time (s) — dashed: note onsets")
    ax.set_ylabel("frequency (Hz)")
    ax.set_title(f"{name}", fontsize=10)
    fig.colorbar(mesh, ax=ax, label="dB re max")
    fig.tight_layout()
    path = OUT / f"{name}.png"
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    module = importlib.import_module(type(INSTRUMENTS[name]).__module__)
    model = (module.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    return path, model, what


def main() -> None:
    """Draw every instrument and write the page that shows them."""
    OUT.mkdir(exist_ok=True)
    lines = [
        "# What the built-in synthesiser's instruments play",
        "",
        "Made by `docs/make_music_spectrograms.py` (seed 7, 120 BPM). Frequency on a log scale above",
        "200 Hz; dashed lines are the notes' onsets, the samples the tempo map puts them on. A Part",
        'names its instrument by the name in each heading (`Part(..., instrument="koto")`).',
        "",
    ]
    for name in sorted(INSTRUMENTS):
        path, model, what = draw(name)
        lines += [
            f"## `{name}`",
            "",
            model,
            "",
            f"Plays: {what}.",
            "",
            f"![{name}](instruments/{path.name})",
            "",
        ]
    (HERE / "instruments.md").write_text("\n".join(lines))
    print(f"wrote {len(INSTRUMENTS)} spectrograms to {OUT}")


if __name__ == "__main__":
    main()
