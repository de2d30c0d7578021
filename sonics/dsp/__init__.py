"""Layer 1: pure numpy/scipy signal primitives (filters, envelopes, noise, sync points)."""
