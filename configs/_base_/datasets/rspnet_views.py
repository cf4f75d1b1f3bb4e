# RSPNet's views as the authors' code makes them (PeihaoChen/RSPNet:
# datasets/classification/__init__.py, DataLoaderFactoryV3.get_transform_vid;
# moco/builder_diffspeed_diffloss.py, MoCoDiffLossTwoFc._diff_speed): one
# window per clip, augmented once and cut at both speeds, so the key and its
# other-speed negative differ only in speed (window_augment); exactly half of
# every batch at (a, b) = (1, 2), the other half at (2, 1) (speed_split);
# random resized crop of area 0.4-1 (aspect 3/4-4/3); grayscale p 0.2 BEFORE
# a colour jitter that is always on (brightness, contrast, saturation 0.4,
# hue 0.4, ops in random order, contrast against the clip's mean luma,
# saturation blended with the luma); horizontal flip p 0.5. Entry configs
# set the sampler's clip_len and splice these into their pipeline.
rspnet_sampler = dict(
    type='RelativeSpeedSampler',
    fast_speed=2,
    window_augment=True,
    speed_split='half',
    out_of_bound_opt='loop')
rspnet_crop_area = (0.4, 1.0)
# what differs from the Kinetics base's view_augment (flip 0.5, brightness,
# contrast and saturation 0.4 and grayscale p 0.2 are the same):
rspnet_augment = dict(
    jitter_prob=1.0,
    hue=0.4,
    grayscale_before_jitter=True,
    jitter_order='random')
