#!/usr/bin/python3
"""Export a pickled (joblib / pickle) fitted scikit-learn estimator to ONNX-ML.

    /usr/bin/python3 tools/python/export_sklearn.py model.joblib -o model.onnx
    /usr/bin/python3 tools/python/export_sklearn.py model.pkl -o model.onnx --n-features 30

The ONNX file uses the same conventions as skl2onnx (see tools/python/README.md)
and goes straight into ``modelc convert``.  Only load pickles you trust:
unpickling runs arbitrary code.
"""
import argparse
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mote_sklearn  # noqa: E402


def load_estimator(path):
    try:
        import joblib
    except ImportError:  # pragma: no cover - joblib ships with scikit-learn
        joblib = None
    if joblib is not None:
        try:
            return joblib.load(path)
        except (pickle.UnpicklingError, KeyError, ValueError, EOFError):
            pass
    with open(path, "rb") as f:
        return pickle.load(f)


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Export a pickled fitted scikit-learn estimator to ONNX-ML "
                    "(skl2onnx-compatible graphs, no skl2onnx needed).")
    p.add_argument("estimator", help="joblib or pickle file holding the fitted estimator")
    p.add_argument("-o", "--output", required=True, help="ONNX file to write")
    p.add_argument("--n-features", type=int, default=None,
                   help="number of input features (default: the estimator's n_features_in_)")
    p.add_argument("--name", default=None, help="graph name (default ONNX(<class name>))")
    p.add_argument("--list", action="store_true",
                   help="print the supported estimator classes and exit")
    if argv is None:
        argv = sys.argv[1:]
    if "--list" in argv:
        print("\n".join(mote_sklearn.supported_estimators()))
        return 0
    args = p.parse_args(argv)

    try:
        est = load_estimator(args.estimator)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as e:
        print("export_sklearn: cannot load %s: %s" % (args.estimator, e), file=sys.stderr)
        return 2
    n_features = args.n_features
    if n_features is None:
        n_features = getattr(est, "n_features_in_", None)
        if n_features is None:
            print("export_sklearn: %s has no n_features_in_; pass --n-features"
                  % type(est).__name__, file=sys.stderr)
            return 2
    try:
        model = mote_sklearn.to_onnx(est, int(n_features), name=args.name)
    except mote_sklearn.ExportError as e:
        print("export_sklearn: %s" % e, file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(model.SerializeToString())
    os.replace(tmp, args.output)
    outs = ", ".join("%s" % o.name for o in model.graph.output)
    ops = sorted(set(n.op_type for n in model.graph.node))
    print("wrote %s: %s, input X [N, %d], outputs %s, ops %s"
          % (args.output, type(est).__name__, int(n_features), outs, " ".join(ops)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
