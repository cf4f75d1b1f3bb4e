import math

import pytest
import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.logging import MessageHub

from ascnet_mm.models.utils import CosineEMA, FIFOBank


# --------------------------------------------------------------- MLPNeck
def mlp_neck(in_channels, out_channels, **kwargs):
    return MODELS.build(
        dict(
            type='MLPNeck',
            in_channels=in_channels,
            out_channels=out_channels,
            **kwargs))


@pytest.mark.parametrize('num_layers,last_bn', [(1, False), (2, False),
                                                (2, True), (4, False)])
def test_mlp_neck_layers_and_shape(num_layers, last_bn):
    neck = mlp_neck(
        12, 6, hidden_channels=20, num_layers=num_layers, with_last_bn=last_bn)
    linears = [m for m in neck.modules() if isinstance(m, nn.Linear)]
    bns = [m for m in neck.modules() if isinstance(m, nn.BatchNorm1d)]
    assert len(linears) == num_layers
    assert len(bns) == num_layers - 1 + int(last_bn)
    assert linears[0].in_features == 12 and linears[-1].out_features == 6
    if num_layers > 1:
        assert linears[-1].in_features == 20
    assert neck(torch.randn(5, 12)).shape == (5, 6)
    assert neck(torch.randn(5, 12, 1, 1, 1)).shape == (5, 6)
    assert (neck.in_channels, neck.out_channels) == (12, 6)


def test_mlp_neck_l2_norm_and_bias():
    neck = mlp_neck(8, 4, num_layers=1, l2_norm=True, with_bias=False)
    out = neck(torch.randn(3, 8))
    torch.testing.assert_close(out.norm(dim=1), torch.ones(3))
    assert all(m.bias is None for m in neck.modules()
               if isinstance(m, nn.Linear))


@pytest.mark.parametrize('norm_cfg,momentum',
                         [(dict(type='BN1d'), 0.1),
                          (dict(type='BN1d', momentum=0.003), 0.003)])
def test_mlp_neck_norm_cfg_sets_every_bn(norm_cfg, momentum):
    neck = MODELS.build(
        dict(
            type='MLPNeck',
            in_channels=6,
            with_last_bn=True,
            norm_cfg=norm_cfg))
    bns = [m for m in neck.modules() if isinstance(m, nn.BatchNorm1d)]
    assert len(bns) == 2
    assert all(bn.momentum == momentum and bn.eps == 1e-5 for bn in bns)
    # the running mean moves by `momentum` of the batch mean per step
    x = torch.randn(16, 6)
    neck.train()(x)
    batch_mean = neck.mlp[0](x).mean(0)
    torch.testing.assert_close(bns[0].running_mean, momentum * batch_mean)


# ------------------------------------------------------------- CosineEMA
@pytest.fixture
def runtime_info():
    """Set 'iter' / 'max_iters' on the current MessageHub, restore after."""
    hub = MessageHub.get_current_instance()
    saved = {k: hub.get_info(k) for k in ('iter', 'max_iters')}

    def set_info(it, max_iters):
        hub.update_info('iter', it)
        hub.update_info('max_iters', max_iters)

    yield set_info
    for key, value in saved.items():
        hub.pop_info(key)
        if value is not None:
            hub.update_info(key, value)


def _net():
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))


def test_cosine_ema_first_update_copies_then_lerps(runtime_info):
    runtime_info(0, 100)
    online = _net()
    ema = MODELS.build(dict(type='CosineEMA', model=online, momentum=0.1))
    assert isinstance(ema, CosineEMA)
    with torch.no_grad():
        for p in online.parameters():
            p.add_(1.0)
    online.train()(torch.randn(8, 4))
    ema.update_parameters(online)
    for a, s in zip(ema.module.state_dict().values(),
                    online.state_dict().values()):
        assert torch.equal(a, s)

    before = {k: v.clone() for k, v in ema.module.state_dict().items()}
    with torch.no_grad():
        for p in online.parameters():
            p.mul_(2.0)
    online(torch.randn(8, 4))
    ema.update_parameters(online)
    src = online.state_dict()
    for name, avg in ema.module.state_dict().items():
        if avg.dtype.is_floating_point:
            expected = 0.9 * before[name] + 0.1 * src[name]
            torch.testing.assert_close(avg, expected)
        else:
            assert torch.equal(avg, src[name])
    assert ema.steps == 2


def test_cosine_ema_interval(runtime_info):
    runtime_info(0, 10)
    online = nn.Linear(2, 2)
    ema = CosineEMA(online, momentum=0.5, interval=2)
    ema.update_parameters(online)
    first = ema.module.weight.clone()
    with torch.no_grad():
        online.weight.add_(1.0)
    ema.update_parameters(online)
    assert torch.equal(ema.module.weight, first)
    ema.update_parameters(online)
    torch.testing.assert_close(ema.module.weight,
                               0.5 * first + 0.5 * online.weight)


def test_cosine_ema_schedule(runtime_info):
    ema = CosineEMA(nn.Linear(2, 2), momentum=0.01, end_momentum=0.0)
    runtime_info(0, 1000)
    assert math.isclose(ema.current_momentum(), 0.01)
    runtime_info(500, 1000)
    assert math.isclose(ema.current_momentum(), 0.005)
    runtime_info(1000, 1000)
    assert math.isclose(ema.current_momentum(), 0.0, abs_tol=1e-12)
    runtime_info(250, 1000)
    expected = 0.01 * (math.cos(math.pi / 4) + 1) / 2
    assert math.isclose(ema.current_momentum(), expected)


