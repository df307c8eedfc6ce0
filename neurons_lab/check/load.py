"""Finding the candidate a user names on the command line.

``MODULE:NAME`` — a class with the project's API, a torch nn.Module (an instance, or a class
built with no arguments); ``MODULE:FORWARD,BACKWARD`` — two functions. MODULE is a dotted
module name (imported with the current folder on the path) or a path to a ``.py`` file.
"""

import importlib
import importlib.util
import inspect
import os
import sys
from pathlib import Path

from .candidates import ApiClass, CheckError, Functions
from .torch_candidate import TorchModule, is_module

SYNTAX = "MODULE:CLASS, MODULE:MODEL or MODULE:FORWARD,BACKWARD"


def import_module(name):
    """The module ``name`` (dotted, or a path to a .py file); CheckError in one line."""
    try:
        if name.endswith(".py") or os.sep in name or "/" in name:
            path = Path(name)
            if not path.is_file():
                raise CheckError(f"no such file: {name}")
            spec = importlib.util.spec_from_file_location(f"_checked_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # dataclasses and pickling look it up
            spec.loader.exec_module(module)
            return module
        if os.getcwd() not in sys.path and "" not in sys.path:
            sys.path.insert(0, os.getcwd())
        return importlib.import_module(name)
    except CheckError:
        raise
    except ModuleNotFoundError as error:
        raise CheckError(f"cannot import {name}: {error}") from None
    except Exception as error:  # the user's module failed while importing
        raise CheckError(f"importing {name} failed: {type(error).__name__}: {error}") from None


def load(target, fixed=None, input_shape=None):
    """The :class:`~.candidates.Candidate` that ``target`` names (see the module docstring)."""
    if not isinstance(target, str) or target.count(":") < 1:
        raise CheckError(f"cannot read {target!r}: give {SYNTAX}")
    module_name, _, names = target.rpartition(":")
    if not module_name or not names:
        raise CheckError(f"cannot read {target!r}: give {SYNTAX}")
    module = import_module(module_name)
    parts = [part.strip() for part in names.split(",")]
    objects = []
    for part in parts:
        if not hasattr(module, part):
            raise CheckError(f"{module_name} has no {part!r}")
        objects.append(getattr(module, part))
    if len(objects) == 2:
        return Functions(*objects, name=target, fixed=fixed)
    if len(objects) != 1:
        raise CheckError(f"cannot read {target!r}: give {SYNTAX}")
    return as_candidate(objects[0], name=target, fixed=fixed, input_shape=input_shape)


def as_candidate(obj, name=None, fixed=None, input_shape=None):
    """A Candidate from a class, an nn.Module (instance or class), a (forward, backward)
    pair, or a Candidate itself."""
    if hasattr(obj, "prepare") and hasattr(obj, "gradient"):
        return obj
    if is_module(obj):
        if isinstance(obj, type):
            try:
                obj = obj()
            except Exception as error:
                raise CheckError(f"{obj.__name__}() failed: {type(error).__name__}: "
                                 f"{error}") from None
        return TorchModule(obj, name=name, fixed=fixed, input_shape=input_shape)
    if isinstance(obj, tuple) and len(obj) == 2:
        return Functions(*obj, name=name, fixed=fixed)
    if inspect.isclass(obj):
        return ApiClass(obj, name=name)
    raise CheckError(f"{name or obj!r} is neither a class, an nn.Module nor a pair of "
                     f"functions: give {SYNTAX}")
