# Finetune protocol on the synthetic set (ours): the narrow R3D-18 with a new
# linear head, all layers trained, 10 epochs. Not run directly: the entry
# configs configs/<method>/benchmarks/<method>_r18-w16_finetune_synthetic.py
# set the checkpoint (init_cfg.checkpoint).
_base_ = [
    '../models/r18-w16_recognizer.py', '../datasets/synthetic_cls.py',
    '../schedules/synthetic_finetune.py', '../synthetic_runtime.py'
]
