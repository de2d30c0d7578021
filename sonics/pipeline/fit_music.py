"""``sonics.fit_music``: fit an editor's own track to a picture, and write the fitted track.

The picture's hits come from :func:`sonics.analyze`; the track is read at its own rate and
resampled once by sonics; the fitting itself is :func:`sonics.music.fitter.fit_track`.
:func:`write_fit_music` writes ``music.wav``, ``fit.json`` and ``tempo.json`` (and
``analysis.json``) into a folder, all or none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sonics.core.errors import ExportError
from sonics.core.model import Analysis
from sonics.core.rng import check_seed
from sonics.export.files import AtomicFiles, json_bytes
from sonics.export.wav import wav_chunks
from sonics.io.track import read_track
from sonics.music.fit import FitOptions
from sonics.music.fitter import FittedTrack, fit_track
from sonics.pipeline.analyze import Progress, analyze
from sonics.presets import Preset, load_preset
from sonics.spotting.cues import picture_length

__all__ = ["FIT_FILES", "FitResult", "fit_music", "write_fit_music"]

FIT_FILES = ("music.wav", "fit.json", "tempo.json")
"""What :func:`write_fit_music` writes (and ``analysis.json``)."""


@dataclass(frozen=True, slots=True, eq=False)
class FitResult:
    """A track fitted to a picture, in memory.

    Attributes
    ----------
    analysis : Analysis
        The picture.
    track_path : str
        The track file.
    fitted : FittedTrack
        The fitted audio (``fitted.audio``, 48 kHz stereo, the picture's length), its tempo
        map, the edit list and the source's beats.
    preset : str
        Name of the preset the run used.
    warnings : tuple of str
        Problems met while reading the picture and the track.
    """

    analysis: Analysis
    track_path: str
    fitted: FittedTrack
    preset: str
    warnings: tuple[str, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        """What the fit had to do (loops, no steady beat, a trimmed ending)."""
        return self.fitted.notes

    @property
    def report(self) -> dict[str, Any]:
        """Hits on beats before and after the fit."""
        return self.fitted.report

    def to_dict(self) -> dict[str, Any]:
        """Return the ``fit.json`` document (``schema: sonics.fit/1``): the edit list and the report."""
        return {
            **self.fitted.edit.to_dict(),
            "picture": self.analysis.picture.path,
            "track_file": self.track_path,
            "preset": self.preset,
        }


def fit_music(
    source: Any,
    track: str | os.PathLike[str],
    *,
    preset: str | os.PathLike[str] | Preset = "battle",
    max_stretch_pct: float = 6.0,
    tolerance_frames: float = 1.0,
    sync_weight: float = 0.8,
    ending_bars: int = 2,
    meter: int | None = None,
    seed: int = 0,
    on_progress: Progress | None = None,
) -> FitResult:
    """Fit a music track to a picture: cut to its length by bars, its beats warped onto the hits.

    Parameters
    ----------
    source : str, Path, Analysis or anything :func:`sonics.analyze` takes
        The picture.
    track : str or Path
        The music: wav, flac, ogg, mp3, m4a, or any file FFmpeg reads audio from.
    preset : str, Path or Preset
        The run's preset (checked; the fit's own options are the arguments below until they
        join the preset).
    max_stretch_pct : float in [0, 25]
        Largest change of speed anywhere, in percent.
    tolerance_frames : float >= 0
        A hit is on a beat within this many frames.
    sync_weight : float in [0, 1]
        Hits weighing at least this are the ones the warp lands on beats (hard cuts weigh 1).
    ending_bars : int >= 1
        How many of the track's last bars are kept as its ending.
    meter : int, optional
        Beats per bar of the track; found when omitted.
    seed : int
        Accepted for the command-line contract; the fit draws nothing at random, so the
        same input gives the same bytes whatever the seed.
    on_progress : callable, optional
        Called as ``on_progress(stage, done, total)``.

    Returns
    -------
    FitResult
        ``result.fitted.audio`` is the fitted track; ``result.fitted.tempo_map`` its beats.

    Raises
    ------
    SonicsError
        On an unreadable picture or track, a silent or too short track, or an option out of range.

    Examples
    --------
    >>> result = sonics.fit_music("cut.mp4", "cue.mp3")  # doctest: +SKIP
    >>> result.report["after"]["share_on_beat"]  # doctest: +SKIP
    """
    check_seed(seed)
    options = FitOptions(
        max_stretch_pct=max_stretch_pct,
        tolerance_frames=tolerance_frames,
        sync_weight=sync_weight,
        ending_bars=ending_bars,
    )
    loaded = preset if isinstance(preset, Preset) else load_preset(preset)
    analysis = analyze(source, on_progress=on_progress)
    decoded = read_track(track)
    if on_progress is not None:
        on_progress("fit", 0, 1)
    _, n_samples = picture_length(analysis.picture)
    fitted = fit_track(
        decoded.audio,
        decoded.sample_rate,
        analysis.hits(),
        n_samples=n_samples,
        frame_rate=analysis.picture.frame_rate,
        options=options,
        meter=meter,
        name=str(track),
    )
    if on_progress is not None:
        on_progress("fit", 1, 1)
    return FitResult(analysis, str(track), fitted, loaded.name, (*analysis.warnings, *decoded.warnings))


def write_fit_music(
    result: FitResult,
    out_dir: str | os.PathLike[str],
    *,
    force: bool = False,
    write_analysis: bool = True,
) -> list[Path]:
    """Write the fitted track into ``out_dir``: ``music.wav``, ``fit.json``, ``tempo.json``.

    ``music.wav`` is 32-bit float, 48 kHz, stereo, exactly the picture's length.
    ``fit.json`` is the edit list (``sonics.fit/1``) with the before/after report;
    ``tempo.json`` the fitted track's tempo map (``sonics.tempo/1``) with the hits on it.
    Either every file is written or none is.

    Parameters
    ----------
    result : FitResult
        From :func:`fit_music`.
    out_dir : str or Path
        The output folder; created if missing (its parent must exist).
    force : bool
        Replace the fit's files if the folder already holds them.
    write_analysis : bool
        Also write ``analysis.json``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ExportError
        If the folder cannot be written, or holds a fit already and ``force`` is False.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir}: is a file; give a folder")
    if not out_dir.parent.resolve().is_dir():
        raise ExportError(f"{out_dir}: the folder {out_dir.parent} does not exist")
    existing = [name for name in FIT_FILES if (out_dir / name).exists()]
    if existing and not force:
        raise ExportError(f"{out_dir / existing[0]}: exists; use --force to replace it")
    made = not out_dir.exists()
    if made:
        try:
            out_dir.mkdir()
        except OSError as exc:
            raise ExportError(
                f"{out_dir}: cannot create the folder ({str(exc.strerror or exc).lower()})"
            ) from None
    fitted = result.fitted
    try:
        with AtomicFiles() as staged:
            staged.add(out_dir / "music.wav", wav_chunks(fitted.audio, fitted.sample_rate))
            staged.add(out_dir / "fit.json", json_bytes(result.to_dict()))
            staged.add(out_dir / "tempo.json", json_bytes(fitted.tempo_map.to_dict()))
            if write_analysis:
                staged.add(out_dir / "analysis.json", json_bytes(result.analysis.to_dict()))
        return staged.written
    except BaseException:
        if made and out_dir.exists() and not any(out_dir.iterdir()):
            out_dir.rmdir()
        raise
