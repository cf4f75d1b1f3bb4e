"""Rows and target lines of the benchmarks' tables (printed by
``ascnet_mm.utils.markdown_table``, as docs/benchmarks.md holds them).

Data loading: :func:`throughput_rows` / :data:`THROUGHPUT_HEADERS` per
method and path, :func:`target_lines`, and :func:`prepared_rows` /
:data:`PREPARED_HEADERS` (original vs prepared videos), all from
:func:`.compare_paths`' results. Training step: :func:`train_rows` /
:data:`TRAIN_HEADERS` (+ :data:`TRAIN_GPU_HEADERS`) and
:func:`train_target_lines` from :func:`.measure_grid`'s.
"""
from typing import Dict, List

THROUGHPUT_HEADERS = ('method', 'path', 'decoder', 'views x T', 'clips/s',
                      'clips/s/core', 'vs naive', 'clips/CPU-s',
                      'vs naive (CPU)', 'vs decode_only (CPU)',
                      'CPU ms/sample', 'decode CPU ms/sample',
                      'frames requested/sample', 'unique frames/sample',
                      'requested/unique', 'requested/clip',
                      'decoder frames/sample', 'get_batch calls/sample')
PREPARED_HEADERS = ('method', 'original', 'prepared', 'clips/s/core original',
                    'clips/s/core prepared', 'prepared/original',
                    'clips/CPU-s original', 'clips/CPU-s prepared',
                    'prepared/original (CPU)', 'decode CPU ms/sample original',
                    'decode CPU ms/sample prepared')
TRAIN_HEADERS = ('method', 'backbone', 'precision', 'memory format',
                 'N x V x T x HxW', 'SSL step ms', 'SSL clips/s',
                 'bare step ms', 'bare clips/s', 'SSL/bare')
TRAIN_GPU_HEADERS = ('SSL peak MiB/clip', 'bare peak MiB/clip')

Results = Dict[str, Dict[str, dict]]  # {method: {path: result}}


def _ratio(a: float, b: float) -> str:
    return f'{a / b:.2f}x' if b else ''


def _met(ok: bool) -> str:
    return 'met' if ok else 'MISSED'


def _same_decoder(by_path: Dict[str, dict], r: dict, path: str) -> dict:
    """The result of ``path`` with ``r``'s decoder ({} if not measured)."""
    name = r.get('decoder_name')
    return next((o for o in by_path.values() if o.get('path') == path
                 and o.get('decoder_name') == name and 'skipped' not in o), {})


def _vs(r: dict, base: dict, key: str) -> str:
    return _ratio(r[key], base[key]) if base else ''


def throughput_rows(results: Results) -> List[list]:
    """Rows of :data:`THROUGHPUT_HEADERS`; ratios against the ``naive``
    and ``decode_only`` paths of the same method and decoder, skipped paths
    as n/a with the reason."""
    rows = []
    for method, by_path in results.items():
        for key, r in by_path.items():
            head = [
                method,
                r.get('path', key),
                r.get('decoder_name', ''), r['views']
            ]
            if 'skipped' in r:
                rows.append(head + ['n/a', 'n/a', r['skipped']] + [''] *
                            (len(THROUGHPUT_HEADERS) - len(head) - 3))
                continue
            naive = _same_decoder(by_path, r, 'naive')
            bound = _same_decoder(by_path, r, 'decode_only')
            rows.append(head + [
                f'{r["clips_per_s"]:.2f}', f'{r["per_core"]:.2f}',
                _vs(r, naive, 'clips_per_s'), f'{r["per_cpu_s"]:.2f}',
                _vs(r, naive, 'per_cpu_s'),
                _vs(r, bound, 'per_cpu_s'), f'{r["cpu_ms"]:.1f}',
                f'{r["decode_ms"]:.1f}', f'{r["frames"]:.1f}',
                f'{r["unique"]:.1f}',
                f'{r["frames"] / max(r["unique"], 1e-9):.2f}',
                f'{r["frames"] / max(r["clips"], 1e-9):.1f}',
                f'{r["decoder"]:.1f}', f'{r["calls"]:.1f}'
            ])
    return rows


def _vs_naive(r: dict, naive: dict) -> str:
    """``r``'s clips/s and clips per CPU second over ``naive``'s, against
    the 1.8x target."""
    speedup = r['clips_per_s'] / naive['clips_per_s']
    cpu = r['per_cpu_s'] / naive['per_cpu_s']
    met = _met(min(speedup, cpu) >= 1.8)
    return (f'{speedup:.2f}x naive clips/s, {cpu:.2f}x per CPU second on '
            f'2-view samples (target >= 1.8x: {met}')


