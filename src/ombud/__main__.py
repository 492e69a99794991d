from ombud.cli import app

app(prog_name="ombud")
