import os
import os.path as osp
import platform
import shutil
import sys
from setuptools import find_packages, setup

# What OpenMMLab's mim reads from <package>/.mim/: `mim train/test ascnet_mm
# CONFIG` runs .mim/tools/{train,test}.py, `mim search` reads model-index.yml.
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def read_requirements(name):
    with open(osp.join(osp.dirname(__file__), 'requirements', name)) as f:
        return [
            ln.split('#')[0].strip() for ln in f if ln.split('#')[0].strip()
        ]


def add_mim_extension():
    """Put ``MIM_FILES`` under ``ascnet_mm/.mim/`` as OpenMMLab packages do:
    symlinks for editable installs (``pip install -e .``, ``setup.py
    develop``), copies for wheels and sdists."""
    if {'develop', 'editable_wheel'} & set(sys.argv):
        mode = 'copy' if platform.system() == 'Windows' else 'symlink'
    elif {'sdist', 'bdist_wheel', 'build', 'build_py'} & set(sys.argv):
        mode = 'copy'
    else:
        return
    root = osp.dirname(osp.abspath(__file__))
    mim_path = osp.join(root, 'ascnet_mm', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for name in MIM_FILES:
        src, dst = osp.join(root, name), osp.join(mim_path, name)
        if not osp.exists(src):  # an unpacked sdist: .mim/ holds copies
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isdir(src):
            shutil.copytree(
                src, dst, ignore=shutil.ignore_patterns('__pycache__'))
        else:
            shutil.copyfile(src, dst)


version = {}
with open(osp.join(osp.dirname(__file__), 'ascnet_mm', 'version.py')) as f:
    exec(f.read(), version)

add_mim_extension()
setup(
    name='ascnet-mm',
    version=version['__version__'],
    description='Self-supervised video representation learning '
    '(ASCNet, RSPNet, CVRL) as an MMAction2 plugin',
    long_description=open('README.md').read()
    if osp.exists('README.md') else '',
    long_description_content_type='text/markdown',
    packages=find_packages(include=['ascnet_mm', 'ascnet_mm.*']),
    include_package_data=True,  # ascnet_mm/.mim/ (MANIFEST.in)
    python_requires='>=3.9',
    # mmcv is needed too: `mmcv-lite` (CPU/CI) or full `mmcv>=2.0,<2.2` (GPU).
    install_requires=read_requirements('runtime.txt'),
    extras_require={
        'tests': ['pytest', 'matplotlib'],
        'cpu': ['mmcv-lite>=2.0.0,<2.2.0'],
        'gpu': ['mmcv>=2.0.0,<2.2.0'],
        # tested: torch 2.13.0+cpu, FFmpeg 5.1 (Debian 12); needs FFmpeg 4-7
        'torchcodec': ['torchcodec==0.12.0']
    },
    license='Apache License 2.0',
)
