from .retrieval_grid import draw_retrieval_grid
from .retrieval_visualization_hook import RetrievalVisualizationHook

__all__ = ['draw_retrieval_grid', 'RetrievalVisualizationHook']
