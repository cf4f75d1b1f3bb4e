import math
from collections import namedtuple

import pytest
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS

from ascnet_mm.models.losses import (info_nce, margin_ranking, ncos, nt_xent,
                                     retrieve_same_speed_partner,
                                     variance_covariance)
from ascnet_mm.models.utils import FIFOBank

Rows = namedtuple('Rows', 'app speed_emb speed vid valid')


def _naive_nt_xent(z1, z2, temperature):
    """Loop-by-loop SimCLR loss over the 2N anchors."""
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    total = 0.0
    for i in range(2 * n):
        pos = (i + n) % (2 * n)
        denom = sum(
            torch.exp(z[i] @ z[j] / temperature) for j in range(2 * n)
            if j != i)
        total = total - torch.log(
            torch.exp(z[i] @ z[pos] / temperature) / denom)
    return total / (2 * n)


# ----------------------------------------------------------------- ncos
def test_ncos_matches_formula():
    p, z = torch.randn(5, 7), torch.randn(5, 7)
    expected = 2 - 2 * F.cosine_similarity(p, z, dim=1)
    torch.testing.assert_close(ncos(p, z), expected)
    torch.testing.assert_close(
        ncos(p, 3 * p), torch.zeros(5), atol=1e-6, rtol=0)
    torch.testing.assert_close(ncos(p, -p), torch.full((5, ), 4.0))


def test_ncos_zero_vectors_finite():
    p = torch.zeros(2, 4, requires_grad=True)
    out = ncos(p, torch.zeros(2, 4))
    torch.testing.assert_close(out, torch.full((2, ), 2.0))
    out.sum().backward()
    assert torch.isfinite(p.grad).all()


# ------------------------------------------------------------------ ACP
def test_acp_hand_value():
    pred = torch.tensor([[[1., 0.], [1., 1.]]])
    target = torch.tensor([[[0., 1.], [3., 0.]]])
    # view 0 vs target view 1: cos 1 -> 0; view 1 vs target view 0: cos
    # 1/sqrt(2) -> 2 - sqrt(2).
    expected = (0 + 2 - math.sqrt(2)) / 2
    loss = MODELS.build(dict(type='ACPLoss', loss_weight=2.0))(pred, target)
    torch.testing.assert_close(loss, torch.tensor(2 * expected))


def test_acp_symmetric_and_rolls_views():
    pred, target = torch.randn(4, 2, 8), torch.randn(4, 2, 8)
    loss_fn = MODELS.build(dict(type='ACPLoss'))
    swapped = loss_fn(pred.flip(1), target.flip(1))
    torch.testing.assert_close(loss_fn(pred, target), swapped)
    pred, target = torch.randn(4, 3, 8), torch.randn(4, 3, 8)
    expected = torch.stack(
        [ncos(pred[:, v], target[:, (v + 1) % 3]) for v in range(3)]).mean()
    torch.testing.assert_close(loss_fn(pred, target), expected)


def test_acp_reduction_sums_or_averages_the_directions():
    pred, target = torch.randn(5, 2, 8), torch.randn(5, 2, 8)
    mean = MODELS.build(dict(type='ACPLoss'))(pred, target)
    summed = MODELS.build(dict(type='ACPLoss', reduction='sum'))(pred, target)
    byol = (
        ncos(pred[:, 0], target[:, 1]).mean() +
        ncos(pred[:, 1], target[:, 0]).mean())
    torch.testing.assert_close(summed, byol)
    torch.testing.assert_close(summed, 2 * mean)
    with pytest.raises(ValueError, match='reduction'):
        MODELS.build(dict(type='ACPLoss', reduction='none'))


def test_acp_gradient_only_reaches_pred():
    pred = torch.randn(3, 2, 4, requires_grad=True)
    target = torch.randn(3, 2, 4, requires_grad=True)
    MODELS.build(dict(type='ACPLoss'))(pred, target).backward()
    assert pred.grad is not None and pred.grad.abs().sum() > 0
    assert target.grad is None


