"""Explicit fixes for the tested stack (torch 2.x, mmengine 0.10, mmaction2
1.2).

Everything here runs once, from ``ascnet_mm/__init__.py``, *before* the first
``import mmaction.models``. Each fix is narrow and checks that it is needed:

``ensure_drn_placeholder``
    The mmaction2 1.2.0 wheel and sdist lack ``mmaction/models/localizers/drn``
    while ``localizers/__init__.py`` imports it, so ``import mmaction.models``
    fails. Where the folder is really missing we register a placeholder package
    whose ``DRN`` raises a clear error when used. A complete install is left as
    is.

``allow_mmengine_checkpoint_globals``
    torch >= 2.6 loads with ``weights_only=True``; MMEngine checkpoints carry a
    few non-tensor objects (``HistoryBuffer``, numpy scalars and dtypes, ...).
    We allow-list exactly those classes; ``weights_only`` is never turned off,
    so a checkpoint with any other object is still refused.

``explain_refused_checkpoints``
    torch's error for a checkpoint the weights-only load refuses names neither
    the file nor our allow-list and suggests ``weights_only=False``. MMEngine's
    ``CheckpointLoader`` (used by ``load_from``, ``--resume`` and
    ``init_cfg=Pretrained``) re-raises it as :class:`RefusedCheckpointError`,
    naming the file, the refused object and the allow-list.

``allow_cpu_distributed``
    MMEngine's ``pytorch`` launcher calls ``torch.cuda.set_device`` and its
    runner passes ``device_ids`` to DDP even without CUDA, so
    ``tools/dist_train.sh ... env_cfg.dist_cfg.backend=gloo`` fails on CPU.
    Without CUDA we skip the former and drop the latter for CPU modules; with
    CUDA nothing changes.

``honour_pretrained_init_cfg``
    MMAction2's ``ResNet3d`` (and its subclasses R(2+1)D, SlowOnly, ...)
    override ``init_weights`` and silently ignore
    ``init_cfg=dict(type='Pretrained')``.
    We keep their own initialisation and then apply the ``Pretrained`` entries,
    so ``backbone.init_cfg=dict(type='Pretrained', prefix='backbone.', ...)``
    works for every backbone.

``skip_sync_bn_on_cpu``
    With ``sync_bn='torch'`` in a config MMEngine's runner turns every BN
    layer into torch's ``SyncBatchNorm`` under DDP, which refuses CPU tensors
    in training, so a CPU run (gloo) fails at its first step. A model on the
    CPU keeps its BN layers, with one warning; on a GPU nothing changes.
"""
import importlib.util
import logging
import os.path as osp
import pickle
import re
import sys
import types
import warnings

__all__ = [
    'apply', 'ensure_drn_placeholder', 'allow_mmengine_checkpoint_globals',
    'honour_pretrained_init_cfg', 'explain_refused_checkpoints',
    'allow_cpu_distributed', 'skip_sync_bn_on_cpu', 'sync_bn_runs_on',
    'RefusedCheckpointError', 'SAFE_CHECKPOINT_GLOBALS'
]

_DRN_MODULE = 'mmaction.models.localizers.drn'


def _mmaction_dir():
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def ensure_drn_placeholder() -> bool:
    """Register a placeholder for the DRN localizer missing from the wheel.

    Returns:
        bool: True if the placeholder was installed, False if not needed.
    """
    if _DRN_MODULE in sys.modules:
        return False
    root = _mmaction_dir()
    if root is None or osp.isdir(
            osp.join(root, 'models', 'localizers', 'drn')):
        return False
    if 'mmaction.models' in sys.modules:
        raise ImportError(
            'mmaction.models was imported before ascnet_mm and the mmaction2 '
            f'install under {root} lacks models/localizers/drn (a known '
            'defect of the 1.2.0 wheel). Import ascnet_mm first, e.g. with '
            "custom_imports=dict(imports=['ascnet_mm']) in the config.")

    class DRN:  # noqa: D401 - placeholder
        """Placeholder: the DRN localizer is missing from this mmaction2."""

        def __init__(self, *args, **kwargs):
            raise ImportError(
                'DRN is not available: the installed mmaction2 wheel lacks '
                f'mmaction/models/localizers/drn ({root}). Install mmaction2 '
                'from its git repository to use DRN.')

    pkg = types.ModuleType(_DRN_MODULE)
    pkg.__path__ = []
    pkg.__doc__ = 'ascnet_mm placeholder for the missing DRN localizer.'
    mod = types.ModuleType(_DRN_MODULE + '.drn')
    mod.DRN = DRN
    pkg.drn = mod
    pkg.DRN = DRN
    sys.modules[_DRN_MODULE] = pkg
    sys.modules[_DRN_MODULE + '.drn'] = mod
    return True


