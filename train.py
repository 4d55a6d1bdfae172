"""Retrain the judge: `python train.py [--data FILE...] [-o MODEL]`.

The same code as `moderation train`. With no arguments it rebuilds models/default.joblib and
its model card from the project's own corpus in seeds/labeled/.
"""

from moderation.cli.train_command import train_command

if __name__ == "__main__":
    train_command(prog_name="train.py")
