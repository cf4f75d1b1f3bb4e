_base_ = './default_runtime.py'

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=1,
                    save_last=True, save_best=None),
    logger=dict(type='LoggerHook', interval=10))
randomness = dict(seed=0)
