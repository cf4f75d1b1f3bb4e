"""Two processes on halves of a global batch train exactly like one process
on the whole batch, for every method.

BatchNorm: a process normalises with the statistics of its own half, so in
training mode two processes cannot match one (SyncBN would, but PyTorch's
SyncBatchNorm needs GPUs). The models therefore run in eval mode, where
BatchNorm uses its fixed running statistics, in both the reference and the
two-process run; everything else (gathers, SCP candidates from the gathered
batch and the bank, queues, Shuffle-BN's permutation, NT-Xent negatives, EMA
targets, DDP's gradient averaging) is what training runs.
"""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
from helpers import free_port, init_gloo
from mmengine import Config
from torch.nn.parallel import DistributedDataParallel

import ascnet_mm  # noqa: F401  registers before mmaction.models (spawned too)

# Spawns two processes per case.
pytestmark = pytest.mark.slow

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
WORLD, GLOBAL_BATCH, STEPS = 2, 4, 2

# method -> (config, model overrides, per-sample view speeds)
CASES = {
    'ascnet': ('configs/ascnet/ascnet_r18-w16_synthetic.py',
               dict(bank_size=16), [(1, 2), (2, 1), (1, 2), (2, 1)]),
    # sample 2's speed-8 view has no partner: rank 1 has 3 of 4 SCP partners
    # and rank 0 4 of 4, so a per-rank mean would weigh the ranks unequally
    'ascnet_uneven_partners': ('configs/ascnet/ascnet_r18-w16_synthetic.py',
                               dict(bank_size=16), [(1, 2), (2, 1), (1, 8),
                                                    (2, 1)]),
    'rspnet': ('configs/rspnet/rspnet_r18-w16_synthetic.py',
               dict(queue_size=8), [(1, 1, 2), (2, 2, 1), (1, 1, 2),
                                    (2, 2, 1)]),
    'cvrl': ('configs/cvrl/cvrl_r18-w16_synthetic.py', {}, [(2, 2)] * 4),
    # batch statistics of the regulariser over the gathered global batch
    'cvrl_feature_loss':
    ('configs/cvrl/cvrl_r18-w16_synthetic.py',
     dict(feature_loss=dict(type='VarianceCovarianceLoss')), [(2, 2)] * 4),
}


def _build(config, overrides):
    from mmaction.registry import MODELS
    cfg = Config.fromfile(osp.join(ROOT, config))
    cfg.model.backbone.base_channels = 8
    for key in ('app_projector', 'speed_projector', 'app_head', 'speed_head',
                'projector'):
        if cfg.model.get(key):
            cfg.model[key].in_channels = 64
    cfg.model.update(overrides)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


def _global_batch(speeds):
    from mmaction.structures import ActionDataSample
    views = len(speeds[0])
    g = torch.Generator().manual_seed(1)
    inputs = torch.randn(GLOBAL_BATCH, views, 3, 8, 32, 32, generator=g)
    samples = []
    for i, s in enumerate(speeds):
        sample = ActionDataSample()
        sample.set_metainfo(dict(view_speeds=np.array(s), video_idx=i))
        samples.append(sample)
    return inputs, samples


def _train(model, inputs, samples, params):
    """STEPS SGD steps; per step the losses and the parameters' gradients."""
    opt = torch.optim.SGD(params, lr=0.05)
    record = []
    for _ in range(STEPS):
        losses = model(inputs, samples, mode='loss')
        total = sum(v for k, v in losses.items() if k.startswith('loss'))
        opt.zero_grad()
        total.backward()
        record.append(({
            k: v.detach().clone()
            for k, v in losses.items()
        }, [p.grad.clone() for p in params]))
        opt.step()
    return record


def _compare(case, model, ref, record, ref_record, mean_losses):
    """Per step: mean loss over ranks == reference loss, DDP-averaged
    gradients == reference gradients; then the same final state."""
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    for step, ((_, grads), (ref_losses, ref_grads),
               means) in enumerate(zip(record, ref_record, mean_losses)):
        assert set(means) == set(ref_losses), case
        for key, mean in means.items():
            torch.testing.assert_close(
                mean,
                ref_losses[key].float(),
                rtol=1e-5,
                atol=1e-6,
                msg=lambda m: f'{case} step {step} {key}: {m}')
        for name, grad, ref_grad in zip(names, grads, ref_grads):
            torch.testing.assert_close(
                grad,
                ref_grad,
                rtol=1e-4,
                atol=1e-6,
                msg=lambda m: f'{case} step {step} grad of {name}: {m}')
    ref_state = ref.state_dict()
    for key, value in model.state_dict().items():
        if value.dtype.is_floating_point:
            torch.testing.assert_close(
                value,
                ref_state[key],
                rtol=1e-4,
                atol=1e-6,
                msg=f'{case} {key}')
        else:
            assert torch.equal(value, ref_state[key]), f'{case} {key}'


def _worker(rank, port, out_dir):
    """Every case: the one-process reference first (before the process
    group exists), then the two-process run; failures go to
    ``out_dir/<case>.<rank>``."""
    import traceback

    from mmengine.registry import DefaultScope
    torch.set_num_threads(1)
    runs = {}
    for case, (config, overrides, speeds) in CASES.items():
        with DefaultScope.overwrite_default_scope('mmaction'):
            base = _build(config, overrides)
        inputs, samples = _global_batch(speeds)
        ref = copy.deepcopy(base)
        ref_record = _train(ref, inputs, samples,
                            [p for p in ref.parameters() if p.requires_grad])
        runs[case] = (base, inputs, samples, ref, ref_record)

    init_gloo(rank, port, WORLD)
    try:
        local = slice(rank * GLOBAL_BATCH // WORLD,
                      (rank + 1) * GLOBAL_BATCH // WORLD)
        for case, (base, inputs, samples, ref, ref_record) in runs.items():
            model = copy.deepcopy(base)
            ddp = DistributedDataParallel(model, broadcast_buffers=False)
            record = _train(ddp, inputs[local], samples[local],
                            [p for p in model.parameters() if p.requires_grad])
            mean_losses = []
            for losses, _ in record:
                means = {}
                for key, value in sorted(losses.items()):
                    mean = value.clone().float()
                    torch_dist.all_reduce(mean)
                    means[key] = mean / WORLD
                mean_losses.append(means)
            try:
                _compare(case, model, ref, record, ref_record, mean_losses)
            except AssertionError:
                with open(osp.join(out_dir, f'{case}.{rank}'), 'w') as f:
                    f.write(traceback.format_exc())
    finally:
        torch_dist.destroy_process_group()


@pytest.fixture(scope='module')
def failures(tmp_path_factory):
    """One pair of processes runs every case (process start-up dominates)."""
    out = tmp_path_factory.mktemp('distributed')
    mp.spawn(_worker, args=(free_port(), str(out)), nprocs=WORLD, join=True)
    return {f.name: f.read_text() for f in out.iterdir()}


@pytest.mark.parametrize('case', list(CASES))
def test_two_processes_match_one_process_on_the_global_batch(failures, case):
    errors = [
        text for name, text in failures.items()
        if name.rsplit('.', 1)[0] == case
    ]
    assert not errors, '\n'.join(errors)
