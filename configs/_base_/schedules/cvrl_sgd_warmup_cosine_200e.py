# CVRL's official optimisation (tensorflow/models official/projects/
# video_ssl: configs/experiments/cvrl_pretrain_k600_200ep.yaml, the
# Kinetics-600 trainer it extends in official/vision/configs/
# video_classification.py, losses/losses.py):
# - SGD, momentum 0.9, no Nesterov; lr 0.32 per 1,024 clips, scaled linearly
#   with the global batch (0.16 at 8 GPUs x 64).
# - L2 1e-6 on conv/linear kernels only: the official adds
#   1e-6 * tf.nn.l2_loss(w) = 1e-6 * sum(w^2) / 2, whose gradient 1e-6 * w is
#   SGD's weight_decay=1e-6; BN weights/biases and every bias get none.
# - Cosine to 0 over all 200 epochs from step 0, its first 5 epochs replaced
#   by a linear ramp from 0 (1,787 of 71,488 steps at batch 1,024 on
#   Kinetics-600's 366,016 clips: 5.0 of 200 epochs). Kept in epochs, so it
#   stays right for any batch or dataset size. Here the ramp (from 0.001x)
#   multiplies the first 5 epochs of the same cosine: from epoch 5 on the lr
#   is the official one; during the ramp it is within 0.12% of the peak lr
#   plus one iteration's increment (LinearLR ends one iteration early).
_base_ = './sgd_cosine_200e.py'

warmup_epochs = 5
optim_wrapper = dict(
    optimizer=dict(lr=0.32, weight_decay=1e-6),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0.))
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-3,
        by_epoch=True,
        begin=0,
        end=warmup_epochs,
        convert_to_iter_based=True),
    dict(_base_.cosine_lr, T_max=_base_.max_epochs, end=_base_.max_epochs)
]
auto_scale_lr = dict(base_batch_size=1024)
