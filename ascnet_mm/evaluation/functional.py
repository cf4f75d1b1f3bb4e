"""Nearest-neighbour retrieval, kNN classification, feature spectra and a
linear probe on features (pure torch)."""
from typing import Dict, Optional, Sequence, Union

import torch
import torch.nn.functional as F

__all__ = [
    'feature_spectrum', 'feature_std', 'knn_classify', 'logistic_probe',
    'rankme', 'retrieval_neighbours', 'retrieval_topk', 'topk_accuracy',
    'unmatched_queries'
]


def retrieval_neighbours(query_feats: torch.Tensor,
                         gallery_feats: torch.Tensor,
                         k: int,
                         chunk_size: int = 1024) -> torch.Tensor:
    """Indices of each query's ``k`` most cosine-similar gallery items.

    Args:
        query_feats: ``(Q, C)``.
        gallery_feats: ``(G, C)``.
        k: number of neighbours; clamped to ``G``.
        chunk_size: queries per similarity block, so memory is
            ``chunk_size * G`` rather than ``Q * G``.

    Returns:
        ``(Q, min(k, G))`` int64 gallery indices, most similar first.
    """
    if query_feats.dim() != 2 or gallery_feats.dim() != 2 or \
            query_feats.shape[1] != gallery_feats.shape[1]:
        raise ValueError('expected (Q, C) and (G, C) features, got '
                         f'{tuple(query_feats.shape)} and '
                         f'{tuple(gallery_feats.shape)}')
    if gallery_feats.shape[0] == 0:
        raise ValueError('the gallery is empty')
    k = min(int(k), gallery_feats.shape[0])
    query = F.normalize(query_feats.float(), dim=1)
    gallery_t = F.normalize(gallery_feats.float(), dim=1).t()
    blocks = [(q @ gallery_t).topk(k, dim=1).indices
              for q in query.split(chunk_size)]
    if not blocks:
        return query.new_zeros((0, k), dtype=torch.long)
    return torch.cat(blocks)


def unmatched_queries(query_labels: torch.Tensor,
                      gallery_labels: torch.Tensor) -> Dict[str, torch.Tensor]:
    """Queries that no gallery item can match, by cause.

    Args:
        query_labels: ``(Q,)``; gallery_labels: ``(G,)``; a label < 0 is
            unknown.

    Returns:
        ``{'no label': (Q,) bool, 'class not in gallery': (Q,) bool}``.
    """
    query_labels = torch.as_tensor(query_labels).reshape(-1)
    gallery_labels = torch.as_tensor(gallery_labels).reshape(-1)
    labelled = query_labels >= 0
    known = torch.isin(query_labels, gallery_labels[gallery_labels >= 0])
    return {'no label': ~labelled, 'class not in gallery': labelled & ~known}


def retrieval_topk(query_feats: torch.Tensor,
                   query_labels: torch.Tensor,
                   gallery_feats: torch.Tensor,
                   gallery_labels: torch.Tensor,
                   topk: Union[int, Sequence[int]] = (1, 5, 10, 20, 50),
                   chunk_size: int = 1024) -> Dict[str, float]:
    """Top-k retrieval accuracy: a query is a hit at ``k`` if any of its
    ``k`` nearest gallery items (cosine similarity) shares its label.

    Every query counts; one without a label (< 0) or whose class has no
    gallery item is a miss at every k (:func:`unmatched_queries` finds them
    beforehand).

    Args:
        query_feats: ``(Q, C)``; query_labels: ``(Q,)``.
        gallery_feats: ``(G, C)``; gallery_labels: ``(G,)``.
        topk: the ``k`` values, each at most ``G``.
        chunk_size: see :func:`retrieval_neighbours`.

    Returns:
        ``{'top1': %, 'top5': %, ...}``, percentages of queries that hit.
    """
    topk = (topk, ) if isinstance(topk, int) else tuple(topk)
    if not topk or min(topk) < 1:
        raise ValueError(f'topk must be positive integers, got {topk}')
    query_labels = torch.as_tensor(query_labels).reshape(-1)
    gallery_labels = torch.as_tensor(gallery_labels).reshape(-1)
    if query_labels.numel() != query_feats.shape[0] or \
            gallery_labels.numel() != gallery_feats.shape[0]:
        raise ValueError('one label per feature row is required')
    if query_feats.shape[0] == 0:
        raise ValueError('there are no queries')
    if gallery_feats.shape[0] and max(topk) > gallery_feats.shape[0]:
        raise ValueError(
            f'top-{max(topk)} needs at least {max(topk)} gallery items, the '
            f'gallery has {gallery_feats.shape[0]}: leave out every k above '
            f'{gallery_feats.shape[0]} (at k = G every query whose class is '
            'in the gallery hits)')
    nbrs = retrieval_neighbours(query_feats, gallery_feats, max(topk),
                                chunk_size)
    gallery_labels = gallery_labels.to(nbrs.device)
    query_labels = query_labels.to(nbrs.device)
    # hit_within[q, j]: one of the first j + 1 neighbours of q shares its label
    same = gallery_labels[nbrs] == query_labels[:, None]
    hit_within = (same & (query_labels[:, None] >= 0)).cumsum(1) > 0
    num_queries = nbrs.shape[0]
    return {
        f'top{k}': hit_within[:, k - 1].sum().item() * 100.0 / num_queries
        for k in topk
    }


