_base_ = ['../backbones/r3d18.py', './ssl_data_preprocessor.py']

model = dict(
    type='CVRLRecognizer',
    backbone=_base_.backbone,
    projector=dict(type='MLPNeck', in_channels=_base_.backbone_channels,
                   hidden_channels=2048, out_channels=128, num_layers=4),
    loss=dict(type='NTXentLoss', temperature=0.1, gather=True),
    data_preprocessor=_base_.data_preprocessor)
