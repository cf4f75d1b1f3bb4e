"""Generate the built-in synthetic motion video set.

    python tools/data/make_synthetic.py --out data/synthetic --videos 300

See ``ascnet_mm.synthetic`` for what the videos show and the layout.
"""
import argparse
import os
import sys
import time

if __name__ == '__main__':  # a data tool: no registration, no torch
    os.environ.setdefault('ASCNET_MM_LIGHT_IMPORT', '1')

from ascnet_mm.synthetic import BACKGROUND_VALUE, CLASSES, MOTIONS, generate
from ascnet_mm.video_io.tool_args import add_flag, add_worker_arguments


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--videos', type=int, required=True, help='number of videos')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--size', type=int, default=64, help='frame side in pixels (even)')
    add_worker_arguments(parser, workers=2)
    parser.add_argument('--fps', type=int, default=25)
    parser.add_argument(
        '--classes',
        default=','.join(CLASSES),
        help=f'comma-separated subset of {",".join(MOTIONS)}')
    parser.add_argument('--val-fraction', type=float, default=0.25)
    parser.add_argument('--short-fraction', type=float, default=0.1)
    parser.add_argument(
        '--actor-bias',
        type=float,
        default=1.0,
        help='probability that a video shows its class\'s own '
        'actor (shape and texture); 0: appearance says nothing '
        'of the label')
    parser.add_argument(
        '--scene-bias',
        type=float,
        default=0.0,
        help='probability that a video is set in its class\'s '
        'own scene (a background pattern fixed per class, '
        'colours per video)')
    parser.add_argument(
        '--background-value',
        type=float,
        nargs=2,
        default=list(BACKGROUND_VALUE),
        metavar=('LO', 'HI'),
        help='range of the HSV value of the background '
        'colours (default: %(default)s)')
    parser.add_argument(
        '--max-distractors',
        type=int,
        default=2,
        choices=(0, 1, 2),
        help='most distractors a video gets (default: '
        '%(default)s); 0: the actor alone on its background')
    add_flag(parser, '--overwrite',
             'replace the synthetic set in a non-empty --out')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        meta = generate(
            args.out,
            args.videos,
            seed=args.seed,
            size=args.size,
            workers=args.workers,
            fps=args.fps,
            classes=args.classes.split(','),
            val_fraction=args.val_fraction,
            short_fraction=args.short_fraction,
            actor_bias=args.actor_bias,
            scene_bias=args.scene_bias,
            background_value=tuple(args.background_value),
            max_distractors=args.max_distractors,
            overwrite=args.overwrite)
    except (FileExistsError, ValueError) as e:
        sys.exit(f'error: {e}')
    n_val = sum(v['split'] == 'val' for v in meta['videos'])
    print(f'{args.videos} videos ({args.videos - n_val} train, {n_val} val, '
          f'{len(meta["classes"])} classes) written to {args.out} in '
          f'{time.perf_counter() - start:.1f} s')


if __name__ == '__main__':
    main()
