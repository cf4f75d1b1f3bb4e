# The published "3D ResNet-18" of RSPNet and ASCNet: 3D-ResNets-PyTorch's
# layout (Hara et al.; RSPNet's models/resnet.py is a copy of it), registered
# by ascnet_mm as ResNet3dHara: 7x7x7 stem (spatial stride 2), 3x3x3 max-pool
# with stride 2, stride 2 in time and space in stages 2-4, shortcut type B.
# 16x112x112 -> 512x1x4x4. Checkpoints of the layout used before
# (1x7x7 maps) need r3d18_mmaction.py.
r3d18 = dict(type='ResNet3dHara', depth=18, norm_eval=False)
r3d18_channels = 512
