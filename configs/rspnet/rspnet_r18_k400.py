# RSPNet, 3D ResNet-18, Kinetics-400, 16x112x112 (paper). Views: query at
# speed a, key at a, the key's window at the other speed (decoded once).
#   tools/dist_train.sh configs/rspnet/rspnet_r18_k400.py 8
_base_ = [
    '../_base_/models/rspnet.py', '../_base_/datasets/kinetics400_pretrain.py',
    '../_base_/schedules/sgd_cosine_200e.py', '../_base_/default_runtime.py'
]

sampler = dict(
    type='RelativeSpeedSampler',
    clip_len=_base_.clip_len,
    fast_speed=2,
    out_of_bound_opt='loop')
train_dataloader = dict(
    dataset=dict(pipeline=[
        _base_.init, sampler, _base_.decode, _base_.views, _base_.format_shape,
        _base_.view_augment, _base_.pack
    ]))
# BN: per GPU, with Shuffle-BN in the key encoder, as the authors' code (no
# SyncBN, which would make the shuffle pointless).
# Published: cosine to lr / 1000.
param_scheduler = [
    dict(
        type='CosineAnnealingLR',
        T_max=_base_.max_epochs,
        eta_min_ratio=1e-3,
        by_epoch=True,
        begin=0,
        end=_base_.max_epochs,
        convert_to_iter_based=True)
]
