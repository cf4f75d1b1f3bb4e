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
