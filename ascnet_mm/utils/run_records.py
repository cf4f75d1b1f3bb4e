"""What a finished run left behind, and the random-init baseline."""
import glob
import json
import os
import os.path as osp
from typing import List


def run_scalars(work_dir: str) -> List[List[dict]]:
    """The records of every run's ``<timestamp>/vis_data/scalars.json``
    under ``work_dir``, a list per run, oldest run first."""
    runs = []
    for path in sorted(
            glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            runs.append([json.loads(line) for line in f if line.strip()])
    return runs


def last_scalar(work_dir: str, key: str):
    """The last value of ``key`` logged under ``work_dir`` (every run's
    ``<timestamp>/vis_data/scalars.json``, oldest first).

    Raises:
        KeyError: ``key`` was never logged there.
    """
    value = None
    for records in run_scalars(work_dir):
        for record in records:
            if key in record:
                value = record[key]
    if value is None:
        raise KeyError(f'no "{key}" logged under {work_dir}')
    return value


def random_init_checkpoint(config: str, path: str, seed: int = 0) -> str:
    """Save the untrained network of ``config`` at ``path`` (kept if it is
    there): the random-init baseline of the protocols."""
    if osp.exists(path):
        return path
    from mmaction.registry import MODELS
    from mmengine import Config
    from mmengine.logging import MMLogger
    from mmengine.registry import DefaultScope
    from mmengine.runner import save_checkpoint, set_random_seed

    MMLogger.get_instance('random_init', log_level='WARNING')
    set_random_seed(seed)
    cfg = Config.fromfile(config)
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    save_checkpoint({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path
