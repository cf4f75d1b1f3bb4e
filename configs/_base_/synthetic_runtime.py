_base_ = './default_runtime.py'

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1,
                    save_last=True, save_best=None),
    logger=dict(type='LoggerHook', interval=10))
# Count the videos VideoListDataset skipped as unreadable; save and restore
# every random generator's state with the checkpoints (exact resume).
custom_hooks = [dict(type='SkippedVideosHook'), dict(type='RNGStateHook')]
randomness = dict(seed=0)
