# RSPNet (paper and authors' code): 3D ResNet-18 -> linear appearance and
# speed heads (128-d, L2-normalised), a momentum key encoder (m = 0.999) with a
# queue of 16384 keys; A-VID InfoNCE (t 0.07) and RSP margin loss (margin 2,
# t 0.07), weights 1 and 1; Shuffle-BN in the key encoder (authors' code).
_base_ = ['../backbones/r3d18.py', './ssl_data_preprocessor.py']

# the appearance and the speed head alike
head = dict(
    type='MLPNeck',
    in_channels=_base_.r3d18_channels,
    out_channels=128,
    num_layers=1,
    l2_norm=True)
model = dict(
    type='RSPNetRecognizer',
    backbone=_base_.r3d18,
    app_head=head,
    speed_head=head,
    avid_loss=dict(type='InfoNCELoss', temperature=0.07, loss_weight=1.0),
    rsp_loss=dict(
        type='RSPMarginLoss', margin=2.0, temperature=0.07, loss_weight=1.0),
    momentum=0.001,  # key encoder m = 0.999
    queue_size=16384,
    shuffle_bn=True,
    # the key encoder's two passes (same speed, other speed), BatchNorm
    # statistics per pass (authors' code); 1: one pass over both
    key_passes=2,
    # ours: an empty, masked queue; 'random': random unit vectors (authors'
    # code); the same once queue_size / global batch steps have filled it
    queue_init='empty',
    data_preprocessor=_base_.data_preprocessor)
