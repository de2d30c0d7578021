"""Layer 2: picture and sound analysis, from frames and samples to an Analysis."""
