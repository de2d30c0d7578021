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


_LAZY = {
    "analyze": "sonics.pipeline",
    "load_analysis": "sonics.pipeline",
    "sfx_pass": "sonics.pipeline",
    "write_sfx_pass": "sonics.pipeline",
    "fit_music": "sonics.pipeline.fit_music",
    "write_fit_music": "sonics.pipeline.fit_music",
    "tempo_pass": "sonics.pipeline",
    "write_tempo_pass": "sonics.pipeline",
    "fit_tempo": "sonics.tempo",
    "music_pass": "sonics.pipeline.music",
    "write_music_pass": "sonics.pipeline.music",
    "score": "sonics.pipeline.score",
    "batch": "sonics.pipeline.batch",
    "map_tempo": "sonics.tempo",
    "load_preset": "sonics.presets",
    "spot": "sonics.spotting",
    "plan_sfx": "sonics.sfx.plan",
    "render_sfx": "sonics.sfx.render",
}
"""Entry points loaded on first use, so that ``import sonics`` (and ``--help``) stays quick."""


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
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
    "batch",
    "fit_music",
    "fit_tempo",
    "load_analysis",
    "load_preset",
    "map_tempo",
    "music_pass",
    "plan_sfx",
    "render_sfx",
    "score",
    "sfx_pass",
    "spot",
    "tempo_pass",
    "write_fit_music",
    "write_music_pass",
    "write_sfx_pass",
    "write_tempo_pass",
]
