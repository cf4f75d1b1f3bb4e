import os.path as osp
from setuptools import find_packages, setup


def read_requirements(name):
    with open(osp.join(osp.dirname(__file__), 'requirements', name)) as f:
        return [
            ln.split('#')[0].strip() for ln in f if ln.split('#')[0].strip()
        ]


version = {}
with open(osp.join(osp.dirname(__file__), 'ascnet_mm', 'version.py')) as f:
    exec(f.read(), version)

setup(
    name='ascnet-mm',
    version=version['__version__'],
    description='Self-supervised video representation learning '
    '(ASCNet, RSPNet, CVRL) as an MMAction2 plugin',
    long_description=open('README.md').read()
    if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['ascnet_mm', 'ascnet_mm.*']),
    python_requires='>=3.9',
    # mmcv is needed too: `mmcv-lite` (CPU/CI) or full `mmcv>=2.0,<2.2` (GPU).
    install_requires=read_requirements('runtime.txt'),
    extras_require={
        'tests': ['pytest', 'matplotlib'],
        'cpu': ['mmcv-lite>=2.0.0,<2.2.0'],
        'gpu': ['mmcv>=2.0.0,<2.2.0']
    },
    license='Apache License 2.0',
)
