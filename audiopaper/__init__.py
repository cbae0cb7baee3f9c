"""audiopaper: turn a daily newspaper issue into an audio edition."""

__version__ = "0.1.0"
