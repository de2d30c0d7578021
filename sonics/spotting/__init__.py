"""Layer 3: spotting: an ``Analysis`` and a preset become weighted hits and a cue sheet."""
