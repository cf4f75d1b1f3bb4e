"""The demo's synthetic sets: made once, refused when made otherwise."""
import json
import os
import os.path as osp
from typing import Callable

# Generator settings of both sets, as meta.json records them (a set made with
# other settings is refused, not reused), and as make_synthetic.py flags.
SET_META = dict(
    scene_bias=1.0, background_value=[0.3, 0.45], max_distractors=0)
SET_OPTIONS = [
    arg for key, value in SET_META.items() for arg in [
        '--' + key.replace('_', '-'),
        *map(str, value if isinstance(value, list) else [value])
    ]
]


def make_set(path: str, videos: int, seed: int, log_path: str, run: Callable,
             root: str):
    """Make a synthetic set at ``root/path`` with ``run(args, log_path,
    label, extra)`` (``tools/demo.py``'s) unless the same one is there; its
    progress detail is the count of videos written."""
    meta_path = osp.join(root, path, 'meta.json')
    want = dict(SET_META, num_videos=videos, seed=seed)
    if osp.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        have = {k: meta.get(k) for k in want}
        if have != want:
            raise SystemExit(
                f'{meta_path}: this synthetic set was made with {have}, the '
                f'demo needs {want}; remove {path} (it is remade) or pass '
                'another --data / --pool')
        return
    videos_dir = osp.join(root, path, 'videos')

    def written():
        done = len(os.listdir(videos_dir)) if osp.isdir(videos_dir) else 0
        return f'{done}/{videos} videos'

    run([
        'tools/data/make_synthetic.py', '--out', path, '--videos',
        str(videos), '--seed',
        str(seed)
    ] + SET_OPTIONS, log_path, osp.basename(path), written)
