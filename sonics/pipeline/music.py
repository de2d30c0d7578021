"""``sonics.music_pass``: the score to picture: tempo map, arrangement, MIDI and the synthesised parts.

The picture's hits give the tempo map (:func:`sonics.tempo_pass`, or an edited
``tempo.json``), the arrangement writes the cue on it (:func:`sonics.music.arrange`), and
each part is rendered to its stem by the built-in synthesiser, or by a SoundFont when one
is given and a SoundFont renderer is installed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from sonics.core.cues import DELIVERY_RATE_HZ
from sonics.core.errors import MediaError
from sonics.core.jobs import run_jobs, usable_processes
from sonics.core.model import Analysis
from sonics.core.rng import check_seed
from sonics.core.score import Score
from sonics.core.sound import Stem
from sonics.core.tempo import TempoMap
from sonics.dsp.envelopes import db_to_gain
from sonics.export.bwf import BwfInfo, bwf_chunks
from sonics.export.files import AtomicFolder, json_bytes, write_pieces
from sonics.export.midi import midi_bytes
from sonics.io.soundfont import render_soundfont
from sonics.music.arrange import arrange
from sonics.music.synth import instrument_for, render_part
from sonics.pipeline.analyze import Progress, analyze
from sonics.pipeline.tempo import TempoResult, tempo_pass
from sonics.presets import Preset, apply_overrides, load_preset
from sonics.spotting import picture_length

__all__ = ["MusicResult", "music_pass", "music_stems", "read_tempo_map", "write_music_pass"]


@dataclass(frozen=True, slots=True, eq=False)
class MusicResult:
    """A score decided: the picture, the tempo pass (None for an edited map) and the arrangement.

    Rendering is left to :func:`music_stems` (one part at a time) or :func:`write_music_pass`.
    """

    analysis: Analysis
    preset: Preset
    tempo: TempoResult | None
    score: Score
    seed: int

    @property
    def tempo_map(self) -> TempoMap:
        """The tempo map the score is written on."""
        return self.score.tempo_map


def read_tempo_map(path: str | os.PathLike[str]) -> TempoMap:
    """Read an (edited) ``tempo.json``; raise :class:`MediaError` on a file that is not one."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MediaError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MediaError(f"{path}: not a readable JSON file ({str(exc).lower()})") from None
    return TempoMap.from_dict(document, str(path))


def music_pass(
    source: Any,
    *,
    preset: str | os.PathLike[str] | Preset = "battle",
    seed: int = 0,
    bpm: float | None = None,
    tempo: str | os.PathLike[str] | TempoMap | None = None,
    overrides: tuple[str, ...] = (),
    on_progress: Progress | None = None,
) -> MusicResult:
    """Find the tempo map of a picture and arrange the score on it.

    Parameters
    ----------
    source : str, Path, Analysis or anything :func:`sonics.analyze` takes
        The picture.
    preset : str, Path or Preset
        A built-in preset name, a TOML file or a loaded preset (its ``[tempo]`` and
        ``[music]`` tables).
    seed : int
        The arrangement's variation; same seed, same notes.
    bpm : float, optional
        Start the tempo map from this tempo instead of the best one found.
    tempo : str, Path or TempoMap, optional
        An (edited) tempo map to write the score on, instead of finding one.
    overrides : tuple of str
        ``key=value`` preset overrides (``"music.mode=yu"``).
    on_progress : callable, optional
        Called as ``on_progress(stage, done, total)``.

    Returns
    -------
    MusicResult
        The tempo pass and the score; :func:`music_stems` renders it.

    Raises
    ------
    SonicsError
        On unreadable input, a bad preset or a bad tempo map.

    Examples
    --------
    >>> result = sonics.music_pass("cut.mp4", preset="duel", seed=3)  # doctest: +SKIP
    >>> [p.name for p in result.score.parts]  # doctest: +SKIP
    """
    check_seed(seed)
    loaded = preset if isinstance(preset, Preset) else load_preset(preset)
    loaded = apply_overrides(loaded, list(overrides)) if overrides else loaded
    analysis = analyze(source, on_progress=on_progress)
    tempo_result = None
    if isinstance(tempo, (str, os.PathLike)):
        tempo_map = read_tempo_map(tempo)
    elif tempo is not None:
        tempo_map = tempo
    else:
        tempo_result = tempo_pass(analysis, preset=loaded, bpm=bpm)
        tempo_map = tempo_result.tempo_map
    return MusicResult(
        analysis, loaded, tempo_result, arrange(tempo_map, analysis, settings=loaded.music, seed=seed), seed
    )


def _soundfont_part(
    music: Score, index: int, n_samples: int, soundfont: str | os.PathLike[str]
) -> np.ndarray:
    part = music.parts[index]
    alone = replace(music, parts=(part,))
    audio = render_soundfont(midi_bytes(alone), soundfont, n_samples=n_samples)
    return audio * np.float32(db_to_gain(part.gain_db))


