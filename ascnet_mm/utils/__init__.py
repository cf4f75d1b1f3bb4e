from .configs import (CONFIG_ROOT, METHODS, PRETRAIN_CONFIGS, REPO_ROOT,
                      pretrain_config)
from .markdown import markdown_table
from .parallel import parallel_map
from .timed_pool import TaskFailure, timed_imap

__all__ = [
    'CONFIG_ROOT', 'METHODS', 'PRETRAIN_CONFIGS', 'REPO_ROOT',
    'markdown_table', 'parallel_map', 'pretrain_config', 'TaskFailure',
    'timed_imap'
]
