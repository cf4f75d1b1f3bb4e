from .online_eval_loop import OnlineEvalValLoop
from .retrieval_loop import NNRetrievalTestLoop

__all__ = ['NNRetrievalTestLoop', 'OnlineEvalValLoop']
