"""Layer 5: mix: stems become buses, ducked under dialogue, set to a delivery loudness, true-peak limited."""