def feature_spectrum(feats: torch.Tensor) -> Dict[str, float]:
    """How many directions the L2-normalised, centred features spread over.

    Positive-only pretraining (BYOL-style, ASCNet) can suffer *dimensional
    collapse*: the features vary along a few directions only, and cosine
    retrieval then ranks by those few. This measures it.

    Args:
        feats: ``(N, C)`` features, N >= 2.

    Returns:
        ``effective_rank``: ``exp`` of the entropy of the normalised
        eigenvalues of the feature covariance (Roy & Vetterli, 2007), in
        ``[1, min(N - 1, C)]``; ``top1_variance``: the share of the variance
        along the first principal direction, in ``(0, 1]``. Features that do
        not vary at all give ``effective_rank`` 0 and ``top1_variance`` 0.
    """
    if feats.dim() != 2 or feats.shape[0] < 2:
        raise ValueError('expected (N, C) features with N >= 2, got '
                         f'{tuple(feats.shape)}')
    x = F.normalize(feats.double(), dim=1)
    x = x - x.mean(0)
    var = torch.linalg.svdvals(x).square()
    total = var.sum()
    if total <= 1e-20:
        return dict(effective_rank=0.0, top1_variance=0.0)
    p = var / total
    entropy = -(p * torch.log(p.clamp_min(1e-300))).sum()
    return dict(effective_rank=float(entropy.exp()), top1_variance=float(p[0]))


def knn_classify(query_feats: torch.Tensor,
                 memory_feats: torch.Tensor,
                 memory_labels: torch.Tensor,
                 k: int = 20,
                 temperature: float = 0.07,
                 num_classes: Optional[int] = None,
                 chunk_size: int = 1024) -> torch.Tensor:
    """Weighted k-nearest-neighbour class scores (Wu et al., 2018, InstDisc;
    Caron et al., 2021, DINO): each of a query's ``k`` most cosine-similar
    memory items votes for its label with weight ``exp(sim / temperature)``.

    Args:
        query_feats: ``(Q, C)``.
        memory_feats: ``(M, C)``; memory_labels: ``(M,)`` in
            ``[0, num_classes)``.
        k: neighbours; clamped to ``M``.
        temperature: the vote temperature ``T``.
        num_classes: defaults to ``max(memory_labels) + 1``.
        chunk_size: see :func:`retrieval_neighbours`.

    Returns:
        ``(Q, num_classes)`` summed vote weights.
    """
    memory_labels = torch.as_tensor(memory_labels).reshape(-1).long()
    if memory_labels.numel() != memory_feats.shape[0]:
        raise ValueError('one label per memory row is required')
    if num_classes is None:
        num_classes = int(memory_labels.max()) + 1
    k = min(int(k), memory_feats.shape[0])
    query = F.normalize(query_feats.float(), dim=1)
    memory_t = F.normalize(memory_feats.float(), dim=1).t()
    blocks = []
    for q in query.split(chunk_size):
        sims, idx = (q @ memory_t).topk(k, dim=1)
        scores = q.new_zeros((q.shape[0], num_classes))
        blocks.append(
            scores.scatter_add_(1, memory_labels[idx],
                                (sims / temperature).exp()))
    if not blocks:
        return query.new_zeros((0, num_classes))
    return torch.cat(blocks)


