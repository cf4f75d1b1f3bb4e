"""Decode every video of an MMAction2 list; write the clean list and the
rejects.

Example::

    python tools/data/verify_videos.py \
        data/ucf101/ucf101_train_split_1_videos.txt \
        --data-prefix data/ucf101/videos --out-dir data/ucf101/verified \
        --workers 8
"""
import argparse
import os
from functools import partial

if __name__ == '__main__':  # a data tool: no registration, no torch
    os.environ.setdefault('ASCNET_MM_LIGHT_IMPORT', '1')

from ascnet_mm.video_io.check import check_video
from ascnet_mm.video_io.tool_args import (add_flag, add_timeout_argument,
                                          add_worker_arguments, start_decoding,
                                          timeout_of)
from ascnet_mm.video_io.verify import verify_list


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Check that every video of a list decodes completely '
        '(every frame, with --decoder). Writes OUT_DIR/<list name> with the good '
        'lines and OUT_DIR/<list stem>_rejected.txt with "path<TAB>reason", '
        'a line as each video is done (both rewritten in list order at the '
        'end).')
    parser.add_argument(
        'list', help='MMAction2 list: "path label" or "path" lines')
    parser.add_argument(
        '--data-prefix', default='', help='folder the list paths are under')
    parser.add_argument('--out-dir', required=True)
    add_worker_arguments(parser, decodes=True)
    add_timeout_argument(parser, 60)
    add_flag(
        parser, '--resume', 'keep the results already in the output lists '
        '(of a killed run) and check only the other videos')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start_decoding(args)
    s = verify_list(args.list, args.data_prefix, args.out_dir, args.workers,
                    timeout_of(args), args.resume,
                    partial(check_video, decoder=args.decoder))
    resumed = f' ({s["resumed"]} from the earlier run)' if args.resume else ''
    print(f'\nchecked {s["total"]} videos{resumed}: {s["ok"]} good, '
          f'{s["rejected"]} rejected')
    for kind, n in s['reasons'].most_common():
        print(f'  {n:8d}  {kind}')
    print(f'clean list: {s["clean_list"]}\nrejected:   {s["rejected_list"]}')
    return s


if __name__ == '__main__':
    main()
