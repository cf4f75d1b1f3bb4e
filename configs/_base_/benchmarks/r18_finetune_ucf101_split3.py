# UCF-101 split 3: the split-1 recipe on the official split-3 lists.
_base_ = './r18_finetune_ucf101.py'

train_dataloader = dict(dataset=_base_.splits.ucf101.split3.train)
val_dataloader = dict(dataset=_base_.splits.ucf101.split3.val)
test_dataloader = val_dataloader
