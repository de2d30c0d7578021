"""``sonics.sfx_pass``: one preset's sound-effect pass over a picture, and its output folder.

A pass spots the picture with the preset, plans every sound and renders one stem per
layer. Written into a folder, it adds or replaces only its own layers: the stems,
cues and plan entries of other passes already there are kept, and the ``sfx.wav``
premix is rebuilt from every SFX stem in the folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sonics.core.cues import Cue, CueSheet
from sonics.core.errors import ExportError, MediaError
from sonics.core.model import Analysis
from sonics.core.rng import check_seed
from sonics.core.sfxplan import SfxPlan
from sonics.core.sound import SampleLibrary, Stem
from sonics.export.cuesheet import cue_sheet_csv
from sonics.export.files import AtomicFiles, json_bytes
from sonics.export.wav import wav_chunks, wav_header
from sonics.io.samples import open_sample_library
from sonics.io.stems import read_stem
from sonics.pipeline.analyze import Progress, analyze
from sonics.presets import Preset, apply_overrides, load_preset
from sonics.sfx.plan import plan_sfx
from sonics.sfx.render import render_sfx, render_stems, stem_buffer, trim_to_peak
from sonics.spotting import spot

__all__ = ["SfxResult", "sfx_pass", "write_sfx_pass"]

CUES_JSON = "cues.json"
CUES_CSV = "cues.csv"
PLAN_JSON = "sfx_plan.json"
PREMIX_WAV = "sfx.wav"
STEMS_DIR = "stems"

_READ_SAMPLES = 1 << 20
"""Samples of a written stem read back at a time to sum the premix (8 MB)."""


@dataclass(frozen=True, slots=True, eq=False)
class SfxResult:
    """One SFX pass decided: the cues and the plan with every draw, ready to render.

    Rendering is left to :meth:`stems` (everything in memory) or to
    :func:`write_sfx_pass` (a few layers at a time, straight to disk), so a long picture
    never holds every stem at once.
    """

    analysis: Analysis
    preset: Preset
    sheet: CueSheet
    plan: SfxPlan
    library: SampleLibrary | None = None

    def stems(self, *, workers: int = 2, on_progress: Progress | None = None) -> tuple[Stem, ...]:
        """Render every layer; see :func:`sonics.sfx.render.render_sfx`."""
        return render_sfx(self.plan, library=self.library, workers=workers, on_progress=on_progress)


def _preset(preset: str | os.PathLike[str] | Preset, overrides: tuple[str, ...]) -> Preset:
    loaded = preset if isinstance(preset, Preset) else load_preset(preset)
    return apply_overrides(loaded, list(overrides)) if overrides else loaded


def sfx_pass(
    source: Any,
    *,
    preset: str | os.PathLike[str] | Preset = "battle",
    samples: str | os.PathLike[str] | SampleLibrary | None = None,
    seed: int = 0,
    overrides: tuple[str, ...] = (),
    on_progress: Progress | None = None,
) -> SfxResult:
    """Spot a picture with one preset and plan every sound of its layers.

    Parameters
    ----------
    source : str, Path, Analysis or anything :func:`sonics.analyze` takes
        The picture: a video, a timeline, an ``analysis.json`` or an ``Analysis``.
    preset : str, Path or Preset
        A built-in preset name (``"battle"``, ``"ambush"``...), a TOML file, or a
        loaded preset.
    samples : str, Path or SampleLibrary, optional
        The user's sample folder; layers find their files in it by UCS CatID.
    seed : int
        Same seed, same picture, same preset: byte-identical stems.
    overrides : tuple of str
        ``key=value`` preset overrides (``"sfx.layers.whoosh.gain_db=-6"``).
    on_progress : callable, optional
        Called as ``on_progress(stage, done, total)``.

    Returns
    -------
    SfxResult
        The cues and the plan; ``result.stems()`` renders them, ``write_sfx_pass``
        renders them into a folder.

    Raises
    ------
    SonicsError
        On unreadable input, a bad preset or a bad sample library.

    Examples
    --------
    >>> result = sonics.sfx_pass("cut.mp4", preset="ambush", seed=7)  # doctest: +SKIP
    >>> [s.name for s in result.stems()]  # doctest: +SKIP
    """
    check_seed(seed)
    loaded = _preset(preset, overrides)
    library = open_sample_library(samples) if isinstance(samples, (str, os.PathLike)) else samples
    analysis = analyze(source, on_progress=on_progress)
    sheet = spot(analysis, loaded)
    plan = plan_sfx(sheet, loaded, seed=seed, library=library)
    return SfxResult(analysis, loaded, sheet, plan, library)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MediaError(f"{path}: not a readable JSON file ({str(exc).lower()})") from None


def _cue_key(cue: Cue) -> tuple[str, float, str, str]:
    return (cue.layer, cue.time_s, cue.event, cue.why)


def _merge(result: SfxResult, out_dir: Path, force: bool) -> tuple[CueSheet, SfxPlan, list[str]]:
    """Merge this pass into the folder's earlier passes; return the sheet, the plan and the kept layers."""
    sheet, plan = result.sheet, result.plan
    cues_path, plan_path = out_dir / CUES_JSON, out_dir / PLAN_JSON
    if force or not (cues_path.exists() and plan_path.exists()):
        return sheet, plan, []
    old_sheet = CueSheet.from_dict(_read_json(cues_path), str(cues_path))
    old_plan = SfxPlan.from_dict(_read_json(plan_path), str(plan_path))
    if old_sheet.n_samples != sheet.n_samples or old_plan.n_samples != plan.n_samples:
        raise ExportError(
            f"{out_dir}: holds a pass over another picture ({old_sheet.n_samples} samples, this one "
            f"{sheet.n_samples}); use another folder or --force to start it afresh"
        )
    kept = [name for name in old_sheet.layers if name not in plan.layers]
    old_cues = [c for c in old_sheet.cues if c.layer in kept]
    merged_sheet = CueSheet(
        duration_s=sheet.duration_s,
        n_samples=sheet.n_samples,
        frame_rate=sheet.frame_rate,
        preset="+".join(dict.fromkeys([*old_sheet.preset.split("+"), sheet.preset])),
        layers=(*kept, *sheet.layers),
        cues=(*old_cues, *sheet.cues),
        sample_rate=sheet.sample_rate,
    )
    # Cue indices change when the sheets merge; follow each sound to its cue.
    index = {_cue_key(c): i for i, c in enumerate(merged_sheet.cues)}
    old_index = {i: _cue_key(c) for i, c in enumerate(old_sheet.cues)}
    new_index = {i: _cue_key(c) for i, c in enumerate(sheet.cues)}
    sounds = [
        s.__class__.from_dict({**s.to_dict(), "cue": index[old_index[s.cue]]})
        for s in old_plan.sounds
        if s.layer in kept
    ]
    sounds += [s.__class__.from_dict({**s.to_dict(), "cue": index[new_index[s.cue]]}) for s in plan.sounds]
    merged_plan = SfxPlan(
        preset=merged_sheet.preset,
        seed=plan.seed,
        n_samples=plan.n_samples,
        layers=merged_sheet.layers,
        sounds=tuple(sounds),
        library=plan.library or old_plan.library,
        sample_rate=plan.sample_rate,
    )
    return merged_sheet, merged_plan, kept


