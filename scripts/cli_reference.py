"""Print the CLI reference for README from the CLI itself; --write puts it into README.md.

A test compares README with this output, so the reference never drifts from the code.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import typer

from ombud.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands(group: Any, prefix: str) -> list[tuple[str, Any]]:
    if hasattr(group, "commands"):
        found = []
        for name in sorted(group.commands):
            found.extend(_commands(group.commands[name], f"{prefix} {name}"))
        return found
    return [(prefix, group)]


def _parameter(parameter: Any) -> str:
    if parameter.param_type_name == "argument":
        name = (parameter.name or "").upper()
        return f"| `{name}{'…' if parameter.nargs == -1 else ''}` | {getattr(parameter, 'help', '') or ''} |"
    names = " / ".join(f"`{option}`" for option in [*parameter.opts, *parameter.secondary_opts])
    default = ""
    if parameter.default not in (None, False, ()) and not parameter.is_flag:
        default = f" (default: `{parameter.default}`)"
    return f"| {names} | {(parameter.help or '').strip()}{default} |"


def reference() -> str:
    lines: list[str] = []
    root = typer.main.get_command(app)
    for path, command in _commands(root, "ombud"):
        summary = (command.help or "").strip().split("\n\n")
        lines += [f"#### `{path}`", "", summary[0].strip(), ""]
        lines += [paragraph.strip() + "\n" for paragraph in summary[1:]]
        parameters = [p for p in command.params if p.name != "help" and not getattr(p, "hidden", False)]
        if parameters:
            lines += ["| argument or option | meaning |", "|---|---|"]
            lines += [_parameter(parameter) for parameter in parameters]
            lines.append("")
    return "\n".join(lines)


def main() -> None:
    text = reference()
    if "--write" in sys.argv:
        readme = README.read_text(encoding="utf-8")
        readme = re.sub(
            r"<!-- cli-reference -->\n.*?<!-- /cli-reference -->",
            lambda _: f"<!-- cli-reference -->\n{text}<!-- /cli-reference -->",
            readme,
            flags=re.S,
        )
        README.write_text(readme, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
