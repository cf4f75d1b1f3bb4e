"""tools/analysis/browse_views.py: a picture of each method's pretraining
views, rows = samples x views, columns = frames."""
import cv2
import numpy as np
import pytest
from helpers import load_tool

from ascnet_mm.visualization.view_grid import LABEL_WIDTH, view_labels

# views per sample of each method's synthetic config; 8 frames each
VIEWS = dict(ascnet=2, rspnet=3, cvrl=2)


@pytest.mark.parametrize('method', sorted(VIEWS))
def test_browse_views_grid(method, tiny_synthetic, tmp_path, capsys):
    out = str(tmp_path / 'views.png')
    load_tool('analysis/browse_views').main([
        f'configs/{method}/{method}_r18-w16_synthetic.py', '--num-samples',
        '2', '--out', out, '--tile-size', '40', '--cfg-options',
        f'train_dataloader.dataset.ann_file={tiny_synthetic}/pretrain.txt',
        'train_dataloader.dataset.data_prefix.video='
        f'{tiny_synthetic}/videos'
    ])
    img = cv2.imread(out)
    assert img.shape == (2 * VIEWS[method] * 40, LABEL_WIDTH + 8 * 40, 3)
    assert f'2 samples, {2 * VIEWS[method]} views drawn' in \
        capsys.readouterr().out


def test_browse_views_on_the_device_crop_path(tiny_synthetic, tmp_path,
                                              capsys):
    """A Kinetics config (the device-side crop): the views as the device
    cuts them."""
    pipeline = 'train_dataloader.dataset.pipeline'
    out = str(tmp_path / 'views.png')
    load_tool('analysis/browse_views').main([
        'configs/rspnet/rspnet_r18_k400.py', '--num-samples', '1', '--out',
        out, '--tile-size', '40', '--cfg-options',
        f'train_dataloader.dataset.ann_file={tiny_synthetic}/pretrain.txt',
        'train_dataloader.dataset.data_prefix.video='
        f'{tiny_synthetic}/videos', f'{pipeline}.1.clip_len=8',
        f'{pipeline}.3.transforms.0.scale=(-1,40)',
        f'{pipeline}.3.transforms.2.scale=(32,32)'
    ])
    assert cv2.imread(out).shape == (3 * 40, LABEL_WIDTH + 8 * 40, 3)
    assert '1 samples, 3 views drawn' in capsys.readouterr().out


def test_view_labels():
    results = dict(
        frame_inds=np.array([10, 11, 12, 20, 22, 24]),
        view_frame_map=np.array([[0, 1, 2], [3, 4, 5]]),
        view_speeds=np.array([1, 2]),
        view_crop_bbox=[np.array([0, 1, 30, 31]),
                        np.array([2, 3, 20, 21])],
        view_augment=dict(
            flip=[False, True],
            jitter=[True, False],
            brightness=[1.2, 1.0],
            contrast=[0.9, 1.0],
            saturation=[1.1, 1.0],
            hue=[0.05, 0.0],
            grayscale=[False, True]))
    assert view_labels(results, 0) == [
        'view 0: speed 1, start 10', 'crop 0,1,30,31, flip False',
        'jitter b1.20 c0.90 s1.10 h0.05'
    ]
    assert view_labels(results, 1) == [
        'view 1: speed 2, start 20', 'crop 2,3,20,21, flip True', 'grayscale'
    ]
    del results['view_augment'], results['view_crop_bbox']
    assert view_labels(
        results, 1)[1:] == ['full frame, flip None', 'colour: on the device']
