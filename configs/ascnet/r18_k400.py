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
    out_of_bound_opt='loop')
train_dataloader = dict(
    dataset=dict(pipeline=[
        _base_.init, sampler, _base_.decode, _base_.views, _base_.format_shape,
        _base_.view_augment, _base_.pack
    ]))
# SyncBN under DDP (ours, METHOD.md; the paper is silent): the BN layers of
# backbone, projectors and predictors see the global batch. On the CPU, where
# torch's SyncBatchNorm cannot run, the model keeps BN (ascnet_mm.compat).
sync_bn = 'torch'
