"""`python -m behavlab`: the same as the `behavlab` command (how `behavlab serve` starts each visit's app)."""

from behavlab.cli.main import main

if __name__ == "__main__":
    main()
