"""Check that a checkpoint holds every backbone tensor, with its shape,
before anything is loaded.

MMEngine loads with ``strict=False`` and only logs "The model and loaded
state dict do not match exactly", so a checkpoint of another backbone or
width leaves the backbone as initialised and the run reports numbers of a
random network. :func:`check_backbone_checkpoint` reads the checkpoint's keys
and shapes (weights-only, memory-mapped) and raises
:class:`CheckpointMismatchError` naming the file, the missing and mismatched
keys and the likely cause. Keys the backbone does not use (a pretraining
checkpoint's EMA target, projectors, bank, queue) are ignored.
"""
import logging
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple

from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint
from torch import nn

from .weights_only import load_weights_only

SHOWN = 3  # keys named in the message, of each kind


class CheckpointMismatchError(RuntimeError):
    """A checkpoint lacks backbone tensors or has them in other shapes."""


def pretrained_init_cfgs(init_cfg) -> List[dict]:
    """The ``type='Pretrained'`` entries of a module's ``init_cfg``."""
    cfgs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    return [c for c in cfgs if c and c.get('type') == 'Pretrained']


def checkpoint_state_dict(filename: str, strip_module: bool = True) -> dict:
    """The ``state_dict`` of a checkpoint, loaded weights-only (a local file
    memory-mapped); ``strip_module`` drops a leading ``module.`` as
    ``Runner.load_checkpoint`` does."""
    local = osp.expanduser(filename)
    if osp.isfile(local):
        checkpoint = load_weights_only(local, 'cpu', mmap=True)
    else:
        checkpoint = _load_checkpoint(filename, map_location='cpu')
    if not isinstance(checkpoint, dict):
        raise CheckpointMismatchError(
            f'checkpoint {filename} holds a {type(checkpoint).__name__}, '
            'not a state dict')
    state_dict = checkpoint.get('state_dict', checkpoint)
    if strip_module:
        state_dict = {
            re.sub(r'^module\.', '', k): v
            for k, v in state_dict.items()
        }
    return state_dict


def _shape(value) -> Optional[Tuple[int, ...]]:
    shape = getattr(value, 'shape', None)
    return None if shape is None else tuple(shape)


def _first(items: list, text) -> str:
    """`` (a; b; c; ...)``: the first :data:`SHOWN` items, '' if none."""
    if not items:
        return ''
    more = '; ...' if len(items) > SHOWN else ''
    return f' ({"; ".join(map(text, items[:SHOWN]))}{more})'


def _shapes(item: tuple) -> str:
    key, found, expected = item
    return f'{key}: checkpoint {found}, model {expected}'


def _likely_cause(missing: List[str], wrong: list, num: int, state_dict: dict,
                  prefix: str) -> str:
    bare = [k[len(prefix):] for k in missing if k.startswith(prefix)]
    if prefix and bare and sum(k in state_dict
                               for k in bare) * 2 >= len(missing):
        return (f'the checkpoint has these keys without the "{prefix}" '
                'prefix (a bare backbone state dict): save it with the '
                'prefix added to its keys (init_cfg=Pretrained also loads it '
                'as is with prefix=None)')
    if wrong and not missing:
        return ('the same keys with other shapes: the same backbone with '
                'another width or setting (e.g. base_channels)')
    if len(missing) * 2 > num:
        return ('most keys are missing: a checkpoint of another backbone '
                '(e.g. S3D-G for R3D-18) or of another model')
    return 'a checkpoint of a similar but different backbone'


def check_backbone_checkpoint(filename: str,
                              backbone: nn.Module,
                              prefix: Optional[str] = 'backbone.',
                              strip_module: bool = True,
                              allow_partial: bool = False,
                              how_to_allow: str = '') -> Dict[str, list]:
    """Check that ``filename`` holds every tensor of ``backbone``.

    Args:
        filename (str): the checkpoint (local path or a URL scheme).
        backbone (nn.Module): the module it will be loaded into.
        prefix (str, optional): the backbone's keys in the checkpoint start
            with it (``'backbone.'``); None or '' for a bare state dict.
        strip_module (bool): drop a leading ``module.`` from the checkpoint's
            keys first (``load_from``; ``Pretrained`` with a prefix keeps it).
        allow_partial (bool): log the mismatch as a warning instead of
            raising.
        how_to_allow (str): how the caller turns on ``allow_partial``, for
            the message.

    Returns:
        dict: ``missing`` keys and ``mismatched`` ``(key, checkpoint shape,
        model shape)``; both empty when everything fits.

    Raises:
        CheckpointMismatchError: something does not fit and ``allow_partial``
            is False; nothing has been loaded then.
    """
    prefix = prefix or ''
    if prefix and not prefix.endswith('.'):
        prefix += '.'  # as MMEngine's Pretrained does
    expected = {
        prefix + k: tuple(v.shape)
        for k, v in backbone.state_dict().items()
    }
    state_dict = checkpoint_state_dict(filename, strip_module)
    missing = [k for k in expected if k not in state_dict]
    wrong = [(k, _shape(state_dict[k]), shape)
             for k, shape in expected.items()
             if k in state_dict and _shape(state_dict[k]) != shape]
    result = dict(missing=missing, mismatched=wrong)
    if not missing and not wrong:
        return result
    cause = _likely_cause(missing, wrong, len(expected), state_dict, prefix)
    message = (f'checkpoint {filename} does not fit the backbone '
               f'({type(backbone).__name__}, {len(expected)} tensors): '
               f'{len(missing)} missing{_first(missing, str)}, '
               f'{len(wrong)} with other shapes{_first(wrong, _shapes)}. '
               f'Likely cause: {cause}.')
    if allow_partial:
        print_log(
            message + ' allow_partial=True: loading only the tensors that '
            'fit, the others stay as initialised.',
            logger='current',
            level=logging.WARNING)
        return result
    raise CheckpointMismatchError(
        message + ' Nothing was loaded. To load only the tensors that fit '
        '(the others stay as initialised): ' +
        (how_to_allow or 'allow_partial=True') + '.')