def decode_bound_lines(results: Results) -> List[str]:
    """Per method: each device path's clips per CPU second against
    ``decode_only`` with the same decoder (target >= 0.9x), and every path
    measured with both decoders, torchcodec against decord."""
    lines = []
    for method, by_path in results.items():
        measured = [r for r in by_path.values() if 'skipped' not in r]
        for r in measured:
            bound = _same_decoder(by_path, r, 'decode_only')
            if bound and 'device' in r['path']:
                ratio = r['per_cpu_s'] / bound['per_cpu_s']
                lines.append(
                    f'{method}: {r["path"]} ({r["decoder_name"]}) '
                    f'{ratio:.2f}x the decode-only bound per CPU second '
                    f'(target >= 0.9x: {_met(ratio >= 0.9)})')
        for r in measured:
            other = _same_decoder(by_path, dict(r, decoder_name='decord'),
                                  r['path'])
            if r['decoder_name'] == 'torchcodec' and other:
                runs = ', '.join(f'{ms:.1f}' for ms in r['cpu_ms_runs'])
                runs_d = ', '.join(f'{ms:.1f}' for ms in other['cpu_ms_runs'])
                lines.append(
                    f'{method}: {r["path"]}: torchcodec '
                    f'{_ratio(r["per_cpu_s"], other["per_cpu_s"])} decord\'s '
                    f'clips per CPU second (CPU ms/sample per repeat: '
                    f'torchcodec {runs}; decord {runs_d})')
    return lines


def target_lines(results: Results) -> List[str]:
    """Targets: ours requests <= 1.05x its unique frames; ours (and
    ours_device) >= 1.8x naive on 2-view samples; the decode bound
    (:func:`decode_bound_lines`)."""
    lines = []
    for method, by_path in results.items():
        key = dict(
            decoder_name=next(iter(by_path.values())).get('decoder_name'))
        ours, naive, device = (
            _same_decoder(by_path, key, p)
            for p in ('ours', 'naive', 'ours_device'))
        if ours:
            ratio = ours['frames'] / max(ours['unique'], 1e-9)
            lines.append(f'{method}: frames requested/unique {ratio:.2f} '
                         f'(target <= 1.05: {_met(ratio <= 1.05)})')
        if ours and naive and round(ours['clips']) == 2:
            lines.append(f'{method}: {_vs_naive(ours, naive)}); decode CPU '
                         f'time {naive["decode_ms"] / ours["decode_ms"]:.2f}x'
                         ' less')
        if device and naive and round(device['clips']) == 2:
            lines.append(f'{method}: ours_device (colour augmentation on the '
                         f'device) {_vs_naive(device, naive)}; the device '
                         'time of the moved augmentation is not counted)')
    return lines + decode_bound_lines(results)


def prepared_rows(results: Results, prepared: Dict[str, dict],
                  original_desc: str, prepared_desc: str) -> List[list]:
    """Rows of :data:`PREPARED_HEADERS`: each method's ``ours`` on the
    original videos vs on the prepared copy (``prepared[method]``)."""
    rows = []
    for method, r in prepared.items():
        orig = results[method]['ours']
        rows.append([
            method, original_desc, prepared_desc, f'{orig["per_core"]:.2f}',
            f'{r["per_core"]:.2f}',
            _ratio(r['per_core'], orig['per_core']),
            f'{orig["per_cpu_s"]:.2f}', f'{r["per_cpu_s"]:.2f}',
            _ratio(r['per_cpu_s'], orig['per_cpu_s']),
            f'{orig["decode_ms"]:.1f}', f'{r["decode_ms"]:.1f}'
        ])
    return rows


def train_rows(results: List[dict], gpu: bool) -> List[list]:
    """Rows of :data:`TRAIN_HEADERS` (+ :data:`TRAIN_GPU_HEADERS`, peak
    MiB per clip, on a GPU)."""
    rows = []
    for r in results:
        row = [
            r['method'], r['backbone'], r['precision'], r['memory_format'],
            r['shape'], f'{1000 * r["ssl_s"]:.1f}',
            f'{r["clips"] / r["ssl_s"]:.1f}', f'{1000 * r["bare_s"]:.1f}',
            f'{r["clips"] / r["bare_s"]:.1f}',
            f'{r["ssl_s"] / r["bare_s"]:.2f}x'
        ]
        if gpu:
            row += [
                f'{r["ssl_peak"] / r["clips"] / 2**20:.1f}',
                f'{r["bare_peak"] / r["clips"] / 2**20:.1f}'
            ]
        rows.append(row)
    return rows


def train_target_lines(results: List[dict]) -> List[str]:
    """Target: the bf16 SSL step <= 1.15x the bare step."""
    lines = []
    for r in results:
        if r['precision'] == 'bf16':
            ratio = r['ssl_s'] / r['bare_s']
            lines.append(f'{r["method"]} {r["backbone"]} '
                         f'{r["memory_format"]}: bf16 SSL step {ratio:.2f}x '
                         f'bare (target <= 1.15x: {_met(ratio <= 1.15)})')
    return lines
