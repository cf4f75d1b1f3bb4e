from .retrieval_loop import NNRetrievalTestLoop

__all__ = ['NNRetrievalTestLoop']
