# ASCNet with R(2+1)D-18 (the paper lists R(2+1)D among its backbones; the
# recipe is ours): the R3D-18 recipe with (2+1)D convolutions, same 512-d
# output, so the necks are unchanged.
#   tools/dist_train.sh configs/ascnet/ascnet_r2plus1d18_k400.py 8
_base_ = ['./r18_k400.py', '../_base_/backbones/r2plus1d18.py']

model = dict(backbone=dict(_base_.r2plus1d18, _delete_=True))