def _safe_checkpoint_globals():
    import numpy as np
    from mmengine.logging import HistoryBuffer
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [
        type(np.dtype(t))
        for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
                  np.uint16, np.uint32, np.uint64, np.float16, np.float32,
                  np.float64, np.str_)
    ]
    import codecs
    return [
        HistoryBuffer, _reconstruct, scalar, np.ndarray, np.dtype,
        codecs.encode, (history_buffer_getattr, 'builtins.getattr')
    ] + dtype_classes


def history_buffer_getattr(obj, name):
    """``getattr`` as a checkpoint may use it: only for HistoryBuffer methods.

    ``HistoryBuffer.__getstate__`` pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; any other use is refused.
    """
    import pickle

    from mmengine.logging import HistoryBuffer
    allowed = {'min', 'max', 'current', 'mean'}
    allowed.update(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}): only HistoryBuffer '
        'statistics methods are allowed in a weights-only load')


SAFE_CHECKPOINT_GLOBALS = None


def allow_mmengine_checkpoint_globals() -> list:
    """Allow-list the classes MMEngine checkpoints contain for weights-only
    load.

    Returns:
        list: the allow-listed globals (empty on torch without safe globals).
    """
    global SAFE_CHECKPOINT_GLOBALS
    import torch
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is None:
        return []
    if SAFE_CHECKPOINT_GLOBALS is None:
        SAFE_CHECKPOINT_GLOBALS = _safe_checkpoint_globals()
        add(SAFE_CHECKPOINT_GLOBALS)
    return SAFE_CHECKPOINT_GLOBALS


class RefusedCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds an object outside the weights-only allow-list."""

    def __init__(self, filename: str, error: Exception) -> None:
        text = str(error)
        found = re.search(r'Unsupported global: GLOBAL (\S+)', text)
        if found:
            what = f'it contains {found.group(1)}, which is not allow-listed'
        else:
            found = re.search(r'WeightsUnpickler error: ([^\n]+)', text)
            what = found.group(1) if found else text.strip().split('\n')[0]
        super().__init__(
            f'refused to load checkpoint {filename}: {what}. Checkpoints are '
            'loaded with torch.load(weights_only=True) and only the classes '
            'MMEngine checkpoints contain are allow-listed '
            '(ascnet_mm.compat.SAFE_CHECKPOINT_GLOBALS); weights_only=False '
            'is never used. If you trust this file, load it yourself and '
            're-save only tensors and plain containers, or allow-list the '
            'class with torch.serialization.add_safe_globals before '
            'training.')
        self.filename = filename


def explain_refused_checkpoints() -> None:
    """Name the file and the allow-list when a checkpoint load is refused."""
    from mmengine.runner.checkpoint import CheckpointLoader
    original = CheckpointLoader.load_checkpoint.__func__
    if getattr(original, '_ascnet_mm_patched', False):
        return

    def load_checkpoint(cls, filename, map_location=None, logger='current'):
        try:
            return original(cls, filename, map_location, logger)
        except RefusedCheckpointError:
            raise
        except pickle.UnpicklingError as e:
            raise RefusedCheckpointError(filename, e) from e

    load_checkpoint._ascnet_mm_patched = True
    load_checkpoint.__doc__ = original.__doc__
    CheckpointLoader.load_checkpoint = classmethod(load_checkpoint)


def allow_cpu_distributed() -> bool:
    """Let MMEngine's ``pytorch`` launcher and DDP wrapper run without CUDA.

    Returns:
        bool: True if patched (no CUDA), False if CUDA is available.
    """
    import torch
    if torch.cuda.is_available():
        return False
    import mmengine.dist.utils as dist_utils
    from mmengine.model import MMDistributedDataParallel
    if getattr(dist_utils._init_dist_pytorch, '_ascnet_mm_patched', False):
        return True
    original_init_dist = dist_utils._init_dist_pytorch

    def _init_dist_pytorch(backend, init_backend='torch', **kwargs):
        from mmengine.device import (is_mlu_available, is_musa_available,
                                     is_npu_available)
        if (init_backend != 'torch' or is_mlu_available()
                or is_npu_available() or is_musa_available()):
            return original_init_dist(backend, init_backend, **kwargs)
        if backend == 'nccl':
            raise RuntimeError(
                'the nccl backend needs CUDA GPUs and none is available: on '
                'CPU add --cfg-options env_cfg.dist_cfg.backend=gloo')
        import torch.distributed as torch_dist
        torch_dist.init_process_group(backend=backend, **kwargs)

    original_ddp_init = MMDistributedDataParallel.__init__

    def __init__(self, module, *args, **kwargs):
        if kwargs.get('device_ids') and all(p.device.type == 'cpu'
                                            for p in module.parameters()):
            kwargs['device_ids'] = None
        original_ddp_init(self, module, *args, **kwargs)

    _init_dist_pytorch._ascnet_mm_patched = True
    __init__.__doc__ = original_ddp_init.__doc__
    dist_utils._init_dist_pytorch = _init_dist_pytorch
    MMDistributedDataParallel.__init__ = __init__
    return True


def _pretrained_cfgs(init_cfg):
    cfgs = init_cfg if isinstance(init_cfg, (list, tuple)) else [init_cfg]
    return [c for c in cfgs if c and c.get('type') == 'Pretrained']


def honour_pretrained_init_cfg() -> None:
    """Make ResNet3d-family backbones apply ``init_cfg=Pretrained``."""
    from mmaction.models.backbones.resnet3d import ResNet3d
    if getattr(ResNet3d.init_weights, '_ascnet_mm_patched', False):
        return
    original = ResNet3d.init_weights

    def init_weights(self, *args, **kwargs):
        original(self, *args, **kwargs)
        pretrained = _pretrained_cfgs(getattr(self, 'init_cfg', None))
        if pretrained:
            from mmengine.model import initialize
            initialize(self, pretrained)

    init_weights._ascnet_mm_patched = True
    init_weights.__doc__ = original.__doc__
    ResNet3d.init_weights = init_weights


def sync_bn_runs_on(device) -> bool:
    """Whether torch's ``SyncBatchNorm`` trains on tensors of ``device`` (a
    ``torch.device`` or its type): CUDA, HPU, XPU or the PrivateUse1 backend,
    as torch checks; never the CPU."""
    import torch
    return torch.device(device).type in (
        'cuda', 'hpu', 'xpu', torch._C._get_privateuse1_backend_name())


def skip_sync_bn_on_cpu() -> None:
    """Skip the runner's ``cfg.sync_bn`` conversion for a model on the
    CPU."""
    import mmengine.runner.runner as runner_module
    original = runner_module.convert_sync_batchnorm
    if getattr(original, '_ascnet_mm_patched', False):
        return

    def convert_sync_batchnorm(module, implementation='torch'):
        devices = {t.device for t in module.state_dict().values()}
        if all(sync_bn_runs_on(d) for d in devices):
            return original(module, implementation)
        from mmengine.logging import print_log
        print_log(
            f'sync_bn={implementation!r} not applied: the model is on '
            f'{sorted(map(str, devices))}, where SyncBatchNorm cannot train; '
            'its BN layers stay per-process BatchNorm.',
            logger='current',
            level=logging.WARNING)
        return module

    convert_sync_batchnorm._ascnet_mm_patched = True
    convert_sync_batchnorm.__doc__ = original.__doc__
    runner_module.convert_sync_batchnorm = convert_sync_batchnorm


_APPLIED = False


def apply() -> None:
    """Apply every fix once; safe to call many times."""
    global _APPLIED
    if _APPLIED:
        return
    ensure_drn_placeholder()
    # mmcv-lite has no compiled ops by design; its import warning is noise.
    warnings.filterwarnings(
        'ignore', message='Fail to import ``MultiScaleDeformableAttention``')
    try:
        import importlib_metadata  # noqa: F401 mmaction2 1.2 needs it
    except ImportError as e:
        raise ImportError(
            'mmaction2 1.2 imports importlib_metadata without '
            'declaring it: pip install importlib_metadata') from e
    allow_mmengine_checkpoint_globals()
    explain_refused_checkpoints()
    allow_cpu_distributed()
    honour_pretrained_init_cfg()
    skip_sync_bn_on_cpu()
    _APPLIED = True
