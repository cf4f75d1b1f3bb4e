# Online evaluation during Kinetics pretraining on UCF-101 split 1 (ours):
# the synthetic set's online evaluation with UCF-101's lists (memory: the
# 9,537 train videos, queries: the 3,783 test videos) and one centre
# 16x112x112 clip each, every 5 epochs from epoch 5. Cost: 13,320 clip
# forwards against an epoch's ~240k videos x 2 views forward and backward
# (~1.4M forward equivalents): under 1 % per evaluation, ~0.2 % of the run.
# Off in the Kinetics configs (UCF-101 may not be there); to switch it on,
# in a config whose bases do not already validate:
#   _base_ = [..., '../_base_/online_eval_ucf101.py']
#   train_cfg = _base_.online_train_cfg
#   custom_hooks = [*_base_.custom_hooks, _base_.collapse_alarm]
# Missing lists are named in a warning at the start of training.
_base_ = './online_eval_synthetic.py'

online_root = 'data/ucf101'
# the synthetic set's clip at UCF-101's size
clip_size = dict(
    SampleFrames=dict(clip_len=16),
    Resize=dict(scale=(-1, 128)),
    CenterCrop=dict(crop_size=112))
online_clip = [
    dict(step, **clip_size.get(step['type'], {}))
    for step in _base_.online_clip
]
online_data = dict(
    batch_size=32,
    num_workers=8,
    dataset=dict(
        data_prefix=dict(video=f'{online_root}/videos'), pipeline=online_clip))
val_dataloader = dict(
    online_data,
    dataset=dict(
        online_data['dataset'],
        ann_file=f'{online_root}/ucf101_val_split_1_videos.txt'))
val_cfg = dict(
    memory_dataloader=dict(
        online_data,
        dataset=dict(
            online_data['dataset'],
            ann_file=f'{online_root}/ucf101_train_split_1_videos.txt')))
