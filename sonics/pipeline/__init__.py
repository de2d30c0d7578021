"""Layer 7: wires the stages for one run; the library's entry points live here."""

from sonics.pipeline.analyze import (
    ChunkSpec,
    PictureChunk,
    analyze,
    analyze_chunk,
    analyze_joined,
    load_analysis,
    plan_chunks,
)
from sonics.pipeline.sfx import SfxResult, sfx_pass, write_sfx_pass
from sonics.pipeline.tempo import TempoResult, tempo_pass, write_tempo_pass

__all__ = [
    "ChunkSpec",
    "PictureChunk",
    "SfxResult",
    "TempoResult",
    "analyze",
    "analyze_chunk",
    "analyze_joined",
    "load_analysis",
    "plan_chunks",
    "sfx_pass",
    "tempo_pass",
    "write_sfx_pass",
    "write_tempo_pass",
]
