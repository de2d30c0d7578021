"""``sonics.score``: the main job: every stage once, from one seed, into one folder.

The picture is analysed (decoded once), spotted, its sound effects planned and rendered,
its tempo found and mapped onto the hits, a score arranged on that map and synthesised (or
the user's own track fitted to the picture), everything mixed to the delivery loudness, and
the deliverables written: stems, buses and mix as Broadcast WAV, MIDI, the scored video,
the editor's and the DAW's project files, the JSON of every stage and the review page.

Stems are rendered one at a time, written, and added into their bus, so memory holds one
stem and the buses however many layers and parts there are. With an output folder the
whole run is built in a temporary folder beside it and moved into place at the end
(:class:`~sonics.export.files.AtomicFolder`): a failed run leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from sonics import __version__
from sonics.core.cues import CueSheet
from sonics.core.errors import ExportError, MediaError
from sonics.core.model import Analysis
from sonics.core.rng import check_seed
from sonics.core.score import Score
from sonics.core.sfxplan import SfxPlan
from sonics.core.sound import SampleLibrary, Stem
from sonics.core.tempo import TempoMap
from sonics.export.files import AtomicFolder, json_bytes
from sonics.io.samples import open_sample_library
from sonics.mix.buses import bed_stem_names
from sonics.mix.mixdown import MixResult, mix_stems
from sonics.music.arrange import arrange
from sonics.pipeline.analyze import Progress, analyze
from sonics.pipeline.deliver import Deliverables, write_deliverables
from sonics.pipeline.dialogue import read_dialogue
from sonics.pipeline.fit_music import FitResult, fit_music
from sonics.pipeline.music import music_stems, read_tempo_map
from sonics.pipeline.tempo import TempoResult, tempo_pass
from sonics.presets import Preset, apply_overrides, load_preset, preset_to_toml
from sonics.sfx.plan import plan_sfx
from sonics.sfx.render import render_stems
from sonics.spotting import picture_length, spot

__all__ = ["RUN_JSON", "ScoreResult", "run_key", "score"]

RUN_JSON = "run.json"

_HITS_BUS = "sfx_hits"
_BEDS_BUS = "sfx_beds"


@dataclass(frozen=True, slots=True, eq=False)
class ScoreResult:
    """A scored picture: what every stage decided, the mix, and where it was written.

    Parameters
    ----------
    analysis : Analysis
        The picture.
    preset : Preset
        The preset the run used (after overrides).
    sheet : CueSheet
        The SFX cues.
    plan : SfxPlan
        Every sound with every random draw.
    tempo : TempoResult or None
        The hits, Find Tempo's table and the tempo map (None when a fitted track sets it).
    tempo_map : TempoMap
        The music's tempo map: the generated score's, or the fitted track's.
    music : Score or None
        The generated score (None when the user's track was fitted instead).
    fit : FitResult or None
        The fitted track, when ``music=`` was given.
    mix : MixResult
        The mix, its DME buses and its loudness.
    seed : int
        The run's seed.
    key : str
        :func:`run_key` of the inputs.
    out_dir : Path or None
        Where it was written (None for a run in memory).
    files : tuple of Path
        The files written, relative to ``out_dir``.
    warnings : tuple of str
        What the run could not do as asked, one line each.
    """

    analysis: Analysis
    preset: Preset
    sheet: CueSheet
    plan: SfxPlan
    tempo: TempoResult | None
    tempo_map: TempoMap
    music: Score | None
    fit: FitResult | None
    mix: MixResult
    seed: int
    key: str
    out_dir: Path | None = None
    files: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()

    def summary(self) -> dict[str, Any]:
        """Return the run's figures a person or a batch summary reads (no wall-clock times)."""
        picture = self.analysis.picture
        loud = self.mix.loudness
        segments = self.tempo_map.segments
        return {
            "duration_s": round(picture.duration_s, 6),
            "n_frames": picture.n_frames,
            "fps": f"{picture.frame_rate.numerator}/{picture.frame_rate.denominator}",
            "n_cuts": sum(1 for c in self.analysis.cuts if not c.is_gradual),
            "n_transitions": sum(1 for c in self.analysis.cuts if c.is_gradual),
            "n_impacts": len(self.analysis.impacts),
            "n_cues": len(self.sheet.cues),
            "n_sfx_layers": len(self.plan.layers),
            "music": "fitted" if self.fit is not None else "generated",
            "n_music_parts": 0 if self.music is None else len(self.music.parts),
            "bpm_first": round(segments[0].bpm, 3),
            "n_tempo_segments": len(segments),
            "integrated_lufs": None if loud.integrated_lufs is None else round(loud.integrated_lufs, 2),
            "true_peak_dbtp": None if loud.true_peak_dbtp is None else round(loud.true_peak_dbtp, 2),
            "target_lufs": self.mix.target.integrated_lufs,
        }


def _file_digest(path: Path, digest: Any) -> None:
    try:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise MediaError(f"{path}: cannot read ({str(exc.strerror or exc).lower()})") from None


def run_key(
    source: Any,
    preset: Preset,
    seed: int,
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> str:
    """Return a content hash of a run's inputs: the picture's bytes, the preset, the seed, sonics' version.

    Two runs with the same key give the same bytes, so a batch skips an episode whose key
    matches the one in its ``run.json``.

    Parameters
    ----------
    source : str, Path or Analysis
        The picture (its file's bytes are hashed; an :class:`Analysis` by its JSON).
    preset : Preset
        The preset after overrides (hashed as its full TOML).
    seed : int
        The run's seed.
    inputs : iterable of path or None
        Other files the run reads (media, sample folder files, a track, edited JSON).

    Returns
    -------
    str
        ``"sha256:<hex>"``.
    """
    digest = hashlib.sha256()
    digest.update(f"sonics {__version__}\nseed {seed}\n".encode())
    digest.update(preset_to_toml(preset).encode("utf-8"))
    if isinstance(source, Analysis):
        digest.update(json_bytes(source.to_dict()))
    elif isinstance(source, (str, os.PathLike)):
        _file_digest(Path(source), digest)
    else:
        digest.update(repr(source).encode("utf-8"))
    for extra in inputs:
        if extra is None:
            continue
        path = Path(extra)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(path) if path.is_dir() else file.name).encode("utf-8"))
            _file_digest(file, digest)
    return f"sha256:{digest.hexdigest()}"


