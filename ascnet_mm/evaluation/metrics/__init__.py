from .online_eval_metric import OnlineEvalSizes, OnlineKNNMetric
from .retrieval_metric import (NEIGHBOURS_INFO, NNRetrievalMetric,
                               RetrievalSizes)

__all__ = [
    'NNRetrievalMetric', 'RetrievalSizes', 'NEIGHBOURS_INFO',
    'OnlineKNNMetric', 'OnlineEvalSizes'
]
