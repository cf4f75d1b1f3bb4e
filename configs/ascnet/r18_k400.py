# ASCNet, 3D ResNet-18, Kinetics-400, 16x112x112, 2 views at speeds {1, 2}
# (paper).
#   tools/dist_train.sh configs/ascnet/r18_k400.py 8
_base_ = [
    '../_base_/models/ascnet.py', '../_base_/datasets/kinetics400_pretrain.py',
    '../_base_/schedules/sgd_cosine_200e.py', '../_base_/default_runtime.py'
]

sampler = dict(
    type='SpeedPairSampler',
    clip_len=_base_.clip_len,
    speeds=(1, 2),
    num_views=2,
    # ours: each view its own window and augmentation (the paper does not
    # say); True cuts both from one window, augmented once (RSPNet's code)
    window_augment=False,
    out_of_bound_opt='loop')
# device_crop (the dataset base): colour on the device, as the crop
model = dict(
    data_preprocessor=dict(
        augment=_base_.view_augment if _base_.device_crop else None))
steps = dict(_base_.train_steps, sampler=sampler)
train_dataloader = dict(
    dataset=dict(pipeline=[
        t for t in steps.values() if t['type'] not in _base_.cpu_only_steps
    ]))
# SyncBN under DDP (ours, METHOD.md; the paper is silent): the BN layers of
# backbone, projectors and predictors see the global batch. On the CPU, where
# torch's SyncBatchNorm cannot run, the model keeps BN (ascnet_mm.compat).
sync_bn = 'torch'
