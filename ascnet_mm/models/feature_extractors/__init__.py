from .video_feature_extractor import VideoFeatureExtractor

__all__ = ['VideoFeatureExtractor']
