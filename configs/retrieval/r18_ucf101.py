# Nearest-neighbour retrieval on UCF-101 split 1: queries = test split,
# gallery = train split, 10 evenly spaced 16x112x112 clips per video (centre
# crop), pooled backbone features averaged, cosine similarity; top-1/5/10/20/50.
# retrieval.json goes to the work dir, the picture of some queries and their
# neighbours to the visualizer (<work_dir>/<timestamp>/vis_data/vis_image/).
#   tools/dist_test.sh configs/retrieval/r18_ucf101.py CHECKPOINT 8
_base_ = [
    'mmaction::recognition/c3d/c3d_sports1m-pretrained_8xb30-16x1x1-45e_ucf101-rgb.py',  # noqa: E501
    '../_base_/backbones/r3d18.py', '../_base_/models/ssl_data_preprocessor.py'
]
custom_imports = dict(imports=['ascnet_mm'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='VideoFeatureExtractor',
    backbone=_base_.backbone,
    data_preprocessor=_base_.data_preprocessor)
test_pipeline = [
    *_base_.test_pipeline[:-1],
    dict(type='PackActionInputs', meta_keys=('filename', ))
]
test_dataloader = dict(batch_size=8, dataset=dict(pipeline=test_pipeline))
test_cfg = dict(
    _delete_=True,
    type='NNRetrievalTestLoop',
    gallery_dataloader=dict(
        _base_.test_dataloader,
        batch_size=8,
        dataset=dict(_base_.test_dataloader.dataset,
                     ann_file=_base_.ann_file_train, pipeline=test_pipeline)))
test_evaluator = dict(_delete_=True, type='NNRetrievalMetric',
                      topk=(1, 5, 10, 20, 50))
custom_hooks = [dict(type='RetrievalVisualizationHook')]
