"""``publish_ssl_model.py``: a pretraining checkpoint reduced to what
downstream use needs, loadable weights-only into the stock finetune config."""
import os.path as osp
import re

import pytest
import torch
from helpers import load_tool, run_python
from mmaction.registry import MODELS
from mmengine import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from ascnet_mm.utils.publish import publishable_state, sha256_of

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
ASCNET = 'configs/ascnet/ascnet_r18-w16_synthetic.py'
FINETUNE = 'configs/ascnet/benchmarks/ascnet_r18-w16_finetune_synthetic.py'


@pytest.fixture(scope='module')
def pretrained(tiny_synthetic, tmp_path_factory):
    """A 1-epoch (3-iteration) ASCNet checkpoint with target, bank, optimizer
    and random states."""
    cfg = Config.fromfile(osp.join(ROOT, ASCNET))
    cfg.work_dir = str(tmp_path_factory.mktemp('pretrain'))
    cfg.experiment_name = 'publish_pretrain'
    cfg.train_dataloader.dataset.ann_file = f'{tiny_synthetic}/pretrain.txt'
    cfg.train_dataloader.dataset.data_prefix.video = \
        f'{tiny_synthetic}/videos'
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.num_workers = 0
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.checkpoint.interval = 1
    Runner.from_cfg(cfg).train()
    return osp.join(cfg.work_dir, 'epoch_1.pth')


def test_publishable_state():
    state = {
        'backbone.w': 1,
        'target.module.backbone.w': 2,
        'bank.app': 3,
        'app_projector.w': 4,
        'data_preprocessor.mean': 5,
        'feature_loss.x': 6
    }
    assert list(publishable_state(state)) == ['backbone.w']
    assert list(publishable_state(
        state, keep_necks=True)) == ['backbone.w', 'app_projector.w']
    with pytest.raises(ValueError, match='no backbone'):
        publishable_state({'target.module.backbone.w': 1})


@pytest.mark.parametrize('keep_necks', [False, True])
def test_publish_ssl_model(pretrained, tmp_path, keep_necks):
    args = [pretrained, str(tmp_path / 'ascnet_r18-w16.pth')]
    final = load_tool('model_converters/publish_ssl_model').main(
        args + ['--keep-necks'] * keep_necks)
    name = osp.basename(final)
    assert re.fullmatch(r'ascnet_r18-w16-[0-9a-f]{8}\.pth', name)
    assert name[-12:-4] == sha256_of(final)[:8]
    assert osp.getsize(final) < osp.getsize(pretrained)

    # plain tensors, strings and numbers: loads without ascnet_mm's
    # allow-list, in a fresh interpreter
    code = ('import torch; c = torch.load(%r, weights_only=True); '
            'print(sorted(c))' % final)
    proc = run_python(['-c', code])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['meta', 'state_dict']"

    full = torch.load(pretrained, weights_only=True)['state_dict']
    pub = torch.load(final, weights_only=True)
    assert pub['meta']['epoch'] == 1
    modules = {k.split('.')[0] for k in pub['state_dict']}
    expected = {'backbone'}
    if keep_necks:
        expected |= {
            'app_projector', 'app_predictor', 'speed_projector',
            'speed_predictor'
        }
    assert modules == expected
    for key, value in pub['state_dict'].items():
        assert torch.equal(value, full[key])


def test_published_loads_into_finetune_config(pretrained, tmp_path):
    final = load_tool('model_converters/publish_ssl_model').main(
        [pretrained, str(tmp_path / 'ascnet.pth')])
    cfg = Config.fromfile(osp.join(ROOT, FINETUNE))
    cfg.model.backbone.init_cfg.checkpoint = final
    with DefaultScope.overwrite_default_scope('mmaction'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    published = torch.load(final, weights_only=True)['state_dict']
    backbone = model.backbone.state_dict()
    assert {f'backbone.{k}' for k in backbone} == set(published)
    for key, value in backbone.items():
        assert torch.equal(value, published[f'backbone.{key}']), key
