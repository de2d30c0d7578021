"""A cue sheet a person reads: timecode, layer, what sounds and why."""

from __future__ import annotations

import csv
import io

from sonics.core.cues import CueSheet
from sonics.core.sfxplan import PlannedSound, SfxPlan, SoundSource
from sonics.core.timebase import frame_to_timecode, seconds_to_frames

__all__ = ["cue_sheet_csv"]


def _what(sound: PlannedSound | None) -> str:
    if sound is None:
        return ""
    if sound.source is SoundSource.SAMPLE:
        return f"sample {sound.name} ({sound.pitch_semitones:+.2f} st, sync on {sound.sync})"
    return f"{sound.name} (generator, seed {sound.seed})"


def cue_sheet_csv(sheet: CueSheet, plan: SfxPlan | None = None) -> str:
    """Return the cue sheet as CSV text, one row per cue in time order.

    Columns: ``timecode`` (of the frame nearest the sync point), ``time_s`` (exact),
    ``layer``, ``kind`` (hit or bed), ``event``, ``intensity``, ``gain_db`` and
    ``what`` (the sound the plan chose; empty without a plan), ``why``.
    """
    by_cue = {s.cue: s for s in plan.sounds} if plan is not None else {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["timecode", "time_s", "layer", "kind", "event", "intensity", "gain_db", "what", "why"])
    for index, cue in enumerate(sheet.cues):
        sound = by_cue.get(index)
        frame = seconds_to_frames(cue.time_s, sheet.frame_rate)
        writer.writerow(
            [
                frame_to_timecode(frame, sheet.frame_rate),
                f"{cue.time_s:.6f}",
                cue.layer,
                str(cue.kind),
                cue.event,
                f"{cue.intensity:.3f}",
                f"{sound.gain_db:.2f}" if sound is not None else "",
                _what(sound),
                cue.why,
            ]
        )
    return out.getvalue()
