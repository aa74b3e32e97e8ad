"""Permanence: a plug-in box that answers every business phone call, offline."""

__version__ = "0.1.0"
