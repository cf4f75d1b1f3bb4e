# Finetune on HMDB-51 split 2: the UCF-101 recipe on HMDB-51's official
# split-2 lists (every split inherits the UCF-101 recipe directly, which
# keeps the per-method entries at inheritance depth 3).
_base_ = './r18_finetune_ucf101.py'

model = dict(cls_head=dict(num_classes=_base_.splits.hmdb51.num_classes))
train_dataloader = dict(dataset=_base_.splits.hmdb51.split2.train)
val_dataloader = dict(dataset=_base_.splits.hmdb51.split2.val)
test_dataloader = val_dataloader
