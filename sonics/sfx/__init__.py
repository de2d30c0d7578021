"""Layer 4: sound effects: cue sheet → plan → rendered layer stems."""
