from .retrieval_grid import draw_retrieval_grid
from .retrieval_visualization_hook import RetrievalVisualizationHook
from .view_grid import draw_view_grid, pipeline_views

__all__ = [
    'draw_retrieval_grid', 'RetrievalVisualizationHook', 'draw_view_grid',
    'pipeline_views'
]
