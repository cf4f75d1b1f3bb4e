"""The built-in synthetic video set: specs, rendering, writing.

See :mod:`ascnet_mm.synthetic.specs` for what the videos show and
:mod:`ascnet_mm.synthetic.generate` for the layout of a set on disk.
"""
from .generate import generate, stratified_split
from .render import object_poses, render_video
from .specs import (BACKGROUND_VALUE, BACKGROUNDS, CLASSES, MOTIONS,
                    OBJECT_TEXTURES, SHAPES, TRANSLATE_RATE, ZOOM_RANGE,
                    VideoSettings, class_actor, class_scene, make_specs,
                    plan_videos, sample_spec)

__all__ = [
    'MOTIONS', 'CLASSES', 'SHAPES', 'OBJECT_TEXTURES', 'BACKGROUNDS',
    'BACKGROUND_VALUE', 'TRANSLATE_RATE', 'ZOOM_RANGE', 'VideoSettings',
    'class_actor', 'class_scene', 'plan_videos', 'sample_spec', 'make_specs',
    'object_poses', 'render_video', 'stratified_split', 'generate'
]
