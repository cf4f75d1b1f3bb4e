"""The settings prepared videos were made with: ``OUT_DIR/prepare.json``
for the folder, and the same record in each output's ``comment`` tag."""
import json
import os
import os.path as osp
from typing import Iterable, Optional

RECORD_FILE = 'prepare.json'
# Bumped when the same settings give other outputs. 2: rotation applied,
# settings recorded (1: the tool before, outputs without a record).
FORMAT_VERSION = 2
FLAG = '--redo-on-change'


class SettingsChanged(ValueError):
    """OUT_DIR holds videos prepared with other settings than this run's."""


def settings_record(settings) -> dict:
    """``EncodeSettings`` as the dict recorded, with the format version."""
    return dict(settings._asdict(), format_version=FORMAT_VERSION)


def output_tag(settings) -> str:
    """The record as the compact JSON written into each output file."""
    return json.dumps(settings_record(settings), sort_keys=True)


def read_output_tag(path) -> Optional[str]:
    """The record in a prepared video's ``comment`` tag, None if absent."""
    try:
        import av
        with av.open(str(path)) as container:
            return container.metadata.get('comment')
    except Exception:
        return None


def _describe(record: dict) -> str:
    return ', '.join(f'{k}={record.get(k)!r}' for k in sorted(record))


def claim_out_dir(out_dir, settings, outputs: Iterable[str],
                  redo: bool) -> None:
    """Check ``out_dir`` against this run's settings, then record them.

    The folder's record must match ``settings`` (or there must be none and
    none of this run's ``outputs`` may exist yet: their settings would be
    unknown). Otherwise raise :class:`SettingsChanged`, naming both settings
    and the flag, unless ``redo``: then the new settings are recorded and
    every output made with other settings is re-encoded (each output carries
    its own record, so an interrupted redo resumes with or without the
    flag).
    """
    path = osp.join(out_dir, RECORD_FILE)
    new = settings_record(settings)
    old = None
    if osp.exists(path):
        with open(path) as f:
            old = json.load(f).get('settings')
    if old != new and not redo:
        if old is not None:
            changed = ', '.join(f'{k} {old.get(k)!r} -> {new.get(k)!r}'
                                for k in sorted(set(old) | set(new))
                                if old.get(k) != new.get(k))
            raise SettingsChanged(
                f'{out_dir} holds videos prepared with {_describe(old)} '
                f'({path}); this run asks for {_describe(new)} ({changed}). '
                'Rerun with the recorded settings to resume, use another '
                f'OUT_DIR, or pass {FLAG} to re-encode every video with the '
                'new settings.')
        existing = [p for p in outputs if osp.exists(p)]
        if existing:
            raise SettingsChanged(
                f'{out_dir} already holds {len(existing)} of this run\'s '
                f'outputs (e.g. {existing[0]}) but no {RECORD_FILE}: they '
                'were made by an older prepare_videos.py or by something '
                f'else, with unknown settings. Pass {FLAG} to re-encode them '
                f'with {_describe(new)}, or use another OUT_DIR.')
    if old != new:
        from ..version import __version__
        os.makedirs(out_dir, exist_ok=True)
        tmp = f'{path}.tmp'
        with open(tmp, 'w') as f:
            json.dump(
                dict(
                    tool='tools/data/prepare_videos.py',
                    ascnet_mm_version=__version__,
                    settings=new),
                f,
                indent=1)
        os.replace(tmp, path)
