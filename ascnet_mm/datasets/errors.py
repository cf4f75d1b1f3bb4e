"""Errors that ``VideoListDataset`` never treats as an unreadable video."""


class PipelineConfigError(ValueError):
    """A pipeline setting does not fit the data (e.g. a clip longer than a
    video with ``out_of_bound_opt=None``): the config must change, so the
    training dataset raises it instead of skipping the video."""
