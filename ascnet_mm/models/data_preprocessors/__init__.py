from .ssl_data_preprocessor import SSLDataPreprocessor

__all__ = ['SSLDataPreprocessor']
