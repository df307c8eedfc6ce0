"""The install as a user does it: build the sdist and the wheel (the wheel from the sdist, as
`python -m build` does), install the wheel into a fresh venv outside the checkout, and run the
command line from another folder.

    python .ci/install_check.py                  # a fresh venv; NumPy and tqdm from the index
    python .ci/install_check.py --system-site-packages /path/to/python
        # faster offline: the venv sees that Python's packages (NumPy), not the checkout

Checks: the wheel holds exactly the packages neurons, vectorized and neurons_lab (+ its
dist-info, with the LICENSE); no installed file names a development folder; `import neurons,
vectorized, neurons_lab` loads them from the venv, not the checkout; `neurons demo --quick`,
`neurons explain` and every subcommand's --help run. Prints the wheel's top-level names and
file count.
Exit status 0 when all hold, 1 with the reasons otherwise. Needs `build` (the dev extra).
"""

import argparse
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOP_LEVEL = {"neurons", "vectorized", "neurons_lab"}
# A development folder named in installed text: the repository's contract file, the folder
# beside the checkout (as a path: "shared/" or Path(...) / "shared"), the source articles'
# development names. neurons/shared.py (shared weights) is fine: it is not a path.
FORBIDDEN = re.compile(r"""DESIGN\.md|shared/|["']shared["']\s*/|/\s*["']shared["']|"""
                       r"""beside the checkout|the seeds|种子""")
SUBCOMMANDS = ("demo", "train", "gradcheck", "check", "knn", "evaluate", "vote", "explain", "draw",
               "plot", "lab")


def run(command, **kwargs):
    print("$", " ".join(map(str, command)), flush=True)
    return subprocess.run([str(c) for c in command], check=True, text=True,
                          capture_output=True, **kwargs)


def check_wheel(wheel, problems):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    packages = {t for t in top if not t.endswith(".dist-info")}
    print(f"wheel {wheel.name}: {len(names)} files; top-level names: "
          f"{', '.join(sorted(top))}")
    if packages != TOP_LEVEL:
        problems.append(f"the wheel's packages are {sorted(packages)}, expected "
                        f"{sorted(TOP_LEVEL)}")
    if not any(name.endswith(".dist-info/licenses/LICENSE") for name in names):
        problems.append("the wheel carries no LICENSE")
    with zipfile.ZipFile(wheel) as archive:
        for name in names:
            text = archive.read(name).decode("utf-8", errors="replace")
            for match in FORBIDDEN.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{name}:{line}: names a development folder ({match.group()!r})")


def check_installed(venv, elsewhere, problems):
    python = venv / "bin" / "python"
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(elsewhere),
           "XDG_CACHE_HOME": str(elsewhere / "cache"), "LANG": "C.UTF-8"}
    where = run([python, "-c", "import neurons, vectorized, neurons_lab; "
                 "print('\\n'.join(m.__file__ for m in (neurons, vectorized, neurons_lab)))"],
                cwd=elsewhere, env=env).stdout.split()
    for path in where:
        if not Path(path).resolve().is_relative_to(venv.resolve()) or ROOT in Path(path).parents:
            problems.append(f"imported from {path}, not from the venv")
    demo = run([venv / "bin" / "neurons", "demo", "--quick"], cwd=elsewhere, env=env).stdout
    if "The two implementations agree" not in demo or "generated bars" not in demo:
        problems.append("neurons demo --quick did not report agreement on generated images:\n"
                        + demo)
    explain = run([venv / "bin" / "neurons", "explain"], cwd=elsewhere, env=env).stdout
    if "式1" not in explain and "(1)" not in explain:
        problems.append("neurons explain printed no equation:\n" + explain[:500])
    for command in SUBCOMMANDS:
        text = run([venv / "bin" / "neurons", command, "--help"], cwd=elsewhere, env=env).stdout
        for match in FORBIDDEN.finditer(text):
            problems.append(f"neurons {command} --help names a development folder "
                            f"({match.group()!r})")
    print("imported from:", *where, sep="\n  ")
    print(demo.strip().splitlines()[-2])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--system-site-packages", metavar="PYTHON",
                        help="make the venv with this Python and let it see its packages")
    args = parser.parse_args(argv)
    problems = []
    with tempfile.TemporaryDirectory(prefix="neurons-install-") as tmp:
        tmp = Path(tmp)
        run([sys.executable, "-m", "build", "--outdir", tmp / "dist", ROOT], cwd=tmp)
        wheels = sorted((tmp / "dist").glob("*.whl"))
        sdists = sorted((tmp / "dist").glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            print(f"expected one wheel and one sdist, found {wheels + sdists}")
            return 1
        print(f"sdist {sdists[0].name}, wheel {wheels[0].name}")
        check_wheel(wheels[0], problems)
        venv = tmp / "venv"
        maker = args.system_site_packages or sys.executable
        run([maker, "-m", "venv", *(["--system-site-packages"] if args.system_site_packages
                                    else []), venv])
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheels[0]], cwd=tmp)
        elsewhere = tmp / "elsewhere"
        elsewhere.mkdir()
        check_installed(venv, elsewhere, problems)
    for problem in problems:
        print("PROBLEM:", problem)
    print("install check:", "failed" if problems else "passed")
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as error:
        print(f"failed ({error.returncode}): {' '.join(map(str, error.cmd))}\n"
              f"{error.stdout}\n{error.stderr}", file=sys.stderr)
        sys.exit(1)
