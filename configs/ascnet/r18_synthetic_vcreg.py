# ASCNet on the synthetic set plus the variance-covariance regulariser *(ours,
# not in the paper)* on the pooled backbone features, against the dimensional
# collapse measured in docs/synthetic_set.md (effective rank 3 -> 34-36).
# As in those runs: lr 0.01 and strong colour augmentation.
_base_ = './r18_synthetic.py'

model = dict(feature_loss=dict(type='VarianceCovarianceLoss', var_weight=1.0,
                               cov_weight=0.1))
optim_wrapper = dict(optimizer=dict(lr=0.01))
strong_colour = dict(_base_.view_augment, hue=0.5, saturation=0.8,
                     grayscale_prob=0.5)
train_dataloader = dict(dataset=dict(pipeline=[
    *_base_.decode_head, _base_.sampler, _base_.decode, _base_.views,
    _base_.format_tail[0], strong_colour, _base_.format_tail[2]
]))
