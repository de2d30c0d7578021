"""Layer 4: music: the tempo map and the cues become a score in beats, rendered by a built-in synthesiser."""