# ------------------------------------------------------------------ SCP
def _scp_candidates():
    """Queries 0..2 and five candidates built so that the most similar
    candidate is forbidden (same video / other speed / invalid)."""
    query_app = torch.tensor([[1., 0.], [0., 1.], [1., 1.]])
    query_speed = torch.tensor([1, 2, 4])
    query_vid = torch.tensor([10, 11, 12])
    cand_app = torch.tensor([
        [1., 0.],  # 0: same video as query 0 -> never its partner
        [1., .5],  # 1: speed 1, video 20 -> partner of query 0
        [1., .1],  # 2: speed 2, closest to query 0 but wrong speed
        [0., 1.],  # 3: speed 2, video 21, identical to query 1; invalid
        [.5, 1.],  # 4: speed 2, video 22 -> partner of query 1
    ])
    cand_speed = torch.tensor([1, 1, 2, 2, 2])
    cand_vid = torch.tensor([10, 20, 30, 21, 22])
    cand_valid = torch.tensor([True, True, True, False, True])
    return (query_app, query_speed, query_vid, cand_app, cand_speed, cand_vid,
            cand_valid)


def test_retrieval_picks_expected_partner():
    qa, qs, qv, ca, cs, cv, valid = _scp_candidates()
    idx, has = retrieve_same_speed_partner(qa, qs, qv, ca, cs, cv, valid)
    assert has.tolist() == [True, True, False]
    assert idx[:2].tolist() == [1, 4]
    assert idx[2] == 0
    idx, _ = retrieve_same_speed_partner(qa, qs, qv, ca, cs, cv, None)
    assert idx[1] == 3


def test_retrieval_rules_on_random_set():
    g = torch.Generator().manual_seed(0)
    qa, ca = torch.randn(20, 6, generator=g), torch.randn(50, 6, generator=g)
    qs, cs = (torch.randint(1, 3, (n, ), generator=g) for n in (20, 50))
    qv, cv = (torch.randint(0, 5, (n, ), generator=g) for n in (20, 50))
    valid = torch.rand(50, generator=g) > 0.3
    idx, has = retrieve_same_speed_partner(qa, qs, qv, ca, cs, cv, valid)
    sim = F.normalize(qa, dim=1) @ F.normalize(ca, dim=1).t()
    for m in range(20):
        allowed = (cs == qs[m]) & (cv != qv[m]) & valid
        assert has[m] == allowed.any()
        if has[m]:
            assert allowed[idx[m]]
            assert cs[idx[m]] == qs[m] and cv[idx[m]] != qv[m]
            torch.testing.assert_close(sim[m, idx[m]], sim[m][allowed].max())


def test_retrieval_empty_candidates():
    idx, has = retrieve_same_speed_partner(
        torch.randn(3, 4), torch.ones(3), torch.arange(3), torch.zeros(0, 4),
        torch.zeros(0), torch.zeros(0), torch.zeros(0, dtype=torch.bool))
    assert idx.tolist() == [0, 0, 0] and not has.any()


def _scp_rows(speed_emb):
    """(query, candidates) rows of :func:`_scp_candidates`."""
    qa, qs, qv, ca, cs, cv, valid = _scp_candidates()
    query = Rows(qa, None, qs, qv, None)
    return query, Rows(ca, speed_emb, cs, cv, valid)


def test_scp_loss_normalised_by_valid_count():
    pred = torch.randn(3, 5, requires_grad=True)
    cand_speed_emb = torch.randn(5, 5)
    loss_fn = MODELS.build(dict(type='SCPLoss', loss_weight=0.5))
    loss, num_valid = loss_fn(pred, *_scp_rows(cand_speed_emb))
    assert num_valid.dtype == torch.long and num_valid == 2
    expected = (ncos(pred[0], cand_speed_emb[1]) +
                ncos(pred[1], cand_speed_emb[4])) / 2
    torch.testing.assert_close(loss, 0.5 * expected)
    loss.backward()
    assert pred.grad[:2].abs().sum() > 0
    assert (pred.grad[2] == 0).all()


def test_scp_loss_zero_with_graph_when_no_partner():
    pred = torch.randn(2, 4, requires_grad=True)
    vid = torch.tensor([0, 1])
    query = Rows(torch.randn(2, 3), None, torch.tensor([1, 1]), vid, None)
    cands = Rows(
        torch.randn(2, 3), torch.randn(2, 4), torch.tensor([2, 2]), vid, None)
    loss, num_valid = MODELS.build(dict(type='SCPLoss'))(pred, query, cands)
    assert num_valid == 0 and loss == 0
    assert loss.requires_grad
    loss.backward()
    assert (pred.grad == 0).all()


