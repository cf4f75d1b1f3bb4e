from . import (augmentation, backbones, data_preprocessors,  # noqa: F401
               feature_extractors, heads, losses, necks, recognizers, selfsup,
               utils)
