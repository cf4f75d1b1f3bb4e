from . import loops, metrics  # noqa: F401
