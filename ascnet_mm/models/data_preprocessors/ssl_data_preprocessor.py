from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmaction.models.data_preprocessors import ActionDataPreprocessor
from mmaction.registry import MODELS
from mmaction.utils import SampleList
from mmengine.model import stack_batch

from ..augmentation import VideoAugmenter, cut_views, pad_frames


@MODELS.register_module()
class SSLDataPreprocessor(ActionDataPreprocessor):
    """:class:`ActionDataPreprocessor` for multi-view clips, with optional
    temporally consistent augmentation on the device.

    Inputs are (V, C, T, H, W) per sample, batched to (N, V, C, T, H, W);
    (C, T, H, W) inputs, batched to (N, C, T, H, W), are one view. Device-side
    crop: (U, H, W, C) uint8 frames per sample whose data samples carry
    ``DeviceCropViews``' ``view_frames``, ``view_boxes`` and ``crop_size``
    are cut into (N, V, C, T, h, w) views here (:func:`cut_views`; the
    samples may differ in U, H and W). Order: stack or cut, BGR->RGB if
    ``to_rgb``, :class:`VideoAugmenter` in training when
    ``augment`` is set (RGB in [0, 255]; one parameter set per group of the
    samples' ``view_groups`` metainfo when packed), mean/std normalisation,
    blending.

    Args:
        augment (dict, optional): :class:`VideoAugmenter` kwargs (a
            ``ViewAugment`` pipeline step's config may be given as is); None
            disables the device augmentation. Defaults to None.
        format_shape (str): Only ``'NCTHW'``. Defaults to ``'NCTHW'``.
        **kwargs: Other :class:`ActionDataPreprocessor` arguments
            (``mean``, ``std``, ``to_rgb``, ``to_float32``, ``blending``).
    """

    def __init__(self,
                 mean: Optional[Sequence[Union[float, int]]] = None,
                 std: Optional[Sequence[Union[float, int]]] = None,
                 augment: Optional[dict] = None,
                 format_shape: str = 'NCTHW',
                 **kwargs) -> None:
        assert format_shape == 'NCTHW', \
            f'{self.__class__.__name__} supports only NCTHW, got ' \
            f'{format_shape}'
        super().__init__(
            mean=mean, std=std, format_shape=format_shape, **kwargs)
        if augment is not None:
            augment = dict(augment)
            kind = augment.pop('type', 'ViewAugment')
            assert kind == 'ViewAugment', \
                f'augment: VideoAugmenter kwargs or a ViewAugment config, ' \
                f'got type={kind!r}'
        self.augmenter = (
            VideoAugmenter(**augment) if augment is not None else None)

    def augment(self,
                batch_inputs: torch.Tensor,
                groups: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Augment (N, V, 3, T, H, W) or (N, 3, T, H, W) RGB in [0, 255];
        float of the same shape. ``groups`` (N, V): views of a group get one
        parameter set."""
        if batch_inputs.ndim == 5:
            return self.augmenter(batch_inputs[:, None])[:, 0]
        return self.augmenter(batch_inputs, groups=groups)

    @staticmethod
    def stacked(data_samples: SampleList, key: str, dtype,
                device: torch.device) -> torch.Tensor:
        """The samples' metainfo ``key`` stacked, (N, ...) on ``device``;
        through pinned memory to a GPU, so the copy does not wait for the
        device's queue."""
        value = torch.from_numpy(
            np.stack(
                [np.asarray(ds.metainfo[key], dtype) for ds in data_samples]))
        if device.type == 'cuda':
            value = value.pin_memory()
        return value.to(device, non_blocking=True)

    def view_groups(self, data_samples: SampleList,
                    device: torch.device) -> Optional[torch.Tensor]:
        """(N, V) long ``view_groups`` of the packed metainfo (the view
        sampler writes them; pack them with ``PackActionInputs(meta_keys=
        (..., 'view_groups'))``), or None when absent."""
        if not data_samples or 'view_groups' not in data_samples[0]:
            return None
        return self.stacked(data_samples, 'view_groups', np.int64, device)

    def cut(self, inputs: List[torch.Tensor],
            data_samples: SampleList) -> torch.Tensor:
        """(N, V, C, T, h, w) float views cut from each sample's (U, H, W, C)
        frames by its ``view_frames`` and ``view_boxes`` metainfo."""
        sizes = {tuple(ds.metainfo['crop_size']) for ds in data_samples}
        if len(sizes) != 1:
            raise ValueError(f'samples of one batch have different crop '
                             f'sizes {sorted(sizes)}')
        device = inputs[0].device
        return cut_views(
            pad_frames(inputs),
            self.stacked(data_samples, 'view_frames', np.int64, device),
            self.stacked(data_samples, 'view_boxes', np.float32, device),
            sizes.pop())

    def preprocess(self,
                   inputs: List[torch.Tensor],
                   data_samples: SampleList,
                   training: bool = False) -> Tuple:
        """Stack (or cut), convert to RGB, augment (training), normalise,
        blend.

        Returns:
            tuple: (N, V, C, T, H, W) or (N, C, T, H, W) inputs and the data
            samples.
        """
        if data_samples and 'view_boxes' in data_samples[0]:
            batch_inputs = self.cut(inputs, data_samples)
        else:
            batch_inputs = stack_batch(inputs)
        if self.to_rgb:
            batch_inputs = batch_inputs[..., [2, 1, 0], :, :, :]
        if training and self.augmenter is not None:
            groups = self.view_groups(data_samples, batch_inputs.device)
            batch_inputs = self.augment(batch_inputs, groups)
        if self._enable_normalize:
            batch_inputs = (batch_inputs - self.mean) / self.std
        elif self.to_float32:
            batch_inputs = batch_inputs.to(torch.float32)
        if training and self.blending is not None:
            batch_inputs, data_samples = self.blending(batch_inputs,
                                                       data_samples)
        return batch_inputs, data_samples
