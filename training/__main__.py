"""`python -m training …` is the `neurons` command line."""

from training.cli import main

raise SystemExit(main())
