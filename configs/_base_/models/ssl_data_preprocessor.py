# ImageNet statistics on RGB frames in [0, 255] (decord decodes RGB).
data_preprocessor = dict(
    type='SSLDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    format_shape='NCTHW')
