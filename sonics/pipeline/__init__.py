"""Layer 7: wires the stages for one run; the library's entry points live here."""

from sonics.pipeline.analyze import analyze, load_analysis
from sonics.pipeline.sfx import SfxResult, sfx_pass, write_sfx_pass

__all__ = ["SfxResult", "analyze", "load_analysis", "sfx_pass", "write_sfx_pass"]
