"""The synthetic motion set: lists, lengths, decoding, determinism, motion."""
import collections
import json
import os
import os.path as osp

import cv2
import decord
import numpy as np
import pytest
from helpers import load_tool

from ascnet_mm import synthetic as syn

SMALL = dict(
    size=32, lengths=(16, 24), short_lengths=(8, 10), short_fraction=0.2)
NUM = 12


def _read(path):
    with open(path) as f:
        return f.read().splitlines()


def _decode(path):
    vr = decord.VideoReader(path)
    return vr.get_batch(list(range(len(vr)))).asnumpy()


@pytest.fixture(scope='module')
def sets(tmp_path_factory):
    root = tmp_path_factory.mktemp('synthetic')
    out = {}
    for key, seed, workers in (('a', 3, 2), ('b', 3, 1), ('c', 4, 1)):
        out[key] = str(root / key)
        syn.generate(out[key], NUM, seed=seed, workers=workers, **SMALL)
    return out


def test_lists_match_files_and_meta(sets):
    out = sets['a']
    meta = json.load(open(osp.join(out, 'meta.json')))
    assert _read(osp.join(out, 'classes.txt')) == list(syn.CLASSES)
    train = [ln.split() for ln in _read(osp.join(out, 'train.txt'))]
    val = [ln.split() for ln in _read(osp.join(out, 'val.txt'))]
    assert _read(osp.join(out, 'pretrain.txt')) == [n for n, _ in train]
    names = [n for n, _ in train + val]
    assert sorted(names) == sorted(os.listdir(osp.join(out, 'videos')))
    assert len(names) == len(set(names)) == NUM == len(meta['videos'])
    by_name = {v['name']: v for v in meta['videos']}
    for split, rows in (('train', train), ('val', val)):
        for name, label in rows:
            video = by_name[name]
            assert video['split'] == split and int(label) == video['label']
            assert syn.CLASSES[video['label']] == video['motion']
    assert 0 < len(val) < len(train)


@pytest.mark.parametrize('num, classes', [(NUM, 10), (300, 10), (23, 8)])
def test_labels_balanced_and_split_stratified(num, classes):
    labels, short = syn.plan_videos(num, 0, classes, 0.1)
    counts = np.bincount(labels, minlength=classes)
    assert labels.min() >= 0 and labels.max() < classes
    assert counts.max() - counts.min() <= 1
    assert short.sum() == round(0.1 * num)
    is_val = syn.stratified_split(labels, 0.25, 0)
    for c in range(classes):
        n_val = is_val[labels == c].sum()
        assert abs(n_val - 0.25 * counts[c]) <= 1
        assert counts[c] < 2 or 0 < n_val < counts[c]


def test_lengths_and_decoding(sets):
    meta = json.load(open(osp.join(sets['a'], 'meta.json')))
    lengths = collections.Counter()
    for video in meta['videos']:
        t = video['num_frames']
        lo, hi = SMALL['short_lengths'] if video['short'] else SMALL['lengths']
        assert lo <= t <= hi
        lengths[video['short']] += 1
        frames = _decode(osp.join(sets['a'], 'videos', video['name']))
        assert frames.shape == (t, 32, 32, 3)
    assert lengths[True] == round(SMALL['short_fraction'] * NUM)


def test_same_seed_same_frames_other_seed_differs(sets):
    for name in ('train.txt', 'val.txt', 'pretrain.txt', 'meta.json'):
        assert _read(osp.join(sets['a'],
                              name)) == _read(osp.join(sets['b'], name))
    for name in sorted(os.listdir(osp.join(sets['a'], 'videos'))):
        a = _decode(osp.join(sets['a'], 'videos', name))
        b = _decode(osp.join(sets['b'], 'videos', name))
        np.testing.assert_array_equal(a, b)
    a = _decode(osp.join(sets['a'], 'videos', 'vid_00000.mp4'))
    c = _decode(osp.join(sets['c'], 'videos', 'vid_00000.mp4'))
    assert a.shape != c.shape or not np.array_equal(a, c)


def test_appearance_does_not_depend_on_the_label_without_actor_bias():
    specs = [syn.sample_spec(5, 2, m, actor_bias=0.0) for m in syn.MOTIONS]
    for spec in specs[1:]:
        for key in ('num_frames', 'background', 'distractors', 'texture_seed'):
            assert spec[key] == specs[0][key]
        for key in ('shape', 'texture', 'radius', 'angle0'):
            assert spec['object'][key] == specs[0]['object'][key]


