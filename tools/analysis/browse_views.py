"""Draw the views a pretraining config's pipeline makes (what the pretext
sees): each (sample, view) a row of its frames, labelled with its speed,
start frame, crop box, flip and colour augmentation. MMAction2's
``browse_dataset.py`` does not take our 6-D multi-view inputs.

    python tools/analysis/browse_views.py \\
        configs/ascnet/ascnet_r18-w16_synthetic.py --num-samples 4 \\
        --out work_dirs/views.png
"""
import argparse
import os
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.config import Config, DictAction

import ascnet_mm  # noqa: F401  (registers the transforms)
from ascnet_mm.visualization import draw_view_grid, pipeline_views


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config', help='pretraining config')
    parser.add_argument('--num-samples', type=int, default=4)
    parser.add_argument('--out', default='views.png', help='PNG to write')
    parser.add_argument('--tile-size', type=int, default=64)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    samples = pipeline_views(cfg, range(args.num_samples))
    grid = draw_view_grid(samples, args.tile_size)
    if osp.dirname(args.out):
        os.makedirs(osp.dirname(args.out), exist_ok=True)
    cv2.imwrite(args.out, cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
    print(f'{len(samples)} samples, {grid.shape[0] // args.tile_size} views '
          f'drawn to {args.out} ({grid.shape[1]}x{grid.shape[0]})')


if __name__ == '__main__':
    main()
