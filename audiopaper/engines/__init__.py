"""Speech engines. Importing this package registers the built-in ones.

Adding an engine is one module here (a class that meets ``base.Engine`` and a
``@register(name, rank)`` factory) and its import below; ``select`` decides which one
reads a build, and every command finds it through the registry.
"""

from . import edge, espeak, kokoro  # noqa: F401  (registration side effect)
from .base import (
    MAX_CONCURRENCY,
    Availability,
    Engine,
    EngineConfig,
    Reader,
    Remote,
    Synthesis,
    VoiceListing,
    create,
    names,
    ranked,
    register,
    unregister,
)

__all__ = [
    "MAX_CONCURRENCY",
    "Availability",
    "Engine",
    "EngineConfig",
    "Reader",
    "Remote",
    "Synthesis",
    "VoiceListing",
    "create",
    "names",
    "ranked",
    "register",
    "unregister",
]
