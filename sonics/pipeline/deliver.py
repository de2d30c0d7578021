"""The deliverables of a scored run, written into its (staging) output folder.

Layout (DESIGN §5)::

    analysis.json  cues.json  cues.csv  sfx_plan.json  tempo.json  score.json  music.mid
    stems/sfx_<layer>.wav  stems/music_<part>.wav     48 kHz 24-bit Broadcast WAV
    mix/dialogue.wav  mix/music.wav  mix/effects.wav  mix/mix.wav   the DME buses and the mix
    mix.json       loudness report and how the buses sum to the mix
    scored.mp4     the original video stream, copied, with the mix (.mov/.mkv when it must)
    timeline.otio  timeline.xml  <name>.rpp  markers.csv   for the editor and the DAW
    report.html    the review page
    run.json       what ran, from what (its key), and the figures
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sonics.core.errors import MediaError
from sonics.core.model import Analysis
from sonics.core.sound import Stem
from sonics.export.bwf import BextLoudness, BwfInfo, bwf_chunks
from sonics.export.cuesheet import cue_sheet_csv
from sonics.export.delivery import Delivery, StemFile, delivery_markers
from sonics.export.fcpxml import fcp_xml_bytes
from sonics.export.files import json_bytes, write_pieces
from sonics.export.markers import markers_csv
from sonics.export.midi import midi_bytes
from sonics.export.mp4 import mux_scored_video, scored_video_suffix
from sonics.export.otio import otio_bytes
from sonics.export.report import LoudnessCurve, report_html, thumbnail_frames
from sonics.export.rpp import rpp_bytes
from sonics.io.thumbnails import read_thumbnails
from sonics.presets import Preset

if TYPE_CHECKING:
    from sonics.pipeline.score import ScoreResult

__all__ = ["Deliverables", "write_deliverables"]

STEMS_DIR = "stems"
MIX_DIR = "mix"


class Deliverables:
    """The staging folder of one run: writes files into it and remembers what it wrote.

    Parameters
    ----------
    folder : Path
        The (temporary) output folder.
    analysis : Analysis
        The picture (its rate and start timecode stamp every Broadcast WAV).
    preset : Preset
        The run's preset (its name goes into the files' descriptions).
    start_timecode : str
        Timecode of the picture's first frame.
    """

    def __init__(
        self, folder: Path, analysis: Analysis, preset: Preset, start_timecode: str = "00:00:00:00"
    ) -> None:
        self.folder = folder
        self.analysis = analysis
        self.preset = preset
        self.start_timecode = start_timecode
        self.stem_files: list[StemFile] = []
        self.stem_peaks: dict[str, float] = {}
        self.written: list[Path] = []

    def _path(self, relative: str) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        self.written.append(Path(relative))
        return path

    def _write(self, relative: str, pieces: Any) -> None:
        write_pieces(self._path(relative), pieces)

    def add_json(self, relative: str, document: dict[str, Any]) -> None:
        """Write a JSON document."""
        self._write(relative, json_bytes(document))

    def add_bytes(self, relative: str, data: bytes) -> None:
        """Write a file's bytes."""
        self._write(relative, data)

    def wav(
        self, relative: str, audio: np.ndarray, description: str, loudness: BextLoudness | None = None
    ) -> None:
        """Write a 48 kHz 24-bit Broadcast WAV stamped at the picture's start timecode."""
        info = BwfInfo(
            frame_rate=self.analysis.picture.frame_rate,
            start_timecode=self.start_timecode,
            description=description[:256],
            originator_reference=f"sonics:{Path(relative).stem}"[:32],
            loudness=loudness,
            project=Path(self.analysis.picture.path).stem,
        )
        self._write(relative, bwf_chunks(audio, info))

    def stem(self, stem: Stem) -> None:
        """Write one rendered stem to ``stems/<name>.wav`` and list it for the projects."""
        relative = f"{STEMS_DIR}/{stem.name}.wav"
        self.wav(relative, stem.audio, f"sonics {self.preset.name}: {stem.role} stem {stem.name}")
        self.stem_files.append(StemFile(stem.name, stem.role, relative, stem.n_samples, stem.sample_rate))
        self.stem_peaks[stem.name] = float(np.max(np.abs(stem.audio), initial=0.0))

    def order_stems(self, names: Sequence[str]) -> None:
        """List the stems written so far in the order of ``names`` (rendered in any order)."""
        rank = {name: k for k, name in enumerate(names)}
        self.stem_files.sort(key=lambda stem: rank[stem.name])


def _loudness_fields(result: ScoreResult) -> BextLoudness | None:
    loud = result.mix.loudness
    if loud.integrated_lufs is None:
        return None
    return BextLoudness(
        loud.integrated_lufs,
        loud.loudness_range_lu,
        loud.true_peak_dbtp,
        loud.max_momentary_lufs,
        loud.max_short_term_lufs,
    )