def music_stems(
    music: Score,
    n_samples: int,
    *,
    seed: int = 0,
    workers: int = 2,
    soundfont: str | os.PathLike[str] | None = None,
    on_progress: Progress | None = None,
) -> Iterator[Stem]:
    """Yield each part's stem ``music_<part>``, in score order, rendering about ``workers`` ahead.

    Parameters
    ----------
    music : Score
        The score.
    n_samples : int
        The picture's length at 48 kHz (every stem is exactly this long).
    seed : int
        The synthesiser's variation (each part draws from its own stream).
    workers : int
        Parts rendered at once (>= 1), on forked processes where the platform forks
        (threads for a SoundFont, or where it cannot); the samples do not depend on it.
    soundfont : str or Path, optional
        Render each part's MIDI with this SoundFont instead of the built-in synthesiser
        (needs the ``fluidsynth`` program or the pyfluidsynth module).
    on_progress : callable, optional
        Called as ``on_progress("music", parts_done, n_parts)``.

    Yields
    ------
    Stem
        Role ``"music"``, shape ``(2, n_samples)``.
    """
    parts = music.parts
    for part in parts:
        instrument_for(part.instrument)  # an unknown instrument fails before any work
    workers = max(1, workers)
    if on_progress is not None:
        on_progress("music", 0, len(parts))
    processes = usable_processes(workers, len(parts)) if soundfont is None else 1
    if processes > 1:  # the synthesiser on forked processes, each part's samples sent back
        rendered = run_jobs(
            len(parts),
            lambda i, _tick: render_part(parts[i], music.tempo_map, n_samples, seed=seed),
            processes=processes,
        )
        for i, audio in rendered:
            yield Stem(f"music_{parts[i].name}", "music", audio, DELIVERY_RATE_HZ)
            if on_progress is not None:
                on_progress("music", i + 1, len(parts))
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sonics-music") as pool:

        def submit(i: int) -> Any:
            if soundfont is not None:
                return pool.submit(_soundfont_part, music, i, n_samples, soundfont)
            return pool.submit(render_part, parts[i], music.tempo_map, n_samples, seed=seed)

        pending = [submit(i) for i in range(min(workers, len(parts)))]
        for i, part in enumerate(parts):
            if i + workers < len(parts):
                pending.append(submit(i + workers))
            yield Stem(f"music_{part.name}", "music", pending[i].result(), DELIVERY_RATE_HZ)
            pending[i] = None
            if on_progress is not None:
                on_progress("music", i + 1, len(parts))


def write_music_pass(
    result: MusicResult,
    out_dir: str | os.PathLike[str],
    *,
    force: bool = False,
    workers: int = 2,
    soundfont: str | os.PathLike[str] | None = None,
    on_progress: Progress | None = None,
) -> list[Path]:
    """Render the score into a new folder: tempo.json, score.json, music.mid, the stems and music.wav.

    The stems (``stems/music_<part>.wav``) and the ``music.wav`` premix are 48 kHz 24-bit
    Broadcast WAV, exactly the picture's length; the folder appears whole or not at all.

    Parameters
    ----------
    result : MusicResult
        From :func:`music_pass`.
    out_dir : str or Path
        The output folder (its parent must exist).
    force : bool
        Replace an existing folder.
    workers : int
        Parts rendered at once.
    soundfont : str or Path, optional
        See :func:`music_stems`.
    on_progress : callable, optional
        Called as ``on_progress("music", done, total)``.

    Returns
    -------
    list of Path
        The files written, relative to ``out_dir``.

    Raises
    ------
    ExportError
        If the folder exists (without ``force``) or cannot be written.
    """
    _duration_s, n_samples = picture_length(result.analysis.picture)
    info = BwfInfo(frame_rate=result.analysis.picture.frame_rate, originator_reference="sonics:music")
    written: list[Path] = []
    with AtomicFolder(out_dir, force=force) as staging:
        (staging / "stems").mkdir()

        def put(relative: str, pieces: Any) -> None:
            write_pieces(staging / relative, pieces)
            written.append(Path(relative))

        tempo_document = result.tempo.to_dict() if result.tempo else result.tempo_map.to_dict()
        put("tempo.json", json_bytes(tempo_document))
        put("score.json", json_bytes(result.score.to_dict()))
        put("music.mid", midi_bytes(result.score))
        premix = np.zeros((2, n_samples), dtype=np.float32)
        for stem in music_stems(
            result.score,
            n_samples,
            seed=result.seed,
            workers=workers,
            soundfont=soundfont,
            on_progress=on_progress,
        ):
            premix += stem.audio
            put(f"stems/{stem.name}.wav", bwf_chunks(stem.audio, replace(info, description=f"{stem.name}")))
        peak = float(np.max(np.abs(premix), initial=0.0))
        if peak > db_to_gain(-1.0):
            premix *= np.float32(db_to_gain(-1.0) / peak)
        put("music.wav", bwf_chunks(premix, replace(info, description="music premix")))
    return written
