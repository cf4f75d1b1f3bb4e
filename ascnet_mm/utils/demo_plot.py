"""The demo's picture: online evaluation over pretraining, per method."""
from typing import Dict, List, Optional, Tuple

from .run_records import run_scalars

# The online evaluation's scalars the picture shows, with their titles.
CURVES = (('knn/top1', 'online kNN top-1 (%)'), ('spectrum/effective_rank',
                                                 'effective rank'))


def online_curves(work_dir: str) -> Dict[str, List[Tuple[int, float]]]:
    """``{key: [(iteration, value), ...]}`` of the :data:`CURVES` keys in
    every ``<timestamp>/vis_data/scalars.json`` under ``work_dir``.

    A validation record's ``step`` is its epoch; its iteration is the last
    training iteration logged in that epoch (the epoch itself when none).
    """
    curves = {key: [] for key, _ in CURVES}
    for records in run_scalars(work_dir):
        last_iter = {}
        for record in records:
            if 'iter' in record and 'epoch' in record:
                last_iter[record['epoch']] = max(
                    record['iter'], last_iter.get(record['epoch'], 0))
        for record in records:
            for key in curves:
                if key in record:
                    step = record.get('step', 0)
                    curves[key].append((last_iter.get(step,
                                                      step), record[key]))
    return curves


def plot_curves(curves: Dict[str, Dict[str, List[Tuple[int, float]]]],
                path: str,
                reference: Optional[Dict[str, float]] = None,
                reference_label: str = 'random init') -> str:
    """Write a PNG of each :data:`CURVES` key over pretraining iterations,
    one line per method of ``curves`` (``{method: online_curves(...)}``)
    and a dashed horizontal line at ``reference[key]``; return ``path``."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(CURVES), figsize=(8, 3), dpi=100)
    for ax, (key, title) in zip(axes, CURVES):
        for method, method_curves in curves.items():
            points = method_curves.get(key, [])
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, ys, marker='o', markersize=3, label=method)
        if reference and key in reference:
            ax.axhline(
                reference[key],
                color='grey',
                linestyle='--',
                label=reference_label)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel('pretraining iteration')
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
