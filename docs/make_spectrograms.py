"""Draw a spectrogram of every SFX generator, so a person can see what each one makes.

Run ``pip install -e ".[docs]" && python docs/make_spectrograms.py``. It writes
``docs/spectrograms/<generator>.png`` and ``docs/generators.md`` (a page with every
picture, the generator's one-line description and its default parameters). Beds are
drawn with a control curve that swells and falls, to show how they follow the picture.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.signal import spectrogram

from sonics.sfx.generators import GENERATORS

HERE = Path(__file__).resolve().parent
OUT = HERE / "spectrograms"
SEED = 7
BED_SECONDS = 8.0
FLOOR_DB = -90.0

# Parameters that show each generator at its most telling (defaults otherwise).
SHOWN = {
    "war_drums": {"pattern": "march", "duration_s": 4.0},
    "hooves": {"duration_s": BED_SECONDS, "n_horses": 1},
}


def _swell(rate_hz: float, seconds: float) -> tuple[float, ...]:
    t = np.arange(round(seconds * rate_hz)) / rate_hz
    return tuple(float(v) for v in 0.15 + 0.85 * np.sin(np.pi * t / seconds) ** 2)


def _instance(name: str):
    generator = GENERATORS[name]
    fields = {f.name for f in dataclasses.fields(generator)}
    params = dict(SHOWN.get(name, {}))
    if generator.kind == "bed" and "curve" in fields:
        params.setdefault("duration_s", BED_SECONDS)
        params["curve"] = _swell(100.0, params["duration_s"])
    try:
        return generator(**params)
    except Exception:  # a parameter this generator does not take: show its defaults
        return generator()


def draw(name: str) -> tuple[Path, str]:
    """Render one generator and save its spectrogram; return the PNG path and its one-line description."""
    instance = _instance(name)
    sound = instance.render(np.random.default_rng(SEED))
    mono = sound.audio.astype(np.float64).mean(axis=0)
    freqs, times, power = spectrogram(mono, fs=sound.sample_rate, nperseg=1024, noverlap=768, window="hann")
    level_db = 10 * np.log10(np.maximum(power, 1e-20))
    level_db -= level_db.max()
    fig, ax = plt.subplots(figsize=(7.0, 3.0), dpi=72)
    mesh = ax.pcolormesh(times, freqs, np.maximum(level_db, FLOOR_DB), shading="auto", cmap="magma")
    ax.set_yscale("symlog", linthresh=200)
    ax.set_ylim(20, sound.sample_rate / 2)
    ax.axvline(sound.sync_sample / sound.sample_rate, color="cyan", lw=0.8, ls="--")
    ax.set_xlabel("time (s) — dashed: sync point")
    ax.set_ylabel("frequency (Hz)")
    ax.set_title(f"{name}: {type(instance).__name__}", fontsize=10)
    fig.colorbar(mesh, ax=ax, label="dB re max")
    fig.tight_layout()
    path = OUT / f"{name}.png"
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)
    doc = (type(instance).__doc__ or "").strip().splitlines()[0]
    return path, doc


def main() -> None:
    """Draw every generator and write the page that shows them."""
    OUT.mkdir(exist_ok=True)
    lines = [
        "# What the SFX generators make",
        "",
        "Made by `docs/make_spectrograms.py` (seed 7). Frequency on a log scale above 200 Hz;",
        "the dashed line is the sync point, the sample that lands on the cue. Beds follow a control",
        "curve that swells and falls, as they would follow the picture's motion.",
        "",
    ]
    for name in sorted(GENERATORS):
        path, doc = draw(name)
        lines += [f"## `{name}`", "", doc, "", f"![{name}](spectrograms/{path.name})", ""]
    (HERE / "generators.md").write_text("\n".join(lines))
    print(f"wrote {len(GENERATORS)} spectrograms to {OUT}")


if __name__ == "__main__":
    main()
