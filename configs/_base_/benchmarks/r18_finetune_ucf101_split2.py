# UCF-101 split 2: the split-1 recipe on the official split-2 lists.
_base_ = './r18_finetune_ucf101.py'

train_dataloader = dict(dataset=_base_.splits.ucf101.split2.train)
val_dataloader = dict(dataset=_base_.splits.ucf101.split2.val)
test_dataloader = val_dataloader
