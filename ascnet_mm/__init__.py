"""ascnet-mm: self-supervised video representation learning for MMAction2.

Importing this package registers every component (transforms, models,
losses, metrics, loops, hooks) into MMAction2's registries, so a config needs
only ``custom_imports = dict(imports=['ascnet_mm'],
allow_failed_imports=False)``.
"""
from . import compat

compat.apply()

from . import datasets, engine, evaluation, models, utils, visualization
from .version import __version__
