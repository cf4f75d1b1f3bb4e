"""Data-loading throughput: clips/s and decode counts of a dataset.

:func:`measure_loading` runs a dataset in a ``DataLoader`` and returns
wall-clock clips/s (per core: divided by max(1, workers)), clips per CPU
second of the loading processes and, per sample, the frames requested from
decord, the unique ones among them and the decoder's modelled work
(:mod:`.decode_counter`). :func:`compare_paths` measures the paths of
:mod:`.pipelines` for several methods over the same videos.
"""
import os.path as osp
import random
import sys
import tempfile
import time
from functools import partial
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from .decode_counter import (decode_counts, install_decode_counter,
                             reset_decode_counts)
from .pipelines import (build_dataset, method_config, method_pipeline,
                        path_pipelines, pipeline_decoder, view_sampler)
from .videos import write_ann_file

STAT_KEYS = ('frames', 'unique', 'calls', 'decoder', 'decode_s', 'cpu_s',
             'clips', 'samples')
CPU_KEYS = ('per_cpu_s', 'cpu_ms', 'decode_ms', 'cpu_s', 'decode_s')


def num_clips(packed: dict) -> int:
    """Views of a packed sample: V of its (V, C, T, H, W) inputs or, on the
    device-crop path ((U, H, W, C) frames), of its ``view_frames``; a
    :class:`DecodeOnly` output says ``num_views``."""
    if 'num_views' in packed:
        return int(packed['num_views'])
    meta = packed['data_samples'].metainfo
    if 'view_frames' in meta:
        return len(meta['view_frames'])
    return int(packed['inputs'].shape[0])


class CountingDataset(Dataset):
    """Sample ``i`` of ``dataset`` (modulo its length) plus its decode
    counts and the CPU seconds of the loading process (all its threads)
    spent on it.

    With ``seed``, sample ``i`` starts from the random state ``seed + i``,
    so every path draws the same view plans for it, whatever its other
    transforms draw and whichever worker loads it.
    """

    def __init__(self, dataset, seed: Optional[int] = None) -> None:
        self.dataset = dataset
        self.seed = seed

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, idx):
        if self.seed is not None:
            seed_rngs(self.seed + idx)
        reset_decode_counts()
        start = time.process_time()
        out = self.dataset[idx % len(self.dataset)]
        cpu_s = time.process_time() - start
        stats = decode_counts()
        stats['cpu_s'] = cpu_s
        # RepeatAugDataset: one packed sample per repeat.
        views = out if isinstance(out, list) else [out]
        stats['clips'] = sum(map(num_clips, views))
        stats['samples'] = 1
        return out, stats


def collate(items):
    """Stock ``pseudo_collate`` of the samples (as training would), summed
    counts."""
    from mmengine.dataset import pseudo_collate
    outs, stats = zip(*items)
    flat = [
        o for out in outs for o in (out if isinstance(out, list) else [out])
    ]
    return pseudo_collate(flat), {
        k: sum(s[k] for s in stats)
        for k in stats[0]
    }


class IndexSampler(Sampler):
    """Yields ``self.indices``; changed between epochs of persistent
    workers."""

    def __init__(self, indices=()) -> None:
        self.indices = list(indices)

    def __iter__(self):
        return iter(self.indices)

    def __len__(self) -> int:
        return len(self.indices)


def quiet_mmengine() -> None:
    """Hide the per-worker FileClient deprecation warnings of stock
    ``DecordInit``."""
    import logging

    from mmengine.logging import MMLogger
    MMLogger.get_current_instance().setLevel(logging.ERROR)


def seed_rngs(seed: int) -> None:
    """Seed numpy's, Python's and torch's global random states."""
    np.random.seed(seed)
    random.seed(seed)
    torch.manual_seed(seed)


def seed_process(seed: int, worker_id: int = 0) -> None:
    """Seed numpy / random / torch, one thread per process, count
    decodes."""
    seed_rngs(seed + worker_id)
    torch.set_num_threads(1)
    install_decode_counter()
    quiet_mmengine()


def measure_loading(dataset,
                    num_samples: int,
                    batch_size: int = 4,
                    workers: int = 1,
                    warmup: Optional[int] = None,
                    seed: int = 0) -> dict:
    """Clips/s of ``num_samples`` samples after ``warmup`` untimed ones
    (default one batch per worker; the workers persist between the two
    passes); sample ``i`` draws from the random state ``seed + i``.

    Returns ``clips_per_s`` (wall clock), ``per_core`` (divided by
    max(1, workers)), ``per_cpu_s`` (clips per CPU second of the loading
    processes), ``seconds``, ``samples`` and per sample ``frames``
    (requested from decord), ``unique``, ``calls``, ``decoder`` (frames
    through the decoder, modelled), ``cpu_ms`` (whole pipeline),
    ``decode_ms`` (in decord; both CPU time) and ``clips``.
    """
    if warmup is None:
        warmup = batch_size * max(1, workers)
    seed_process(seed)
    sampler = IndexSampler()
    loader = DataLoader(
        CountingDataset(dataset, seed),
        batch_size=batch_size,
        sampler=sampler,
        num_workers=workers,
        collate_fn=collate,
        worker_init_fn=partial(seed_process, seed) if workers else None,
        persistent_workers=workers > 0)
    sampler.indices = list(range(warmup))
    for _ in loader:
        pass
    sampler.indices = list(range(warmup, warmup + num_samples))
    totals = dict.fromkeys(STAT_KEYS, 0)
    start = time.perf_counter()
    for _, stats in loader:
        for k in totals:
            totals[k] += stats[k]
    seconds = time.perf_counter() - start
    del loader
    n = max(1, totals['samples'])
    out = {k: v / n for k, v in totals.items()}
    out.update(
        clips_per_s=totals['clips'] / seconds,
        seconds=seconds,
        per_core=totals['clips'] / seconds / max(1, workers),
        samples=totals['samples'],
        per_cpu_s=totals['clips'] / max(totals['cpu_s'], 1e-9),
        cpu_ms=1000 * totals['cpu_s'] / n,
        decode_ms=1000 * totals['decode_s'] / n)
    return out


