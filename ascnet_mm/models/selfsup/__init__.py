from .ascnet import ASCNetRecognizer
from .base import BaseVideoSSL
from .cvrl import CVRLRecognizer
from .rspnet import RSPNetRecognizer

__all__ = [
    'BaseVideoSSL', 'ASCNetRecognizer', 'RSPNetRecognizer', 'CVRLRecognizer'
]
