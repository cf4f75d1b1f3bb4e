# Labelled synthetic splits for the downstream protocols (ours): train.txt
# (also the retrieval gallery) and val.txt (also the retrieval queries), 10
# classes. 8x32x32 clips; test: 10 evenly spaced clips, centre crop,
# scores/features averaged. No flips: the labels are motion directions
# (left/right, cw/ccw). The lists are labelled: VideoListDataset checks every
# label against num_classes when it is built.
dataset_type = 'VideoListDataset'
num_classes = 10
data_root = 'data/synthetic/videos'
ann_file_train = 'data/synthetic/train.txt'
ann_file_val = 'data/synthetic/val.txt'
clip_len = 8
decoder = 'Decord'  # or 'TorchCodec' (see kinetics400_pretrain.py)

sample_frames = dict(
    type='SampleFrames',
    clip_len=clip_len,
    frame_interval=1,
    out_of_bound_opt='repeat_last')
train_pipeline = [
    dict(type=f'{decoder}Init'),
    dict(sample_frames, num_clips=1),
    dict(type=f'{decoder}Decode'),
    dict(type='RandomResizedCrop', area_range=(0.5, 1.0)),
    dict(type='Resize', scale=(32, 32), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type=f'{decoder}Init'),
    dict(sample_frames, num_clips=10, test_mode=True),
    dict(type=f'{decoder}Decode'),
    dict(type='Resize', scale=(-1, 36)),
    dict(type='CenterCrop', crop_size=32),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', meta_keys=('filename', ))
]
labelled = dict(
    type=dataset_type,
    data_prefix=dict(video=data_root),
    num_classes=num_classes)
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(labelled, ann_file=ann_file_train, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        labelled,
        ann_file=ann_file_val,
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
