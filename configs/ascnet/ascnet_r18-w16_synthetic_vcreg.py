# ASCNet on the synthetic set plus the variance-covariance regulariser *(ours,
# not in the paper)* on the pooled backbone features, against the dimensional
# collapse measured in docs/synthetic_set.md (effective rank 3 -> 33-41).
# lr 0.01 and strong colour augmentation. The `make demo` recipe: 45 epochs
# (5,400 iterations) on the unlabelled pool of tools/demo.py, 1,920 videos
# (`make_synthetic.py --out data/synthetic_pool --videos 2560 --seed 5
# --scene-bias 1 --background-value 0.3 0.45 --max-distractors 0`).
_base_ = './ascnet_r18-w16_synthetic.py'

model = dict(
    feature_loss=dict(
        type='VarianceCovarianceLoss', var_weight=1.0, cov_weight=0.1))
optim_wrapper = dict(optimizer=dict(lr=0.01))
strong_colour = dict(
    _base_.view_augment, hue=0.5, saturation=0.8, grayscale_prob=0.5)
pool = 'data/synthetic_pool'
train_dataloader = dict(
    dataset=dict(
        ann_file=f'{pool}/pretrain.txt',
        data_prefix=dict(video=f'{pool}/videos'),
        pipeline=[
            _base_.init, _base_.sampler, _base_.decode, _base_.views,
            _base_.format_shape, strong_colour, _base_.pack
        ]))
max_epochs = 45
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [dict(_base_.cosine_lr, T_max=max_epochs, end=max_epochs)]
default_hooks = dict(checkpoint=dict(interval=15))
