from .configs import (CONFIG_ROOT, METHODS, PRETRAIN_CONFIGS, REPO_ROOT,
                      list_options, pretrain_config, schedule_options)
from .markdown import markdown_table
from .parallel import parallel_map
from .run_records import last_scalar, random_init_checkpoint
from .sizes import human_bytes
from .timed_pool import TaskFailure, timed_imap

__all__ = [
    'CONFIG_ROOT', 'METHODS', 'PRETRAIN_CONFIGS', 'REPO_ROOT', 'human_bytes',
    'last_scalar', 'list_options', 'markdown_table', 'parallel_map',
    'random_init_checkpoint', 'pretrain_config', 'schedule_options',
    'TaskFailure', 'timed_imap'
]
