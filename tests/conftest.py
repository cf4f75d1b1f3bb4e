import os

os.environ.setdefault('OMP_NUM_THREADS', '1')

import ascnet_mm  # noqa: E402,F401  registers everything before mmaction.models
