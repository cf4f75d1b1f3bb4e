"""Save every random number generator's state with the checkpoint."""
import logging
import random
from typing import Dict, List, Optional

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_gather_object, get_dist_info
from mmengine.hooks import Hook
from mmengine.logging import print_log

CHECKPOINT_KEY = 'rng_state'


def get_rng_state() -> Dict:
    """States of Python's ``random``, NumPy's global and torch's (CPU and the
    current CUDA device) generators, as tensors and plain numbers, so a
    ``torch.load(weights_only=True)`` reads them."""
    version, py_state, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=torch.tensor(py_state, dtype=torch.int64),
        python_version=version,
        python_gauss=gauss,
        numpy=torch.from_numpy(keys.astype(np.int64)),
        numpy_name=name,
        numpy_pos=int(pos),
        numpy_has_gauss=int(has_gauss),
        numpy_gauss=float(cached),
        torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state().cpu()
    return state


def set_rng_state(state: Dict) -> None:
    """Restore the generators from :func:`get_rng_state`'s output."""
    random.setstate((state['python_version'], tuple(state['python'].tolist()),
                     state['python_gauss']))
    np.random.set_state(
        (state['numpy_name'], state['numpy'].numpy().astype(np.uint32),
         state['numpy_pos'], state['numpy_has_gauss'], state['numpy_gauss']))
    torch.set_rng_state(state['torch'].cpu())
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state(state['cuda'].cpu())


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Make resuming at an epoch boundary continue every random stream.

    MMEngine's resume restores the weights (EMA targets, banks and queues are
    buffers), optimizer, schedulers, message hub and the epoch (so
    ``DefaultSampler`` reshuffles as it would have), but re-seeds nothing:
    the generators continue from the seed, not from where the interrupted
    run stood. This hook stores ``checkpoint['rng_state']``: a list with the
    state of every rank's process (gathered at the end of each training
    epoch; a checkpoint saved elsewhere holds rank 0's current state only),
    and restores it before training continues from that checkpoint's
    iteration. A ``load_from`` without resume (a new run) is not touched.

    Data workers are seeded by MMEngine's ``worker_init_fn`` from the seed,
    the rank and the worker id; non-persistent workers restart from that
    seed every epoch, so they resume exactly too. Persistent workers keep
    their generators between epochs, which no checkpoint can save: after a
    resume their augmentations differ from the uninterrupted run's.
    """

    priority = 'LOW'  # after the others, before CheckpointHook (VERY_LOW)

    def __init__(self) -> None:
        self._rank_states: Optional[List[Dict]] = None
        self._gathered_at = -1
        self._pending: Optional[Dict] = None

    def after_train_epoch(self, runner) -> None:
        _, world = get_dist_info()
        if world > 1:
            self._rank_states = all_gather_object(get_rng_state())
            self._gathered_at = runner.iter

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._rank_states is not None and self._gathered_at == runner.iter:
            states = self._rank_states
        else:
            states = [get_rng_state()]
        checkpoint[CHECKPOINT_KEY] = states

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        states = checkpoint.get(CHECKPOINT_KEY)
        meta = checkpoint.get('meta') or {}
        self._pending = None
        if states and meta.get('iter'):
            self._pending = dict(states=states, iter=meta['iter'])

    def before_train(self, runner) -> None:
        pending, self._pending = self._pending, None
        if pending is None or runner.iter != pending['iter']:
            return
        rank, world = get_dist_info()
        states = pending['states']
        if len(states) not in (1, world):
            print_log(
                f'RNGStateHook: the checkpoint holds the random states of '
                f'{len(states)} processes, this run has {world}: they are '
                'not restored (the run continues from the seed).',
                logger='current',
                level=logging.WARNING)
            return
        set_rng_state(states[rank if len(states) == world else 0])
        print_log(
            f'RNGStateHook: restored the random states of iteration '
            f'{runner.iter}.',
            logger='current')