def test_scp_loss_on_bank_rows_hand_value():
    """Candidates = batch rows, then bank rows (only the written one valid).

    Speeds (1, 2, 1) of videos (0, 0, 1) at appearance angles 0, 90 and
    45 degrees; the bank holds one speed-2 row of video 7 and one unwritten
    row. Query 0 (speed 1): only batch row 2 -> speed_emb e2. Query 1
    (speed 2): only the bank row -> e3. Query 2 (speed 1, video 1): batch
    row 0 (video 0) -> e0.
    """
    bank = FIFOBank(
        2,
        dict(
            app=((2, ), torch.float32),
            speed_emb=((3, ), torch.float32),
            speed=((), torch.long),
            vid=((), torch.long)))
    bank.enqueue(
        app=torch.tensor([[1., 0.]]),
        speed_emb=torch.tensor([[0., 0., 1.]]),
        speed=torch.tensor([2]),
        vid=torch.tensor([7]))
    batch = dict(
        app=torch.tensor([[1., 0.], [0., 1.], [1., 1.]]),
        speed_emb=torch.tensor([[1., 0., 0.], [0., 1., 0.], [1., 1., 0.]]),
        speed=torch.tensor([1, 2, 1]),
        vid=torch.tensor([0, 0, 1]))
    pred = torch.tensor([[1., 1., 0.], [0., 0., 1.], [0., 1., 0.]],
                        requires_grad=True)
    loss, num_valid = MODELS.build(dict(type='SCPLoss'))(pred,
                                                         bank.rows(**batch),
                                                         bank.with_batch(
                                                             **batch))
    # ncos: [1, 1, 0] vs [1, 1, 0] -> 0; [0, 0, 1] vs e3 -> 0;
    # [0, 1, 0] vs [1, 0, 0] -> 2
    assert num_valid == 3
    torch.testing.assert_close(loss, torch.tensor(2. / 3))


# ------------------------------------------------------------- InfoNCE
def test_info_nce_hand_value():
    q = F.normalize(torch.randn(4, 8), dim=1)
    k = F.normalize(torch.randn(4, 8), dim=1)
    queue = F.normalize(torch.randn(6, 8), dim=1)
    t = 0.2
    expected = 0.0
    for i in range(4):
        pos = torch.exp(q[i] @ k[i] / t)
        neg = torch.exp(queue @ q[i] / t).sum()
        expected = expected - torch.log(pos / (pos + neg)) / 4
    torch.testing.assert_close(info_nce(q, k, queue, t), expected)
    module = MODELS.build(
        dict(type='InfoNCELoss', temperature=t, loss_weight=3.0))
    torch.testing.assert_close(module(q, k, queue), 3 * expected)


def test_info_nce_ignores_invalid_queue_entries():
    q = F.normalize(torch.randn(4, 8), dim=1)
    k = F.normalize(torch.randn(4, 8), dim=1)
    queue = F.normalize(torch.randn(6, 8), dim=1)
    valid = torch.tensor([True, False, True, True, False, False])
    torch.testing.assert_close(
        info_nce(q, k, queue, 0.07, valid), info_nce(q, k, queue[valid], 0.07))
    empty = torch.zeros(6, dtype=torch.bool)
    torch.testing.assert_close(
        info_nce(q, k, queue, 0.07, empty), torch.tensor(0.))


# -------------------------------------------------------------- margin
def test_margin_ranking_hand_values():
    pos = torch.tensor([3.0, 1.0, 0.5])
    neg = torch.tensor([0.0, 0.5, 1.5])
    # margin 2: max(0, -1), max(0, 1.5), max(0, 3)
    torch.testing.assert_close(
        margin_ranking(pos, neg, 2.0), torch.tensor(4.5 / 3))


def test_rsp_margin_loss_scales_by_temperature():
    pos, neg = torch.tensor([0.3, 0.1]), torch.tensor([0.1, 0.2])
    loss = MODELS.build(
        dict(
            type='RSPMarginLoss', margin=2.0, temperature=0.1,
            loss_weight=2.0))(pos, neg)
    # (pos - neg) / 0.1 = [2, -1] -> [0, 3]
    torch.testing.assert_close(loss, torch.tensor(2 * 1.5))


