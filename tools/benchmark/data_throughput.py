"""Data throughput of the pretraining pipelines: decode once vs per view.

For each method the pipeline is the ``train_dataloader.dataset.pipeline`` of
its R3D-18 Kinetics config (``ascnet_mm.utils.pretrain_config``),
run by a ``DataLoader`` with ``--workers`` processes over the given videos,
on these paths (``ascnet_mm/benchmark/pipelines.py``):

- ``decode_only`` (optional): the bound; per sample the view sampler's plan
  and one ``get_batch`` / ``get_frames_at`` of its sorted unique frames,
  nothing else. Every path's clips per CPU second is also printed as a
  ratio to it (``vs decode_only (CPU)``).
- ``ours``: the config on the CPU path (crop, resize and colour in the
  workers); the view sampler plans all views and one ``DecordDecode``
  ``get_batch`` reads their unique frames.
- ``naive``: the same pipeline with ``DecordDecode`` replaced by
  ``PerViewDecode``, stock ``DecordDecode`` once per view (one ``get_batch``
  of T frames per view). Same views, same spatial and colour augmentation;
  only the decoding differs.
- ``ours_device`` (optional): ``ours`` with ``ViewAugment`` left to the
  device (``SSLDataPreprocessor(augment=...)``), so the workers only decode,
  resize and crop: the data path as a GPU run uses it. The colour work it
  moves runs batched on the GPU, which this tool does not time.
- ``ours_device_crop`` (optional): the device-side crop (the Kinetics
  configs' path): ``DeviceCropViews`` ships the unique frames with each
  view's crop box; cut, resize and colour run on the device (not timed).
- ``naive_reopen`` (optional): ``naive`` with a stock ``DecordInit`` per
  view too, i.e. a fresh reader per view, as when the whole pipeline runs
  once per view.
- ``repeat_aug``: MMAction2's ``RepeatAugDataset`` (``num_repeats=V``,
  stock ``SampleFrames`` + one ``DecordDecode`` over the concatenated
  indices of the repeats). It draws every repeat with one ``SampleFrames``,
  so it applies only where the view sampler draws every view at the same
  stride (CVRL); elsewhere it is reported as n/a.

Frames decoded are counted in the worker by wrapping
``decord.VideoReader.get_batch`` and ``__getitem__`` and torchcodec's
``get_frames_at`` (the indices requested per sample) and compared with the
unique frames the sample's views need; the decoder's own work (frames
decoded to reach them after seeks, modelled on decord 0.6's
``GetBatch``/``SeekAccurate`` with the video's keyframe index) is reported
beside it. ``--decoder decord torchcodec`` runs every path with each decoder
(the config's ``DecordInit`` / ``DecordDecode`` swapped for
``TorchCodecInit`` / ``TorchCodecDecode``, as the dataset base's ``decoder``
line does; one FFmpeg thread), interleaved. Throughput is wall-clock clips/s
(per core: divided by max(1, workers)) and clips per CPU second of the
loading processes (``time.process_time()`` in the worker: every thread of
the loading process, the decoders' own threads included), which load from
other processes on a shared machine barely changes; ``--repeats`` measures
the paths interleaved several times and keeps each one's fastest (and the
CPU figures of its cheapest). Sample ``i`` starts from the random state
``--seed + i`` on every path, so all paths decode the same frames.
``--prepared`` also runs ``ours`` on a copy made by
``tools/data/prepare_videos.py`` and prints clips/s per core, original vs
prepared.

Examples::

    python tools/benchmark/data_throughput.py data/bench/340x256_g250 \\
        --workers 1 --num-samples 32 --prepared data/bench/340x256_g250_prep
    python tools/benchmark/data_throughput.py data/bench/340x256_g250_prep \\
        --workers 1 --num-samples 64 --repeats 3 \\
        --paths decode_only ours_device --decoder decord torchcodec
"""
import os
import os.path as osp
import sys

sys.path.insert(0, osp.abspath(osp.join(__file__, '..', '..', '..')))

from ascnet_mm import benchmark as bench  # noqa: E402
from ascnet_mm.utils import markdown_table  # noqa: E402


