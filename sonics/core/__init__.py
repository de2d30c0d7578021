"""Layer 0: data types, errors and the time base every other layer shares."""

from sonics.core.errors import ExportError, MediaError, ParameterError, PresetError, SonicsError
from sonics.core.model import (
    Analysis,
    AudioRegion,
    Cut,
    CutKind,
    Flash,
    Hit,
    Impact,
    MotionEnvelope,
    Picture,
    Shot,
    ShotIntensity,
)
from sonics.core.timebase import (
    frame_to_timecode,
    frames_to_seconds,
    parse_frame_rate,
    seconds_to_frames,
    timecode_to_frame,
)

__all__ = [
    "Analysis",
    "AudioRegion",
    "Cut",
    "CutKind",
    "ExportError",
    "Flash",
    "Hit",
    "Impact",
    "MediaError",
    "MotionEnvelope",
    "ParameterError",
    "Picture",
    "PresetError",
    "Shot",
    "ShotIntensity",
    "SonicsError",
    "frame_to_timecode",
    "frames_to_seconds",
    "parse_frame_rate",
    "seconds_to_frames",
    "timecode_to_frame",
]