def _preset(
    preset: str | os.PathLike[str] | Preset, overrides: Iterable[str], loudness: str | None
) -> Preset:
    loaded = preset if isinstance(preset, Preset) else load_preset(preset)
    changes = list(overrides) + ([] if loudness is None else [f"mix.loudness={loudness}"])
    return apply_overrides(loaded, changes) if changes else loaded


def _read_document(path: str | os.PathLike[str]) -> dict[str, Any]:
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MediaError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MediaError(f"{path}: not a readable JSON file ({str(exc).lower()})") from None


def _inputs_inside(out_dir: Path, paths: Iterable[str | os.PathLike[str] | None]) -> None:
    """Refuse an output folder that holds one of the run's inputs: replacing it would destroy the input."""
    target = out_dir.resolve()
    for path in paths:
        if path is None:
            continue
        resolved = Path(path).resolve()
        if resolved == target or resolved.is_relative_to(target):
            raise ExportError(f"{out_dir}: holds the input {path}; write the new run to another folder")


class _Buses:
    """Sums of the stems as they are rendered: SFX hits, SFX beds, music."""

    def __init__(self, n_samples: int, sample_rate: int, beds: frozenset[str]) -> None:
        self.sample_rate = sample_rate
        self.beds = beds
        self.sums = {
            name: np.zeros((2, n_samples), dtype=np.float32) for name in (_HITS_BUS, _BEDS_BUS, "music")
        }
        self.fed: dict[str, list[str]] = {name: [] for name in self.sums}

    def add(self, stem: Stem) -> None:
        bus = "music" if stem.role == "music" else _BEDS_BUS if stem.name in self.beds else _HITS_BUS
        self.sums[bus] += stem.audio
        self.fed[bus].append(stem.name)

    def stems(self) -> list[Stem]:
        return [
            Stem(_HITS_BUS, "effects", self.sums[_HITS_BUS], self.sample_rate),
            Stem(_BEDS_BUS, "effects", self.sums[_BEDS_BUS], self.sample_rate),
            Stem("music", "music", self.sums["music"], self.sample_rate),
        ]


