"""The CNN parts of ``neurons explain`` and ``neurons draw``: the small CNN's walkthrough
(text or page) and a CNN spec drawn as maps and filters (HTML)."""

from ..explain.errors import ExplainError
from ..explain.i18n import text


def explain_cnn(args, lang, page, out):
    """neurons explain --example cnn: text (each --impl) or the page."""
    from ..explain.cnn import compare_cnn, record_cnn, render_cnn

    if page is not None:
        from ..explain.cnn_page import write_cnn_page

        write_cnn_page(page, args.impl, lang)
        print(f"wrote {page}: open it in a browser", file=out)
        return 0
    impls = ("neurons", "vectorized") if args.impl == "both" else (args.impl,)
    traces = [record_cnn(impl)[0] for impl in impls]
    lines = render_cnn(traces[0], lang)
    if len(traces) == 2:
        worst, count = compare_cnn(*traces)
        lines += ["", text(lang)["largest"].format(diff=f"{worst:.1e}",
                                                   name=f"{count} numbers, vectorized")]
    print("\n".join(lines), file=out)
    return 0


def draw_cnn(args, path, out):
    """A CNN spec: input, feature maps, δ maps and filters after one seeded forward and
    backward pass, as a self-contained HTML file (explain.display)."""
    import importlib
    import random

    from ..explain.display import cnn_html
    from ..explain.drawing import check_size
    from ..training.files import atomic_write

    spec = [int(p) if p.strip().isdigit() else p.strip() for p in args.layers.split(",")]
    check_size(spec)  # before anything is built
    try:
        net = importlib.import_module(args.impl).Network(spec, seed=args.seed)
    except (TypeError, ValueError) as exc:
        raise ExplainError(f"--layers {args.layers!r}: {exc}") from None
    rng = random.Random(args.seed)
    sample = [rng.random() for _ in range(net.input_size)]
    label = [0.9 if k == 0 else 0.1 for k in range(net.output_size)]
    if args.impl == "vectorized":
        import numpy as np

        sample, label = np.asarray(sample), np.asarray(label)
    net.predict(sample)
    net.calc_delta(label)
    atomic_write(path, ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>"
                        f"{args.layers}</title></head><body style='font-family:sans-serif'>"
                        f"{cnn_html(net)}</body></html>\n").encode())
    print(f"wrote {path}", file=out)
    return 0
