"""The library behind ``tools/benchmark/``: data-loading and training-step
throughput, and the videos they run on.

Not imported by ``import ascnet_mm``; import ``ascnet_mm.benchmark``.
"""
from .bench_videos import noise_texture, render_frames, write_bench_video
from .cli import benchmark_parser
from .data_loading import (CountingDataset, IndexSampler, collate,
                           compare_paths, measure_loading, path_key,
                           quiet_mmengine, seed_process)
from .decode_counter import (decode_counts, decoder_frames,
                             install_decode_counter, reset_decode_counts)
from .decode_only import DecodeOnly
from .optim_wrappers import CPUAutocastOptimWrapper, optim_wrapper
from .per_view_decode import PerViewDecode
from .pipelines import (DECODERS, DEFAULT_PATHS, PATHS, build_dataset,
                        decode_only_pipeline, is_view_sampler, method_config,
                        method_pipeline, naive_pipeline, path_pipelines,
                        pipeline_decoder, repeat_aug_pipeline, view_sampler)
from .report import (PREPARED_HEADERS, THROUGHPUT_HEADERS, TRAIN_GPU_HEADERS,
                     TRAIN_HEADERS, decode_bound_lines, prepared_rows,
                     target_lines, throughput_rows, train_rows,
                     train_target_lines)
from .train_step import (BACKBONES, MEMORY_FORMATS, PRECISIONS, STATS, TINY,
                         bare_step, build_backbone, build_model, make_batch,
                         measure_grid, measure_step, paper_size,
                         pretrain_sampler, sample_speeds, to_channels_last_3d)
from .videos import (describe_videos, keyframe_interval, keyframes,
                     list_videos, write_ann_file)

__all__ = [
    'benchmark_parser', 'noise_texture', 'render_frames', 'write_bench_video',
    'CountingDataset', 'IndexSampler', 'collate', 'compare_paths',
    'measure_loading', 'path_key', 'DecodeOnly', 'DECODERS',
    'decode_only_pipeline', 'pipeline_decoder', 'decode_bound_lines',
    'quiet_mmengine', 'seed_process', 'decode_counts', 'decoder_frames',
    'install_decode_counter', 'reset_decode_counts', 'CPUAutocastOptimWrapper',
    'optim_wrapper', 'PerViewDecode', 'DEFAULT_PATHS', 'PATHS',
    'build_dataset', 'is_view_sampler', 'method_config', 'method_pipeline',
    'naive_pipeline', 'path_pipelines', 'repeat_aug_pipeline', 'view_sampler',
    'PREPARED_HEADERS', 'THROUGHPUT_HEADERS', 'TRAIN_GPU_HEADERS',
    'TRAIN_HEADERS', 'prepared_rows', 'target_lines', 'throughput_rows',
    'train_rows', 'train_target_lines', 'BACKBONES', 'MEMORY_FORMATS',
    'PRECISIONS', 'STATS', 'TINY', 'bare_step', 'build_backbone',
    'build_model', 'make_batch', 'measure_grid', 'measure_step', 'paper_size',
    'pretrain_sampler', 'sample_speeds', 'to_channels_last_3d',
    'describe_videos', 'keyframe_interval', 'keyframes', 'list_videos',
    'write_ann_file'
]
