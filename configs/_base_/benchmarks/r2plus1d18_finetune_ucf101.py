# Finetune R(2+1)D-18 on UCF-101 (MMAction2's ResNet2Plus1d): the R3D-18
# recipe with (2+1)D convolutions.
_base_ = ['./r18_finetune_ucf101.py', '../backbones/r2plus1d18.py']

model = dict(
    backbone=dict(
        _base_.r2plus1d18,
        _delete_=True,
        init_cfg=_base_.model.backbone.init_cfg))
