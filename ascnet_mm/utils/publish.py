"""Shareable checkpoints: the weights downstream use needs, nothing else.

A pretraining checkpoint carries the optimizer, the EMA target, the SCP bank
or RSPNet queue, the message hub and the random states, all of which only a
resumed run needs. :func:`publish_checkpoint` keeps ``state_dict``'s
``backbone.`` tensors (optionally the online necks / heads too) and a plain
``meta``, and names the file ``{stem}-{sha256[:8]}.pth`` as MMAction2's
``publish_model.py`` does.
"""
import hashlib
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict

import torch

from ..checkpoint import load_weights_only

# Modules only a resumed pretraining needs: the momentum target, the SCP
# bank / RSPNet queue and the data preprocessor's constants.
DROPPED_MODULES = ('target', 'bank', 'queue', 'data_preprocessor')
# Plain ``meta`` entries (strings and numbers) a published file keeps.
KEPT_META = ('epoch', 'iter', 'seed', 'experiment_name', 'mmengine_version',
             'cfg')


def publishable_state(state_dict: Dict[str, torch.Tensor],
                      keep_necks: bool = False) -> 'OrderedDict':
    """The tensors of ``state_dict`` worth sharing.

    ``backbone.*`` always; with ``keep_necks`` also every other online module
    (projectors, predictors, heads), never :data:`DROPPED_MODULES` or the
    losses' buffers.
    """
    kept = OrderedDict()
    for key, value in state_dict.items():
        module = key.split('.', 1)[0]
        if module == 'backbone' or (keep_necks
                                    and module not in DROPPED_MODULES
                                    and 'loss' not in module):
            kept[key] = value
    if not any(k.startswith('backbone.') for k in kept):
        raise ValueError('the checkpoint has no backbone.* tensors')
    return kept


def sha256_of(path: str, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def publish_checkpoint(in_file: str,
                       out_file: str,
                       keep_necks: bool = False) -> str:
    """Write the shareable part of ``in_file`` as
    ``{out_file stem}-{sha256[:8]}.pth`` and return that path.

    The file holds ``dict(meta, state_dict)`` of tensors, strings and numbers
    only, so ``torch.load(weights_only=True)`` reads it without any
    allow-list.
    """
    ckpt = load_weights_only(in_file, map_location='cpu')
    state = ckpt.get('state_dict', ckpt)
    meta = {
        k: v
        for k, v in (ckpt.get('meta') or {}).items() if k in KEPT_META
    }
    meta['source'] = osp.basename(in_file)
    out = dict(
        meta=meta,
        state_dict=publishable_state(state, keep_necks),
    )
    stem = out_file[:-4] if out_file.endswith('.pth') else out_file
    os.makedirs(osp.dirname(osp.abspath(stem)), exist_ok=True)
    tmp = f'{stem}.tmp.pth'
    torch.save(out, tmp)
    final = f'{stem}-{sha256_of(tmp)[:8]}.pth'
    os.replace(tmp, final)
    return final