def _loudness_curve(result: ScoreResult) -> LoudnessCurve:
    loud = result.mix.loudness
    return LoudnessCurve(
        np.column_stack([loud.short_term_times_s, loud.short_term_lufs]),
        loud.integrated_lufs,
        loud.true_peak_dbtp,
        target_lufs=result.mix.target.integrated_lufs,
        ceiling_dbtp=result.mix.target.true_peak_dbtp,
        loudness_range_lu=loud.loudness_range_lu,
    )


def _write_mix(deliver: Deliverables, result: ScoreResult) -> list[StemFile]:
    mixed = result.mix
    files = []
    for bus in mixed.buses:
        relative = f"{MIX_DIR}/{bus.name}.wav"
        deliver.wav(relative, bus.audio, f"sonics {result.preset.name}: {bus.name} bus (DME)")
        files.append(StemFile(bus.name, bus.role, relative, bus.n_samples, bus.sample_rate))
    relative = f"{MIX_DIR}/mix.wav"
    deliver.wav(relative, mixed.mix, f"sonics {result.preset.name}: full mix", _loudness_fields(result))
    files.append(StemFile("mix", "mix", relative, mixed.n_samples, mixed.sample_rate))
    deliver.add_json("mix.json", mixed.to_dict())
    return files


def _write_video(deliver: Deliverables, result: ScoreResult, keep_original_audio: bool) -> str | None:
    path = Path(result.analysis.picture.path)
    if not path.is_file() or result.analysis.picture.width == 0:
        return None
    suffix = scored_video_suffix(path, keep_original_audio=keep_original_audio)
    relative = f"scored{suffix}"
    mux_scored_video(path, result.mix.mix, deliver._path(relative), keep_original_audio=keep_original_audio)
    return relative


def _thumbnails(analysis: Analysis, warnings: list[str]) -> dict[int, bytes] | None:
    path = Path(analysis.picture.path)
    if not path.is_file() or analysis.picture.width == 0:
        return None
    try:
        return read_thumbnails(path, thumbnail_frames(analysis), frame_times_s=analysis.frame_times_s)
    except MediaError as exc:
        warnings.append(f"{exc}; the report has no picture strip")
        return None


def write_deliverables(
    deliver: Deliverables,
    result: ScoreResult,
    *,
    final_dir: Path,
    keep_original_audio: bool = False,
    on_progress: Callable[[str, int, int | None], None] | None = None,
) -> tuple[list[Path], list[str]]:
    """Write everything but the stems (already written as they were rendered).

    Parameters
    ----------
    deliver : Deliverables
        The staging folder, holding the stems.
    result : ScoreResult
        The run.
    final_dir : Path
        Where the folder will live once moved into place (FCP XML links media there).
    keep_original_audio : bool
        Keep the video's own audio as a second track of the scored video.
    on_progress : callable, optional
        Called as ``on_progress("deliver", done, total)``.

    Returns
    -------
    files : list of Path
        Every file of the folder, relative to it.
    warnings : list of str
        What the delivery could not do as asked (a report without its pictures).
    """
    steps = 6
    done = [0]

    def step() -> None:
        done[0] += 1
        if on_progress is not None:
            on_progress("deliver", done[0], steps)

    analysis = result.analysis
    deliver.add_json("analysis.json", analysis.to_dict())
    deliver.add_json("cues.json", result.sheet.to_dict())
    deliver.add_bytes("cues.csv", cue_sheet_csv(result.sheet, result.plan).encode("utf-8"))
    deliver.add_json("sfx_plan.json", result.plan.to_dict())
    deliver.add_json("tempo.json", result.tempo.to_dict() if result.tempo else result.tempo_map.to_dict())
    if result.music is not None:
        deliver.add_json("score.json", result.music.to_dict())
        deliver.add_bytes("music.mid", midi_bytes(result.music))
    if result.fit is not None:
        deliver.add_json("fit.json", result.fit.to_dict())
    step()
    mix_files = _write_mix(deliver, result)
    step()
    video = _write_video(deliver, result, keep_original_audio)
    step()
    delivery = Delivery(
        picture=analysis.picture,
        stems=(*deliver.stem_files, *mix_files),
        markers=delivery_markers(analysis, cues=result.sheet, tempo_map=result.tempo_map),
        start_timecode=deliver.start_timecode,
        tempo_map=result.tempo_map,
    )
    deliver.add_bytes("timeline.otio", otio_bytes(delivery))
    deliver.add_bytes("timeline.xml", fcp_xml_bytes(delivery, media_root=final_dir.resolve()))
    deliver.add_bytes(f"{delivery.name}.rpp", rpp_bytes(delivery))
    deliver.add_bytes("markers.csv", markers_csv(delivery).encode("utf-8"))
    step()
    warnings: list[str] = []
    page = report_html(
        analysis=analysis,
        cues=result.sheet,
        tempo_map=result.tempo_map,
        score=result.music,
        loudness=_loudness_curve(result),
        stems=[f.name for f in deliver.stem_files],
        thumbnails=_thumbnails(analysis, warnings),
        video=video,
    )
    deliver.add_bytes("report.html", page.encode("utf-8"))
    step()
    step()
    return list(deliver.written), warnings
