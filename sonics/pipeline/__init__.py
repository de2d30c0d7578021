"""Layer 7: wires the stages for one run; the library's entry points live here."""

from sonics.pipeline.analyze import analyze, load_analysis
from sonics.pipeline.sfx import SfxResult, sfx_pass, write_sfx_pass
from sonics.pipeline.tempo import TempoResult, tempo_pass, write_tempo_pass

__all__ = [
    "SfxResult",
    "TempoResult",
    "analyze",
    "load_analysis",
    "sfx_pass",
    "tempo_pass",
    "write_sfx_pass",
    "write_tempo_pass",
]
