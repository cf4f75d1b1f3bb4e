# MMAction2's stock runtime + this plugin's registration and hooks, with the
# pretraining checkpoints (ours): every 10 epochs, the last 3 kept (EMA
# targets, banks and queues are buffers/submodules: they are saved).
_base_ = 'mmaction::_base_/default_runtime.py'

custom_imports = dict(imports=['ascnet_mm'], allow_failed_imports=False)
default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook', interval=10, max_keep_ckpts=3, save_best=None),
    logger=dict(type='LoggerHook', interval=50),
    # A checkpoint given by load_from or a backbone's init_cfg=Pretrained
    # must hold every backbone tensor, with its shape, before anything is
    # loaded (--cfg-options default_hooks.strict_load.allow_partial=True
    # loads only the tensors that fit).
    strict_load=dict(type='StrictLoadHook'))
# Count the videos VideoListDataset skipped as unreadable; save and restore
# every random generator's state with the checkpoints (exact resume).
custom_hooks = [dict(type='SkippedVideosHook'), dict(type='RNGStateHook')]
