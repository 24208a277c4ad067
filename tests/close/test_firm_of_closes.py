"""A firm known only by its closes is a firm the store knows (regression: `closes`, `audit log` and
`withdrawal list` fell back to the name's key for it, so an unknown firm listed nothing instead of an error)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from dailyseg.cli import main
from dailyseg.filing import Filing
from dailyseg.store import Store, workflow
from dailyseg.store.tables import aliases
from tests.close.conftest import Team
from tests.store.test_fast_ingest import _migrate

pytestmark = pytest.mark.slow  # the team signs in with Argon2


def _url(team: Team) -> str:
    return team.store.engine.url.render_as_string(hide_password=False)


def test_a_firm_known_only_by_its_closes_is_resolved(team: Team, sample_filing: Filing) -> None:
    workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    assert team.store.resolve("Citigroup Global Markets Inc.") == "citigroup-global-markets"
    assert team.store.firm_ids() == []  # the firms with filings stored: the dashboard's


def test_upgrading_gives_closes_drafted_before_their_alias(team: Team, sample_filing: Filing) -> None:
    workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    _migrate(team.store, "0011")
    with team.store.engine.begin() as conn:  # as a close drafted by revision 0011 left it: no alias
        conn.execute(delete(aliases))
    assert team.store.resolve("citigroup-global-markets") is None
    with Store.open(_url(team)) as opened, opened.engine.connect() as conn:  # opening upgrades it
        assert conn.execute(select(aliases.c.name_key, aliases.c.firm_id)).all() == [
            ("CITIGROUP GLOBAL MARKETS", "citigroup-global-markets")
        ]


LISTINGS = [["closes", "no-such-firm"], ["audit", "log", "--firm", "no-such-firm"], ["withdrawal", "list", "no-such-firm"]]


@pytest.mark.parametrize("command", LISTINGS)
def test_listing_an_unknown_firm_is_an_error(team: Team, sample_filing: Filing, command: list[str]) -> None:
    workflow.draft(team.store, team.pat, sample_filing, source="sample", errors=[])
    ran = CliRunner().invoke(main, command, env={"DAILYSEG_DB": _url(team)})
    assert ran.exit_code == 2, ran.output
    assert "no firm 'no-such-firm' in the store" in ran.stderr
