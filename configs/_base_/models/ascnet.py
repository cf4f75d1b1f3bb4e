# ASCNet (paper): 3D ResNet-18 -> appearance and speed projectors
# (C -> 2048 -> BN -> ReLU -> 128) and predictors (128 -> 2048 -> 128), ACP
# and SCP losses weighted 1 and 1. The EMA target (BYOL style) and the SCP
# memory bank are ours.
_base_ = ['../backbones/r3d18.py', './ssl_data_preprocessor.py']

feat_dim = 128
hidden_dim = 2048
# the two projectors and the two predictors (appearance, speed) alike
projector = dict(
    type='MLPNeck',
    in_channels=_base_.r3d18_channels,
    hidden_channels=hidden_dim,
    out_channels=feat_dim)
predictor = dict(projector, in_channels=feat_dim)
model = dict(
    type='ASCNetRecognizer',
    backbone=_base_.r3d18,
    app_projector=projector,
    app_predictor=predictor,
    speed_projector=projector,
    speed_predictor=predictor,
    # ACP averages its two directions (ours: the paper does not say; BYOL
    # sums them, reduction='sum'); None: SCP only
    acp_loss=dict(type='ACPLoss', loss_weight=1.0, reduction='mean'),
    scp_loss=dict(type='SCPLoss', loss_weight=1.0),  # None: ACP only
    momentum=0.01,  # 1 - tau: tau rises 0.99 -> 1.0 (cosine; ours)
    end_momentum=0.0,  # momentum=None: stop-gradient siamese target
    bank_size=4096,  # 0 disables the SCP memory bank (ours)
    data_preprocessor=_base_.data_preprocessor)
