"""Layer 4: music: the tempo map and the cues become a score in beats, rendered by a built-in synthesiser.

>>> from sonics.music import SCALES
>>> SCALES["yu"]
(0, 3, 5, 7, 10)
"""

from sonics.music.arrange import PART_MIX, arrange
from sonics.music.form import LEVELS, picture_energy
from sonics.music.scales import SCALES, Scale, key_signature

__all__ = ["LEVELS", "PART_MIX", "SCALES", "Scale", "arrange", "key_signature", "picture_energy"]
