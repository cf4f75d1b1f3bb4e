# CVRL (paper and official code): 3D ResNet-18 -> 3 x (Linear 2048, BN, ReLU)
# -> Linear 128, NT-Xent with temperature 0.1 and negatives gathered across
# GPUs, summed over its two directions (twice our mean, as
# tensorflow/models official/projects/video_ssl/losses/losses.py). Head BN
# momentum 0.997 in TensorFlow's convention = PyTorch momentum 0.003
# (official/projects/video_ssl/configs/video_ssl.py).
_base_ = ['../backbones/r3d18.py', './ssl_data_preprocessor.py']

model = dict(
    type='CVRLRecognizer',
    backbone=_base_.r3d18,
    projector=dict(
        type='MLPNeck',
        in_channels=_base_.r3d18_channels,
        hidden_channels=2048,
        out_channels=128,
        num_layers=4,
        norm_cfg=dict(type='BN1d', momentum=0.003)),
    loss=dict(
        type='NTXentLoss', temperature=0.1, gather=True, sum_directions=True),
    data_preprocessor=_base_.data_preprocessor)
# CVRL's views (paper): two clips at stride 2 whose start gap has the
# density 1 - (d / M) ** power; a config adds its dataset's clip_len.
cvrl_sampler = dict(
    type='TemporalIntervalSampler', frame_interval=2, power=1.0, num_views=2)
