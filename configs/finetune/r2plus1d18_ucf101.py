# Finetune R(2+1)D-18 on UCF-101 (MMAction2's ResNet2Plus1d).
_base_ = ['./r18_ucf101.py']

model = dict(
    backbone=dict(
        type='ResNet2Plus1d',
        conv_cfg=dict(type='Conv2plus1d'),
        norm_cfg=dict(type='BN3d', requires_grad=True, eps=1e-3),
        init_cfg=dict(checkpoint='work_dirs/r2plus1d18_k400/epoch_200.pth')))
