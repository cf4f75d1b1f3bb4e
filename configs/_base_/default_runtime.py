# MMAction2's stock runtime + this plugin's registration and hooks, with the
# pretraining checkpoints as RSPNet's code keeps them (PeihaoChen/RSPNet:
# framework/utils/checkpoint.py, checkpoint_interval 50 in
# config/pretrain/moco-train-base.jsonnet): one every epoch, so a kill loses
# at most an epoch, and every 50th kept for good (keep_interval); of the
# others the last 2 are kept (ours: a spare for --resume to fall back on).
# EMA targets, banks and queues are buffers/submodules: they are saved.
# 'CheckpointHook' is ascnet_mm's (registered in MMAction2's HOOKS under
# MMEngine's name): atomic writes, old checkpoints deleted only after the new
# one is complete, non-finite weights refused, unreadable ones skipped on
# --resume (docs/reliability.md).
_base_ = 'mmaction::_base_/default_runtime.py'

custom_imports = dict(imports=['ascnet_mm'], allow_failed_imports=False)
default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook',
        interval=1,
        max_keep_ckpts=2,
        keep_interval=50,
        save_best=None),
    logger=dict(type='LoggerHook', interval=50),
    # A checkpoint given by load_from or a backbone's init_cfg=Pretrained
    # must hold every backbone tensor, with its shape, before anything is
    # loaded (--cfg-options default_hooks.strict_load.allow_partial=True
    # loads only the tensors that fit).
    strict_load=dict(type='StrictLoadHook'))
# Count the videos VideoListDataset skipped as unreadable; save and restore
# every random generator's state with the checkpoints (exact resume); stop
# at the first NaN or infinite loss (mode='skip' skips such steps a few
# times first); record the run's layout (processes, batch, iterations per
# epoch) in checkpoints and refuse a resume that changes the global batch;
# stop a run that has made no progress for 30 min (ours), printing every
# thread's stack, instead of letting it hang for days.
custom_hooks = [
    dict(type='SkippedVideosHook'),
    dict(type='RNGStateHook'),
    dict(type='FiniteLossHook', mode='stop'),
    dict(type='RunLayoutHook'),
    dict(type='StallWatchdogHook', timeout=1800)
]