def test_actor_bias_gives_each_class_its_own_actor():
    actors = [syn.class_actor(m) for m in syn.MOTIONS]
    assert len(set(actors)) == len(syn.MOTIONS)
    for index in range(5):
        for motion, actor in zip(syn.MOTIONS, actors):
            obj = syn.sample_spec(5, index, motion, actor_bias=1.0)['object']
            assert (obj['shape'], obj['texture']) == actor
    # Only the actor follows the label; everything else stays as drawn.
    a = syn.sample_spec(5, 3, 'zoom_in', actor_bias=1.0)
    b = syn.sample_spec(5, 3, 'zoom_in', actor_bias=0.0)
    assert a['background'] == b['background']
    assert a['object']['radius'] == b['object']['radius']


def _background_pattern(spec):
    """The first frame's background as one number a pixel: the projection of
    its colours on their first principal direction (the pattern up to sign,
    whatever the two colours are)."""
    spec = json.loads(json.dumps(spec))
    spec.update(distractors=[])
    spec['object']['radius'] = 0.01
    spec['background']['drift'] = [0.0, 0.0]
    pixels = syn.render_video(spec)[0].reshape(-1, 3).astype(np.float64)
    pixels -= pixels.mean(0)
    return pixels @ np.linalg.svd(pixels, full_matrices=False)[2][0]


def test_scene_bias_gives_each_class_its_own_background_pattern():
    plain = syn.make_specs(20, 6, size=32)
    scene = syn.make_specs(20, 6, size=32, scene_bias=1.0)
    for a, b in zip(plain, scene):
        assert 'scene' not in a['background']
        kind, index = syn.class_scene(b['motion'])
        assert (b['background']['kind'], b['background']['scene']) == (kind,
                                                                       index)
        # Its own stream: nothing but the background changes.
        a, b = dict(a), dict(b)
        a.pop('background'), b.pop('background')
        assert a == b
    patterns = [_background_pattern(s) for s in scene]
    corr = np.abs(np.corrcoef(np.stack(patterns)))
    labels = [s['label'] for s in scene]
    same = [
        corr[i, j] for i in range(20) for j in range(i)
        if labels[i] == labels[j]
    ]
    other = [
        corr[i, j] for i in range(20) for j in range(i)
        if labels[i] != labels[j]
    ]
    # Same pattern, up to fine noise that can drown two close colours.
    assert np.median(same) > 0.8 and np.median(other) < 0.2
    # ... under the video's own colours.
    first = [
        syn.render_video(s)[0].reshape(-1, 3).mean(0) for s in scene
        if s['label'] == labels[0]
    ]
    assert np.abs(first[0] - first[1]).max() > 5


def test_background_value_bounds_the_background_brightness():
    for spec in syn.make_specs(10, 2, size=32, background_value=(0.3, 0.35)):
        spec.update(distractors=[])
        spec['object']['radius'] = 0.01
        frame = syn.render_video(spec)[0].astype(np.float64) / 255
        value = frame.max(-1)  # HSV value
        assert 0.3 - 0.08 < np.median(value) < 0.35 + 0.08
    with pytest.raises(ValueError, match='background_value'):
        syn.generate('unused', 2, background_value=(0.6, 0.2))
    with pytest.raises(ValueError, match='scene_bias'):
        syn.generate('unused', 2, scene_bias=1.5)


def test_max_distractors_caps_the_distractors_and_nothing_else():
    full = syn.make_specs(30, 4, size=32)
    assert max(len(s['distractors']) for s in full) == 2
    for cap in (0, 1):
        capped = syn.make_specs(30, 4, size=32, max_distractors=cap)
        for a, b in zip(full, capped):
            assert b['distractors'] == a['distractors'][:cap]
            a, b = dict(a), dict(b)
            a.pop('distractors'), b.pop('distractors')
            assert a == b
    with pytest.raises(ValueError, match='max_distractors'):
        syn.generate('unused', 2, max_distractors=3)


def test_cli_refuses_non_empty_out_unless_overwrite(tmp_path, capsys):
    cli = load_tool('data/make_synthetic')
    out = str(tmp_path / 'set')
    args = ['--out', out, '--videos', '2', '--size', '16', '--workers', '1']
    cli.main(args)
    assert '2 videos' in capsys.readouterr().out
    stale = osp.join(out, 'videos', 'vid_00099.mp4')
    open(stale, 'w').close()
    open(osp.join(out, 'notes.txt'), 'w').close()
    with pytest.raises(SystemExit, match='not empty.*--overwrite'):
        cli.main(args)
    cli.main(args + ['--overwrite'])
    assert not osp.exists(stale) and osp.exists(osp.join(out, 'notes.txt'))
    assert sorted(os.listdir(osp.join(
        out, 'videos'))) == ['vid_00000.mp4', 'vid_00001.mp4']


