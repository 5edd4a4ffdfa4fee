"""`portal hotline …`: escalate overdue cases (sweep) and publish monthly statistics."""

import click
from flask.cli import AppGroup


hotline_group = AppGroup("hotline", help="Hotline cases: escalation sweep and monthly statistics.")


@hotline_group.command("sweep")
def sweep_command():
    """Escalate overdue cases (督办) one level up the tree; safe to run from cron any number of times."""
    from .escalation import sweep

    counts = sweep()
    click.echo(f"overdue open cases: {counts['checked']}; newly supervised by the township: {counts['township']}; "
               f"newly supervised by the county: {counts['county']}")


@hotline_group.command("publish-stats")
@click.option("--month", help="YYYY-MM (default: last month, Asia/Shanghai)")
def publish_stats_command(month):
    """Publish each township's statistics of a month to the ledger (a re-run corrects changed numbers)."""
    from .stats import parse_month, previous_month, publish_all

    month = month or previous_month()
    try:
        parse_month(month)
    except ValueError:
        raise click.BadParameter("use YYYY-MM, e.g. 2026-10", param_hint="--month") from None
    counts = publish_all(month)
    click.echo(f"{month}: published {counts['published']}, corrected {counts['corrected']}, "
               f"unchanged {counts['unchanged']}")
