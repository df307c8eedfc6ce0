"""`python -m neurons_lab …` is the `neurons` command line."""

from neurons_lab.cli import main

raise SystemExit(main())