def score(
    source: Any,
    *,
    preset: str | os.PathLike[str] | Preset = "battle",
    out_dir: str | os.PathLike[str] | None = None,
    seed: int = 0,
    samples: str | os.PathLike[str] | SampleLibrary | None = None,
    media: str | os.PathLike[str] | None = None,
    music: str | os.PathLike[str] | None = None,
    cues: str | os.PathLike[str] | CueSheet | None = None,
    tempo: str | os.PathLike[str] | TempoMap | None = None,
    loudness: str | None = None,
    soundfont: str | os.PathLike[str] | None = None,
    keep_original_audio: bool = False,
    force: bool = False,
    overrides: Iterable[str] = (),
    workers: int = 2,
    analysis: Analysis | None = None,
    on_progress: Progress | None = None,
) -> ScoreResult:
    """Score a picture: analysis, spotting, effects, tempo, music, mix and delivery, from one seed.

    Parameters
    ----------
    source : str, Path, Analysis or anything :func:`sonics.analyze` takes
        A video, a timeline, an ``analysis.json`` (the run then starts at spotting) or an
        :class:`Analysis`.
    preset : str, Path or Preset
        A built-in preset name, a TOML file or a loaded preset.
    out_dir : str or Path, optional
        The output folder (see DESIGN §5 and the README); built beside itself and moved
        into place whole. Without it nothing is written and the result holds the mix.
    seed : int
        Same inputs and seed: byte-identical files.
    samples : str, Path or SampleLibrary, optional
        The user's sample folder for the effects.
    media : str or Path, optional
        The rendered video of a timeline ``source``.
    music : str or Path, optional
        The user's own music track: fitted to the picture (``sonics fit-music``) instead of
        the generated score.
    cues : str, Path or CueSheet, optional
        An edited ``cues.json``: used instead of spotting.
    tempo : str, Path or TempoMap, optional
        An edited ``tempo.json``: the score is arranged on it instead of a fitted map.
    loudness : str, optional
        Delivery loudness (``streaming``, ``ebu-r128``, ``atsc`` or LUFS such as ``"-16"``),
        overriding the preset's ``mix.loudness``.
    soundfont : str or Path, optional
        Render the music parts with this SoundFont (needs ``fluidsynth`` or pyfluidsynth)
        instead of the built-in synthesiser.
    keep_original_audio : bool
        Keep the video's own audio as a second track of the scored video.
    force : bool
        Replace an existing ``out_dir``.
    overrides : iterable of str
        ``key=value`` preset overrides (``"mix.duck_depth_db=-12"``).
    workers : int
        Threads that render sounds and parts (the bytes do not depend on it).
    analysis : Analysis, optional
        The analysis of ``source``, already made (for instance in time chunks on a cluster,
        :func:`~sonics.pipeline.analyze.analyze_joined`); ``source`` then only names the
        picture and keys the run.
    on_progress : callable, optional
        Called as ``on_progress(stage, done, total)``.

    Returns
    -------
    ScoreResult
        Every stage's result, the mix and the files written.

    Raises
    ------
    SonicsError
        On unreadable input, a bad preset, a bad sample library or track, or an output
        folder that cannot be written (nothing is left behind).

    Examples
    --------
    >>> result = sonics.score("cut.mp4", preset="battle", out_dir="out", seed=7)  # doctest: +SKIP
    >>> result.summary()["integrated_lufs"]  # doctest: +SKIP
    -14.0
    """
    check_seed(seed)
    loaded = _preset(preset, overrides, loudness)
    paths = [source if isinstance(source, (str, os.PathLike)) else None, media, music]
    paths += [p if isinstance(p, (str, os.PathLike)) else None for p in (cues, tempo, samples, soundfont)]
    folder = None
    if out_dir is not None:
        _inputs_inside(Path(out_dir), paths)
        folder = AtomicFolder(out_dir, force=force)
    library = open_sample_library(samples) if isinstance(samples, (str, os.PathLike)) else samples
    key = run_key(source, loaded, seed, inputs=[media, music, *paths[3:]])
    if analysis is None:
        analysis = analyze(source, media=media, on_progress=on_progress)
    warnings = list(analysis.warnings)

    if isinstance(cues, (str, os.PathLike)):
        sheet = CueSheet.from_dict(_read_document(cues), str(cues))
    else:
        sheet = cues if cues is not None else spot(analysis, loaded)
    _duration_s, n_samples = picture_length(analysis.picture)
    if sheet.n_samples != n_samples:
        raise MediaError(
            f"{cues}: the cues are for another picture ({sheet.n_samples} samples, not {n_samples})"
        )
    plan = plan_sfx(sheet, loaded, seed=seed, library=library)

    fit: FitResult | None = None
    tempo_result: TempoResult | None = None
    arranged: Score | None = None
    if music is not None:
        fit = fit_music(analysis, music, preset=loaded, seed=seed, on_progress=on_progress)
        tempo_map = fit.fitted.tempo_map
        warnings += list(fit.warnings)
    else:
        if isinstance(tempo, (str, os.PathLike)):
            tempo_map = read_tempo_map(tempo)
        elif tempo is not None:
            tempo_map = tempo
        else:
            tempo_result = tempo_pass(analysis, preset=loaded)
            tempo_map = tempo_result.tempo_map
        warnings += list(tempo_map.warnings)
        arranged = arrange(tempo_map, analysis, settings=loaded.music, seed=seed)

    dialogue = read_dialogue(analysis, n_samples, warnings)
    buses = _Buses(n_samples, plan.sample_rate, bed_stem_names(loaded.sfx))
    written: list[Path] = []
    staging_cm = folder if folder is not None else _NoFolder()
    with staging_cm as staging:
        deliver = Deliverables(staging, analysis, loaded) if staging is not None else None

        # layers render on worker processes, each stem copied back here to be mixed and written
        rendered = render_stems(
            plan, lambda stem: stem.audio.copy(), library=library, workers=workers, on_progress=on_progress
        )
        for layer, audio in rendered:
            stem = Stem(f"sfx_{layer}", "effects", audio, plan.sample_rate)
            buses.add(stem)
            if deliver is not None:
                deliver.stem(stem)
            del stem, audio
        if deliver is not None:
            deliver.order_stems([f"sfx_{layer}" for layer in plan.layers])
        if fit is not None:
            stems: Iterable[Stem] = (Stem("music_track", "music", fit.fitted.audio, plan.sample_rate),)
        else:
            stems = music_stems(
                arranged, n_samples, seed=seed, workers=workers, soundfont=soundfont, on_progress=on_progress
            )
        for stem in stems:
            buses.add(stem)
            if deliver is not None:
                deliver.stem(stem)
        del stems

        if on_progress is not None:
            on_progress("mix", 0, 1)
        mixed = mix_stems(
            buses.stems(),
            dialogue=dialogue,
            analysis=analysis,
            cues=sheet,
            bed_stems={_BEDS_BUS},
            settings=loaded.mix,
            sample_rate=plan.sample_rate,
        )
        warnings += list(mixed.warnings)
        if on_progress is not None:
            on_progress("mix", 1, 1)
        result = ScoreResult(
            analysis=analysis,
            preset=loaded,
            sheet=sheet,
            plan=plan,
            tempo=tempo_result,
            tempo_map=tempo_map,
            music=arranged,
            fit=fit,
            mix=mixed,
            seed=seed,
            key=key,
            out_dir=None if out_dir is None else Path(out_dir),
            warnings=tuple(dict.fromkeys(warnings)),
        )
        if deliver is not None:
            written, late = write_deliverables(
                deliver,
                result,
                final_dir=Path(out_dir),
                keep_original_audio=keep_original_audio,
                on_progress=on_progress,
            )
            result = replace(result, warnings=tuple(dict.fromkeys((*result.warnings, *late))))
            deliver.add_json(RUN_JSON, _run_document(result, written))
            written.append(Path(RUN_JSON))
    return replace(result, files=tuple(written))


class _NoFolder:
    """Stands in for the output folder of a run kept in memory."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _run_document(result: ScoreResult, files: list[Path]) -> dict[str, Any]:
    return {
        "schema": "sonics.run/1",
        "sonics": __version__,
        "key": result.key,
        "preset": result.preset.name,
        "seed": result.seed,
        "input": result.analysis.picture.path,
        "summary": result.summary(),
        "files": [p.as_posix() for p in sorted(files)],
        "warnings": list(result.warnings),
    }
