"""ombud analyze, ombud eval and ombud train: the understanding engine from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from ombud.cli.common import EXIT_ROW_ERRORS, DbOption, console, database, errors, reports_errors
from ombud.errors import OmbudError

TierOption = Annotated[
    str, typer.Option("--tier", help="fast, accurate, or default (the better one here, see docs/quality.md).")
]
ModelOption = Annotated[
    Path | None, typer.Option("--model", help="A model file made by `ombud train` instead of the shipped one.")
]
ACT_STYLES = {"complaint": "red", "praise": "green", "wish": "cyan", "question": "yellow", "other": "dim"}
FILE_BATCH = 64


class UnderstandingError(OmbudError):
    pass


def _reader(tier: str, model: Path | None) -> Any:
    from ombud.understand.encoders import EncoderUnavailable
    from ombud.understand.model_file import IncompatibleModel
    from ombud.understand.tiers import load_reader

    try:
        return load_reader(tier, model)
    except (EncoderUnavailable, IncompatibleModel, ValueError) as error:
        raise UnderstandingError(str(error)) from error


class PerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f}/s", style="cyan")


def reading_progress(*, disable: bool = False) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        PerSecond(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=disable,
    )


@reports_errors
def analyze_command(
    text: Annotated[str | None, typer.Option("--text", help="Read this one text and show what ombud reads.")] = None,
    input_file: Annotated[
        Path | None, typer.Option("--input", help="JSON lines with a text field each; no database is used.")
    ] = None,
    output_file: Annotated[
        Path | None, typer.Option("--output", help="Where --input's results go (JSON lines).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="With --text: print the JSON analysis object.")] = False,
    again: Annotated[bool, typer.Option(help="Also re-read stored voices read by another model.")] = False,
    tier: TierOption = "default",
    model: ModelOption = None,
    db: DbOption = None,
) -> None:
    """Read voices: every stored voice not yet read (default), a file (--input/--output) or one --text.

    The output format is documented in docs/analysis-format.md.
    """
    from ombud.understand.analysis import analysis_json

    if text is not None:
        [analysis] = _reader(tier, model).analyze([text])
        if as_json:
            console.print_json(json.dumps(analysis_json(analysis), ensure_ascii=False))
        else:
            _show(analysis)
        return
    if input_file is not None or output_file is not None:
        if input_file is None or output_file is None:
            raise UnderstandingError("--input and --output go together")
        _analyze_file(input_file, output_file, _reader(tier, model))
        return
    _analyze_store(db, _reader(tier, model), again)


def _analyze_store(db: str | None, reader: Any, again: bool) -> None:
    from ombud.understand.backlog import BacklogProgress, analyse_stored_voices

    store = database(db)
    try:
        with reading_progress() as progress:
            task = progress.add_task("Reading voices", total=None)

            def advance(update: BacklogProgress) -> None:
                progress.update(task, completed=update.done, total=update.total)

            done = analyse_stored_voices(store, reader, again=again, on_progress=advance)
    finally:
        store.close()
    console.print(f"Read {done:,} voices with {reader.model.label} ({reader.model.tier} tier).")


def _analyze_file(input_file: Path, output_file: Path, reader: Any) -> None:
    from ombud.understand.analysis import analysis_json

    try:
        lines = input_file.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise UnderstandingError(f"{input_file}: cannot read it as UTF-8 text ({error})") from error
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            problems.append(f"{input_file}:{number}: not JSON ({error})")
            continue
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            problems.append(f"{input_file}:{number}: needs an object with a text string")
            continue
        rows.append(row)
    with output_file.open("w", encoding="utf-8") as out, reading_progress() as progress:
        task = progress.add_task("Reading", total=len(rows))
        for start in range(0, len(rows), FILE_BATCH):
            batch = rows[start : start + FILE_BATCH]
            for row, analysis in zip(batch, reader.analyze([row["text"] for row in batch]), strict=True):
                out.write(json.dumps({**row, "analysis": analysis_json(analysis)}, ensure_ascii=False) + "\n")
            progress.advance(task, len(batch))
    console.print(f"Read {len(rows):,} texts into {output_file}.")
    if problems:
        for problem in problems[:20]:
            errors.print(f"[red]Skipped[/] {problem}", highlight=False, soft_wrap=True)
        if len(problems) > 20:
            errors.print(f"… and {len(problems) - 20:,} more lines skipped.")
        raise typer.Exit(EXIT_ROW_ERRORS)


def _show(analysis: Any) -> None:
    header = Text()
    header.append(f"{analysis.language.language} ({analysis.language.confidence:.2f})  ", style="bold")
    header.append(f"dominant act: {analysis.dominant_act}  ", style=ACT_STYLES.get(analysis.dominant_act, ""))
    header.append(f"sentiment: {analysis.sentiment.label} {analysis.sentiment.score:+.2f}")
    console.print(header)
    for sentence in analysis.sentences:
        line = Text(f"  {sentence.act:<9} {sentence.act_probability:.2f}  ", style=ACT_STYLES.get(sentence.act, ""))
        line.append(sentence.text.replace("\n", " / "), style=ACT_STYLES.get(sentence.act, ""))
        if sentence.topic_names:
            line.append(f"  [{', '.join(sentence.topic_names)}]", style="magenta")
        console.print(line)
    emotions = [f"{e.name} {e.probability:.2f}" for e in analysis.emotions if e.present]
    console.print(f"emotions: {', '.join(emotions) or '—'}")
    flags = [
        f"{name} {flag.probability:.2f} (sentence {flag.evidence + 1 if flag.evidence is not None else '—'})"
        for name, flag in analysis.flags.items()
        if flag.present
    ]
    console.print(f"flags: {', '.join(flags) or '—'}")
    if analysis.personal_data:
        console.print("personal data: " + ", ".join(f"{item.kind} «{item.text}»" for item in analysis.personal_data))
    console.print(f"[dim]{analysis.model}, {analysis.tier} tier[/]")


@reports_errors
def eval_command(
    task: Annotated[str, typer.Argument(help="act, sentiment, emotion, topic, language or flag:NAME.")],
    file: Annotated[Path, typer.Argument(help="JSON lines with text, label and optionally lang.", exists=True)],
    label_map: Annotated[
        str | None, typer.Option("--label-map", help="The file's labels as ombud's: 1=wish,0=none or positiv=positive.")
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="About N texts, every k-th of the file (files are often sorted by label).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    tier: TierOption = "default",
    model: ModelOption = None,
) -> None:
    """Measure ombud on a labeled file: precision, recall and F1 per label, macro-F1, accuracy,
    per language, and the confusion matrix."""
    from ombud.understand.evaluation import TASKS, evaluate, parse_label_map, read_labeled_texts

    if task not in TASKS:
        raise UnderstandingError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
    items = read_labeled_texts(file, limit)
    reader = _reader(tier, model)
    analyses = []
    with reading_progress(disable=as_json) as progress:
        bar = progress.add_task("Reading", total=len(items))
        for start in range(0, len(items), FILE_BATCH):
            batch = items[start : start + FILE_BATCH]
            analyses.extend(reader.analyze([item.text for item in batch]))
            progress.advance(bar, len(batch))
    scores = evaluate(task, items, analyses, parse_label_map(label_map))
    if as_json:
        console.print_json(
            json.dumps({"task": task, "file": str(file), "model": reader.model.label, **scores.as_json()})
        )
        return
    table = Table(title=f"{task} on {file.name} — {reader.model.label} ({reader.model.tier})")
    for column in ("label", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for name, score in scores.labels.items():
        table.add_row(name, f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}", str(score.support))
    console.print(table)
    console.print(
        f"macro-F1 [bold]{scores.macro_f1:.3f}[/]   accuracy [bold]{scores.accuracy:.3f}[/]   n={scores.count:,}"
    )
    if len(scores.by_language) > 1:
        for language, figures in scores.by_language.items():
            console.print(
                f"  {language}: n={figures['count']:,} macro-F1 {figures['macro_f1']:.3f} "
                f"accuracy {figures['accuracy']:.3f}"
            )
    if scores.confusion:
        confusion = Table(title="confusion (rows intended, columns predicted)")
        predicted = sorted({guess for row in scores.confusion.values() for guess in row})
        confusion.add_column("")
        for guess in predicted:
            confusion.add_column(guess, justify="right")
        for gold, row in scores.confusion.items():
            confusion.add_row(gold, *(str(row.get(guess, 0)) for guess in predicted))
        console.print(confusion)


@reports_errors
def train_command(
    files: Annotated[list[Path], typer.Argument(help="Labeled voices (docs/labeled-voices.md), files or folders.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the model file.")],
    base: Annotated[
        str, typer.Option("--base", help="default: learn from ombud's own corpus too; none: only from FILES.")
    ] = "default",
    tier: Annotated[str, typer.Option("--tier", help="fast or accurate.")] = "accurate",
    name: Annotated[str, typer.Option(help="The model's name.")] = "custom",
    held_out: Annotated[float, typer.Option(help="Share of voices kept out of training to measure on.")] = 0.15,
) -> None:
    """Train reader heads on your own labeled voices (with ombud's corpus, or alone); a company's own
    topic names in the files become topics of the model."""
    from ombud.understand.corpus import CorpusError
    from ombud.understand.shipped import corpus_sources, train_tier

    if base not in ("default", "none"):
        raise UnderstandingError("--base is default or none")
    if tier not in ("fast", "accurate"):
        raise UnderstandingError("--tier is fast or accurate")
    sources = list(files)
    if base == "default":
        sources.extend(corpus_sources())
    try:
        with reading_progress() as progress:
            bar = progress.add_task("Encoding", total=None)
            model, _ = train_tier(
                tier,
                sources,
                name=name,
                held_out_share=held_out,
                base=base,
                progress=lambda n: progress.advance(bar, n),
            )
    except (CorpusError, ValueError) as error:
        raise UnderstandingError(str(error)) from error
    path = out / f"{tier}.npz"
    model.save(path)
    console.print(f"Wrote {path}: {model.corpus['voices']:,} voices, corpus fingerprint {model.corpus['fingerprint']}.")
    _print_scores(model.scores)


def _print_scores(scores: dict[str, Any]) -> None:
    if not scores:
        console.print("[yellow]No voices were held out, so nothing was measured.[/]")
        return
    table = Table(title="Held-out scores (voices the model never saw)")
    table.add_column("head")
    table.add_column("macro-F1", justify="right")
    table.add_column("accuracy", justify="right")
    table.add_column("n", justify="right")
    for head, figures in scores.items():
        table.add_row(head, f"{figures['macro_f1']:.3f}", f"{figures['accuracy']:.3f}", f"{figures['count']:,}")
    console.print(table)
