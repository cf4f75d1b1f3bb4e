from .retrieval_metric import NNRetrievalMetric

__all__ = ['NNRetrievalMetric']
