# UCF-101 split 2: the split-1 recipe on the official split 2 lists.
_base_ = './r18_finetune_ucf101.py'

train_dataloader = dict(
    dataset=dict(ann_file='data/ucf101/ucf101_train_split_2_videos.txt'))
val_dataloader = dict(
    dataset=dict(ann_file='data/ucf101/ucf101_val_split_2_videos.txt'))
test_dataloader = dict(
    dataset=dict(ann_file='data/ucf101/ucf101_val_split_2_videos.txt'))