# -------------------------------------------------------------- NT-Xent
def test_nt_xent_hand_value():
    z1 = torch.tensor([[1., 0.], [0., 1.]])
    z2 = torch.tensor([[2., 0.], [-1., 0.]])
    e = math.e
    per_anchor = [
        math.log((e + 1 + 1 / e) / e),  # z1[0]: pos 1, others 0, -1
        math.log(3),  # z1[1]: pos 0, others 0, 0
        math.log((e + 1 + 1 / e) / e),  # z2[0]: pos 1, others 0, -1
        math.log(1 + 2 / e),  # z2[1]: pos 0, others -1, -1
    ]
    torch.testing.assert_close(
        nt_xent(z1, z2, 1.0), torch.tensor(sum(per_anchor) / 4))
    torch.testing.assert_close(
        nt_xent(z1, z2, 0.5), _naive_nt_xent(z1, z2, 0.5))


@pytest.mark.parametrize('n,d,t', [(3, 4, 0.1), (8, 16, 0.5)])
def test_nt_xent_matches_naive(n, d, t):
    z1, z2 = torch.randn(n, d), torch.randn(n, d)
    torch.testing.assert_close(nt_xent(z1, z2, t), _naive_nt_xent(z1, z2, t))
    module = MODELS.build(
        dict(type='NTXentLoss', temperature=t, loss_weight=0.5))
    torch.testing.assert_close(module(z1, z2), 0.5 * nt_xent(z1, z2, t))


def _official_cvrl_loss(z1, z2, temperature):
    """CVRL's official contrastive loss (video_ssl losses.py), one replica:
    view 1 against [view 2; view 1 without itself] plus the same from view
    2, each a mean over the N anchors."""
    h1, h2 = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    n = h1.shape[0]
    self_mask = torch.eye(n, dtype=torch.bool)
    labels = torch.arange(n)
    loss = 0
    for a, b in ((h1, h2), (h2, h1)):
        logits_ab = a @ b.t() / temperature
        logits_aa = (a @ a.t() / temperature).masked_fill(self_mask, -1e9)
        loss = loss + F.cross_entropy(
            torch.cat([logits_ab, logits_aa], 1), labels)
    return loss


@pytest.mark.parametrize('n,d,t', [(3, 4, 0.1), (8, 16, 0.5)])
def test_nt_xent_sum_directions_is_the_official_cvrl_loss(n, d, t):
    z1, z2 = torch.randn(n, d), torch.randn(n, d)
    summed = MODELS.build(
        dict(type='NTXentLoss', temperature=t, sum_directions=True))
    torch.testing.assert_close(summed(z1, z2), _official_cvrl_loss(z1, z2, t))
    torch.testing.assert_close(summed(z1, z2), 2 * nt_xent(z1, z2, t))
    weighted = MODELS.build(
        dict(
            type='NTXentLoss',
            temperature=t,
            sum_directions=True,
            loss_weight=0.5))
    torch.testing.assert_close(weighted(z1, z2), nt_xent(z1, z2, t))


def test_nt_xent_gathered_average_equals_full_batch():
    world, n = 3, 4
    z1, z2 = torch.randn(world * n, 8), torch.randn(world * n, 8)
    per_rank = [
        nt_xent(
            z1[r * n:(r + 1) * n],
            z2[r * n:(r + 1) * n],
            0.1,
            z1,
            z2,
            offset=r * n) for r in range(world)
    ]
    torch.testing.assert_close(
        torch.stack(per_rank).mean(), nt_xent(z1, z2, 0.1))


