"""mkdocs hook: pages pull sections of README.md instead of copying them.

A line ``{{ readme("### Segments") }}`` in a page becomes that README section (its body, up to
the next heading of the same or a higher level), so the README's examples live in one place
and the site never drifts from them; ``{{ readme_intro("## ...") }}`` takes only the text
before the section's first subheading. Links into ``docs/`` are made relative to the page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_README = Path(__file__).parent / "README.md"
_CALL = re.compile(r'^\{\{ readme(?P<intro>_intro)?\("(?P<heading>#+ [^"]+)"\) \}\}$', re.MULTILINE)


def readme_section(text: str, heading: str, *, intro: bool = False) -> str:
    """The body of the README section under ``heading`` (``"### Segments"``); with
    ``intro``, only what comes before its first subheading."""
    level = 6 if intro else len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    try:
        start = lines.index(heading) + 1
    except ValueError:
        raise ValueError(f"README.md has no heading {heading!r}") from None
    body: list[str] = []
    fenced = False
    for line in lines[start:]:
        if line.startswith("```"):
            fenced = not fenced
        if not fenced and re.match(rf"^#{{1,{level}}} ", line):
            break
        body.append(line)
    return "\n".join(body).strip() + "\n"


def on_page_markdown(markdown: str, page: Any, **_kwargs: Any) -> str:
    """Replace every ``{{ readme("...") }}`` line of a page with the README section."""
    if "{{ readme" not in markdown:
        return markdown
    text = _README.read_text(encoding="utf-8")
    depth = page.file.src_uri.count("/")
    prefix = "../" * depth

    def section(match: re.Match[str]) -> str:
        body = readme_section(text, match.group("heading"), intro=bool(match.group("intro")))
        return re.sub(r"\]\(docs/", f"]({prefix}", body)

    return _CALL.sub(section, markdown)
