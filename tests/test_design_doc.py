"""docs/design.md's Layout must match the tree: every package, config
and tool folder and every top-level tool is named there, and every file it
names exists."""
import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {'__pycache__', '.mim'}


def layout_block() -> str:
    """The fenced block under ``## Layout``."""
    text = (ROOT / 'docs' / 'design.md').read_text()
    section = text.split('\n## Layout\n', 1)[1]
    return section.split('```', 2)[1]


def folders(top: str):
    for path in sorted((ROOT / top).rglob('*')):
        rel = path.relative_to(ROOT)
        if path.is_dir() and not SKIP.intersection(rel.parts):
            yield rel


def test_every_folder_is_named():
    block = layout_block()
    missing = [
        str(rel) for top in ('ascnet_mm', 'configs', 'tools')
        for rel in folders(top) if f'{rel.name}/' not in block
    ]
    assert not missing, f'docs/design.md Layout does not name {missing}'


def test_every_top_level_tool_is_named():
    block = layout_block()
    names = set(re.findall(r'[\w*]+(?:\.\w+)?', block))
    globs = [n for n in names if '*' in n]
    missing = []
    for path in sorted((ROOT / 'tools').iterdir()):
        if not path.is_file():
            continue
        named = path.name in names or path.stem in names or any(
            fnmatch.fnmatch(path.name, g) for g in globs)
        if not named:
            missing.append(path.name)
    assert not missing, f'docs/design.md Layout does not name {missing}'


def test_every_named_file_exists():
    files = {p.name for p in ROOT.iterdir() if p.is_file()} | {
        p.name
        for top in ('ascnet_mm', 'configs', 'tools')
        for p in (ROOT / top).rglob('*') if p.is_file()
    }
    named = set(re.findall(r'\b\w+\.(?:py|sh)\b', layout_block()))
    assert named, 'no file names found in the Layout block'
    stale = sorted(named - files)
    assert not stale, f'docs/design.md Layout names missing files {stale}'
