# Nearest-neighbour retrieval on UCF-101 split 1 (METHOD.md): queries = test
# split, gallery = train split, 10 evenly spaced 16x112x112 clips per video
# (centre crop), pooled backbone features averaged, cosine similarity;
# top-1/5/10/20/50. retrieval.json goes to the work dir, the picture of some
# queries and their neighbours to the visualizer
# (<work_dir>/<timestamp>/vis_data/vis_image/). VideoListDataset checks the
# lists' labels against UCF-101's classes when it builds them. Not run
# directly: the entry configs
# configs/<method>/benchmarks/<method>_r18_retrieval_ucf101.py name the
# checkpoint (load_from, also given to tools/test.py).
_base_ = [
    'mmaction::recognition/c3d/c3d_sports1m-pretrained_8xb30-16x1x1-45e_ucf101-rgb.py',  # noqa: E501
    '../backbones/r3d18.py',
    '../models/ssl_data_preprocessor.py'
]
custom_imports = dict(imports=['ascnet_mm'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='VideoFeatureExtractor',
    backbone=_base_.r3d18,
    data_preprocessor=_base_.data_preprocessor)
# MMAction2's UCF-101 test pipeline, packing each clip's filename too
# (retrieval.json and the picture name each query's neighbours by it).
test_pipeline = [
    dict(type='PackActionInputs', meta_keys=('filename', ))
    if step['type'] == 'PackActionInputs' else step
    for step in _base_.test_pipeline
]
num_classes = _base_.model.cls_head.num_classes
test_dataset = dict(
    _base_.test_dataloader.dataset,
    type='VideoListDataset',
    num_classes=num_classes,
    pipeline=test_pipeline)
test_dataloader = dict(batch_size=8, dataset=test_dataset)
test_cfg = dict(
    _delete_=True,
    type='NNRetrievalTestLoop',
    gallery_dataloader=dict(
        _base_.test_dataloader,
        batch_size=8,
        dataset=dict(test_dataset, ann_file=_base_.ann_file_train)))
test_evaluator = dict(
    _delete_=True, type='NNRetrievalMetric', topk=(1, 5, 10, 20, 50))
custom_hooks = [
    dict(type='RetrievalVisualizationHook'),
    dict(type='StallWatchdogHook')  # 30 min without progress: stop
]
# Check that the checkpoint holds the whole backbone before testing.
default_hooks = dict(strict_load=dict(type='StrictLoadHook'))
