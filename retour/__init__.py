"""Retour: self-hosted returns management for e-commerce."""

__version__ = "0.1.0"
