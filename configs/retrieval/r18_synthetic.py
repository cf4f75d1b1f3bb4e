# Nearest-neighbour retrieval on the synthetic set: queries = val split,
# gallery = train split, 10 clips per video, pooled backbone features.
# retrieval.json goes to the work dir, the picture of some queries and their
# neighbours to the visualizer (<work_dir>/<timestamp>/vis_data/vis_image/).
#   python tools/test.py configs/retrieval/r18_synthetic.py CHECKPOINT
_base_ = [
    '../_base_/backbones/r3d18.py', '../_base_/datasets/synthetic_cls.py',
    '../_base_/models/ssl_data_preprocessor.py',
    '../_base_/synthetic_runtime.py'
]

model = dict(
    type='VideoFeatureExtractor',
    backbone=dict(_base_.backbone, base_channels=16),
    data_preprocessor=_base_.data_preprocessor)
train_dataloader = None
train_cfg = None
optim_wrapper = None
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = dict(_base_.val_dataloader)
test_cfg = dict(
    type='NNRetrievalTestLoop',
    gallery_dataloader=dict(
        _base_.val_dataloader,
        dataset=dict(_base_.val_dataloader.dataset,
                     ann_file=_base_.ann_file_train)))
test_evaluator = dict(type='NNRetrievalMetric', topk=(1, 5, 10, 20, 50))
custom_hooks = [*_base_.custom_hooks,
                dict(type='RetrievalVisualizationHook')]
