# Runtime of the pretraining configs: stock runtime + checkpoints every 10
# epochs (EMA targets, banks and queues are buffers/submodules: they are saved).
_base_ = './default_runtime.py'

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=3,
                    save_best=None),
    logger=dict(type='LoggerHook', interval=50))
