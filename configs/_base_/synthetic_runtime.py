# The default runtime for the short synthetic runs (ours): one checkpoint
# kept (the last epoch's is always saved), a log line every 10 iterations,
# seed 0.
_base_ = './default_runtime.py'

default_hooks = dict(
    checkpoint=dict(max_keep_ckpts=1, save_last=True),
    logger=dict(interval=10))
randomness = dict(seed=0)
