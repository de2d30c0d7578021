"""Render the starter sample library: short UCS-named one-shots and loops made by sonics' own generators.

Run ``python samples/sfx/render_library.py``. It (re)writes the sound files next to this
script and ``LIBRARY.md``, a table of what is here. With it, ``--samples samples/sfx`` works
out of the box and sample mode is tested on real files.

The files are laid out as a bought library would be:

- names follow UCS, ``CatID_FXName_CreatorID_SourceID`` (creator ``SNCS``, source
  ``Starter``), so layers find them by CatID;
- hits carry 20–60 ms of quiet room tone before their transient, as recordings do, so
  placement must find the transient rather than trust the file start;
- rates and formats vary (48 kHz and 44.1 kHz, FLAC and Ogg Vorbis, mono and stereo), so
  the loader and resampler are exercised.

The render is deterministic: the same sonics gives the same files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from sonics.dsp.resample import resample
from sonics.sfx.generators import GENERATORS

HERE = Path(__file__).resolve().parent
CREATOR, SOURCE = "SNCS", "Starter"
ROOM_TONE_DB = -66.0


@dataclass(frozen=True)
class Entry:
    """One file: its UCS CatID and name, the generator that makes it, and how it is stored."""

    catid: str
    fx_name: str
    generator: str
    params: dict[str, Any] = field(default_factory=dict)
    pre_roll_s: float = 0.0
    rate_hz: int = 48_000
    fmt: str = "flac"

    @property
    def file_name(self) -> str:
        return f"{self.catid}_{self.fx_name}_{CREATOR}_{SOURCE}.{self.fmt}"


ENTRIES = (
    Entry("WHSH", "Whoosh Heavy 01", "whoosh", {"duration_s": 1.1, "speed_m_s": 25.0}),
    Entry("WHSH", "Whoosh Heavy 02", "whoosh", {"duration_s": 0.8, "speed_m_s": 35.0}, rate_hz=44_100),
    Entry("WHSH", "Whoosh Heavy 03", "whoosh", {"duration_s": 0.9, "speed_m_s": 30.0}),
    Entry("SWSH", "Sword Swish 01", "swish", {"duration_s": 0.4}),
    Entry("SWSH", "Sword Swish 02", "swish", {"duration_s": 0.35, "tip_speed_m_s": 50.0}, rate_hz=44_100),
    Entry("SWSH", "Arrow By 01", "arrow_flyby", {"duration_s": 1.0, "speed_m_s": 70.0}),
    Entry("FGHTImpt", "Body Hit 01", "impact", {"duration_s": 0.7, "hardness": 0.3}, pre_roll_s=0.04),
    Entry("FGHTImpt", "Body Hit 02", "impact", {"duration_s": 0.8, "hardness": 0.5}, pre_roll_s=0.025),
    Entry("FGHTImpt", "Body Hit 03", "impact", {"duration_s": 0.6}, pre_roll_s=0.06, rate_hz=44_100),
    Entry("WEAPSwrd", "Sword Clash 01", "clash", {"duration_s": 1.2}, pre_roll_s=0.03),
    Entry("WEAPSwrd", "Sword Clash 02", "clash", {"duration_s": 1.0, "pitch_hz": 520.0}, pre_roll_s=0.05),
    Entry("WEAPSwrd", "Blade Scrape 01", "scrape", {"duration_s": 0.9}, pre_roll_s=0.02),
    Entry("DSGNBoom", "Boom Low 01", "boom", {"duration_s": 2.0}, pre_roll_s=0.03),
    Entry("DSGNBoom", "Boom Low 02", "boom", {"duration_s": 1.6, "pitch_hz": 55.0}, pre_roll_s=0.02),
    Entry("EXPLReal", "Thunder Crack 01", "thunder", {"duration_s": 3.0}, pre_roll_s=0.03, fmt="ogg"),
    Entry("MUSCPerc", "War Drum Hit 01", "war_drums", {"duration_s": 1.5}, pre_roll_s=0.02),
    Entry("MUSCPerc", "War Drum Hit 02", "war_drums", {"duration_s": 1.5, "pitch_hz": 48.0}, pre_roll_s=0.03),
    Entry("DSGNRise", "Riser 01", "riser", {"duration_s": 2.0}),
    Entry("DSGNBram", "Braam 01", "braam", {"duration_s": 2.5}, pre_roll_s=0.02, fmt="ogg"),
    Entry("WEAPArro", "Arrow Volley 01", "arrow_volley", {"duration_s": 2.5}, fmt="ogg"),
    Entry("FEETHors", "Gallop Herd Loop 01", "hooves", {"duration_s": 4.0, "n_horses": 6}, fmt="ogg"),
    Entry("CRWDBatl", "Army Roar Loop 01", "army_roar", {"duration_s": 4.0}, fmt="ogg"),
    Entry("WINDGust", "Wind Gusts Loop 01", "wind", {"duration_s": 5.0}, fmt="ogg"),
    Entry("FIREBurn", "Fire Burning Loop 01", "fire", {"duration_s": 5.0}, fmt="ogg"),
    Entry("BIRDCrow", "Crows Distant 01", "crows", {"duration_s": 4.0}, fmt="ogg"),
)


def render(entry: Entry, seed: int) -> np.ndarray:
    """Return the file's audio, shape (samples, channels), at its storage rate."""
    sound = GENERATORS[entry.generator](**entry.params).render(np.random.default_rng(seed))
    audio = sound.audio.astype(np.float64)
    if entry.pre_roll_s:
        rng = np.random.default_rng(seed + 1000)
        n_pre = round(entry.pre_roll_s * sound.sample_rate)
        tone = rng.normal(0.0, 10 ** (ROOM_TONE_DB / 20), (audio.shape[0], n_pre + audio.shape[1]))
        tone[:, n_pre:] += audio
        audio = tone
    if entry.rate_hz != sound.sample_rate:
        audio = resample(audio, sound.sample_rate, entry.rate_hz)
    return np.clip(audio, -1.0, 1.0).T


