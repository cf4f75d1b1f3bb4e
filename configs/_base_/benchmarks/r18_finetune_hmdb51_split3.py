# Finetune on HMDB-51 split 3: the UCF-101 recipe on HMDB-51's official split-3
# lists (split 1: r18_finetune_hmdb51.py; both inherit the UCF-101 recipe
# directly, which keeps the per-method entries at inheritance depth 3).
_base_ = './r18_finetune_ucf101.py'

num_classes = 51
data_root = 'data/hmdb51/videos'
hmdb51 = dict(num_classes=num_classes, data_prefix=dict(video=data_root))
model = dict(cls_head=dict(num_classes=num_classes))
train_dataloader = dict(
    dataset=dict(
        hmdb51, ann_file='data/hmdb51/hmdb51_train_split_3_videos.txt'))
val_dataloader = dict(
    dataset=dict(hmdb51, ann_file='data/hmdb51/hmdb51_val_split_3_videos.txt'))
test_dataloader = dict(
    dataset=dict(hmdb51, ann_file='data/hmdb51/hmdb51_val_split_3_videos.txt'))
