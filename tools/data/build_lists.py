"""Build MMAction2 VideoDataset lists ("relative/path.ext label") from official
splits, or from a folder of your own videos.

Examples::

    python tools/data/build_lists.py folder data/my_videos \
        --out-dir data/my_videos_lists --val-fraction 0.2

    python tools/data/build_lists.py ucf101 data/ucf101/ucfTrainTestlist --split 1 \
        --out-dir data/ucf101 --check-exists data/ucf101/videos
    python tools/data/build_lists.py hmdb51 data/hmdb51/testTrainMulti_7030_splits \
        --split 1 --out-dir data/hmdb51 --check-exists data/hmdb51/videos
    python tools/data/build_lists.py kinetics data/k400/train.csv data/k400/validate.csv \
        --layout flat --out-dir data/k400 \
        --check-exists data/k400/videos_train data/k400/videos_val
"""
import argparse

from ascnet_mm.datasets import annotation_lists as annotations
from ascnet_mm.video_io.tool_args import add_timeout_argument, timeout_of


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='dataset', required=True)
    for name, help_dir in (('ucf101', 'ucfTrainTestlist/ folder'),
                           ('hmdb51', 'testTrainMulti_7030_splits/ folder')):
        p = sub.add_parser(name, help=f'{name} from the official {help_dir}')
        p.add_argument('split_dir', help=help_dir)
        p.add_argument('--split', type=int, choices=(1, 2, 3), default=1)
    p = sub.add_parser('kinetics', help='Kinetics-400 CSVs')
    p.add_argument('train_csv')
    p.add_argument('val_csv')
    p.add_argument(
        '--layout',
        choices=('class', 'flat'),
        default='class',
        help='class: <class_with_underscores>/<video>; flat: <video>')
    p.add_argument('--ext', default='.mp4', help='video file extension')
    p = sub.add_parser(
        'folder',
        help='every readable video under a folder (recursive): '
        'pretrain.txt, and train.txt / val.txt / classes.txt when its '
        'first-level sub-folders are classes')
    p.add_argument('video_dir', help='folder of videos (paths are relative)')
    p.add_argument(
        '--val-fraction',
        type=float,
        default=0.2,
        help='share of each class drawn into val.txt')
    p.add_argument('--seed', type=int, default=0, help='seed of the draw')
    p.add_argument(
        '--workers', type=int, default=1, help='processes decoding videos')
    add_timeout_argument(p, 60)
    for name, p in sub.choices.items():
        p.add_argument('--out-dir', required=True)
        if name == 'folder':
            continue
        p.add_argument(
            '--check-exists',
            nargs='+',
            metavar='DATA_DIR',
            help='drop lines whose file is missing under DATA_DIR (one folder '
            'for all lists, or one for train then one for val)')
    return parser.parse_args(argv)


def list_folder(args):
    """``build_lists.py folder``: write the lists, print what they hold."""
    report = annotations.list_folder(args.video_dir, args.out_dir,
                                     args.val_fraction, args.seed,
                                     args.workers, timeout_of(args))
    for name, count in report['lists'].items():
        print(f'{args.out_dir}/{name}: {count} videos')
    if report['classes']:
        print(f'{len(report["classes"])} classes (first-level folders) -> '
              f'{args.out_dir}/classes.txt')
    else:
        print('unlabelled: not every video is in one of two or more '
              'first-level folders, so no train.txt / val.txt')
    if report['unreadable']:
        print(f'{len(report["unreadable"])} unreadable videos left out '
              f'(listed in {args.out_dir}/unreadable.txt)')
    return report


def main(argv=None):
    args = parse_args(argv)
    if args.dataset == 'folder':
        return list_folder(args)
    if args.dataset == 'kinetics':
        classes, lists = annotations.kinetics_lists(args.train_csv,
                                                    args.val_csv, args.layout,
                                                    args.ext)
    else:
        parse = getattr(annotations, f'{args.dataset}_lists')
        classes, lists = parse(args.split_dir, args.split)
    report = annotations.write_lists(args.out_dir, classes, lists,
                                     args.check_exists)
    print(f'{len(classes)} classes -> {args.out_dir}/classes.txt')
    for name, r in report.items():
        missing = f', {r["missing"]} missing (dropped, listed in {name[:-4]}_missing.txt)' \
            if r['missing'] else ''
        print(f'{args.out_dir}/{name}: {r["kept"]} videos{missing}')
    return report


if __name__ == '__main__':
    main()
