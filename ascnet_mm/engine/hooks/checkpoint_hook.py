"""MMEngine's CheckpointHook with checkpoints that a kill cannot lose."""
import errno
import os
import os.path as osp
import shutil
from typing import List

import torch
from mmaction.registry import HOOKS
from mmengine.dist import all_reduce, broadcast_object_list, is_main_process
from mmengine.hooks import CheckpointHook as MMEngineCheckpointHook
from mmengine.model import is_model_wrapper

from ...utils.sizes import human_bytes
from ..checkpoint_io import (LAST_CHECKPOINT, NON_FINITE_ADVICE,
                             NoReadableCheckpointError, atomic_write,
                             describe_last_checkpoint, find_resume_checkpoint,
                             inject_fault, read_last_checkpoint,
                             remove_partial_files)
from ..checkpoint_space import checkpoint_files_at_peak, space_shortfall

# MessageHub info: the files the checkpoint being written replaces, deleted
# after it is complete (again on resume, if a kill came in between).
SUPERSEDED = 'superseded_ckpts'
ATOMIC_LOCAL = dict(backend='atomic_local')


class NonFiniteCheckpointError(RuntimeError):
    """A checkpoint would have saved NaN or infinite weights."""


class CheckpointDiskFullError(OSError):
    """A checkpoint could not be written because its disk is full."""


