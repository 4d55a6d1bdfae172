"""`python -m moderation ...` runs the command line, like the `moderation` script."""

from moderation.cli import main

if __name__ == "__main__":
    main()
