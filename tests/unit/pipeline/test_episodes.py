import pytest

from sonics.core.errors import MediaError
from sonics.pipeline.episodes import Episode, find_episodes


@pytest.fixture
def series(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    for name in ("ep02.mp4", "ep01.mov", "notes.txt", "ep 03.mkv"):
        (folder / name).write_bytes(b"x")
    return folder


def test_a_folder_gives_its_videos_in_name_order(series):
    episodes = find_episodes([series], preset="duel", seed=4)
    assert [(e.name, e.preset, e.seed) for e in episodes] == [
        ("ep_03", "duel", 4),
        ("ep01", "duel", 4),
        ("ep02", "duel", 4),
    ]


def test_a_text_list_is_relative_to_itself_with_comments(series):
    listing = series / "list.txt"
    listing.write_text("# the first two\nep01.mov\n\n  ep02.mp4   # re-cut on Monday\n")
    assert [e.source for e in find_episodes([listing])] == [
        str(series / "ep01.mov"),
        str(series / "ep02.mp4"),
    ]


def test_a_csv_list_gives_each_episode_its_preset_seed_and_overrides(series):
    listing = series / "list.csv"
    listing.write_text(
        "path,name,preset,seed,set\n"
        "ep01.mov,pilot,duel,9,mix.loudness=ebu-r128; music.mode=yu\n"
        "ep02.mp4,,,,\n"
    )
    first, second = find_episodes([listing], preset="battle", seed=1)
    assert first == Episode(
        "pilot", str(series / "ep01.mov"), "duel", 9, ("mix.loudness=ebu-r128", "music.mode=yu")
    )
    assert (second.name, second.preset, second.seed, second.overrides) == ("ep02", "battle", 1, ())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name\nep01\n", "needs a header row with a 'path' column"),
        ("path,colour\nep01.mov,red\n", "unknown column 'colour'"),
        ("path,seed\nep01.mov,many\n", r"list.csv:2: seed 'many' is not an integer"),
        ("path\nmissing.mp4\n", r"list.csv:2: missing.mp4: no such file"),
        ("path,name\nep01.mov,a/b\n", r"list.csv:2: episode name 'a/b'"),
    ],
)
def test_a_bad_csv_names_the_line(series, text, message):
    listing = series / "list.csv"
    listing.write_text(text)
    with pytest.raises(MediaError, match=message):
        find_episodes([listing])


def test_two_episodes_of_one_name_are_refused(series, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "ep01.mp4").write_bytes(b"x")
    with pytest.raises(MediaError, match="two episodes are named 'ep01'"):
        find_episodes([series, other])


def test_missing_inputs_and_empty_folders_are_refused(tmp_path):
    with pytest.raises(MediaError, match="no such file or folder"):
        find_episodes([tmp_path / "none"])
    with pytest.raises(MediaError, match="holds no video files"):
        find_episodes([tmp_path])
