"""Draw the retrieval neighbours through the runner's visualizer."""
import logging
import os.path as osp
from typing import Optional

import numpy as np
from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from ..evaluation.metrics import NEIGHBOURS_INFO
from .retrieval_grid import draw_retrieval_grid


@HOOKS.register_module()
class RetrievalVisualizationHook(Hook):
    """After the test epoch, draw some queries and their nearest gallery
    videos (see :func:`draw_retrieval_grid`) and add the picture to
    ``runner.visualizer`` as ``'retrieval'``, so every vis backend gets it
    (``LocalVisBackend``: ``<log_dir>/vis_data/vis_image/retrieval_0.png``).

    The neighbours are those :class:`NNRetrievalMetric` leaves in the
    message hub's runtime info ``retrieval_neighbours`` on the main process.
    Data samples need their ``filename``
    (``PackActionInputs(meta_keys=('filename', ))``).

    Args:
        num_queries (int): query rows, evenly spaced over the query set;
            0 draws nothing. Defaults to 6.
        tile_size (int): side of a frame in pixels. Defaults to 112.
    """

    priority = 'NORMAL'

    def __init__(self, num_queries: int = 6, tile_size: int = 112) -> None:
        self.num_queries = num_queries
        self.tile_size = tile_size

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        queries = runner.message_hub.pop_info(NEIGHBOURS_INFO)
        if not is_main_process():
            return
        if queries is None:
            print_log(
                f'{type(self).__name__}: no retrieval neighbours to draw; '
                "it needs test_evaluator=dict(type='NNRetrievalMetric') in "
                'NNRetrievalTestLoop',
                logger='current',
                level=logging.WARNING)
            return
        num = min(self.num_queries, len(queries))
        if num <= 0:
            return
        rows = np.unique(np.linspace(0, len(queries) - 1, num).round())
        queries = [queries[int(i)] for i in rows]
        if any(name is None for q in queries
               for name in [q['filename'], *q['neighbour_filenames']]):
            print_log(
                'retrieval picture skipped: data samples have no `filename`; '
                "add 'filename' to PackActionInputs(meta_keys=...)",
                logger='current')
            return
        runner.visualizer.add_image(
            'retrieval', draw_retrieval_grid(queries, self.tile_size))
        print_log(
            f'retrieval picture of {len(queries)} queries added to the '
            "visualizer as 'retrieval' (LocalVisBackend: "
            f"{osp.join(runner.log_dir, 'vis_data', 'vis_image')})",
            logger='current')
