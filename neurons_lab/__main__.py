"""`python -m neurons_lab …` is the `neurons` command line."""

import sys

try:
    from neurons_lab.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command line itself is imported
    print("neurons: interrupted", file=sys.stderr)
    raise SystemExit(130) from None

raise SystemExit(main())
