import numpy as np
import pytest
from helpers import ramp_video, write_video
from mmaction.registry import TRANSFORMS

from ascnet_mm.datasets.transforms import (RelativeSpeedSampler,
                                           SpeedPairSampler,
                                           TemporalIntervalSampler, plan_views)


def view_starts(results):
    """(V,) first frame of each view."""
    return results['frame_inds'][results['view_frame_map'][:, 0]]


def view_frames(results):
    """(V, T) frame indices of each view."""
    return results['frame_inds'][results['view_frame_map']]


@pytest.mark.parametrize('starts, speeds, clip_len, total, opt, inds, vmap', [
    ([0, 3], [1, 2], 4, 8, 'loop', [0, 1, 2, 3, 5, 7], [[0, 1, 2, 3],
                                                        [3, 4, 5, 1]]),
    ([6, 0], [1, 2], 4, 8, 'clamp', [0, 2, 4, 6, 7], [[3, 4, 4, 4],
                                                      [0, 1, 2, 3]]),
    ([0], [2], 4, 3, 'loop', [0, 1, 2], [[0, 2, 1, 0]]),
    ([0], [2], 4, 3, 'clamp', [0, 2], [[0, 1, 1, 1]]),
    ([2, 2], [1, 1], 3, 10, 'loop', [2, 3, 4], [[0, 1, 2], [0, 1, 2]]),
    ([5, 0], [1, 1], 3, 1, 'loop', [0], [[0, 0, 0], [0, 0, 0]]),
])
def test_plan_views_hand_cases(starts, speeds, clip_len, total, opt, inds,
                               vmap):
    frame_inds, view_frame_map = plan_views(starts, speeds, clip_len, total,
                                            opt)
    assert frame_inds.dtype == np.int64 and view_frame_map.dtype == np.int64
    np.testing.assert_array_equal(frame_inds, inds)
    np.testing.assert_array_equal(view_frame_map, vmap)


@pytest.mark.parametrize('opt', ['loop', 'clamp'])
def test_plan_views_random_cases_match_formula(opt):
    rng = np.random.default_rng(0)
    for _ in range(200):
        num_views, clip_len = rng.integers(1, 5), rng.integers(1, 9)
        total = int(rng.integers(1, 40))
        starts = rng.integers(0, total, num_views)
        speeds = rng.integers(1, 5, num_views)
        frame_inds, vmap = plan_views(starts, speeds, clip_len, total, opt)
        want = starts[:, None] + speeds[:, None] * np.arange(clip_len)
        want = want % total if opt == 'loop' else np.minimum(want, total - 1)
        np.testing.assert_array_equal(frame_inds[vmap], want)
        np.testing.assert_array_equal(frame_inds, np.unique(want))


def test_plan_views_errors():
    with pytest.raises(ValueError, match='out_of_bound_opt'):
        plan_views([0], [1], 4, 8, 'repeat_last')
    with pytest.raises(ValueError, match='total_frames'):
        plan_views([0], [1], 4, 0)


def test_sampler_keys():
    sampler = TRANSFORMS.build(
        dict(type='SpeedPairSampler', clip_len=8, speeds=(1, 2)))
    results = sampler(dict(total_frames=50, sample_idx=7, start_index=0))
    assert results['frame_inds'].ndim == 1
    assert results['view_frame_map'].shape == (2, 8)
    assert results['view_speeds'].dtype == np.int64
    assert sorted(results['view_speeds']) == [1, 2]
    assert results['video_idx'] == 7
    assert (results['clip_len'], results['num_clips']) == (8, 2)
    assert results['frame_interval'] is None
    assert sampler(dict(total_frames=50))['video_idx'] == -1
    one_based = sampler(dict(total_frames=50, start_index=1))
    assert one_based['frame_inds'].min() >= 1


def test_speed_pair_speeds_distinct_and_uniform():
    np.random.seed(0)
    speeds = (1, 2, 4, 8)
    sampler = SpeedPairSampler(clip_len=4, speeds=speeds, num_views=3)
    counts = dict.fromkeys(speeds, 0)
    n = 2000
    for _ in range(n):
        drawn = sampler(dict(total_frames=64))['view_speeds']
        assert len(set(drawn)) == 3 and set(drawn) <= set(speeds)
        for s in drawn:
            counts[s] += 1
    for s in speeds:
        assert abs(counts[s] / n - 0.75) < 0.04, counts


def test_speed_pair_with_replacement_repeats():
    np.random.seed(0)
    sampler = SpeedPairSampler(
        clip_len=4, speeds=(1, 2), num_views=3, distinct_speeds=False)
    drawn = [sampler(dict(total_frames=64))['view_speeds'] for _ in range(50)]
    assert all(set(d) <= {1, 2} for d in drawn)
    assert any(len(set(d)) < 3 for d in drawn)