def topk_accuracy(scores: torch.Tensor,
                  labels: torch.Tensor,
                  topk: Sequence[int] = (1, 5)) -> Dict[str, float]:
    """``{'top1': %, 'top5': %}``: queries whose label is among their ``k``
    highest ``scores`` ``(Q, K)``; a ``k > K`` counts as ``k = K``."""
    labels = torch.as_tensor(labels).reshape(-1, 1).to(scores.device)
    if scores.shape[0] == 0 or labels.shape[0] != scores.shape[0]:
        raise ValueError(f'{tuple(scores.shape)} scores for '
                         f'{labels.shape[0]} labels')
    ranked = scores.argsort(dim=1, descending=True)
    return {
        f'top{k}':
        (ranked[:, :k] == labels).any(1).float().mean().item() * 100.0
        for k in topk
    }


def rankme(feats: torch.Tensor, eps: float = 1e-7) -> float:
    """RankMe (Garrido et al., 2023): ``exp`` of the entropy of the
    singular values ``s`` of the ``(N, C)`` feature matrix (as it is: not
    normalised, not centred), normalised to ``p = s / sum(s) + eps``.

    In ``[1, min(N, C)]`` (about); a feature matrix of zeros gives 0.
    """
    if feats.dim() != 2:
        raise ValueError(f'expected (N, C) features, got {tuple(feats.shape)}')
    s = torch.linalg.svdvals(feats.double())
    total = s.sum()
    if total <= 1e-20:
        return 0.0
    p = s / total + eps
    return float((-(p * p.log()).sum()).exp())


def feature_std(feats: torch.Tensor) -> float:
    """Mean over dimensions of the std over samples of the centred,
    L2-normalised ``(N, C)`` features (SimSiam's collapse signal, Chen & He,
    2021): about ``1 / sqrt(C)`` for features spread over all directions,
    ``1 / C`` along one axis, 0 for constant ones. Centred first: pooled
    ReLU features share a large mean direction that would hide the rest.
    """
    if feats.dim() != 2 or feats.shape[0] < 2:
        raise ValueError('expected (N, C) features with N >= 2, got '
                         f'{tuple(feats.shape)}')
    x = feats.double()
    return float(F.normalize(x - x.mean(0), dim=1).std(0).mean())


def logistic_probe(train_feats: torch.Tensor,
                   train_labels: torch.Tensor,
                   test_feats: torch.Tensor,
                   test_labels: torch.Tensor,
                   steps: int = 300,
                   lr: float = 0.1,
                   weight_decay: float = 1e-4) -> float:
    """Accuracy (%) of a linear softmax classifier fitted by full-batch
    Adam from zeros for ``steps`` steps (deterministic) on standardised
    ``train_feats`` ``(N, C)`` and scored on ``test_feats`` ``(M, C)``."""
    train_labels = torch.as_tensor(train_labels).reshape(-1).long()
    test_labels = torch.as_tensor(test_labels).reshape(-1).long()
    x = train_feats.double()
    mean, std = x.mean(0), x.std(0).clamp_min(1e-6)
    x = (x - mean) / std
    num_classes = int(torch.cat([train_labels, test_labels]).max()) + 1
    weight = x.new_zeros((x.shape[1], num_classes), requires_grad=True)
    bias = x.new_zeros(num_classes, requires_grad=True)
    optim = torch.optim.Adam([weight, bias], lr=lr, weight_decay=weight_decay)
    with torch.enable_grad():
        for _ in range(steps):
            optim.zero_grad()
            F.cross_entropy(x @ weight + bias, train_labels).backward()
            optim.step()
    with torch.no_grad():
        logits = ((test_feats.double() - mean) / std) @ weight + bias
        return (logits.argmax(1) == test_labels).double().mean().item() * 100.
