"""Layer 1: the only code that opens media and timeline files."""
