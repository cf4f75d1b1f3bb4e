# Online evaluation during pretraining on the built-in synthetic set (ours):
# every 5 epochs from epoch 5, kNN classification (k 20, weights
# exp(sim / 0.07)) of the labelled val split (the queries: 80 videos of the
# default 320) by the train split (the memory: 240 videos), one centre clip
# each, and the spectrum of the memory features; CollapseAlarmHook warns
# after each. About 320 clip forwards against an epoch's 240 x 2 views
# forward and backward. A pretraining config switches it on with
#   _base_ = [..., '../_base_/online_eval_synthetic.py']
#   train_cfg = _base_.online_train_cfg
#   custom_hooks = [*_base_.custom_hooks, _base_.collapse_alarm]
# The label-free playback-speed probe (speed_probe/acc): add
#   val_cfg = dict(probe_dataloader=_base_.speed_probe_dataloader)
# a linear classifier of speed 1/2/4 on the frozen features of one centred
# clip per speed of the first 40 pretraining videos (120 clips), fitted on the
# even videos' clips and scored on the odd ones'.
online_root = 'data/synthetic'
online_eval_interval = 5
online_clip = [
    dict(type='DecordInit'),
    dict(
        type='SampleFrames',
        clip_len=8,
        frame_interval=1,
        num_clips=1,
        test_mode=True,
        out_of_bound_opt='repeat_last'),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 36)),
    dict(type='CenterCrop', crop_size=32),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs')
]
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='VideoListDataset',
        ann_file=f'{online_root}/val.txt',
        data_prefix=dict(video=f'{online_root}/videos'),
        pipeline=online_clip,
        test_mode=True))
val_evaluator = dict(type='OnlineKNNMetric', k=20, temperature=0.07)
val_cfg = dict(
    type='OnlineEvalValLoop',
    memory_dataloader=dict(
        val_dataloader,
        dataset=dict(
            val_dataloader['dataset'], ann_file=f'{online_root}/train.txt')))
online_train_cfg = dict(
    val_begin=online_eval_interval, val_interval=online_eval_interval)
collapse_alarm = dict(
    type='CollapseAlarmHook', rank_fraction=0.25, min_feature_std=0.01)
speed_probe_dataloader = dict(
    val_dataloader,
    dataset=dict(
        type='SpeedProbeDataset',
        speeds=(1, 2, 4),
        num_videos=40,
        dataset=dict(
            val_dataloader['dataset'],
            ann_file=f'{online_root}/pretrain.txt',
            pipeline=[
                dict(type='SpeedProbeFrames', clip_len=8)
                if step['type'] == 'SampleFrames' else step
                for step in online_clip
            ])))
