"""The learned refusal trained with more of the sample corpus's sets: held-out 6-9, each left out in turn.

Collects every question's refusal features (training_data.py's pipeline, all sample sets, ClapNQ's both halves;
minutes, kept in FEATURES_FILE), then compares training recipes: session 8's training sets, and those plus held-out 6-9
(leave one out) with sample weights 1, 3, 6 or without ClapNQ. Prints, per recipe, refused / wrongly refused by the
model alone on each left-out set, pooled, on ClapNQ's odd half and on the multilingual sets.

    python scripts/variants/refusal_sets.py [FEATURES_FILE]
"""

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT))
FEATURES_FILE = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.gettempdir()) / "pa-refusal-features.json"

from answer_variants import DEFAULT_SETS  # noqa: E402 (the scripts folder is put on the path above)
from train_refusal import collect, fit_refusal  # noqa: E402

if not FEATURES_FILE.exists():
    import training_data as td

    td.TRAINING_SETS = DEFAULT_SETS  # every sample set: the recipes below choose
    td.is_train = lambda qid: True  # both halves of ClapNQ: the odd one is split off below
    settings, _ = td.training_settings()
    questions = collect(settings, ROOT.parent / "shared" / "benchmarks", removed=True)
    FEATURES_FILE.write_text(json.dumps([q.__dict__ for q in questions]))

import numpy as np  # noqa: E402 (after the feature collection)

from benchmarks.external import training_half  # noqa: E402 (after the feature collection)
from programme_assistant.answering.answerability import QUESTION_FEATURES as NAMES  # noqa: E402

Q = json.loads(FEATURES_FILE.read_text())
SAMPLE = {name for name in DEFAULT_SETS if "multilingual" not in name}


def base(src):
    return src[:-8] if src.endswith("-removed") else src


def half(q):
    return "even" if training_half(q["qid"]) else "odd"


def matrix(qs):
    return np.array([[q["features"].get(n, 0.0) for n in NAMES] for q in qs])


def fit_recipe(train, sw=3.0, C=1.0, maxw=0.05):
    y = np.array([int(not q["answerable"]) for q in train])
    w = np.array([sw if base(q["source"]) in SAMPLE else 1.0 for q in train])
    strata = np.array([f"{q['source']}-{int(q['answerable'])}" for q in train])
    model, mean, scale, thr, _ = fit_refusal(matrix(train), y, w, strata, C, maxw)
    return lambda qs: model.predict_proba((matrix(qs) - mean) / scale)[:, 1], thr


def rates(pred, thr, qs):
    p = pred(qs)
    un = [pi >= thr for pi, q in zip(p, qs, strict=True) if not q["answerable"]]
    an = [pi >= thr for pi, q in zip(p, qs, strict=True) if q["answerable"]]
    return (np.mean(un) if un else float("nan"), np.mean(an) if an else float("nan"), len(un), len(an))


def pick(sets, clap=True, removed=True):
    return [
        q
        for q in Q
        if (base(q["source"]) in sets and (removed or not q["source"].endswith("-removed")))
        or (
            clap
            and base(q["source"]) == "clapnq"
            and half(q) == "even"
            and (removed or not q["source"].endswith("-removed"))
        )
    ]


orig = {"golden", "heldout", "heldout2", "heldout3", "heldout4", "heldout5"}
new = ["heldout6", "heldout7", "heldout8", "heldout9"]
clap_odd = [q for q in Q if q["source"] == "clapnq" and half(q) == "odd"]
ml = [q for q in Q if q["source"].startswith("heldout-multilingual") and not q["source"].endswith("-removed")]

recipes = {
    "A current": lambda t: pick(orig),
    "B +new": lambda t: pick(orig | set(new) - {t}),
    "B sw1": (lambda t: pick(orig | set(new) - {t}), 1.0),
    "B sw6": (lambda t: pick(orig | set(new) - {t}), 6.0),
    "D noclap": lambda t: pick(orig | set(new) - {t}, clap=False),
}
for name, r in recipes.items():
    fn, sw = r if isinstance(r, tuple) else (r, 3.0)
    line = []
    tot_u = tot_a = 0
    nu = na = 0
    for t in new:
        pred, thr = fit_recipe(fn(t), sw=sw)
        u, a, n_u, n_a = rates(pred, thr, [q for q in Q if q["source"] == t])
        line.append(f"{t[-1]}:{u:.2f}/{a:.3f}")
        tot_u += u * n_u
        nu += n_u
        tot_a += a * n_a
        na += n_a
    pred, thr = fit_recipe(fn("none"), sw=sw)
    cu, ca, _, _ = rates(pred, thr, clap_odd)
    mu, ma, _, _ = rates(pred, thr, ml)
    print(
        f"{name:10s} "
        + " ".join(line)
        + f" | pooled h6-9 {tot_u / nu:.3f}/{tot_a / na:.3f} | clap odd {cu:.3f}/{ca:.3f}"
        + f" | ml {mu:.3f}/{ma:.3f} thr {thr:.3f}"
    )
