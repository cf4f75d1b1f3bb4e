# Kinetics-400 pretraining data: an unlabelled list (labels, if present, are
# unused). A method config fills in its view sampler (and its own views or
# view_augment where they differ) in `train_steps`:
#   [init, <sampler>, decode, views, format_shape, view_augment, pack]
# and drops cpu_only_steps: on the device path (device_crop below)
# format_shape and view_augment, whose settings go to the model's
# SSLDataPreprocessor(augment=...); `views` is made of short_side,
# random_crop, crop_resize either way. Sizes and augmentation follow the
# papers (16x112x112 for R3D-18). The sampler's view_groups say which views
# share crop, flip and colour (window mode).
dataset_type = 'VideoListDataset'
data_root = 'data/kinetics400/videos_train'
ann_file = 'data/kinetics400/kinetics400_train_list_videos.txt'
clip_len = 16
crop_size = 112

# Decoder: 'Decord' (default) or 'TorchCodec' (PyTorch's FFmpeg decoder, pip
# install "ascnet-mm[torchcodec]"; it decodes widths decord 0.6 fails on).
# Set it here: the steps below are resolved when this file is read.
decoder = 'Decord'
init = dict(type=f'{decoder}Init')
decode = dict(type=f'{decoder}Decode')  # one read of all views' frames
short_side = dict(type='Resize', scale=(-1, 128))
random_crop = dict(
    type='RandomResizedCrop',
    area_range=(0.2, 1.0),
    aspect_ratio_range=(3 / 4, 4 / 3))
crop_resize = dict(
    type='Resize', scale=(crop_size, crop_size), keep_ratio=False)
# Where the views are cut. True (device-side crop): the workers decode the
# unique frames once and draw each view's crop box (DeviceCropViews); the
# model's SSLDataPreprocessor cuts, resizes, flips and colours every view of
# the batch on the device (docs/design.md). False: MultiViewTransforms,
# FormatShape and ViewAugment in the workers (the synthetic configs' path).
# Set it here: the steps below are resolved when this file is read.
device_crop = True
views = dict(
    type='DeviceCropViews' if device_crop else 'MultiViewTransforms',
    transforms=[short_side, random_crop, crop_resize])
# the S3D-G configs' sizes (RSPNet's S3D-G recipe): 224x224 crops of frames
# with a short side of 256
s3dg_short_side = dict(short_side, scale=(-1, 256))
s3dg_crop_resize = dict(crop_resize, scale=(224, 224))
# the steps a method config's pipeline leaves out on the device path
cpu_only_steps = ('FormatShape', 'ViewAugment') if device_crop else ()
format_shape = dict(type='FormatShape', input_format='NCTHW')
view_augment = dict(
    type='ViewAugment',
    flip_prob=0.5,
    jitter_prob=0.8,
    brightness=0.4,
    contrast=0.4,
    saturation=0.4,
    hue=0.1,
    grayscale_prob=0.2)
# (DeviceCropViews' keys view_frames, view_boxes and crop_size exist only
# on the device path)
pack = dict(
    type='PackActionInputs',
    meta_keys=('view_speeds', 'video_idx', 'view_groups', 'view_frames',
               'view_boxes', 'crop_size'))
# the pipeline's steps in order, by name (sampler: the method's)
train_steps = {
    'init': init,
    'sampler': None,
    'decode': decode,
    'views': views,
    'format_shape': format_shape,
    'view_augment': view_augment,
    'pack': pack
}
train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        ann_file=ann_file,
        data_prefix=dict(video=data_root),
        pipeline=[]))  # set by the method config