def _keep_best(best: Optional[dict], r: dict) -> dict:
    """The faster of two repeats, with the CPU figures of the cheaper."""
    if best is None:
        return r
    fast = r if r['clips_per_s'] > best['clips_per_s'] else best
    cheap = r if r['per_cpu_s'] > best['per_cpu_s'] else best
    return dict(fast, **{k: cheap[k] for k in CPU_KEYS})


def path_key(path: str, decoder: Optional[str]) -> str:
    """Results key of ``path`` run with ``decoder`` (None: the config's)."""
    return f'{path} {decoder}' if decoder else path


def compare_paths(methods: Sequence[str],
                  paths: Sequence[str],
                  videos: Sequence[str],
                  prepared: Optional[Sequence[str]] = None,
                  config: Optional[str] = None,
                  sizes: Optional[dict] = None,
                  repeats: int = 1,
                  decoders: Sequence[Optional[str]] = (None, ),
                  **kwargs) -> Tuple[dict, dict]:
    """:func:`measure_loading` of every method's ``paths`` over ``videos``.

    ``sizes``: :func:`.method_pipeline`'s overrides; ``kwargs``:
    :func:`measure_loading`'s. ``prepared``: also ``ours`` over these
    videos. ``decoders``: run every path with each of these decoders
    (``DECODERS`` keys; None: the config's). The repeats interleave the
    paths and decoders, so that load from other processes hits them alike;
    each keeps its fastest repeat (the least disturbed) and the CPU figures
    (``CPU_KEYS``) of its cheapest (the same samples: every repeat draws the
    same plans).

    Returns:
        tuple[dict, dict]: ``{method: {key: result}}`` in the order of
        ``paths`` (key: :func:`path_key`, the path alone for one decoder; a
        skipped ``repeat_aug`` gives ``views`` and ``skipped``, the reason)
        and ``{method: result}`` of ``prepared``. Each result also has
        ``views``, ``'V x T'``, ``path``, ``decoder_name`` and
        ``cpu_ms_runs``, the CPU ms per sample of every repeat.
    """
    sizes = sizes or {}
    multi = len(decoders) > 1
    results, runs = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        ann = write_ann_file(videos, osp.join(tmp, 'videos.txt'))
        ann_p = write_ann_file(prepared, osp.join(
            tmp, 'prepared.txt')) if prepared else None
        datasets = []  # (method, key, tags, T, dataset); 'prepared': ours
        for method in methods:
            cfg = method_config(method, config)
            results[method] = {}
            for decoder in decoders:
                ours = method_pipeline(cfg, decoder=decoder, **sizes)
                tags = dict(decoder_name=pipeline_decoder(ours))
                clip_len = view_sampler(ours).clip_len
                pipes = path_pipelines(cfg, paths, decoder=decoder, **sizes)
                for path, pipeline in pipes.items():
                    key = path_key(path, decoder if multi else None)
                    if path == 'repeat_aug' and pipeline[0] is None:
                        results[method][key] = dict(
                            tags,
                            path=path,
                            views=f'{pipeline[1]} x {clip_len}',
                            skipped=pipeline[2])
                        continue
                    datasets.append((method, key, dict(tags,
                                                       path=path), clip_len,
                                     build_dataset(cfg, path, pipeline, ann)))
                if prepared:
                    datasets.append(
                        (method, 'prepared', dict(tags, path='ours'), clip_len,
                         build_dataset(cfg, 'ours', ours, ann_p)))
        for repeat in range(repeats):
            for method, key, tags, clip_len, dataset in datasets:
                r = measure_loading(dataset, **kwargs)
                r.update(tags, views=f'{round(r["clips"])} x {clip_len}')
                r['cpu_ms_runs'] = runs.setdefault((method, key), [])
                r['cpu_ms_runs'].append(r['cpu_ms'])
                results[method][key] = _keep_best(results[method].get(key), r)
                print(
                    f'[{repeat + 1}/{repeats}] {method:7s} {key:23s} '
                    f'{r["clips_per_s"]:7.2f} clips/s '
                    f'({r["seconds"]:.1f} s)',
                    file=sys.stderr,
                    flush=True)
    prepared_results: Dict[str, dict] = {
        m: by_path.pop('prepared')
        for m, by_path in results.items() if 'prepared' in by_path
    }
    order = [
        path_key(p, d if multi else None) for d in decoders for p in paths
    ]
    results = {
        m: {
            k: by_path[k]
            for k in order if k in by_path
        }
        for m, by_path in results.items()
    }
    return results, prepared_results
