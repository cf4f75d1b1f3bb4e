# The built-in synthetic set (`python tools/data/make_synthetic.py --out
# data/synthetic`): 64x64 videos, views of 8 frames at 32x32 (ours).
_base_ = ['./kinetics400_pretrain.py']

data_root = 'data/synthetic/videos'
ann_file = 'data/synthetic/pretrain.txt'
clip_len = 8
crop_size = 32
views = dict(
    type='MultiViewTransforms',
    transforms=[
        dict(
            type='RandomResizedCrop',
            area_range=(0.3, 1.0),
            aspect_ratio_range=(3 / 4, 4 / 3)),
        dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    ])
# The synthetic labels are motion directions: a horizontal flip turns
# move_left into move_right and cw into ccw, so no flips here.
view_augment = dict(_base_.view_augment, flip_prob=0.0)
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(ann_file=ann_file, data_prefix=dict(video=data_root)))
