"""RoundRobin: shuffled rounds, no immediate repeats, reproducible from the generator."""

import itertools

import numpy as np
import pytest

from sonics.core.errors import ParameterError
from sonics.sfx.variation import RoundRobin


def _picks(n_items: int, seed: int, n: int = 1000) -> list[int]:
    picker = RoundRobin(n_items, np.random.default_rng(seed))
    return [picker.pick() for _ in range(n)]


@pytest.mark.parametrize("n_items", [2, 3, 5, 8, 17])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_never_the_same_item_twice_in_a_row_and_every_round_uses_all(n_items, seed):
    picks = _picks(n_items, seed)
    assert all(a != b for a, b in itertools.pairwise(picks))
    n_rounds = len(picks) // n_items
    for r in range(n_rounds):
        assert sorted(picks[r * n_items : (r + 1) * n_items]) == list(range(n_items))
    assert set(picks) == set(range(n_items))


def test_every_item_is_picked_equally_often_over_whole_rounds():
    assert np.bincount(_picks(5, 11, 1000)).tolist() == [200] * 5


def test_rounds_are_shuffled_not_repeated():
    picks = _picks(6, 4, 600)
    rounds = {tuple(picks[i : i + 6]) for i in range(0, 600, 6)}
    assert len(rounds) > 50  # 100 rounds of 720 possible orders: nearly all different


def test_two_items_alternate():
    picks = _picks(2, 9, 100)
    assert picks[1::2] == [1 - picks[0]] * 50 and picks[0::2] == [picks[0]] * 50


def test_one_item_is_always_index_zero_and_draws_nothing():
    rng = np.random.default_rng(5)
    picker = RoundRobin(1, rng)
    assert [picker.pick() for _ in range(10)] == [0] * 10
    assert rng.integers(0, 2**32) == np.random.default_rng(5).integers(0, 2**32)


def test_same_seed_same_picks_and_other_seeds_differ():
    assert _picks(7, 42) == _picks(7, 42)
    assert _picks(7, 42) != _picks(7, 43)


def test_picks_are_indices():
    picker = RoundRobin(np.int64(4), np.random.default_rng(0))
    assert picker.n_items == 4
    assert all(type(picker.pick()) is int for _ in range(9))
    assert repr(picker) == "RoundRobin(n_items=4, left_in_round=3)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0, np.random.default_rng(0)), "n_items must be an integer >= 1, got 0"),
        ((-3, np.random.default_rng(0)), "n_items must be an integer >= 1, got -3"),
        ((2.0, np.random.default_rng(0)), "n_items must be an integer >= 1, got 2.0"),
        ((True, np.random.default_rng(0)), "n_items must be an integer >= 1, got True"),
        ((3, 7), "rng must be a numpy.random.Generator, got int"),
        ((3, np.random.RandomState(0)), "rng must be a numpy.random.Generator, got RandomState"),
    ],
)
def test_refuses_bad_arguments(args, message):
    with pytest.raises(ParameterError, match=message):
        RoundRobin(*args)