def main() -> None:
    for old in HERE.glob(f"*_{CREATOR}_{SOURCE}.*"):
        old.unlink()
    rows = ["| file | generator | length (s) | rate (Hz) | channels | sync |", "|---|---|---|---|---|---|"]
    for seed, entry in enumerate(ENTRIES):
        audio = render(entry, seed)
        path = HERE / entry.file_name
        subtype = "PCM_16" if entry.fmt == "flac" else "VORBIS"
        soundfile.write(path, audio.astype(np.float32), entry.rate_hz, subtype=subtype)
        sync = (
            "peak"
            if entry.catid in ("WHSH", "SWSH", "DSGNRise")
            else "onset"
            if entry.pre_roll_s
            else "start"
        )
        rows.append(
            f"| `{entry.file_name}` | {entry.generator} | {audio.shape[0] / entry.rate_hz:.2f} | "
            f"{entry.rate_hz} | {audio.shape[1]} | {sync} |"
        )
    total_kb = sum(p.stat().st_size for p in HERE.glob(f"*_{CREATOR}_{SOURCE}.*")) / 1024
    (HERE / "LIBRARY.md").write_text(
        "# Starter sample library\n\n"
        "Rendered by `render_library.py` from sonics' own generators; UCS-named so presets find the\n"
        "files by CatID. Hits start with quiet room tone, as recordings do; placement syncs on the\n"
        f"transient (or on the peak, for whooshes). {len(ENTRIES)} files, {total_kb:.0f} KB.\n\n"
        + "\n".join(rows)
        + "\n"
    )
    print(f"wrote {len(ENTRIES)} files ({total_kb:.0f} KB) to {HERE}")


if __name__ == "__main__":
    main()
