"""Layer 1: presets: the TOML schema, its loader and checks, and the built-in presets."""
