"""Layer 7: wires the stages for one run; the library's entry points live here."""

from sonics.pipeline.analyze import analyze, load_analysis

__all__ = ["analyze", "load_analysis"]