def test_cli_passes_scene_and_distractor_options(tmp_path, capsys):
    cli = load_tool('data/make_synthetic')
    out = str(tmp_path / 'set')
    cli.main([
        '--out', out, '--videos', '2', '--size', '16', '--workers', '1',
        '--scene-bias', '1', '--background-value', '0.3', '0.45',
        '--max-distractors', '0'
    ])
    meta = json.load(open(osp.join(out, 'meta.json')))
    assert meta['scene_bias'] == 1 and meta['background_value'] == [0.3, 0.45]
    assert meta['max_distractors'] == 0
    for video in meta['videos']:
        assert video['background']['scene'] == syn.class_scene(
            video['motion'])[1]
        assert video['background']['value'] == [0.3, 0.45]
        assert video['distractors'] == []
    with pytest.raises(SystemExit, match='background_value'):
        cli.main([
            '--out',
            str(tmp_path / 'bad'), '--videos', '2', '--background-value',
            '0.5', '0.1'
        ])


def _centroids(masks):
    ys, xs = np.mgrid[:masks.shape[1], :masks.shape[2]]
    area = masks.sum((1, 2))
    return np.stack([(masks * xs).sum((1, 2)) / area, (masks * ys).sum(
        (1, 2)) / area], -1), area


def _rotation(frames, masks, t0, t1, centre):
    """Angle (degrees, cv2 sign) that best maps frame t0 onto frame t1."""
    inner = cv2.erode((masks[t1] > 0.99).astype(np.uint8), np.ones((3, 3)))
    inner = inner.astype(bool)
    src = frames[t0].astype(np.float32)
    errors = []
    candidates = np.arange(-45, 46)
    for angle in candidates:
        m = cv2.getRotationMatrix2D(tuple(centre), float(angle), 1.0)
        warped = cv2.warpAffine(src, m, src.shape[1::-1])
        errors.append(np.abs(warped[inner] - frames[t1][inner]).mean())
    return candidates[int(np.argmin(errors))]


@pytest.mark.parametrize('index', [0, 1])
@pytest.mark.parametrize('motion', syn.MOTIONS)
def test_label_is_the_main_objects_motion(motion, index):
    spec = syn.sample_spec(7, index, motion, size=64, lengths=(40, 40))
    spec['distractors'] = []
    spec['background']['drift'] = [0.0, 0.0]
    if motion.startswith(('move', 'zoom')):  # not cut by the frame's edges
        spec['object']['start'] = [32.0, 32.0]  # (but where a move wraps)
    frames, masks = syn.render_video(spec, return_mask=True)
    assert frames.shape == (40, 64, 64, 3) and frames.dtype == np.uint8
    centre, area = _centroids(masks)
    poses, _, scale = syn.object_poses(spec['object'], 40, 64)
    kind, what = motion.split('_')
    if kind == 'move':
        # x grows to the right, y downwards
        assert syn.specs.MOVE_AXIS_SIGN == dict(
            right=(0, 1), left=(0, -1), down=(1, 1), up=(1, -1))
        axis, sign = syn.specs.MOVE_AXIS_SIGN[what]
        step = np.diff(poses, axis=0)
        assert (sign * step[:, axis] >= 64 * syn.TRANSLATE_RATE * 0.5).all()
        assert np.abs(step[:, 1 - axis]).max() == 0
        # The frame is a torus: the object's area is kept while it wraps,
        # and where it is whole its centroid is the pose modulo the frame.
        np.testing.assert_allclose(area, area.mean(), rtol=0.03)
        wrapped = np.mod(poses, 64)
        r = spec['object']['radius'] + 1
        whole = ((wrapped > r) & (wrapped < 63 - r)).all(1)
        assert whole.any() and not whole.all()
        np.testing.assert_allclose(centre[whole], wrapped[whole], atol=0.5)
    elif kind == 'zoom':
        # A sawtooth: the scale changes the labelled way between most
        # frames and restarts within exp(+-ZOOM_RANGE / 2).
        grows = np.diff(area) > 0
        assert grows.mean() > 0.75 if what == 'in' else grows.mean() < 0.25
        assert np.abs(np.log(scale)).max() <= syn.ZOOM_RANGE / 2 + 1e-9
        assert np.abs(centre - centre[0]).max() < 0.5
    elif kind == 'rotate':
        angle = _rotation(frames, masks, 0, 2, centre[0])
        assert angle < -5 if what == 'cw' else angle > 5
        assert np.abs(centre - centre[0]).max() < 0.5
    else:
        axis = 0 if what == 'horizontal' else 1
        track = centre[:, axis]
        turns = np.diff(np.sign(np.diff(track))) != 0
        assert np.ptp(track) > 4 and turns.any()
        assert np.ptp(centre[:, 1 - axis]) < 0.5
