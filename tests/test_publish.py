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

from ascnet_mm.utils.publish import publishable_state, sha256_of

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
FINETUNE = 'configs/ascnet/benchmarks/ascnet_r18-w16_finetune_synthetic.py'


@pytest.fixture(scope='module')
def pretrained(ascnet_checkpoint):
    return ascnet_checkpoint


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


@pytest.mark.slow
@pytest.mark.parametrize('keep_necks', [False, True])
def test_published_loads_in_a_fresh_interpreter(pretrained, tmp_path,
                                                keep_necks):
    """Plain tensors, strings and numbers: it loads without ascnet_mm's
    allow-list."""
    final = load_tool('model_converters/publish_ssl_model').main(
        [pretrained, str(tmp_path / 'ascnet.pth')] +
        ['--keep-necks'] * keep_necks)
    code = ('import torch; c = torch.load(%r, weights_only=True); '
            'print(sorted(c))' % final)
    proc = run_python(['-c', code])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['meta', 'state_dict']"


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
