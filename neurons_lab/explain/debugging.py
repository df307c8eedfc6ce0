"""The debugger recipe, driven without a keyboard: run one call under ``pdb`` with a fixed list
of commands and return what pdb printed (what a learner sees at those breakpoints).

    result, transcript = run_under_pdb(net.train_one_sample, (label, sample, 0.5), [
        "break " + breakpoint_at("Node.calc_hidden_layer_delta"),   # 式4's line
        "continue", "p self", "next", "p self.delta"])

:func:`breakpoint_at` turns a recipe entry into the "file:line" of the line that computes the
formula: the line an editor's debugger would get a breakpoint on, too.
"""

import importlib
import inspect
import io
import pdb

# where each formula runs: (module, qualified name, text of the line that computes it)
RECIPE = {
    "Node.calc_hidden_layer_delta": ("neurons.node", "self.delta = "),          # 式4
    "Connection.update_weight": ("neurons.connection", "self.weight -= "),      # 式5
    "FullConnectedLayer.backward": ("vectorized.layer", "return self.backward_error"),  # 式8
    "SharedWeight.update_weight": ("neurons.shared", "Connection.update_weight(self"),  # 式5
}


def breakpoint_at(name):
    """"file:line" of the line of RECIPE[name] that computes its formula (for pdb's break)."""
    module_name, text = RECIPE[name]
    obj = importlib.import_module(module_name)
    for part in name.split("."):
        obj = getattr(obj, part)
    lines, first = inspect.getsourcelines(obj)
    for offset, line in enumerate(lines):
        if text in line and not line.lstrip().startswith(("#", '"')):
            return f"{inspect.getsourcefile(obj)}:{first + offset}"
    raise LookupError(f"{name} has no line with {text!r}")


# the standard library's Pdb, also inside a Jupyter kernel (where pdb.Pdb is IPython's)
_PDB = next(c for c in pdb.Pdb.__mro__ if c.__module__ == "pdb" and c.__name__ == "Pdb")


class _Driven(_PDB):
    def do_clearall(self, arg):
        """clearall: remove every breakpoint without asking (pdb's "clear" asks on stdin)."""
        self.clear_all_breaks()


def run_under_pdb(fn, args, commands):
    """Call ``fn(*args)`` under pdb, feeding it ``commands``; "clearall" (every breakpoint
    removed) and "continue" are added so the call always finishes. Returns (fn's result,
    pdb's transcript)."""
    stdin = io.StringIO("\n".join(list(commands) + ["clearall", "continue"]) + "\n")
    stdout = io.StringIO()
    debugger = _Driven(stdin=stdin, stdout=stdout, nosigint=True)
    debugger.use_rawinput = False
    debugger.prompt = "(Pdb) "
    result = debugger.runcall(fn, *args)
    return result, stdout.getvalue()