class _DeferredRemoval:
    """A file backend whose ``remove``/``rmtree`` only note the path."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.paths: List[str] = []

    def __getattr__(self, name):
        return getattr(self._backend, name)

    def remove(self, path) -> None:
        self.paths.append(path)

    rmtree = remove


@HOOKS.register_module(name='CheckpointHook')
class CheckpointHook(MMEngineCheckpointHook):
    """Same arguments and files as MMEngine's, written so that a kill at any
    moment leaves every checkpoint either absent or complete.

    Registered in MMAction2's HOOKS as ``CheckpointHook``: configs run with
    ``default_scope='mmaction'``, whose registry is searched before
    MMEngine's, so every config that names ``CheckpointHook`` and imports
    ``ascnet_mm`` gets this one. Differences:

    - a local checkpoint is written to ``.NAME.tmp`` in the same folder,
      fsynced, renamed to ``NAME`` and the folder fsynced
      (``atomic_local`` backend); then ``last_checkpoint`` is replaced the
      same way; only then are the checkpoints that ``max_keep_ckpts`` or a
      better ``save_best`` retire deleted (MMEngine deletes first). The
      retired paths are recorded in the new checkpoint, and deleted on
      resume if a kill came before;
    - a checkpoint whose ``state_dict`` holds a NaN or infinite floating
      tensor is refused (:class:`NonFiniteCheckpointError`, on every rank);
    - after the run's first save, a warning if the disk's free space cannot
      take the checkpoints the run will keep (counted from that file's
      size); a save that fails on a full disk raises
      :class:`CheckpointDiskFullError` saying so;
    - automatic resume (``resume=True`` without a path): in ``before_run``,
      which runs before ``Runner.load_or_resume``, an unreadable latest
      checkpoint (missing, empty, truncated, not a zip) is skipped with a
      warning naming it, and ``last_checkpoint`` is pointed at the newest
      readable one; if checkpoints exist but none can be read, training
      stops with :class:`NoReadableCheckpointError` listing them.
      Temporary files a kill left are deleted.

    Tests kill the process at each step of a save through
    ``checkpoint_io.fault_injection``.

    One argument MMEngine's lacks: ``keep_interval`` (same unit as
    ``interval``; default 0: off). A checkpoint whose step is a multiple of
    it is never retired and does not count towards ``max_keep_ckpts``
    (which keeps that many of the others), as the ``checkpoint_interval``
    of RSPNet's ``CheckpointManager`` (``PeihaoChen/RSPNet:
    framework/utils/checkpoint.py``): with ``interval=1`` a kill loses at
    most one epoch, and the run still keeps one checkpoint every
    ``keep_interval`` epochs.
    """

    def __init__(self, *args, keep_interval: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not isinstance(keep_interval, int) or keep_interval < 0:
            raise ValueError('CheckpointHook: keep_interval must be an '
                             f'integer >= 0, got {keep_interval!r}')
        self.keep_interval = keep_interval
        self._space_checked = False

    def _kept_for_good(self, step: int) -> bool:
        """Whether ``keep_interval`` keeps the checkpoint of ``step``."""
        return bool(self.keep_interval) and step % self.keep_interval == 0

    def _checkpoint_dir(self, runner) -> str:
        """``out_dir`` as MMEngine's ``before_train`` resolves it."""
        if self.out_dir is None or self.out_dir == runner.work_dir:
            return runner.work_dir
        return osp.join(
            str(self.out_dir), osp.basename(runner.work_dir.rstrip(osp.sep)))

    def _is_local(self, runner) -> bool:
        return (self.backend_args in (None, ATOMIC_LOCAL)
                and self.file_client_args is None
                and '://' not in self._checkpoint_dir(runner))

    # ----------------------------------------------------------- run start
    def before_run(self, runner) -> None:
        """Delete partial files; pick a readable checkpoint to resume."""
        if not self._is_local(runner):
            return
        # the test of Runner.load_or_resume (MMEngine 0.10's attributes)
        auto_resume = runner._resume and runner._load_from is None
        ckpt_dir = self._checkpoint_dir(runner)
        result = [None, [], None]  # path, warnings, error
        if is_main_process():
            for folder in {ckpt_dir, runner.work_dir}:
                for path in remove_partial_files(folder):
                    runner.logger.warning(
                        f'deleted {path}, a checkpoint write that did not '
                        'finish')
            if auto_resume:
                result = self._pick_resume_checkpoint(runner, ckpt_dir)
        if auto_resume:
            broadcast_object_list(result)
            _, notes, error = result
            if error:
                raise NoReadableCheckpointError(error)
            for note in notes:
                runner.logger.warning(note)

    def _pick_resume_checkpoint(self, runner, ckpt_dir: str) -> list:
        try:
            path, notes = find_resume_checkpoint(runner.work_dir, ckpt_dir,
                                                 self.filename_tmpl)
        except NoReadableCheckpointError as e:
            return [None, [], str(e)]
        record = osp.join(runner.work_dir, LAST_CHECKPOINT)
        if path is not None and notes:  # not the one last_checkpoint named
            atomic_write(record, path)
        elif path is None and osp.isfile(record):
            os.remove(record)  # empty, and no checkpoint at all: start anew
        return [path, notes, None]

    def before_train(self, runner) -> None:
        if self._is_local(runner):
            self.backend_args = dict(ATOMIC_LOCAL)
        super().before_train(runner)
        superseded = runner.message_hub.get_info(SUPERSEDED) or []
        if runner.iter and superseded and is_main_process():
            # a kill came between the new checkpoint and the deletion
            for path in self._remove(superseded):
                runner.logger.warning(
                    f'deleted {path}, which the resumed checkpoint replaced')

    # -------------------------------------------------------------- saving
    def _check_finite(self, runner, name: str) -> None:
        """Refuse (on every rank) to save non-finite weights or buffers."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        state = {
            k: v
            for k, v in model.state_dict().items()
            if torch.is_tensor(v) and v.is_floating_point()
        }
        if not state:
            return
        finite = torch.stack([torch.isfinite(v).all()
                              for v in state.values()]).cpu()
        bad = torch.tensor(int(not finite.all()))
        all_reduce(bad, op='max')
        if not bad:
            return
        names = [k for k, ok in zip(state, finite.tolist()) if not ok]
        shown = ', '.join(names[:5]) + (', ...' if len(names) > 5 else '')
        last = runner.message_hub.get_info('last_ckpt')
        raise NonFiniteCheckpointError(
            f'refusing to save {name}: {len(names) or "no"} tensors of the '
            f'state_dict on this process hold NaN or infinite values '
            f'({shown or "on another process"}). '
            f'{describe_last_checkpoint(last)} {NON_FINITE_ADVICE}')

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        """MMEngine's bookkeeping, reordered: write (atomically), update
        ``last_checkpoint`` (atomically), then delete retired checkpoints."""
        filename = self.filename_tmpl.format(step)
        self._check_finite(runner, filename)
        retired = []
        # keep_ckpt_ids: the checkpoints max_keep_ckpts may retire
        if self.max_keep_ckpts > 0 and not self._kept_for_good(step) and not (
                self.keep_ckpt_ids and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                retired.append(
                    self.file_backend.join_path(
                        self.out_dir,
                        self.filename_tmpl.format(
                            self.keep_ckpt_ids.popleft())))
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        runner.message_hub.update_info(SUPERSEDED, retired)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        try:
            runner.save_checkpoint(
                self.out_dir,
                filename,
                self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta,
                by_epoch=self.by_epoch,
                backend_args=self.backend_args,
                **self.args)
        except (OSError, RuntimeError) as e:
            self._raise_if_disk_full(runner, e)
            raise
        if not is_main_process():
            return
        atomic_write(
            osp.join(runner.work_dir, LAST_CHECKPOINT), self.last_ckpt)
        self._check_space(runner)
        inject_fault('before_remove', self.last_ckpt)
        self._remove(retired)
        runner.message_hub.update_info(SUPERSEDED, [])
        inject_fault('after_remove', self.last_ckpt)

    def _check_space(self, runner) -> None:
        """Once per run, after its first save: warn if the disk cannot take
        the checkpoints the run will keep."""
        if self._space_checked or not self._is_local(runner):
            return
        self._space_checked = True
        files = checkpoint_files_at_peak(
            runner.max_epochs if self.by_epoch else runner.max_iters,
            self.interval, self.max_keep_ckpts, self.keep_interval,
            self.save_last, self.save_begin, bool(self.save_best))
        note = space_shortfall(self.out_dir, self.filename_tmpl,
                               osp.getsize(self.last_ckpt), files)
        if note:
            runner.logger.warning(note)

    def _raise_if_disk_full(self, runner, error: Exception) -> None:
        """Raise :class:`CheckpointDiskFullError` if the save failed for
        want of space: ``ENOSPC`` from the file backend, or any error while
        the disk has less room than the last checkpoint took (``torch.save``
        writing to a file says only ``PytorchStreamWriter failed writing
        file``)."""
        if not self._is_local(runner):
            return
        free = shutil.disk_usage(self.out_dir).free
        previous = read_last_checkpoint(runner.work_dir)
        size = osp.getsize(previous) if previous and osp.isfile(
            previous) else 0
        if getattr(error, 'errno', None) != errno.ENOSPC and free > size:
            return
        raise CheckpointDiskFullError(
            errno.ENOSPC,
            f'writing {self.last_ckpt} failed ({type(error).__name__}: '
            f'{error}) and {self.out_dir} has {human_bytes(free)} free: the '
            f'disk is full. {describe_last_checkpoint(previous)} Free space, '
            'then resume with --resume.') from error

    def _save_best_checkpoint(self, runner, metrics) -> None:
        """MMEngine's, with the previous best deleted after the new one is
        complete rather than before."""
        if not self.save_best:
            return
        self._check_finite(runner, 'the best checkpoint')
        backend, deferred = self.file_backend, _DeferredRemoval(
            self.file_backend)
        self.file_backend = deferred
        try:
            super()._save_best_checkpoint(runner, metrics)
        finally:
            self.file_backend = backend
        self._remove(deferred.paths)

    def _remove(self, paths) -> List[str]:
        """Delete retired checkpoints (never the current last or best)."""
        keep = {self.last_ckpt, getattr(self, 'best_ckpt_path', None)}
        keep.update((getattr(self, 'best_ckpt_path_dict', None)
                     or {}).values())
        removed = []
        for path in paths:
            if path in keep:
                continue
            if self.file_backend.isfile(path):
                self.file_backend.remove(path)
            elif self.file_backend.isdir(path):
                self.file_backend.rmtree(path)  # deepspeed checkpoints
            else:
                continue
            removed.append(path)
        return removed
