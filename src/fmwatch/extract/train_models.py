"""Retrain every learned model of the extractor on today's rules, in one command:

    python -m fmwatch.extract.train_models [--shared ../shared/eval]

The direction model (``train_direction``) and the result-sentence model (``train_result_sentence``)
are both fitted on Evidence Inference 2.0 read in place, and both choose their thresholds on what
the rules answer on its validation split (``abstain_below``; ``veto_below`` and ``armless_from``).
Their files record fingerprints of the rules' answers, and ``tests/test_direction_model.py`` and
``tests/test_result_sentence_model.py`` fail when the rules answer otherwise (a change of
``direction.py`` or of the outcome rules): this command makes both current again. The
intervention-span tagger (``train_interventions``) is fitted on the EBM-NLP development abstracts
``fmwatch eval`` never scores and reads no rule's answer; its file records fingerprints of its code
and of the substance lexicon its features read, and ``tests/test_intervention_model.py`` fails when
either changes. Each training is
deterministic (same data, code and library versions, same bytes). It prints, for each model, whether
its weights changed and its thresholds before and after; the exit status is 0, or 2 when the data is
missing. About eight minutes on a busy 2-core machine (the direction model takes most of it).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import train_direction, train_interventions, train_result_sentence
from .direction_model import MODEL_PATH as DIRECTION_PATH
from .intervention_model import MODEL_PATH as INTERVENTION_PATH
from .result_sentence_model import MODEL_PATH as RESULT_SENTENCE_PATH

COMMAND = "python -m fmwatch.extract.train_models --shared ../shared/eval"
# (model file, trainer, the thresholds its metadata holds)
MODELS = (
    (DIRECTION_PATH, train_direction.train, ("abstain_below",)),
    (RESULT_SENTENCE_PATH, train_result_sentence.train, ("decide_at", "veto_below", "armless_from")),
    (INTERVENTION_PATH, train_interventions.train, ("threshold",)),
)


def _summary(old_text: str | None, new_text: str, thresholds: tuple[str, ...]) -> str:
    """One line: whether the weights changed, and each threshold before -> after."""
    new = json.loads(new_text)
    old = json.loads(old_text) if old_text else {"model": {"metadata": {}}, "weights": None}
    same = "weights unchanged" if old["weights"] == new["weights"] else "weights CHANGED"
    moved = ", ".join(f"{name} {old['model']['metadata'].get(name)} -> {new['model']['metadata'].get(name)}"
                      for name in thresholds)
    return f"{same}; {moved}"


def main(argv: list[str] | None = None) -> int:
    """The command line: train each model, write it where extraction reads it (or under ``--out``),
    print what changed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared/eval"), help="the shared eval folder")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the model files into this folder instead of the package's models/")
    args = parser.parse_args(argv)
    if not (args.shared / train_direction.DATA_FILE).is_file():
        print(f"no Evidence Inference data at {args.shared / train_direction.DATA_FILE} (pass --shared)", file=sys.stderr)
        return 2
    if not (args.shared / train_interventions.DATA_FILE).is_file():
        print(f"no EBM-NLP data at {args.shared / train_interventions.DATA_FILE} (pass --shared)", file=sys.stderr)
        return 2
    quiet = (lambda *_: None)
    for path, train, thresholds in MODELS:
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        text = train(args.shared, None, log=quiet).to_json()
        out = (args.out / path.name) if args.out else path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}: {_summary(old, text, thresholds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
