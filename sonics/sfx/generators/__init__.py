"""Procedural sound generators: small frozen objects with unit-named parameters that render a seeded variation."""
