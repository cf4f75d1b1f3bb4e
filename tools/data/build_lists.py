"""Build MMAction2 VideoDataset lists ("relative/path.ext label") from official splits.

Examples::

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
    for p in sub.choices.values():
        p.add_argument('--out-dir', required=True)
        p.add_argument(
            '--check-exists',
            nargs='+',
            metavar='DATA_DIR',
            help='drop lines whose file is missing under DATA_DIR (one folder '
            'for all lists, or one for train then one for val)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
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
