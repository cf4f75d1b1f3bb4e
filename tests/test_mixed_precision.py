"""Mixed precision: the three methods train under ``torch.autocast`` (CPU,
bfloat16, as ``--amp`` does on a GPU with ``dtype='bfloat16'``) with finite
float32 losses, and every loss computed under autocast equals the float32
one."""
from contextlib import contextmanager

import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmengine.runner.amp import autocast
from test_algorithms import ASCNET, CVRL, RSPNET, batch, build

from ascnet_mm.models.losses import cosine
from ascnet_mm.models.utils import FIFOBank


class CPUBFloat16OptimWrapper(OptimWrapper):
    """``AmpOptimWrapper(dtype='bfloat16')`` on CPU: the forward pass under
    autocast (bfloat16 needs no loss scaling)."""

    @contextmanager
    def optim_context(self, model):
        with super().optim_context(model), autocast(
                device_type='cpu', dtype=torch.bfloat16):
            yield


@pytest.fixture(autouse=True)
def mmaction_scope():
    with DefaultScope.overwrite_default_scope('mmaction'):
        yield


@pytest.mark.parametrize(
    'config, overrides, views, speeds', [
        (ASCNET, {}, 2, (1, 2)),
        (ASCNET, dict(feature_loss=dict(type='VarianceCovarianceLoss')), 2,
         (1, 2)),
        (RSPNET, dict(queue_size=4), 3, (1, 1, 2)),
        (CVRL, {}, 2, (2, 2)),
    ],
    ids=['ascnet', 'ascnet_vcreg', 'rspnet', 'cvrl'])
def test_training_steps_under_bfloat16_autocast(config, overrides, views,
                                                speeds):
    model = build(config, **overrides)
    wrapper = CPUBFloat16OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9))
    dtypes = []
    model.backbone.register_forward_hook(
        lambda module, args, out: dtypes.append(out.dtype))
    before = [p.detach().clone() for p in model.parameters()]
    # oneDNN's bfloat16 Conv3d weight gradient in this torch (2.13, CPU)
    # is now and then NaN, also for a lone nn.Conv3d (e.g. 5 of 300
    # backward passes with a (12, 16, 2, 8, 8) input); PyTorch's own
    # kernels are exact, and what is tested here is the model's side.
    with torch.backends.mkldnn.flags(enabled=False):
        train_steps(model, wrapper, views, speeds)
    assert set(dtypes) == {torch.bfloat16}  # the backbone ran in bfloat16
    after = list(model.parameters())
    assert all(torch.isfinite(p).all() for p in after)
    assert any(not torch.equal(a, b) for a, b in zip(after, before))


def train_steps(model, wrapper, views, speeds, steps=3):
    """``BaseModel.train_step`` in the open: the losses must be finite and
    float32 (the mean of the losses under autocast would hide a bfloat16
    one)."""
    for step in range(steps):
        # 16 x 16 frames: PyTorch's own bfloat16 Conv3d kernels are slow
        data = batch(
            model, num=2, views=views, speeds=speeds, seed=step, size=16)
        with wrapper.optim_context(model):
            losses = model(**data, mode='loss')
        for name, value in losses.items():
            assert value.dtype == torch.float32, (name, value.dtype)
            assert torch.isfinite(value).all(), name
        loss, _ = model.parse_losses(losses)
        wrapper.update_params(loss)


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def unit(*shape, seed=0):
    return F.normalize(rand(*shape, seed=seed), dim=-1)


def scp_inputs():
    bank = FIFOBank(
        8,
        dict(
            app=((16, ), torch.float32),
            speed_emb=((16, ), torch.float32),
            speed=((), torch.long),
            vid=((), torch.long)))
    rows = dict(
        app=rand(6, 16, seed=1),
        speed_emb=rand(6, 16, seed=2),
        speed=torch.tensor([1, 2, 1, 2, 1, 2]),
        vid=torch.tensor([0, 0, 1, 1, 2, 2]))
    bank.enqueue(**rows)
    return rand(6, 16, seed=3), bank.rows(**rows), bank.with_batch(**rows)


LOSSES = {
    'acp': (dict(type='ACPLoss'), lambda:
            (rand(4, 2, 16), rand(4, 2, 16, seed=1))),
    'scp': (dict(type='SCPLoss'), scp_inputs),
    'info_nce': (dict(type='InfoNCELoss'), lambda:
                 (unit(4, 16), unit(4, 16, seed=1), unit(32, 16, seed=2))),
    'rsp_margin': (dict(type='RSPMarginLoss'), lambda:
                   (cosine(rand(4, 16), rand(4, 16, seed=1)),
                    cosine(rand(4, 16), rand(4, 16, seed=2)))),
    'nt_xent': (dict(type='NTXentLoss'), lambda:
                (rand(4, 16), rand(4, 16, seed=1))),
    'variance_covariance': (dict(type='VarianceCovarianceLoss'), lambda:
                            (rand(8, 16), )),
}


def cast(value, dtype):
    """The floating tensors of ``value`` (a tensor, or a named tuple of them
    such as ``FIFOBank.rows``) in ``dtype``."""
    if isinstance(value, torch.Tensor) and value.is_floating_point():
        return value.to(dtype)
    if isinstance(value, tuple) and hasattr(value, '_fields'):
        return type(value)(*(cast(v, dtype) for v in value))
    return value


def values(out):
    """A loss module's outputs as a flat list of tensors."""
    if isinstance(out, dict):
        return list(out.values())
    return list(out) if isinstance(out, tuple) else [out]


@pytest.mark.parametrize('name', list(LOSSES))
def test_loss_under_autocast_equals_float32(name):
    cfg, inputs = LOSSES[name]
    loss = MODELS.build(cfg)
    args = inputs()
    expected = values(loss(*args))
    # as the model gives them under autocast, and those upcast
    low = [cast(a, torch.bfloat16) for a in args]
    expected_low = values(loss(*[cast(a, torch.float32) for a in low]))
    with torch.autocast('cpu', dtype=torch.bfloat16):
        got = values(loss(*args))
        got_low = values(loss(*low))
    for e, g in zip(expected + expected_low, got + got_low):
        if g.is_floating_point():
            assert g.dtype == torch.float32
        torch.testing.assert_close(g, e, rtol=1e-6, atol=1e-6)
