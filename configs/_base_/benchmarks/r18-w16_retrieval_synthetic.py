# Nearest-neighbour retrieval on the synthetic set (ours): queries = val
# split, gallery = train split, 10 clips per video, pooled backbone features
# of the narrow R3D-18. retrieval.json goes to the work dir, the picture of
# some queries and their neighbours to the visualizer
# (<work_dir>/<timestamp>/vis_data/vis_image/). Not run directly: the entry
# configs configs/<method>/benchmarks/<method>_r18-w16_retrieval_synthetic.py
# name the checkpoint (load_from, also given to tools/test.py).
_base_ = [
    '../backbones/r3d18_mmaction.py', '../datasets/synthetic_cls.py',
    '../models/ssl_data_preprocessor.py', '../synthetic_runtime.py'
]

# test only: no training, no validation
train_dataloader = None
train_cfg = None
optim_wrapper = None
val_dataloader = None
val_cfg = None
val_evaluator = None
model = dict(
    type='VideoFeatureExtractor',
    backbone=_base_.r3d18_w16,
    data_preprocessor=_base_.data_preprocessor)
test_dataloader = dict(_base_.val_dataloader)
test_cfg = dict(
    type='NNRetrievalTestLoop',
    gallery_dataloader=dict(
        _base_.val_dataloader,
        dataset=dict(
            _base_.val_dataloader.dataset, ann_file=_base_.ann_file_train)))
test_evaluator = dict(type='NNRetrievalMetric', topk=(1, 5, 10, 20, 50))
custom_hooks = [*_base_.custom_hooks, dict(type='RetrievalVisualizationHook')]
