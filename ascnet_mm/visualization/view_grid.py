"""A picture of the views the pretraining pipeline makes: one row per
(sample, view), its frames left to right, labelled with how it was made."""
from typing import List, Sequence

import cv2
import numpy as np
import torch
from mmaction.registry import DATASETS
from mmengine.config import Config
from mmengine.registry import DefaultScope

from ..models.augmentation import cut_views, pad_frames

LABEL_WIDTH = 260  # pixels left of each row's frames
WHITE = (255, 255, 255)


def pipeline_views(cfg: Config, indices: Sequence[int]) -> List[dict]:
    """The results of the training pipeline of ``cfg`` for the dataset
    items ``indices``, up to (not including) ``PackActionInputs``; on the
    device-crop path the views cut as ``SSLDataPreprocessor`` cuts them
    (:func:`cut_device_views`)."""
    with DefaultScope.overwrite_default_scope('mmaction'):
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        steps = dataset.pipeline.transforms
        cut = [type(t).__name__ for t in steps].index('PackActionInputs')
        out = []
        for idx in indices:
            results = dataset.get_data_info(idx)
            for step in steps[:cut]:
                results = step(results)
            out.append(cut_device_views(results))
    return out


def cut_device_views(results: dict) -> dict:
    """``DeviceCropViews`` results (frames plus boxes): ``imgs`` becomes the
    (V, 3, T, h, w) views the device cuts (colour stays on the device) and
    ``view_crop_bbox`` the boxes; other results unchanged."""
    if 'view_boxes' not in results:
        return results
    views = cut_views(
        pad_frames([torch.from_numpy(results['imgs'])]),
        torch.from_numpy(results['view_frames'])[None],
        torch.from_numpy(results['view_boxes'])[None], results['crop_size'])
    return dict(
        results, imgs=views[0].numpy(), view_crop_bbox=results['view_boxes'])


def view_labels(results: dict, view: int) -> List[str]:
    """Text lines describing view ``view``: speed and first frame, crop
    box and flip, colour augmentation (when the pipeline records them)."""
    first = np.asarray(results['frame_inds'])[results['view_frame_map'][view]]
    lines = [
        f"view {view}: speed {int(results['view_speeds'][view])}, "
        f'start {int(first[0])}'
    ]
    box = results.get('view_crop_bbox', [None] * (view + 1))[view]
    aug = results.get('view_augment', {})
    flip = aug.get('flip', results.get('view_flip', [None] * (view + 1)))
    crop = 'full frame' if box is None else 'crop ' + ','.join(
        str(int(v)) for v in box)
    lines.append(f'{crop}, flip {flip[view]}')
    colour = []
    if aug.get('jitter', [False] * (view + 1))[view]:
        colour.append('jitter b{:.2f} c{:.2f} s{:.2f} h{:.2f}'.format(
            *(aug[k][view]
              for k in ('brightness', 'contrast', 'saturation', 'hue'))))
    for name in ('grayscale', 'blur', 'solarize'):
        if aug.get(name, [False] * (view + 1))[view]:
            colour.append(name)
    lines.append(' '.join(colour) if colour else
                 'no colour change' if aug else 'colour: on the device')
    return lines


def draw_view_grid(samples: Sequence[dict], tile_size: int = 64) -> np.ndarray:
    """Rows of (label panel, the view's T frames).

    Args:
        samples: pipeline results with ``imgs`` ``(V, 3, T, H, W)`` RGB
            (``FormatShape('NCTHW')``) and the view records (see
            :func:`view_labels`).
        tile_size: side of a frame in pixels.

    Returns:
        ``(sum(V) * tile_size, LABEL_WIDTH + T * tile_size, 3)`` uint8 RGB.
    """
    rows = []
    for sample, results in enumerate(samples):
        imgs = np.clip(np.asarray(results['imgs'], np.float32), 0, 255)
        for view, clip in enumerate(imgs.astype(np.uint8)):
            frames = [
                cv2.resize(
                    np.ascontiguousarray(f.transpose(1, 2, 0)),
                    (tile_size, tile_size),
                    interpolation=cv2.INTER_NEAREST)
                for f in clip.transpose(1, 0, 2, 3)
            ]
            panel = np.zeros((tile_size, LABEL_WIDTH, 3), np.uint8)
            lines = view_labels(results, view)
            lines[0] = f'sample {sample}, {lines[0]}'
            for i, line in enumerate(lines):
                cv2.putText(panel, line, (4, 14 + 16 * i),
                            cv2.FONT_HERSHEY_SIMPLEX, 0.38, WHITE, 1,
                            cv2.LINE_AA)
            rows.append(np.concatenate([panel, *frames], axis=1))
    return np.concatenate(rows, axis=0)