def _kept_stem(path: Path, plan: SfxPlan) -> np.ndarray:
    audio, rate = read_stem(path)
    if audio.shape != (2, plan.n_samples) or rate != plan.sample_rate:
        raise ExportError(f"{path}: does not match the folder's cues ({audio.shape[1]} samples at {rate} Hz)")
    return audio


def _add_written(total: np.ndarray, path: Path, plan: SfxPlan) -> None:
    """Add a stem just written into ``total``, read back from the page cache a few megabytes at a time."""
    piece = np.empty((min(_READ_SAMPLES, plan.n_samples), 2), dtype="<f4")
    try:
        with open(path, "rb") as stem:
            stem.seek(len(wav_header(plan.n_samples, 2, plan.sample_rate)))
            for start in range(0, plan.n_samples, _READ_SAMPLES):
                part = piece[: min(_READ_SAMPLES, plan.n_samples - start)]
                if stem.readinto(memoryview(part).cast("B")) != part.nbytes:
                    raise ExportError(f"{path}: the stem just written is shorter than the picture")
                total[:, start : start + part.shape[0]] += part.T
    except OSError as exc:
        raise ExportError(f"{path}: cannot read the stem back ({str(exc.strerror or exc).lower()})") from None


def _documents(analysis: Analysis | None, sheet: CueSheet, plan: SfxPlan) -> Iterator[tuple[str, bytes]]:
    """Yield the pass's text files, each encoded when it is asked for."""
    if analysis is not None:
        yield "analysis.json", json_bytes(analysis.to_dict())
    yield CUES_JSON, json_bytes(sheet.to_dict())
    yield CUES_CSV, cue_sheet_csv(sheet, plan).encode("utf-8")
    yield PLAN_JSON, json_bytes(plan.to_dict())


