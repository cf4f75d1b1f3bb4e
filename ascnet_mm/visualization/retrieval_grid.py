"""A picture of retrieval results: one row per query, its middle frame and
those of its nearest gallery videos."""
import logging
from typing import Dict, Sequence, Tuple

import cv2
import numpy as np
from mmengine.logging import print_log

Colour = Tuple[int, int, int]
QUERY_COLOUR: Colour = (0, 128, 255)  # RGB blue
HIT_COLOUR: Colour = (0, 200, 0)  # green: the query's label
MISS_COLOUR: Colour = (255, 0, 0)  # red: another label
WHITE: Colour = (255, 255, 255)


def middle_frame(filename: str, size: int) -> np.ndarray:
    """``(size, size, 3)`` RGB middle frame of a video (grey if
    unreadable)."""
    try:
        import decord
        reader = decord.VideoReader(filename, num_threads=1)
        return cv2.resize(reader[len(reader) // 2].asnumpy(), (size, size))
    except Exception as e:  # noqa: BLE001 - a picture must not fail the test
        print_log(
            f'cannot decode {filename} for the retrieval picture: {e}',
            logger='current',
            level=logging.WARNING)
        return np.full((size, size, 3), 128, np.uint8)


def label_tile(frame: np.ndarray, label: int, colour: Colour) -> np.ndarray:
    """``frame`` (S, S, 3) with ``label`` written on it and a border of
    ``max(2, S // 28)`` pixels in ``colour``."""
    img = frame.copy()
    for thick, col in ((3, (0, 0, 0)), (1, WHITE)):
        cv2.putText(img, str(label), (4, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5,
                    col, thick, cv2.LINE_AA)
    b = max(2, frame.shape[0] // 28)
    return cv2.copyMakeBorder(
        img, b, b, b, b, cv2.BORDER_CONSTANT, value=colour)


def draw_retrieval_grid(queries: Sequence[dict],
                        tile_size: int = 112) -> np.ndarray:
    """Rows of (query, a gap of a quarter tile, its neighbours).

    Args:
        queries: one dict per row with ``filename``, ``label``,
            ``neighbour_filenames`` and ``neighbour_labels``, as in
            ``retrieval.json``.
        tile_size: side of a frame in pixels.

    Returns:
        ``(H, W, 3)`` uint8 RGB: blue border for the query, green for a
        neighbour with its label, red for another label; rows 4 px apart,
        padded white to the widest.
    """
    frames: Dict[str, np.ndarray] = {}

    def tile(name: str, label: int, colour: Colour) -> np.ndarray:
        if name not in frames:
            frames[name] = middle_frame(name, tile_size)
        return label_tile(frames[name], label, colour)

    lines = []
    for query in queries:
        tiles = [tile(query['filename'], query['label'], QUERY_COLOUR)]
        for name, label in zip(query['neighbour_filenames'],
                               query['neighbour_labels']):
            hit = label == query['label']
            tiles.append(tile(name, label, HIT_COLOUR if hit else MISS_COLOUR))
        side = tiles[0].shape[0]
        gap = np.full((side, side // 4, 3), 255, np.uint8)
        lines.append(np.concatenate([tiles[0], gap] + tiles[1:], axis=1))
    width = max(line.shape[1] for line in lines)
    lines = [
        cv2.copyMakeBorder(
            line,
            0,
            4,
            0,
            width - line.shape[1],
            cv2.BORDER_CONSTANT,
            value=WHITE) for line in lines
    ]
    return np.concatenate(lines, axis=0)
