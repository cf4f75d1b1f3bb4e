"""Every checkpoint MMEngine loads is read with ``weights_only=True``,
passed explicitly.

MMEngine's ``CheckpointLoader`` schemes call ``torch.load`` without
``weights_only``, so ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` in the
environment turns arbitrary unpickling back on, and its URL schemes go
through ``torch.hub.load_state_dict_from_url``, whose default is
``weights_only=False``. :func:`enforce_weights_only` registers a loader that
passes ``weights_only=True`` for every scheme (local files, ``http(s)://``,
``torchvision://``, ``open-mmlab://``, ``mmcls://``, ``s3://`` /
``petrel://``) and makes ``CheckpointLoader.load_checkpoint`` refuse any
other loader (``pavi://``, or a scheme registered later by someone else).
``load_from``, ``--resume`` and ``init_cfg=Pretrained`` all load through it.
"""
import io
import os
import os.path as osp
import pickle
import zipfile

import torch
from mmengine.dist import get_dist_info
from mmengine.fileio import get_file_backend
from mmengine.runner import checkpoint as mmengine_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader

from ..compat import RefusedCheckpointError


def load_weights_only(file, map_location=None, mmap: bool = False):
    """``torch.load(file, weights_only=True)``; a refusal names the file.

    Args:
        file (str | file-like): the checkpoint.
        map_location: as for ``torch.load``.
        mmap (bool): memory-map a local zip-format file (tensors are read
            only when touched; older formats load as usual).
    """
    mmap = mmap and isinstance(file, str) and zipfile.is_zipfile(file)
    try:
        return torch.load(
            file, map_location=map_location, weights_only=True, mmap=mmap)
    except RefusedCheckpointError:
        raise
    except pickle.UnpicklingError as e:
        name = file if isinstance(file, str) else getattr(file, 'name', file)
        raise RefusedCheckpointError(name, e) from e


def load_from_local(filename, map_location=None):
    """A local file (``~`` expanded)."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return load_weights_only(filename, map_location)


def load_from_http(filename,
                   map_location=None,
                   model_dir=None,
                   progress=os.isatty(0)):
    """A URL, downloaded to torch's hub cache (local rank 0 first)."""

    def fetch():
        return torch.hub.load_state_dict_from_url(
            filename,
            model_dir=model_dir,
            map_location=map_location,
            progress=progress,
            weights_only=True)

    rank, world_size = get_dist_info()
    if rank == 0:
        checkpoint = fetch()
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            checkpoint = fetch()
    return checkpoint


def load_from_torchvision(filename, map_location=None):
    """``torchvision://NAME`` (or ``modelzoo://NAME``): torchvision's URL."""
    urls = mmengine_checkpoint.get_torchvision_models()
    return load_from_http(urls[filename.split('://', 1)[1]], map_location)


def load_from_openmmlab(filename, map_location=None):
    """``open-mmlab://NAME``: MMEngine's model zoo, a URL or a file under
    MMEngine's home."""
    name = filename.split('://', 1)[1]
    name = mmengine_checkpoint.get_deprecated_model_names().get(name, name)
    url = mmengine_checkpoint.get_external_models()[name]
    if url.startswith(('http://', 'https://')):
        return load_from_http(url, map_location)
    home = mmengine_checkpoint._get_mmengine_home()
    return load_from_local(osp.join(home, url), map_location)


def load_from_mmcls(filename, map_location=None):
    """``mmcls://NAME``: an MMClassification checkpoint, keys renamed."""
    url = mmengine_checkpoint.get_mmcls_models()[filename.split('://', 1)[1]]
    return mmengine_checkpoint._process_mmcls_checkpoint(
        load_from_http(url, map_location))


def load_from_ceph(filename, map_location=None, backend='petrel'):
    """``s3://`` or ``petrel://``, read through MMEngine's file backend."""
    file_backend = get_file_backend(
        filename, backend_args={'backend': backend})
    with io.BytesIO(file_backend.get(filename)) as buffer:
        checkpoint = load_weights_only(buffer, map_location)
    return checkpoint


WEIGHTS_ONLY_LOADERS = {
    '': load_from_local,
    ('http://', 'https://'): load_from_http,
    ('modelzoo://', 'torchvision://'): load_from_torchvision,
    ('open-mmlab://', 'openmmlab://'): load_from_openmmlab,
    'mmcls://': load_from_mmcls,
    (r'(\S+\:)?s3://', r'(\S+\:)?petrel://'): load_from_ceph,
}


def enforce_weights_only() -> None:
    """Register :data:`WEIGHTS_ONLY_LOADERS` and let ``CheckpointLoader``
    use no other loader; a refused unpickling raises
    :class:`RefusedCheckpointError` naming the file. Safe to call again."""
    for prefixes, loader in WEIGHTS_ONLY_LOADERS.items():
        CheckpointLoader.register_scheme(prefixes, loader, force=True)
    original = CheckpointLoader.load_checkpoint.__func__
    if getattr(original, '_ascnet_mm_patched', False):
        return
    allowed = set(WEIGHTS_ONLY_LOADERS.values())

    def load_checkpoint(cls, filename, map_location=None, logger='current'):
        loader = cls._get_checkpoint_loader(filename)
        if loader not in allowed:
            raise RuntimeError(
                f'refused to load checkpoint {filename}: its scheme is read '
                f'by {loader.__module__}.{loader.__name__}, which is not one '
                'of the weights-only loaders of ascnet_mm.checkpoint.'
                'weights_only (every checkpoint is loaded with torch.load('
                'weights_only=True)). Download the file and give its local '
                'path.')
        try:
            return original(cls, filename, map_location, logger)
        except RefusedCheckpointError:
            raise
        except pickle.UnpicklingError as e:
            raise RefusedCheckpointError(filename, e) from e

    load_checkpoint._ascnet_mm_patched = True
    load_checkpoint.__doc__ = original.__doc__
    CheckpointLoader.load_checkpoint = classmethod(load_checkpoint)
