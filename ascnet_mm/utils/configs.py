"""The repository's methods and where their pretraining configs are."""
import os.path as osp

METHODS = ('ascnet', 'rspnet', 'cvrl')
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')

# (method, backbone, dataset) -> config under configs/: the one place that
# names the pretraining configs.
PRETRAIN_CONFIGS = {
    ('ascnet', 'r3d18', 'k400'): 'ascnet/r18_k400.py',
    ('ascnet', 's3dg', 'k400'): 'ascnet/ascnet_s3dg_k400.py',
    ('ascnet', 'r3d18', 'synthetic'): 'ascnet/ascnet_r18-w16_synthetic.py',
    ('rspnet', 'r3d18', 'k400'): 'rspnet/rspnet_r18_k400.py',
    ('rspnet', 's3dg', 'k400'): 'rspnet/rspnet_s3dg_k400.py',
    ('rspnet', 'r3d18', 'synthetic'): 'rspnet/rspnet_r18-w16_synthetic.py',
    ('cvrl', 'r3d18', 'k400'): 'cvrl/cvrl_r18_k400.py',
    ('cvrl', 's3dg', 'k400'): 'cvrl/cvrl_s3dg_k400.py',
    ('cvrl', 'r3d18', 'synthetic'): 'cvrl/cvrl_r18-w16_synthetic.py',
}


def pretrain_config(method: str,
                    backbone: str = 'r3d18',
                    dataset: str = 'k400') -> str:
    """Absolute path of the pretraining config of ``method`` with
    ``backbone`` (``'r3d18'``, ``'s3dg'``) on ``dataset`` (``'k400'``,
    ``'synthetic'``)."""
    key = (method, backbone, dataset)
    if key not in PRETRAIN_CONFIGS:
        raise ValueError(f'no pretraining config for {key}; known: '
                         f'{sorted(PRETRAIN_CONFIGS)}')
    return osp.join(CONFIG_ROOT, PRETRAIN_CONFIGS[key])


def schedule_options(epochs, val_interval=None) -> list:
    """``--cfg-options`` that set the length of a config's epoch-based
    cosine schedule (its first ``param_scheduler``) and checkpoint interval
    to ``epochs``, and the validation to every ``val_interval`` epochs; none
    for ``epochs=None``."""
    if epochs is None:
        return []
    opts = [
        f'train_cfg.max_epochs={epochs}', f'param_scheduler.0.T_max={epochs}',
        f'param_scheduler.0.end={epochs}',
        f'default_hooks.checkpoint.interval={epochs}'
    ]
    if val_interval is not None:
        opts += [
            f'train_cfg.val_begin={val_interval}',
            f'train_cfg.val_interval={val_interval}'
        ]
    return opts


def list_options(loader: str, root: str, ann_file: str) -> list:
    """``--cfg-options`` that point the dataset of ``loader`` (e.g.
    ``'train_dataloader'``) at ``<root>/videos`` and ``<root>/<ann_file>``."""
    return [
        f'{loader}.dataset.data_prefix.video={root}/videos',
        f'{loader}.dataset.ann_file={root}/{ann_file}'
    ]
