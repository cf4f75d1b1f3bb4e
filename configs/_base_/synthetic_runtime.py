# The default runtime for the short synthetic runs (ours): a checkpoint every
# 10 epochs, one kept (the last epoch's is always saved), a log line every 10
# iterations, seed 0.
_base_ = './default_runtime.py'

default_hooks = dict(
    checkpoint=dict(
        interval=10, max_keep_ckpts=1, keep_interval=0, save_last=True),
    logger=dict(interval=10))
randomness = dict(seed=0)
