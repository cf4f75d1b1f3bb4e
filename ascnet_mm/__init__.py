"""ascnet-mm: self-supervised video representation learning for MMAction2.

Importing this package registers every component (transforms, models,
losses, metrics, loops, hooks) into MMAction2's registries, so a config needs
only ``custom_imports = dict(imports=['ascnet_mm'],
allow_failed_imports=False)``.

With ``ASCNET_MM_LIGHT_IMPORT=1`` in the environment (set by
:func:`ascnet_mm.utils.parallel_map` for its spawned workers) nothing is
registered and neither torch nor mmaction is imported: a worker that only
needs e.g. ``ascnet_mm.video_io`` starts in a fraction of a second.
"""
import os

from .utils.parallel import LIGHT_IMPORT_ENV
from .version import __version__

if os.environ.get(LIGHT_IMPORT_ENV) != '1':
    from . import compat

    compat.apply()

    from . import datasets, engine, evaluation, models, utils, visualization
