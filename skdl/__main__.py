"""``python -m skdl``: the demo, every estimator on bundled real data beside its counterpart."""

from skdl._demo import main

if __name__ == "__main__":
    main()
