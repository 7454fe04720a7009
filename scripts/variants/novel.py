"""'says nothing new' judged by the share of the candidate's own words already said (not the smaller set's)."""

import os

from programme_assistant.answering import extractive as ex

orig = ex._overlap
MODE = os.environ.get("NOV", "own")


def apply(a):

    # patch only the call in _select: replace _overlap(words, set(...)) semantic by own-share
    def own(a_, b_):
        return len(a_ & b_) / max(1, len(a_))

    ex._overlap_select = own
    import inspect
    import textwrap

    code = inspect.getsource(ex.ExtractiveAnswerer._select)
    code = code.replace(
        "_overlap(words, set(content_words(c.text)))", "_overlap_select(words, set(content_words(c.text)))"
    )
    ns = {}
    exec(textwrap.dedent(code), ex.__dict__, ns)
    old = ex.ExtractiveAnswerer._select
    ex.ExtractiveAnswerer._select = ns["_select"]
    return lambda: setattr(ex.ExtractiveAnswerer, "_select", old)
