"""Retrieval, not the answer stage: a third ranking in the fusion, the dense search for the question without its
names, numbers and dates (``focus.py``'s ``focus``), weight FW. Patches the search before answer_variants.py
retrieves, so it runs that script itself, with its own cache:

    FW=0.5 python scripts/variants/focus_retrieval.py --cache /tmp/pa-av-focus-retrieval.pkl --fresh base
"""

import inspect
import os
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import answer_variants  # noqa: E402 (the scripts folder is put on the path above)

from programme_assistant.retrieval import hybrid  # noqa: E402

FOCUS = answer_variants.load_variant(str(HERE / "focus.py"))
W = float(os.environ.get("FW", "0.5"))
code = inspect.getsource(hybrid.HybridSearch._fused)
old = "        rankings = [(self.dense_weight, dense), (self.lexical_weight, lexical)]\n"
assert old in code, "HybridSearch._fused changed: update this variant"
code = code.replace(
    old,
    old + "        _f = _focus(_own_question(query))\n"
    "        if self.mode == 'hybrid' and len(_f.split()) >= 3 and _f != query and not english:\n"
    f"            rankings.append(({W}, self.dense(_f, self.candidates, filters)))\n",
)
namespace: dict = {}
exec(textwrap.dedent(code), {**hybrid.__dict__, "_focus": FOCUS.focus, "_own_question": FOCUS.own_question}, namespace)
hybrid.HybridSearch._fused = namespace["_fused"]
sys.exit(answer_variants.main(sys.argv[1:]))
