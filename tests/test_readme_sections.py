"""README.md and README.zh-CN.md have the same top-level (##) sections, in the same order, and
the Chinese examples run like the English ones.

How sections are paired: each `## ` heading may carry an anchor comment on the line above,
`<!-- section: NAME -->`; the two READMEs must list the same sections position by position,
and where both carry an anchor the names must match. A section added to one README and not the
other changes the count or shifts every anchor after it, so the test fails and names it. A new
section pair works without anchors as long as both are added at the same place."""

import re
from pathlib import Path

import pytest

from tests.test_readme import run_examples

ROOT = Path(__file__).resolve().parents[1]
ANCHOR = re.compile(r"<!--\s*section:\s*([\w-]+)\s*-->")


def sections(text):
    """[(anchor or None, heading)] of the ## headings outside code blocks."""
    found, fenced, previous = [], False, ""
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("## "):
            match = ANCHOR.fullmatch(previous.strip())
            found.append((match.group(1) if match else None, line[3:].strip()))
        if line.strip():
            previous = line
    return found


def mismatches(english, chinese):
    """Why the two lists of sections do not pair up ([] when they do)."""
    problems = []
    names_en = [a for a, _ in english if a]
    names_zh = [a for a, _ in chinese if a]
    for name in names_en:
        if name not in names_zh:
            problems.append(f"section {name!r} is in README.md only")
    for name in names_zh:
        if name not in names_en:
            problems.append(f"section {name!r} is in README.zh-CN.md only")
    if len(english) != len(chinese):
        problems.append(f"README.md has {len(english)} top-level sections, README.zh-CN.md "
                        f"{len(chinese)}")
    for position, ((a, heading), (b, heading_zh)) in enumerate(zip(english, chinese), 1):
        if a and b and a != b:
            problems.append(f"section {position}: {heading!r} ({a}) faces {heading_zh!r} ({b})")
            break
    return problems


def readme(name):
    return (ROOT / name).read_text(encoding="utf-8")


def test_the_two_readmes_have_the_same_sections():
    english, chinese = sections(readme("README.md")), sections(readme("README.zh-CN.md"))
    assert len(english) >= 10
    assert mismatches(english, chinese) == []


def test_the_readme_names_its_required_sections():
    names = {a for a, _ in sections(readme("README.zh-CN.md"))}
    assert {"example", "equation-map", "cnn-map", "command-line", "results", "speed", "layout",
            "sources"} <= names


def drop_section(text, heading):
    """The text without the section that starts at ``heading`` (up to the next ##)."""
    start = text.index(heading)
    start = text.rfind("<!--", 0, start) if text[:start].rstrip().endswith("-->") else start
    end = text.find("\n## ", text.index(heading) + len(heading))
    end = text.rfind("\n<!--", 0, end) if end != -1 else len(text)
    return text[:start] + text[end:]


@pytest.mark.parametrize("heading", ["## Sources", "## Speed", "## A short example"])
def test_a_section_missing_from_the_chinese_readme_is_caught(heading):
    zh = readme("README.zh-CN.md")
    english = sections(readme("README.md"))
    name = next(a for a, h in english if "## " + h == heading)
    zh_heading = next("## " + h for a, h in sections(zh) if a == name)
    problems = mismatches(english, sections(drop_section(zh, zh_heading)))
    assert f"section {name!r} is in README.md only" in problems


def test_a_new_unanchored_section_on_one_side_only_is_caught():
    en = readme("README.md").replace("<!-- section: speed -->", "## Notebooks\n\ntext\n\n"
                                     "<!-- section: speed -->")
    problems = mismatches(sections(en), sections(readme("README.zh-CN.md")))
    assert any("top-level sections" in p for p in problems)
    zh = readme("README.zh-CN.md").replace("<!-- section: speed -->", "## 笔记本\n\n文字\n\n"
                                           "<!-- section: speed -->")
    assert mismatches(sections(en), sections(zh)) == []  # added at the same place: paired


def test_sections_swapped_on_one_side_are_caught():
    en = sections(readme("README.md"))
    zh = sections(readme("README.zh-CN.md"))
    zh[2], zh[3] = zh[3], zh[2]
    assert any("faces" in p for p in mismatches(en, zh))


def test_headings_inside_code_blocks_are_not_sections():
    assert sections("```sh\n## not a heading\n```\n## Real\n") == [(None, "Real")]


def test_the_chinese_examples_print_what_they_show():
    (failed, tried), report = run_examples(readme("README.zh-CN.md"), "README.zh-CN.md")
    assert tried >= 15 and failed == 0, report
