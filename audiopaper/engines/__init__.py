"""Speech engines. Importing this package registers the built-in ones."""

from . import edge, espeak, kokoro  # noqa: F401  (registration side effect)
from .base import Availability, Engine, Synthesis, get, names, register

__all__ = ["Availability", "Engine", "Synthesis", "get", "names", "register"]
