"""sonics: score picture.

Read a rendered video edit or the editor's timeline, find the cuts and how hard the
picture moves, and build the sound effects and music that hit those moments.

>>> import sonics
>>> analysis = sonics.analyze("cut.mp4")  # doctest: +SKIP
"""

from sonics.core import (
    Analysis,
    AudioRegion,
    Cut,
    CutKind,
    ExportError,
    Flash,
    Hit,
    Impact,
    MediaError,
    MotionEnvelope,
    ParameterError,
    Picture,
    PresetError,
    Shot,
    ShotIntensity,
    SonicsError,
)

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # The pipeline pulls in PyAV and OpenTimelineIO; load it on first use so that
    # ``import sonics`` (and the command line's --help) stays quick.
    if name in ("analyze", "load_analysis"):
        from sonics import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'sonics' has no attribute {name!r}")


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
    "__version__",
    "analyze",
    "load_analysis",
]
