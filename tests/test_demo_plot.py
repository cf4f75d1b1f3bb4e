"""ascnet_mm/utils/demo_plot.py: the demo's curves from a fake run."""
import json

import numpy as np

from ascnet_mm.utils.demo_plot import online_curves, plot_curves


def fake_run(work_dir, knn, rank, iters_per_epoch=120, every=2):
    """A scalars.json as MMEngine writes it: train records every 60
    iterations, a validation record (step = epoch) every ``every`` epochs."""
    vis = work_dir / '20261202_010000' / 'vis_data'
    vis.mkdir(parents=True)
    lines = []
    for i, (k, r) in enumerate(zip(knn, rank)):
        epoch = (i + 1) * every
        for e in range(epoch - every + 1, epoch + 1):
            for it in (60, 120):
                step = (e - 1) * iters_per_epoch + it
                lines.append(dict(loss=1.0, epoch=e, iter=step, step=step))
        lines.append({
            'knn/top1': k,
            'spectrum/effective_rank': r,
            'step': epoch
        })
    (vis / 'scalars.json').write_text(''.join(
        json.dumps(line) + '\n' for line in lines))


def test_online_curves_put_each_evaluation_at_its_epochs_last_iteration(
        tmp_path):
    fake_run(tmp_path, knn=[25.0, 40.0], rank=[30.0, 35.5])
    assert online_curves(str(tmp_path)) == {
        'knn/top1': [(240, 25.0), (480, 40.0)],
        'spectrum/effective_rank': [(240, 30.0), (480, 35.5)]
    }


def test_plot_curves_writes_a_small_png(tmp_path):
    import matplotlib.image as mpimg
    fake_run(tmp_path / 'ascnet', knn=[25.0, 40.0], rank=[30.0, 35.5])
    curves = dict(ascnet=online_curves(str(tmp_path / 'ascnet')), cvrl={})
    path = plot_curves(curves, str(tmp_path / 'curves.png'), {
        'knn/top1': 21.2,
        'spectrum/effective_rank': 21.5
    })
    image = mpimg.imread(path)
    assert image.shape[:2] == (300, 800)
    assert np.ptp(image[..., :3]) > 0.5  # not blank
