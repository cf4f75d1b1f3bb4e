"""Explicit fixes for the tested stack (torch 2.x, mmengine 0.10, mmaction2 1.2).

Everything here runs once, from ``ascnet_mm/__init__.py``, *before* the first
``import mmaction.models``. Each fix is narrow and checks that it is needed:

``ensure_drn_placeholder``
    The mmaction2 1.2.0 wheel and sdist lack ``mmaction/models/localizers/drn``
    while ``localizers/__init__.py`` imports it, so ``import mmaction.models``
    fails. Where the folder is really missing we register a placeholder package
    whose ``DRN`` raises a clear error when used. A complete install is left as is.

``allow_mmengine_checkpoint_globals``
    torch >= 2.6 loads with ``weights_only=True``; MMEngine checkpoints carry a
    few non-tensor objects (``HistoryBuffer``, numpy scalars and dtypes, ...). We
    allow-list exactly those classes; ``weights_only`` is never turned off, so a
    checkpoint with any other object is still refused.

``honour_pretrained_init_cfg``
    MMAction2's ``ResNet3d`` (and its subclasses R(2+1)D, SlowOnly, ...) override
    ``init_weights`` and silently ignore ``init_cfg=dict(type='Pretrained')``.
    We keep their own initialisation and then apply the ``Pretrained`` entries,
    so ``backbone.init_cfg=dict(type='Pretrained', prefix='backbone.', ...)``
    works for every backbone.
"""
import importlib.util
import os.path as osp
import sys
import types
import warnings

__all__ = [
    'apply', 'ensure_drn_placeholder', 'allow_mmengine_checkpoint_globals',
    'honour_pretrained_init_cfg', 'SAFE_CHECKPOINT_GLOBALS'
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
    if root is None or osp.isdir(osp.join(root, 'models', 'localizers',
                                          'drn')):
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
    dtype_classes = [type(np.dtype(t)) for t in (
        np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
        np.uint16, np.uint32, np.uint64, np.float16, np.float32,
        np.float64, np.str_)]
    import codecs
    return [HistoryBuffer, _reconstruct, scalar, np.ndarray, np.dtype,
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
    """Allow-list the classes MMEngine checkpoints contain for weights-only load.

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
        raise ImportError('mmaction2 1.2 imports importlib_metadata without '
                          'declaring it: pip install importlib_metadata') from e
    allow_mmengine_checkpoint_globals()
    honour_pretrained_init_cfg()
    _APPLIED = True
