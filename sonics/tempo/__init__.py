"""Layer 3: tempo: weighted hits become ranked tempo candidates and a tempo map."""

from sonics.tempo.find import fit_tempo, score_tempo
from sonics.tempo.map import map_tempo

__all__ = ["fit_tempo", "map_tempo", "score_tempo"]
