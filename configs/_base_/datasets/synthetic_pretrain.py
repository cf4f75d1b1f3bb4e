# The built-in synthetic set (`python tools/data/make_synthetic.py --out
# data/synthetic`): 64x64 videos, views of 8 frames at 32x32 (ours).
_base_ = ['./kinetics400_pretrain.py']

data_root = 'data/synthetic/videos'
ann_file = 'data/synthetic/pretrain.txt'
clip_len = 8
crop_size = 32
random_crop = dict(_base_.random_crop, area_range=(0.3, 1.0))
crop_resize = dict(_base_.crop_resize, scale=(crop_size, crop_size))
device_crop = False  # crop, resize and colour in the workers
cpu_only_steps = ()
views = dict(type='MultiViewTransforms', transforms=[random_crop, crop_resize])
# The synthetic labels are motion directions: a horizontal flip turns
# move_left into move_right and cw into ccw, so no flips here.
view_augment = dict(_base_.view_augment, flip_prob=0.0)
train_steps = dict(_base_.train_steps, views=views, view_augment=view_augment)
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(ann_file=ann_file, data_prefix=dict(video=data_root)))