def test_speed_pair_starts_uniform_and_in_bounds():
    np.random.seed(0)
    total, clip_len = 40, 8
    sampler = SpeedPairSampler(clip_len=clip_len, speeds=(1, 3))
    seen = {1: set(), 3: set()}
    for _ in range(3000):
        results = sampler(dict(total_frames=total))
        frames = view_frames(results)
        for s, row in zip(results['view_speeds'], frames):
            np.testing.assert_array_equal(np.diff(row), s)
            seen[s].add(row[0])
    for s in (1, 3):
        span = (clip_len - 1) * s + 1
        assert seen[s] == set(range(total - span + 1))


@pytest.mark.parametrize('opt', ['loop', 'clamp'])
def test_speed_pair_short_video(opt):
    sampler = SpeedPairSampler(clip_len=8, speeds=(2, 4), out_of_bound_opt=opt)
    results = sampler(dict(total_frames=10))
    np.testing.assert_array_equal(view_starts(results), [0, 0])
    speeds = results['view_speeds']
    want = speeds[:, None] * np.arange(8)
    want = want % 10 if opt == 'loop' else np.minimum(want, 9)
    np.testing.assert_array_equal(view_frames(results), want)


def test_speed_pair_test_mode_deterministic():
    sampler = SpeedPairSampler(clip_len=8, speeds=(2, 1), test_mode=True)
    first = sampler(dict(total_frames=40))
    second = sampler(dict(total_frames=40))
    np.testing.assert_array_equal(first['view_speeds'], [2, 1])
    np.testing.assert_array_equal(first['frame_inds'], second['frame_inds'])
    np.testing.assert_array_equal(view_starts(first), [(40 - 15) // 2, 16])


def test_speed_pair_constructor_errors():
    with pytest.raises(ValueError, match='distinct_speeds=False'):
        SpeedPairSampler(speeds=(1, 2), num_views=3)
    with pytest.raises(ValueError, match='at least two speeds'):
        SpeedPairSampler(speeds=(2, ), num_views=1)
    with pytest.raises(ValueError, match='repeat'):
        SpeedPairSampler(speeds=(2, 2))
    with pytest.raises(ValueError, match='positive'):
        SpeedPairSampler(speeds=(0, 1))
    with pytest.raises(ValueError, match='out_of_bound_opt'):
        SpeedPairSampler(out_of_bound_opt='repeat_last')
    SpeedPairSampler(speeds=(2, ), num_views=3, distinct_speeds=False)


def test_relative_speed_sampler():
    np.random.seed(0)
    sampler = RelativeSpeedSampler(clip_len=8, fast_speed=3)
    n, slow_first, query_differs = 2000, 0, 0
    for _ in range(n):
        results = sampler(dict(total_frames=60))
        a, a2, b = results['view_speeds']
        assert a == a2 and {a, b} == {1, 3}
        slow_first += a == 1
        frames = view_frames(results)
        assert frames[2, 0] == frames[1, 0]
        for s, row in zip((a, a, b), frames):
            np.testing.assert_array_equal(np.diff(row), s)
        query_differs += frames[0, 0] != frames[1, 0]
    assert abs(slow_first / n - 0.5) < 0.04
    assert query_differs > 0.9 * n
    with pytest.raises(ValueError, match='fast_speed'):
        RelativeSpeedSampler(fast_speed=1)


def test_temporal_interval_gap_distribution():
    np.random.seed(0)
    total, clip_len, stride = 40, 8, 2
    max_gap = total - (clip_len - 1) * stride - 1
    sampler = TemporalIntervalSampler(clip_len=clip_len, frame_interval=stride)
    n = 20000
    samples = [sampler(dict(total_frames=total)) for _ in range(n)]
    frames = np.stack([view_frames(r) for r in samples])
    assert all((r['view_speeds'] == stride).all() for r in samples)
    assert (np.diff(frames, axis=2) == stride).all()
    s0, s1 = frames[:, 0, 0], frames[:, 1, 0]
    gaps = np.abs(s1 - s0)
    assert (np.minimum(s0, s1) <= max_gap - gaps).all()
    first_later = np.count_nonzero(s0 > s1)
    weights = 1 - np.arange(max_gap + 1) / max_gap
    want = weights / weights.sum()
    got = np.bincount(gaps, minlength=max_gap + 1) / n
    assert 0.5 * np.abs(got - want).sum() < 0.025
    assert got[max_gap] == 0
    assert abs(first_later / np.count_nonzero(gaps) - 0.5) < 0.02


def test_temporal_interval_power():
    sampler = TemporalIntervalSampler(power=2.0)
    d = np.arange(11)
    want = (1 - (d / 10)**2) / (1 - (d / 10)**2).sum()
    np.testing.assert_allclose(sampler.gap_probs(10), want)


def test_temporal_interval_short_and_exact_videos():
    np.random.seed(0)
    sampler = TemporalIntervalSampler(clip_len=8, frame_interval=2)
    starts = np.array(
        [view_starts(sampler(dict(total_frames=10))) for _ in range(500)])
    assert set(starts.ravel()) == set(range(10))
    assert np.mean(starts[:, 0] == starts[:, 1]) < 0.3
    exact = sampler(dict(total_frames=15))
    np.testing.assert_array_equal(
        view_frames(exact), [np.arange(0, 15, 2)] * 2)


def test_temporal_interval_more_views_and_errors():
    np.random.seed(0)
    sampler = TemporalIntervalSampler(
        clip_len=4, frame_interval=1, num_views=3)
    for _ in range(100):
        frames = view_frames(sampler(dict(total_frames=30)))
        assert frames.shape == (3, 4) and frames.max() < 30
        np.testing.assert_array_equal(np.diff(frames, axis=1), 1)
    with pytest.raises(ValueError, match='num_views'):
        TemporalIntervalSampler(num_views=1)
    with pytest.raises(ValueError, match='power'):
        TemporalIntervalSampler(power=0)


class CountingReader:
    """Wraps a decord VideoReader and records its ``get_batch`` calls."""

    def __init__(self, reader):
        self.reader, self.calls = reader, []

    def get_batch(self, inds):
        self.calls.append(np.array(inds))
        return self.reader.get_batch(inds)


@pytest.fixture(scope='module')
def ramp_file(tmp_path_factory):
    return write_video(
        tmp_path_factory.mktemp('v') / 'ramp.mp4', ramp_video(30, 32))


@pytest.mark.parametrize('sampler', [
    dict(type='SpeedPairSampler', clip_len=16, speeds=(1, 2, 4), num_views=3),
    dict(
        type='SpeedPairSampler',
        clip_len=8,
        speeds=(1, 4),
        num_views=2,
        out_of_bound_opt='clamp'),
    dict(type='RelativeSpeedSampler', clip_len=8, fast_speed=2),
    dict(
        type='RelativeSpeedSampler',
        clip_len=8,
        window_augment=True,
        speed_split='half'),
    dict(type='SpeedPairSampler', clip_len=8, window_augment=True),
    dict(type='TemporalIntervalSampler', clip_len=8, frame_interval=2),
])
def test_decode_once_and_views_get_their_frames(ramp_file, sampler):
    np.random.seed(1)
    init = TRANSFORMS.build(dict(type='DecordInit'))
    sample = TRANSFORMS.build(sampler)
    decode = TRANSFORMS.build(dict(type='DecordDecode'))
    for _ in range(3):
        results = init(dict(filename=ramp_file, start_index=0))
        reader = results['video_reader'] = CountingReader(
            results['video_reader'])
        results = decode(sample(results))
        frame_inds = results['frame_inds']
        assert len(reader.calls) == 1
        np.testing.assert_array_equal(reader.calls[0], frame_inds)
        assert len(results['imgs']) == len(frame_inds) == len(
            np.unique(frame_inds))
        frames = view_frames(results)
        decoded = np.array(
            [[np.rint(results['imgs'][i].mean() / 8) for i in row]
             for row in results['view_frame_map']])
        np.testing.assert_array_equal(decoded, frames)


@pytest.mark.parametrize('cfg, view_speeds', [
    (dict(type='SpeedPairSampler', speeds=(1, 2, 4), num_views=3),
     ((1, 2, 4), ) * 3),
    (dict(
        type='SpeedPairSampler',
        speeds=(1, 2),
        num_views=3,
        distinct_speeds=False), ((1, 2), ) * 3),
    (dict(type='SpeedPairSampler', speeds=(2, 1), test_mode=True), ((2, ),
                                                                    (1, ))),
    (dict(type='RelativeSpeedSampler', fast_speed=3), ((1, 3), ) * 3),
    (dict(type='RelativeSpeedSampler', fast_speed=3, test_mode=True),
     ((1, ), (1, ), (3, ))),
    (dict(type='TemporalIntervalSampler', frame_interval=4, num_views=3),
     ((4, ), ) * 3),
])
def test_samplers_report_their_layout(cfg, view_speeds):
    """``num_views`` and ``view_speeds`` say what sampling gives."""
    np.random.seed(0)
    sampler = TRANSFORMS.build(cfg)
    assert sampler.num_views == len(view_speeds)
    assert sampler.view_speeds == view_speeds
    assert all(type(s) is int for v in sampler.view_speeds for s in v)
    seen = [set() for _ in view_speeds]
    for _ in range(100):
        results = sampler(dict(total_frames=64))
        assert results['num_clips'] == sampler.num_views
        _, speeds = sampler.sample_views(64)
        for view, (a, b) in enumerate(zip(results['view_speeds'], speeds)):
            seen[view].update((int(a), int(b)))
    assert [tuple(sorted(s)) for s in seen] == \
        [tuple(sorted(v)) for v in view_speeds]


# ------------------------------------------------------------- window mode
@pytest.mark.parametrize('cfg, groups', [
    (dict(type='SpeedPairSampler'), (0, 1)),
    (dict(type='SpeedPairSampler', num_views=3, speeds=(1, 2, 4)), (0, 1, 2)),
    (dict(type='SpeedPairSampler', window_augment=True), (0, 0)),
    (dict(type='RelativeSpeedSampler'), (0, 1, 2)),
    (dict(type='RelativeSpeedSampler', window_augment=True), (0, 1, 1)),
    (dict(type='TemporalIntervalSampler'), (0, 1)),
])
def test_samplers_write_their_view_groups(cfg, groups):
    sampler = TRANSFORMS.build(cfg)
    assert sampler.view_groups == groups
    results = sampler(dict(total_frames=64))
    assert results['view_groups'].dtype == np.int64
    np.testing.assert_array_equal(results['view_groups'], groups)


def test_speed_pair_window_mode_cuts_every_view_from_one_window():
    np.random.seed(0)
    total, clip_len = 40, 8
    sampler = SpeedPairSampler(
        clip_len=clip_len, speeds=(1, 2, 4), window_augment=True)
    last_start = {}
    for _ in range(3000):
        frames = view_frames(sampler(dict(total_frames=total)))
        assert frames[0, 0] == frames[1, 0]
        assert frames.max() < total  # the window fits the fastest view
        fastest = int(np.diff(frames[:, :2], axis=1).max())
        last_start[fastest] = max(last_start.get(fastest, 0), frames[0, 0])
    # uniform over [0, L - span of the fastest view]
    assert last_start == {2: total - 15, 4: total - 29}
    centred = SpeedPairSampler(
        clip_len=clip_len, window_augment=True, test_mode=True)
    np.testing.assert_array_equal(
        view_starts(centred(dict(total_frames=total))), [12, 12])


def test_relative_speed_window_mode_draws_the_query_over_a_window():
    np.random.seed(0)
    total, clip_len, fast = 40, 8, 3
    window = (clip_len - 1) * fast + 1
    starts = {True: [], False: []}
    for mode in starts:
        sampler = RelativeSpeedSampler(
            clip_len=clip_len, fast_speed=fast, window_augment=mode)
        for _ in range(2000):
            results = sampler(dict(total_frames=total))
            if results['view_speeds'][0] == 1:
                starts[mode].append(view_starts(results)[0])
    assert max(starts[True]) == total - window
    assert max(starts[False]) == total - clip_len


def test_half_speed_split_alternates():
    np.random.seed(0)
    sampler = RelativeSpeedSampler(fast_speed=3, speed_split='half')
    pairs = [
        tuple(sampler(dict(total_frames=60))['view_speeds'][[0, 2]])
        for _ in range(6)
    ]
    assert pairs == [(1, 3), (3, 1)] * 3
    test = RelativeSpeedSampler(speed_split='half', test_mode=True)
    assert all((test(dict(total_frames=60))['view_speeds'] == [1, 1, 2]).all()
               for _ in range(3))
    with pytest.raises(ValueError, match='speed_split'):
        RelativeSpeedSampler(speed_split='random')


class QuerySpeeds:
    """A dataset whose samples are the query speeds RSPNet's sampler
    draws."""

    def __init__(self, sampler, size):
        self.sampler, self.size = sampler, size

    def __len__(self):
        return self.size

    def __getitem__(self, idx):
        return int(self.sampler(dict(total_frames=60))['view_speeds'][0])


@pytest.mark.slow
def test_half_speed_split_halves_every_batch_of_a_dataloader():
    """Each worker builds a batch from successive samples: every even batch
    is split exactly in half, whatever the shuffle and the worker."""
    import torch
    sampler = RelativeSpeedSampler(fast_speed=2, speed_split='half')
    loader = torch.utils.data.DataLoader(
        QuerySpeeds(sampler, 60), batch_size=6, shuffle=True, num_workers=2)
    for _ in range(2):
        for batch in loader:
            assert sorted(batch.tolist()) == [1, 1, 1, 2, 2, 2]
