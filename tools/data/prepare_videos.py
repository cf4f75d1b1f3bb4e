"""Re-encode videos to short-GOP H.264 at a fixed short side, verified and
resumable.

Example::

    python tools/data/prepare_videos.py data/kinetics400/train.txt \
        data/kinetics400/videos_128 --data-prefix data/kinetics400/raw \
        --workers 16
"""
import argparse
import os
import sys

if __name__ == '__main__':  # a data tool: no registration, no torch
    os.environ.setdefault('ASCNET_MM_LIGHT_IMPORT', '1')

from ascnet_mm.utils import human_bytes
from ascnet_mm.video_io import EncodeSettings, prepare_videos
from ascnet_mm.video_io.prepare_record import SettingsChanged
from ascnet_mm.video_io.tool_args import (add_flag, add_timeout_argument,
                                          add_worker_arguments, start_decoding,
                                          timeout_of)

EPILOG = """\
Compared with MMAction2's tools/data/resize_videos.py: that script also
resizes the short side with ffmpeg + libx264, but leaves the keyframe
interval to x264 (up to 250 frames with scene-cut keyframes and B-frames;
--dense adds only -g 16), does not check ffmpeg's result, and re-encodes
everything on a rerun. This tool fixes a keyframe every --gop frames
(gop_size and x264 keyint=min-keyint=GOP, scenecut=0, bf=0,
tune=fastdecode), so a decord seek decodes at most GOP-1 frames before the
one asked for; it applies a display rotation to the frames; it decodes every
output frame to verify it (frame count equal to the source's within one),
writes to a temporary name and renames only verified files, so a rerun skips
finished videos; broken sources go to OUT_DIR/rejected.txt. The settings are
recorded in OUT_DIR/prepare.json and in each output: a rerun with other
settings stops unless --redo-on-change. It needs PyAV only, not an ffmpeg
binary.
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Re-encode videos (a folder, recursively, or an '
        'MMAction2 list) to H.264 yuv420p MP4 with a keyframe every --gop '
        'frames, no audio. Outputs mirror the relative paths under OUT_DIR '
        'with .mp4; a list input is rewritten to OUT_DIR/<list name>.',
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('source', metavar='SRC_DIR_OR_LIST')
    parser.add_argument('out_dir', metavar='OUT_DIR')
    parser.add_argument(
        '--data-prefix', default='', help='folder the list paths are under')
    parser.add_argument('--short-side', type=int, default=128)
    parser.add_argument(
        '--fps', type=float, default=None, help='output fps (default: keep)')
    parser.add_argument(
        '--gop', type=int, default=16, help='keyframe interval in frames')
    parser.add_argument('--crf', type=int, default=23)
    parser.add_argument('--preset', default='medium', help='x264 preset')
    add_worker_arguments(parser, decodes=True)
    # ours: a 10 s 1080p source (300 frames) took 2.1 s on one core of a
    # 2-core AMD EPYC, so an hour-long one about 13 min: 30 min leaves room
    add_timeout_argument(parser, 1800)
    add_flag(
        parser, '--redo-on-change', 'if OUT_DIR was prepared with other '
        'settings, re-encode every video with these (default: stop with a '
        'message naming both)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    start_decoding(args)
    settings = EncodeSettings(args.short_side, args.fps, args.gop, args.crf,
                              args.preset)
    try:
        s = prepare_videos(args.source, args.out_dir, args.data_prefix,
                           settings, args.workers, args.redo_on_change,
                           args.decoder, timeout_of(args))
    except SettingsChanged as e:
        sys.exit(f'prepare_videos.py: {e}')
    ratio = f' ({s["bytes_out"] / s["bytes_in"]:.1%})' if s['bytes_in'] else ''
    print(f'\ndone {s["done"]}, skipped {s["skipped"]} (already prepared), '
          f'rejected {s["rejected"]} (see {args.out_dir}/rejected.txt)')
    print(f'bytes: {human_bytes(s["bytes_in"])} -> '
          f'{human_bytes(s["bytes_out"])}{ratio}')
    return s


if __name__ == '__main__':
    main()
