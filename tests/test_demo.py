"""tools/demo.py: the results table (the runs themselves are `make demo`)."""
from helpers import load_tool


def test_format_table_has_every_protocol_and_the_feature_rank():
    demo = load_tool('demo')
    rows = {
        'random init': dict(linear_probe=21.25, finetune=15.0, top1=26.25,
                            top5=56.25, rank=19.34),
        'ascnet': dict(linear_probe=13.75, finetune=12.5, top1=18.75,
                       top5=50.0, rank=2.66),
    }
    assert demo.format_table(rows).splitlines() == [
        '| init | linear top-1 | finetune top-1 | retrieval top-1 | '
        'retrieval top-5 | feature rank |',
        '| --- | ---: | ---: | ---: | ---: | ---: |',
        '| random init | 21.2 | 15.0 | 26.2 | 56.2 | 19.3 |',
        '| ascnet | 13.8 | 12.5 | 18.8 | 50.0 | 2.7 |',
    ]