def test_cosine_ema_base_momentum_without_runtime_info(runtime_info):
    hub = MessageHub.get_current_instance()
    runtime_info(0, 1)
    hub.pop_info('iter')
    hub.pop_info('max_iters')
    assert CosineEMA(nn.Linear(2, 2), momentum=0.02).current_momentum() == 0.02


def test_cosine_ema_no_grad_into_average(runtime_info):
    runtime_info(3, 10)
    online = _net()
    ema = CosineEMA(online)
    assert not any(p.requires_grad for p in ema.parameters())
    ema.update_parameters(online)
    ema.update_parameters(online)
    assert not any(p.requires_grad for p in ema.parameters())
    out = ema(torch.randn(4, 4))
    assert not out.requires_grad


def test_cosine_ema_follows_module_moves(runtime_info):
    runtime_info(0, 10)
    online = _net()
    ema = CosineEMA(online, momentum=0.5)
    ema.to(torch.float64)
    online.to(torch.float64)
    with torch.no_grad():
        online[0].weight.fill_(2.0)
    ema.update_parameters(online)
    assert torch.equal(ema.module[0].weight, online[0].weight)


# -------------------------------------------------------------- FIFOBank
def _bank(size):
    return FIFOBank(size,
                    dict(emb=((2, ), torch.float32), vid=((), torch.long)))


def _rows(start, n):
    ids = torch.arange(start, start + n)
    return dict(emb=torch.stack([ids, -ids], 1).float(), vid=ids)


def test_fifo_bank_ring_buffer():
    bank = _bank(5)
    assert bank.emb.shape == (5, 2) and bank.vid.dtype == torch.long
    assert not bank.valid.any()
    bank.enqueue(**_rows(0, 3))
    assert bank.ptr == 3
    assert bank.valid.tolist() == [True] * 3 + [False] * 2
    bank.enqueue(**_rows(3, 4))
    assert bank.ptr == 2
    assert bank.vid.tolist() == [5, 6, 2, 3, 4]
    assert bank.emb[:, 1].tolist() == [-5, -6, -2, -3, -4]
    assert bank.valid.all()


def test_fifo_bank_batch_larger_than_size():
    bank = _bank(4)
    bank.enqueue(**_rows(0, 1))
    bank.enqueue(**_rows(10, 6))
    assert bank.ptr == (1 + 6) % 4
    assert sorted(bank.vid.tolist()) == [12, 13, 14, 15]
    assert bank.vid[(bank.ptr - 1) % 4] == 15
    bank.enqueue(**_rows(20, 1))
    assert bank.vid[3] == 20


def test_fifo_bank_size_zero():
    bank = _bank(0)
    assert bank.emb.shape == (0, 2) and bank.vid.shape == (0, )
    bank.enqueue(**_rows(0, 3))
    assert bank.ptr == 0 and bank.valid.shape == (0, )


def test_fifo_bank_state_dict_round_trip():
    bank = _bank(4)
    bank.enqueue(**_rows(0, 3))
    state = bank.state_dict()
    assert set(state) == {'emb', 'vid', 'ptr', 'valid'}
    other = _bank(4)
    other.load_state_dict(state)
    for key in state:
        assert torch.equal(getattr(other, key), getattr(bank, key))
    other.enqueue(**_rows(3, 2))
    assert other.vid.tolist() == [4, 1, 2, 3] and other.ptr == 1


def test_fifo_bank_with_batch_puts_batch_rows_first():
    bank = _bank(4)
    bank.enqueue(**_rows(0, 3))
    rows = bank.with_batch(**_rows(10, 2))
    assert rows._fields == ('emb', 'vid', 'valid')
    assert rows.vid.tolist() == [10, 11, 0, 1, 2, 0]
    assert rows.emb[:, 1].tolist() == [-10, -11, 0, -1, -2, 0]
    assert rows.valid.tolist() == [True] * 5 + [False]
    # the bank itself is unchanged
    assert bank.vid.tolist() == [0, 1, 2, 0] and bank.ptr == 3


def test_fifo_bank_rows_and_empty_bank():
    bank = _bank(0)
    rows = bank.rows(**_rows(5, 3))
    assert rows.vid.tolist() == [5, 6, 7] and rows.valid.all()
    both = bank.with_batch(**_rows(5, 3))
    assert type(both) is type(rows)
    for a, b in zip(both, rows):
        assert torch.equal(a, b)
    with pytest.raises(AssertionError, match='exactly the fields'):
        bank.with_batch(emb=torch.zeros(1, 2))
    with pytest.raises(AssertionError, match='vid has 2 != 3'):
        bank.rows(emb=torch.zeros(3, 2), vid=torch.zeros(2).long())


def test_fifo_bank_requires_every_field_and_no_grad():
    bank = _bank(3)
    with pytest.raises(AssertionError):
        bank.enqueue(emb=torch.zeros(1, 2))
    emb = torch.ones(2, 2, requires_grad=True)
    bank.enqueue(emb=emb * 2, vid=torch.zeros(2, dtype=torch.long))
    assert not bank.emb.requires_grad