# --------------------------------------------------- variance-covariance
def test_variance_covariance_hand_values():
    # Centred rows (-1, -1), (1, -1), (-1, 1), (1, 1): Var = 4/3 per
    # dimension, Cov = 0.
    z = torch.tensor([[0., 0.], [2., 0.], [0., 2.], [2., 2.]])
    std = math.sqrt(4 / 3 + 1e-4)
    var, cov = variance_covariance(z, gamma=2.0)
    assert var.item() == pytest.approx(2 - std, abs=1e-6)
    assert cov.item() == pytest.approx(0.0, abs=1e-7)
    var, _ = variance_covariance(z, gamma=1.0)
    assert var.item() == 0.0
    # Rows on the diagonal: Var = 1, Cov_01 = Cov_10 = 1, so the term is
    # (1 + 1) / 2 dimensions.
    var, cov = variance_covariance(
        torch.tensor([[0., 0.], [1., 1.], [2., 2.]]), gamma=1.5)
    assert var.item() == pytest.approx(1.5 - math.sqrt(1 + 1e-4), abs=1e-6)
    assert cov.item() == pytest.approx(1.0, abs=1e-6)


def test_variance_covariance_loss_spreads_and_decorrelates():
    module = MODELS.build(
        dict(type='VarianceCovarianceLoss', var_weight=2.0, cov_weight=0.5))
    torch.manual_seed(0)
    base = torch.randn(16, 1)
    z = (base.repeat(1, 4) * 0.1 + 0.01 * torch.randn(16, 4)).requires_grad_()
    losses = module(z)
    var, cov = variance_covariance(z)
    torch.testing.assert_close(losses['loss_var'], 2.0 * var)
    torch.testing.assert_close(losses['loss_cov'], 0.5 * cov)

    def spread_and_corr():
        zc = z.detach() - z.detach().mean(0)
        corr = torch.corrcoef(zc.T)
        return zc.std(0).mean(), (corr - torch.eye(4)).abs().mean()

    before = spread_and_corr()
    opt = torch.optim.SGD([z], lr=0.5)
    for _ in range(200):
        opt.zero_grad()
        sum(module(z).values()).backward()
        opt.step()
    after = spread_and_corr()
    # Nearly one direction (mean |corr| 0.74, std 0.09) becomes four
    # uncorrelated ones of std gamma = 1.
    assert before[0] < 0.1 and before[1] > 0.7
    assert after[0] > 0.95 and after[1] < 0.05


def test_variance_covariance_loss_needs_a_batch():
    module = MODELS.build(dict(type='VarianceCovarianceLoss'))
    with pytest.raises(ValueError, match=r'M >= 2, got \(1, 8\)'):
        module(torch.randn(1, 8))


# ---------------------------------------------------------- optimisation
def _descends(make_loss, params, steps=5, lr=0.5):
    opt = torch.optim.SGD(params, lr=lr)
    with torch.no_grad():
        start = make_loss()
    for _ in range(steps):
        opt.zero_grad()
        make_loss().backward()
        opt.step()
    with torch.no_grad():
        end = make_loss()
    return end < start


def test_sgd_lowers_each_loss():
    torch.manual_seed(0)
    pred, target = torch.randn(
        8, 2, 16, requires_grad=True), torch.randn(8, 2, 16)
    acp = MODELS.build(dict(type='ACPLoss'))
    assert _descends(lambda: acp(pred, target), [pred])

    scp_pred = torch.randn(3, 5, requires_grad=True)
    rows = _scp_rows(torch.randn(5, 5))
    scp = MODELS.build(dict(type='SCPLoss'))
    assert _descends(lambda: scp(scp_pred, *rows)[0], [scp_pred])

    q_raw, k = torch.randn(
        8, 16, requires_grad=True), F.normalize(
            torch.randn(8, 16), dim=1)
    queue = F.normalize(torch.randn(32, 16), dim=1)
    nce = MODELS.build(dict(type='InfoNCELoss'))
    assert _descends(
        lambda: nce(F.normalize(q_raw, dim=1), k, queue), [q_raw], lr=0.05)

    pos, neg = torch.zeros(
        8, requires_grad=True), torch.zeros(
            8, requires_grad=True)
    rsp = MODELS.build(dict(type='RSPMarginLoss'))
    assert _descends(lambda: rsp(pos, neg), [pos, neg], lr=0.01)

    z1, z2 = torch.randn(
        8, 16, requires_grad=True), torch.randn(
            8, 16, requires_grad=True)
    ntx = MODELS.build(dict(type='NTXentLoss'))
    assert _descends(lambda: ntx(z1, z2), [z1, z2], lr=0.1)
