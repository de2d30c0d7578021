"""Layer 6: writers of every output file, chosen by suffix."""
