from . import checkpoint_io, hooks  # noqa: F401
