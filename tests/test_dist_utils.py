
import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
from helpers import free_port, init_gloo

import ascnet_mm  # noqa: F401  registers before mmaction.models (spawned too)
from ascnet_mm.models.losses import NTXentLoss, nt_xent
from ascnet_mm.models.utils import (batch_shuffle_ddp, batch_unshuffle_ddp,
                                    concat_all_gather, gather_with_grad,
                                    rank_and_world)

WORLD, N, D = 2, 3, 5


# ------------------------------------------------------------ one process
def test_single_process_identities():
    assert rank_and_world() == (0, 1)
    x = torch.randn(4, 3, requires_grad=True)
    gathered = concat_all_gather(x)
    assert torch.equal(gathered, x) and not gathered.requires_grad
    assert gather_with_grad(x) is x


def test_single_process_shuffle_unshuffle_inverse():
    x = torch.arange(8.).view(8, 1).expand(8, 3).contiguous()
    shuffled, idx_unshuffle = batch_shuffle_ddp(x)
    assert shuffled.shape == x.shape
    assert sorted(shuffled[:, 0].tolist()) == x[:, 0].tolist()
    assert torch.equal(batch_unshuffle_ddp(shuffled, idx_unshuffle), x)


# ------------------------------------------------------------ two processes


def _global_data():
    g = torch.Generator().manual_seed(0)
    return (torch.randn(WORLD * N, D,
                        generator=g), torch.randn(WORLD * N, D, generator=g),
            torch.randn(WORLD * N, D, generator=g))


def _worker(rank, port):
    torch.set_num_threads(1)
    init_gloo(rank, port, WORLD, timeout_s=30)
    try:
        assert rank_and_world() == (rank, WORLD)
        z1_all, z2_all, weights = _global_data()
        local = slice(rank * N, (rank + 1) * N)

        x = z1_all[local].clone().requires_grad_()
        gathered = gather_with_grad(x)
        assert torch.equal(gathered, z1_all)
        assert torch.equal(concat_all_gather(x), z1_all)
        # rank r's loss weighs the gathered rows by (r + 1) * weights, so the
        # local rows get the sum over ranks: (1 + 2) * weights[local].
        ((rank + 1) * weights * gathered).sum().backward()
        torch.testing.assert_close(x.grad, 3 * weights[local])

        z1 = z1_all[local].clone().requires_grad_()
        z2 = z2_all[local].clone().requires_grad_()
        loss = NTXentLoss(temperature=0.2)(z1, z2)
        loss.backward()
        losses = [torch.zeros(()) for _ in range(WORLD)]
        torch_dist.all_gather(losses, loss.detach())

        ref_z1 = z1_all.clone().requires_grad_()
        ref_z2 = z2_all.clone().requires_grad_()
        ref = nt_xent(ref_z1, ref_z2, 0.2)
        ref.backward()
        torch.testing.assert_close(torch.stack(losses).mean(), ref)
        # DDP averages the per-rank gradients over the world.
        torch.testing.assert_close(z1.grad / WORLD, ref_z1.grad[local])
        torch.testing.assert_close(z2.grad / WORLD, ref_z2.grad[local])

        shuffled, idx_unshuffle = batch_shuffle_ddp(z1_all[local])
        assert torch.equal(
            batch_unshuffle_ddp(shuffled, idx_unshuffle), z1_all[local])
        everything = concat_all_gather(shuffled)
        assert torch.equal(everything[idx_unshuffle], z1_all)
    finally:
        torch_dist.destroy_process_group()


@pytest.mark.slow
def test_two_process_gather_and_nt_xent():
    mp.spawn(_worker, args=(free_port(), ), nprocs=WORLD, join=True)
