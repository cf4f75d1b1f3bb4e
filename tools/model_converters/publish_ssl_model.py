"""Turn a pretraining checkpoint into a shareable one.

Example::

    python tools/model_converters/publish_ssl_model.py \
        work_dirs/r18_k400/epoch_200.pth ascnet_r18_k400.pth

writes ``ascnet_r18_k400-<sha256[:8]>.pth`` with the ``backbone.`` tensors
(``--keep-necks``: also the online projectors / predictors / heads) and a
plain ``meta``; optimizer, EMA target, bank, queue, message hub and random
states are dropped. Finetune configs load it as they load the full
checkpoint (``init_cfg=dict(type='Pretrained', prefix='backbone.')``).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from ascnet_mm.utils.publish import publish_checkpoint  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--keep-necks',
        action='store_true',
        help='also keep the online projectors, predictors and heads')
    parser.add_argument('in_file', help='pretraining checkpoint')
    parser.add_argument('out_file', help='output name (the hash is appended)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    final = publish_checkpoint(args.in_file, args.out_file, args.keep_necks)
    print(final)
    return final


if __name__ == '__main__':
    main()