def parse_args(argv=None):
    parser = bench.benchmark_parser(__doc__.split('\n\n')[0])
    parser.add_argument(
        'videos', metavar='DIR_OR_LIST', help='folder of videos or a list')
    parser.add_argument(
        '--data-prefix', default='', help='folder the list paths are under')
    parser.add_argument(
        '--config',
        default=None,
        help='config to take the pipeline from (one --method '
        'only; default: the method\'s R3D-18 Kinetics config)')
    parser.add_argument(
        '--paths',
        nargs='+',
        default=list(bench.DEFAULT_PATHS),
        choices=bench.PATHS,
        help='decode_only: the bound (one read of the '
        'unique frames, nothing else); ours_device: ours with '
        'ViewAugment on the device; ours_device_crop: crop and '
        'colour on the device; naive_reopen: naive with a fresh '
        'DecordInit per view')
    parser.add_argument(
        '--decoder',
        nargs='+',
        default=None,
        choices=list(bench.DECODERS),
        help='decoders to run every path with, interleaved '
        '(default: the config\'s)')
    parser.add_argument(
        '--workers', type=int, default=1, help='DataLoader num_workers')
    parser.add_argument(
        '--num-samples', type=int, default=32, help='timed samples per path')
    parser.add_argument(
        '--warmup',
        type=int,
        default=None,
        help='untimed samples first (default: one batch per '
        'worker)')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument(
        '--clip-len', type=int, default=None, help='override T')
    parser.add_argument(
        '--crop-size', type=int, default=None, help='override the view size')
    parser.add_argument(
        '--short-side',
        type=int,
        default=None,
        help='override the Resize(-1, S) before the crop')
    parser.add_argument(
        '--device-augment',
        action='store_true',
        help='drop ViewAugment from the CPU pipeline, as when '
        'colour augmentation runs on the GPU '
        '(SSLDataPreprocessor(augment=...))')
    parser.add_argument(
        '--prepared',
        default=None,
        metavar='DIR_OR_LIST',
        help='also run "ours" on this prepared copy '
        '(prepare_videos.py)')
    parser.add_argument(
        '--prepared-prefix',
        default='',
        help='folder --prepared list paths are under')
    parser.add_argument(
        '--repeats',
        type=int,
        default=1,
        help='measure every path this many times, '
        'interleaved; keep the best')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    if args.config and len(args.method) != 1:
        parser.error('--config needs exactly one --method')
    if args.prepared and args.decoder and len(args.decoder) > 1:
        parser.error('--prepared takes one --decoder')
    if args.prepared and 'ours' not in args.paths:
        args.paths.insert(0, 'ours')
    return args


def run(args) -> dict:
    from mmengine.registry import init_default_scope

    from ascnet_mm.video_io.check import quiet_decoders
    init_default_scope('mmaction')
    quiet_decoders()
    bench.quiet_mmengine()
    bench.install_decode_counter()
    videos = bench.list_videos(args.videos, args.data_prefix)
    prepared = (
        bench.list_videos(args.prepared, args.prepared_prefix)
        if args.prepared else None)
    results, prepared_results = bench.compare_paths(
        args.method,
        args.paths,
        videos,
        prepared,
        config=args.config,
        sizes=dict(
            clip_len=args.clip_len,
            crop_size=args.crop_size,
            short_side=args.short_side,
            device_augment=args.device_augment),
        repeats=args.repeats,
        decoders=args.decoder or (None, ),
        num_samples=args.num_samples,
        batch_size=args.batch_size,
        workers=args.workers,
        warmup=args.warmup,
        seed=args.seed)
    dropped = ('; ViewAugment dropped (--device-augment)'
               if args.device_augment else '')
    print(f'\nvideos: {len(videos)} from {args.videos} '
          f'({bench.describe_videos(videos)}); workers {args.workers}, '
          f'batch {args.batch_size}, {args.num_samples} timed samples per '
          f'path, best of {args.repeats}{dropped}\n')
    print(
        markdown_table(bench.THROUGHPUT_HEADERS,
                       bench.throughput_rows(results)))
    print()
    for line in bench.target_lines(results):
        print(line)
    if prepared:
        rows = bench.prepared_rows(results, prepared_results,
                                   bench.describe_videos(videos),
                                   bench.describe_videos(prepared))
        print(f'\nprepared copy: {len(prepared)} videos from '
              f'{args.prepared}\n')
        print(markdown_table(bench.PREPARED_HEADERS, rows))
    return dict(results=results, prepared=prepared_results)


def main(argv=None):
    os.environ.setdefault('OMP_NUM_THREADS', '1')
    return run(parse_args(argv))


if __name__ == '__main__':
    main()
