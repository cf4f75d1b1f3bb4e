"""The demo's evaluation of one initialisation: MMAction2's stock
``tools/train.py`` (linear probe, finetune) and ``tools/test.py``
(retrieval) on the labelled synthetic set, as stages for
:func:`ascnet_mm.utils.demo_stages.run_stages`."""
import json
import os.path as osp
from functools import partial

from .configs import list_options, schedule_options
from .run_records import last_scalar

# A method's protocol configs; they differ from another method's only in the
# default checkpoint, which protocol_stages() always sets.
PROTOCOL_CONFIG = 'configs/{0}/benchmarks/{0}_r18-w16_{1}_synthetic.py'
LOG_EVERY = ['default_hooks.logger.interval=5']


def protocol_stages(run, name, out, data, finetune_epochs, method='ascnet'):
    """The linear probe, finetune and retrieval of one initialisation (the
    protocol configs of ``method``) as stages: ``{protocol: fn(ckpt)}``,
    each returning its part of the table row; finetune, the longest, first.

    ``run(args, log_path, label)`` runs a tool (``tools/demo.py``'s);
    ``finetune_epochs`` None keeps the config's.
    """
    data_opts = (
        list_options('train_dataloader', data, 'train.txt') +
        list_options('val_dataloader', data, 'val.txt') +
        list_options('test_dataloader', data, 'val.txt') + LOG_EVERY)

    def train(protocol, short, epochs, ckpt):
        work = osp.join(out, name, protocol)
        run([
            'tools/train.py',
            PROTOCOL_CONFIG.format(method, short), '--work-dir', work,
            '--cfg-options', f'model.backbone.init_cfg.checkpoint={ckpt}'
        ] + data_opts + schedule_options(epochs), osp.join(work, 'run.log'),
            f'{name} {short}')
        return {protocol: last_scalar(work, 'acc/top1') * 100}

    def retrieval(ckpt):
        work = osp.join(out, name, 'retrieval')
        run([
            'tools/test.py',
            PROTOCOL_CONFIG.format(method, 'retrieval'), ckpt, '--work-dir',
            work, '--cfg-options'
        ] + list_options('test_dataloader', data, 'val.txt') +
            list_options('test_cfg.gallery_dataloader', data, 'train.txt') +
            LOG_EVERY, osp.join(work, 'run.log'), f'{name} retrieval')
        with open(osp.join(work, 'retrieval.json')) as f:
            dump = json.load(f)
        return dict(
            top1=dump['topk']['top1'],
            top5=dump['topk']['top5'],
            rank=dump['gallery_spectrum']['effective_rank'])

    return dict(
        finetune=partial(train, 'finetune', 'finetune', finetune_epochs),
        linear_probe=partial(train, 'linear_probe', 'linear', None),
        retrieval=retrieval)
