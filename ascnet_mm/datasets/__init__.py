from . import transforms  # noqa: F401
from .errors import PipelineConfigError  # noqa: F401
from .speed_probe_dataset import SpeedProbeDataset  # noqa: F401
from .video_list_dataset import VideoListDataset  # noqa: F401
