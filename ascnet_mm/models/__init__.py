from . import (augmentation, backbones, data_preprocessors, feature_extractors,
               heads, losses, necks, recognizers, selfsup, utils)
