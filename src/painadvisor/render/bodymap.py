"""A picture of the legs, front and back, with numbered places to pick from.  Plain ASCII,
so it reads the same on any terminal (also TERM=dumb) and in 80 columns."""

from __future__ import annotations

# Each number on the picture is a place of the case vocabulary, with a short label.
REGIONS: dict[int, tuple[str, str]] = {
    1: ("hip.outer", "outside of the hip"), 2: ("hip.groin", "groin or front of the hip"),
    3: ("thigh.front", "front of the thigh"), 4: ("thigh.inner", "inner thigh"),
    5: ("knee.front", "around the kneecap"), 6: ("knee.below-kneecap", "just below the kneecap"),
    7: ("knee.outer", "outside of the knee"), 8: ("knee.inner", "inside of the knee"),
    9: ("shin.front", "front-outer shin"), 10: ("shin.inner", "inner edge of the shinbone"),
    11: ("ankle.outer", "outside of the ankle"), 12: ("ankle.inner", "inside of the ankle"),
    13: ("ankle", "the ankle in general, or its front"), 14: ("foot.top", "top of the foot"),
    15: ("foot.toes", "between or under the toes"), 16: ("buttock", "buttock or sitting bone"),
    17: ("thigh.back", "back of the thigh"), 18: ("knee.back", "back of the knee"),
    19: ("calf", "calf muscle"), 20: ("achilles", "Achilles tendon"),
    21: ("heel.back", "back of the heel"), 22: ("heel.bottom", "under the heel"),
    23: ("foot.arch", "arch of the foot"), 24: ("foot.forefoot", "ball of the foot"),
    25: ("foot.outer", "outer edge of the foot"), 26: ("knee.inside", "deep in the knee joint"),
}
PLACE_OF = {number: place for number, (place, _) in REGIONS.items()}

PICTURE = r"""
        FRONT (right leg)                      BACK (right leg)
            _________                              _________
      1 ---|    2    |                            |   16    |
           |         |                            |         |
           |    3    |--- 4                       |   17    |
           |         |                            |         |
      7 ---(  5  26 )--- 8                        (   18    )
           |    6    |                            |         |
           |  9  10  |                            |   19    |
           |         |                            |         |
           |         |                            |   20    |
      11 --(   13    )-- 12                       (   21    )
            \ 14     \__                           \  22  __|
             \_______15_)                            \_23__|  24  25
"""

LEGEND_WIDTH = 38


def legend() -> list[str]:
    """The numbered places in two columns."""
    items = [f"{number:>2}. {label}" for number, (_, label) in REGIONS.items()]
    half = (len(items) + 1) // 2
    return [f"{left:<{LEGEND_WIDTH}}  {right}".rstrip()
            for left, right in zip(items[:half], [*items[half:], ""], strict=False)]


def body_map() -> str:
    """The whole picture with its legend, every line within 80 columns, ASCII only."""
    return "\n".join([*PICTURE.strip("\n").splitlines(), "", *legend()]) + "\n"
