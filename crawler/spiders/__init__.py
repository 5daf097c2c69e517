"""Spiders, one small declarative class per portal list."""
