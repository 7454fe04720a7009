"""The answer stage's passage-rank bonus set to RW (0.1 by default in ExtractiveConfig)."""

import os
from dataclasses import replace

RW = float(os.environ.get("RW", "0"))


def apply(a):
    old = a.answerer.config
    a.answerer.config = replace(old, rank_weight=RW)
    return lambda: setattr(a.answerer, "config", old)
