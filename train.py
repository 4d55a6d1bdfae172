"""Retrain the judge: `python train.py [--data FILE...] [-o MODEL] [--floor HEAD=VALUE...]`.

The same code as `moderation train`. With no arguments it rebuilds models/default.joblib and
its model card from the project's own corpus in seeds/labeled/, and writes nothing (exit
status 1) if a cross-validated score falls below the pinned floors.
"""

from moderation.cli.train_command import train_command

if __name__ == "__main__":
    train_command(prog_name="train.py")