def write_sfx_pass(
    result: SfxResult,
    out_dir: str | os.PathLike[str],
    *,
    force: bool = False,
    write_analysis: bool = True,
    workers: int = 2,
    on_progress: Progress | None = None,
) -> list[Path]:
    """Render a pass into ``out_dir``: its stems, the merged cues and plan, and the premix.

    Writes ``analysis.json``, ``cues.json``, ``cues.csv``, ``sfx_plan.json``,
    ``stems/sfx_<layer>.wav`` (32-bit float, 48 kHz, stereo, the picture's exact
    length) for each of the pass's layers, and ``sfx.wav``: every SFX stem in the
    folder summed, turned down if it would peak above the preset's
    ``sfx.premix_peak_db``. Layers are rendered by ``workers`` processes at once (this
    one and forked helpers), each writing a stem as soon as it is done, so memory holds
    ``workers`` stems and the premix, however many layers there are. Either every file
    is written or none is.

    Parameters
    ----------
    result : SfxResult
        From :func:`sfx_pass`.
    out_dir : str or Path
        The output folder; created if missing (its parent must exist).
    force : bool
        Start the folder's SFX afresh: drop the cues and plan of earlier passes
        (their stem files stay on disk but leave the premix).
    write_analysis : bool
        Also write ``analysis.json`` (off when the pass was run from that very file).
    workers : int
        Processes rendering layers at once, this one included (threads where processes
        cannot be forked); the bytes do not depend on it.
    on_progress : callable, optional
        Called as ``on_progress("sfx", done, total)`` as sounds are done.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ExportError
        If the folder cannot be written, or holds a pass over another picture.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: is a file; give a folder")
    if not out_dir.parent.resolve().is_dir():
        raise ExportError(f"{out_dir}: the folder {out_dir.parent} does not exist")
    sheet, plan, kept = _merge(result, out_dir, force)
    made = [d for d in (out_dir, out_dir / STEMS_DIR) if not d.exists()]
    try:
        for folder in made:
            try:
                folder.mkdir()
            except OSError as exc:
                raise ExportError(
                    f"{folder}: cannot create the folder ({str(exc.strerror or exc).lower()})"
                ) from None
        with AtomicFiles() as staged:
            total = stem_buffer(plan.n_samples)
            for name in kept:  # one at a time: the premix is the only long array kept
                total += _kept_stem(out_dir / STEMS_DIR / f"sfx_{name}.wav", plan)
            # each stem is written by the worker that rendered it, into a file reserved here
            parts = {
                layer: staged.reserve(out_dir / STEMS_DIR / f"sfx_{layer}.wav")
                for layer in result.plan.layers
            }

            def write(stem: Stem) -> None:
                staged.fill(parts[stem.name.removeprefix("sfx_")], wav_chunks(stem.audio, stem.sample_rate))

            documents = _documents(result.analysis if write_analysis else None, sheet, plan)
            stems = render_stems(
                result.plan, write, library=result.library, workers=workers, on_progress=on_progress
            )
            for layer, _ in stems:
                _add_written(total, parts[layer], plan)
                staged.flush(parts[layer])
                for name, data in documents:  # after the first stem, while the workers render on
                    staged.add(out_dir / name, data)
            for name, data in documents:  # (a pass without layers)
                staged.add(out_dir / name, data)
            trim_to_peak(total, result.preset.sfx.premix_peak_db)
            staged.add(out_dir / PREMIX_WAV, wav_chunks(total, plan.sample_rate))
            del total
        return staged.written
    except BaseException:
        for folder in reversed(made):
            if folder.exists() and not any(folder.iterdir()):
                folder.rmdir()
        raise
