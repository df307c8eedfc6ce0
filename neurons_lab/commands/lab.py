"""``neurons lab``: the browser lab — serve it on 127.0.0.1, write it as a static site, or
fetch the pinned Pyodide it runs on.

A bad value or a failed fetch ends as one line on stderr and exit 1 (a :class:`LabError`);
argparse's own checks exit 2.
"""

import sys
import webbrowser

from ..lab import pyodide, site
from ..lab.errors import LabError


def add_subcommands(subparsers):
    p = subparsers.add_parser(
        "lab", help="the network in your browser: step, edit and train the real neurons",
        description="Serve the lab on 127.0.0.1: the page runs the installed neurons package "
                    "in Pyodide (Python in WebAssembly) and shows every number, the formula "
                    "and the source line of each phase. Pyodide "
                    f"{pyodide.VERSION} is fetched once from the npm registry (integrity "
                    "checked) into a cache folder.")
    p.add_argument("--port", type=int, default=0,
                   help="port on 127.0.0.1 (default: a free one, printed)")
    p.add_argument("--no-browser", action="store_true", help="only print the address")
    p.add_argument("--build", metavar="DIR",
                   help="write the lab as a static site into DIR instead of serving it")
    p.add_argument("--cdn", action="store_true",
                   help=f"with --build: load Pyodide from its official CDN ({pyodide.CDN}) "
                        "instead of copying it into DIR")
    p.add_argument("--fetch-pyodide", action="store_true",
                   help="fetch Pyodide into the cache (if missing) and exit")
    p.add_argument("--pyodide-dir", metavar="DIR",
                   help="the Pyodide cache folder (default $NEURONS_LAB_CACHE or "
                        f"~/.cache/neurons-lab, then pyodide-{pyodide.VERSION})")
    p.add_argument("--registry", default=pyodide.REGISTRY,
                   help=f"the npm registry to fetch from (default {pyodide.REGISTRY})")
    p.set_defaults(handler=cmd_lab)


def _log(message):
    print(message, file=sys.stderr)


def cmd_lab(args):
    """Fetch, build or serve the lab; a LabError is one line (neurons_lab.cli catches it)."""
    if args.cdn and not args.build:
        raise LabError("--cdn names Pyodide's CDN in a static build: use it with --build DIR")
    folder = args.pyodide_dir or pyodide.default_cache()
    if not args.cdn:
        folder = pyodide.fetch(folder, args.registry, log=_log)
    if args.fetch_pyodide:
        print(folder)
        return 0
    if args.build:
        out = site.build(args.build, folder, cdn=args.cdn)
        print(f"lab written to {out}; serve it over HTTP (browsers refuse file:// here), "
              f"e.g. python -m http.server -d {out}")
        return 0
    server = site.make_server(folder, args.port)
    address = site.url(server)
    print(f"the lab: {address}  (Ctrl-C stops it)", flush=True)
    if not args.no_browser:
        try:
            webbrowser.get().open(address)
        except webbrowser.Error:
            pass  # no browser here: the printed address is enough
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("neurons lab: stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
