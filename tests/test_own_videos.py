"""``build_lists.py folder``: lists of a folder of one's own videos, and a
pretraining run on them with the stock ``tools/train.py``."""
import os
import os.path as osp
import shutil

import pytest
from helpers import load_tool, ramp_video, run_python, write_video

from ascnet_mm.datasets import annotation_lists as annotations


def read_lines(path):
    with open(path) as f:
        return f.read().splitlines()


def test_folder_lists_classes_and_split():
    paths = [f'{c}/sub/v{i}.mp4' for c in ('walk', 'jump') for i in range(5)]
    paths.append('jump/x.avi')
    classes, lists = annotations.folder_lists(paths, val_fraction=0.4, seed=3)
    assert classes == ['jump', 'walk']
    assert lists['pretrain.txt'] == sorted(paths)
    val = [ln.split() for ln in lists['val.txt']]
    train = [ln.split() for ln in lists['train.txt']]
    # round(6 * 0.4) = 2 jump videos, round(5 * 0.4) = 2 walk videos
    assert [lb for _, lb in val].count('0') == 2
    assert [lb for _, lb in val].count('1') == 2
    assert sorted(p for p, _ in train + val) == sorted(paths)
    for p, label in train + val:
        assert classes[int(label)] == p.split('/')[0]
    assert annotations.folder_lists(paths, 0.4, seed=3) == (classes, lists)


@pytest.mark.parametrize(
    'paths',
    [
        ['a/1.mp4', 'b/2.mp4', '3.mp4'],  # a video outside any folder
        ['only/1.mp4', 'only/2.mp4'],  # one folder is no classification
    ])
def test_folder_lists_unlabelled(paths):
    classes, lists = annotations.folder_lists(paths)
    assert classes == [] and list(lists) == ['pretrain.txt']
    assert lists['pretrain.txt'] == sorted(paths)


def test_folder_lists_keeps_one_in_train():
    _, lists = annotations.folder_lists(['a/1.mp4', 'b/1.mp4'], 0.9)
    assert len(lists['train.txt']) == 2 and lists['val.txt'] == []
    with pytest.raises(ValueError, match='val_fraction'):
        annotations.folder_lists(['a/1.mp4'], 1.0)


def make_folder(root, videos_per_class=3, num_frames=12):
    for c in ('run', 'sit'):
        os.makedirs(osp.join(root, c))
        for i in range(videos_per_class):
            write_video(
                osp.join(root, c, f'clip{i}.mp4'),
                ramp_video(num_frames, size=32, seed=i))
    with open(osp.join(root, 'sit', 'broken.mp4'), 'wb') as f:
        f.write(b'not a video')
    with open(osp.join(root, 'run', 'notes.txt'), 'w') as f:
        f.write('not listed')


def test_build_lists_folder_cli(tmp_path, capsys):
    videos, out = str(tmp_path / 'videos'), str(tmp_path / 'lists')
    make_folder(videos)
    report = load_tool('data/build_lists').main(
        ['folder', videos, '--out-dir', out, '--val-fraction', '0.34'])
    assert report['classes'] == ['run', 'sit']
    assert read_lines(osp.join(out, 'classes.txt')) == ['run', 'sit']
    assert read_lines(osp.join(out, 'pretrain.txt')) == [
        f'{c}/clip{i}.mp4' for c in ('run', 'sit') for i in range(3)
    ]
    train = read_lines(osp.join(out, 'train.txt'))
    val = read_lines(osp.join(out, 'val.txt'))
    assert len(train) == 4 and len(val) == 2
    assert {ln.split()[1] for ln in val} == {'0', '1'}
    assert read_lines(osp.join(
        out, 'unreadable.txt'))[0].startswith('sit/broken.mp4\t')
    printed = capsys.readouterr().out
    assert '2 classes (first-level folders)' in printed
    assert '1 unreadable videos left out' in printed


@pytest.mark.slow
def test_folder_lists_feed_pretraining(tmp_path):
    """Folder -> lists -> a 2-iteration ASCNet run with tools/train.py."""
    videos, out = str(tmp_path / 'videos'), str(tmp_path / 'lists')
    make_folder(videos, videos_per_class=4, num_frames=24)
    load_tool('data/build_lists').main(['folder', videos, '--out-dir', out])
    work = str(tmp_path / 'work')
    proc = run_python([
        'tools/train.py', 'configs/ascnet/ascnet_r18-w16_synthetic.py',
        '--work-dir', work, '--cfg-options',
        f'train_dataloader.dataset.ann_file={out}/pretrain.txt',
        f'train_dataloader.dataset.data_prefix.video={videos}',
        'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
        'train_cfg.max_epochs=1', 'default_hooks.logger.interval=1'
    ])
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert 'Epoch(train) [1][2/2]' in log
    assert osp.isfile(osp.join(work, 'epoch_1.pth'))
    shutil.rmtree(work)
