"""The org tree: creating, moving and renaming units, importing them from CSV, settings."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.orgs import OrgUnit, get_setting, set_setting
from portal.orgs.services import ImportErrors, OrgError, create_unit, import_csv, move_unit, rename_unit
from portal.orgs.settings import effective_settings
from tests.helpers import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, unit

HEADER = "code,name,kind,parent_code\n"


def _count():
    return db.session.scalar(select(func.count()).select_from(OrgUnit))


def _by_code():
    return {u.code: u for u in db.session.scalars(select(OrgUnit))}


# --- creating ---------------------------------------------------------------------------

def test_create_units_with_division_and_local_codes(ctx):
    county = create_unit("county", "德城区", COUNTY)
    town = create_unit("township", "东风镇", TOWN_A, county)
    village = create_unit("village", "导子村", VILLAGE_A1, town)
    branch = create_unit("party_branch", "导子村党支部", "dz-branch_1", village)
    db.session.commit()
    assert [u.depth for u in (county, town, village, branch)] == [0, 1, 2, 3]
    assert branch.path == f"/{county.id}/{town.id}/{village.id}/{branch.id}/"
    assert [u.code for u in branch.ancestors()] == [COUNTY, TOWN_A, VILLAGE_A1]
    assert village.ancestor_of_kind("township") is town


@pytest.mark.parametrize("kind, code", [
    ("county", "37140200000"),  # 11 digits
    ("county", "3714020000001"),  # 13 digits
    ("county", "37140200000X"),
    ("county", ""),
])
def test_division_codes_must_have_12_digits(ctx, kind, code):
    with pytest.raises(OrgError, match="12-digit"):
        create_unit(kind, "某县", code)
    assert _count() == 0


@pytest.mark.parametrize("code", ["-dzb", "dz b", "导子村", "x" * 41, ""])
def test_local_codes_refuse_odd_characters(ctx, tree, code):
    with pytest.raises(OrgError):
        create_unit("party_branch", "支部", code, unit(VILLAGE_A2))


def test_unknown_kind_and_empty_name_are_refused(ctx, tree):
    with pytest.raises(OrgError, match="Unknown kind"):
        create_unit("kingdom", "王国", "kingdom1", unit(COUNTY))
    with pytest.raises(OrgError, match="name"):
        create_unit("village", "  ", "371402101299", unit(TOWN_A))


@pytest.mark.parametrize("kind, code, parent", [
    ("village", "371402101299", COUNTY),  # a village sits under a township or area, not a county
    ("township", "371402109000", None),  # a township needs a parent
    ("party_group", "g1", VILLAGE_A1),  # a party group sits under a branch
    ("county", "371499000000", TOWN_A),  # a county is a root
])
def test_wrong_parent_kind_is_refused(ctx, tree, kind, code, parent):
    before = _count()
    with pytest.raises(OrgError):
        create_unit(kind, "某单位", code, unit(parent) if parent else None)
    assert _count() == before


def test_duplicate_code_is_refused(ctx, tree):
    with pytest.raises(OrgError, match="already used"):
        create_unit("village", "又一个导子村", VILLAGE_A1, unit(TOWN_B))


# --- moving and renaming ----------------------------------------------------------------

def test_move_subtree_updates_paths_and_depths_of_all_descendants(ctx, tree):
    area = create_unit("area", "第一管区", "371402102-gq1", unit(TOWN_B))
    db.session.commit()
    move_unit(unit(VILLAGE_A1), area)
    db.session.commit()
    db.session.expire_all()
    village, area = unit(VILLAGE_A1), unit("371402102-gq1")
    assert village.parent_id == area.id and village.depth == 3
    assert village.path == area.path + f"{village.id}/"
    below = {u.code: u for u in db.session.scalars(village.subtree_query())}
    assert set(below) == {VILLAGE_A1, VILLAGE_A1 + "-dzb", VILLAGE_A1 + "-dxz1", VILLAGE_A1 + "-cwh",
                          VILLAGE_A1 + "-jwh"}
    group = below[VILLAGE_A1 + "-dxz1"]
    assert group.depth == 5
    assert group.path == village.path + f"{unit(VILLAGE_A1 + '-dzb').id}/{group.id}/"
    assert [u.code for u in group.ancestors()] == [COUNTY, TOWN_B, "371402102-gq1", VILLAGE_A1, VILLAGE_A1 + "-dzb"]
    # the old township no longer holds the subtree
    assert VILLAGE_A1 + "-dxz1" not in {u.code for u in db.session.scalars(unit(TOWN_A).subtree_query())}
    assert group.is_within(unit(TOWN_B)) and not group.is_within(unit(TOWN_A))


def test_move_of_a_freshly_created_unit(ctx, tree):
    """A unit created in the same transaction moves with its (unflushed) path."""
    village = create_unit("village", "新村", "371402101299", unit(TOWN_A))
    branch = create_unit("party_branch", "新村党支部", "371402101299-dzb", village)
    move_unit(village, unit(TOWN_B))
    db.session.commit()
    db.session.expire_all()
    branch = unit("371402101299-dzb")
    assert branch.ancestor_ids == [tree[COUNTY], tree[TOWN_B], unit("371402101299").id, branch.id]
    assert branch.depth == 3


def test_moving_under_own_descendant_or_itself_is_refused(ctx, tree):
    village = unit(VILLAGE_A1)
    branch = unit(VILLAGE_A1 + "-dzb")
    with pytest.raises(OrgError, match="below itself"):
        move_unit(branch, unit(VILLAGE_A1 + "-dxz1"))  # kinds aside, a cycle
    with pytest.raises(OrgError, match="below itself"):
        move_unit(village, village)
    db.session.rollback()
    assert unit(VILLAGE_A1 + "-dzb").parent_id == tree[VILLAGE_A1]


def test_move_to_wrong_kind_of_parent_is_refused(ctx, tree):
    with pytest.raises(OrgError):
        move_unit(unit(VILLAGE_A1), unit(COUNTY))
    db.session.rollback()
    assert unit(VILLAGE_A1).parent_id == tree[TOWN_A]


def test_rename_checks_code_and_name(ctx, tree):
    rename_unit(unit(VILLAGE_A2), "王家庄村", "371402101203")
    db.session.commit()
    assert unit("371402101203").name == "王家庄村"
    with pytest.raises(OrgError, match="already used"):
        rename_unit(unit("371402101203"), "王家庄村", VILLAGE_A1)
    with pytest.raises(OrgError, match="12-digit"):
        rename_unit(unit("371402101203"), "王家庄村", "wjz")
    with pytest.raises(OrgError, match="name"):
        rename_unit(unit("371402101203"), "", "371402101203")


# --- CSV import -------------------------------------------------------------------------

GOOD_FILE = HEADER + "\n".join([
    "990201101201,导子村,village,990201101000",  # child before its parent
    "990201101201-dzb,导子村党支部,party_branch,990201101201",
    "990201101000,东风镇,township,990201000000",
    "990201000000,青河县,county,",
]) + "\n"


def test_import_creates_the_tree_even_when_children_come_first(ctx):
    assert import_csv(GOOD_FILE.encode("utf-8")) == (4, 0)
    db.session.commit()
    units = _by_code()
    branch = units["990201101201-dzb"]
    assert branch.depth == 3
    assert [u.code for u in branch.ancestors()] == ["990201000000", "990201101000", "990201101201"]


def test_import_accepts_a_bom_and_blank_lines(ctx):
    data = "\ufeff" + GOOD_FILE.replace("\n", "\n\n", 1)
    assert import_csv(data.encode("utf-8")) == (4, 0)


def test_import_updates_existing_units(ctx, tree):
    data = HEADER + f"{VILLAGE_A2},王家庄村,village,{TOWN_B}\n{VILLAGE_A1},导子村,village,{TOWN_A}\n"
    assert import_csv(data) == (0, 1)  # 导子村 is listed as it already is
    db.session.commit()
    db.session.expire_all()
    moved = unit(VILLAGE_A2)
    assert moved.name == "王家庄村" and moved.parent_id == tree[TOWN_B]
    assert moved.path == unit(TOWN_B).path + f"{moved.id}/"


def test_import_moves_an_existing_subtree_under_a_new_unit(ctx, tree):
    data = HEADER + f"{VILLAGE_A1},导子村,village,371402101-gq1\n371402101-gq1,第一管区,area,{TOWN_A}\n"
    assert import_csv(data) == (1, 1)
    db.session.commit()
    db.session.expire_all()
    group = unit(VILLAGE_A1 + "-dxz1")
    assert group.depth == 5
    assert [u.code for u in group.ancestors()][:4] == [COUNTY, TOWN_A, "371402101-gq1", VILLAGE_A1]


BAD_FILES = [
    # (file body after the header, expected line number, words of the message)
    ("990201000000,青河县,county\n", 2, "number of fields"),
    ("990201000000,青河县,county,,extra\n", 2, "number of fields"),
    ("990201000000,青河县,kingdom,\n", 2, "Unknown kind"),
    ("990201000000,青河县,county,\n9902011010,东风镇,township,990201000000\n", 3, "12-digit"),
    ("990201000000,青河县,county,\n990201101000,东风镇,township,990299000000\n", 3, "neither in the file"),
    ("990201000000,青河县,county,\n990201000000,青河县,county,\n", 3, "appears again"),
    ("990201000000,青河县,county,\n990201101201,导子村,village,990201000000\n", 3, "cannot stand under"),
    ("990201101000,东风镇,township,\n", 2, "needs a parent"),
    ("990201000000,,county,\n", 2, "name"),
]


@pytest.mark.parametrize("body, line, words", BAD_FILES)
def test_import_errors_name_the_line_and_change_nothing(ctx, tree, body, line, words):
    before = _count()
    with pytest.raises(ImportErrors) as info:
        import_csv((HEADER + body).encode("utf-8"))
    db.session.rollback()
    assert any(e.startswith(f"Line {line}:") and words in e for e in info.value.errors), info.value.errors
    assert _count() == before


def test_import_line_numbers_count_blank_lines_and_quoted_newlines(ctx):
    data = HEADER + '\n990201000000,"青河\n县",county,\n\n990201101000,东风镇,kingdom,990201000000\n'
    with pytest.raises(ImportErrors) as info:
        import_csv(data)
    assert info.value.errors[0].startswith("Line 6:"), info.value.errors


def test_import_refuses_a_cycle_between_rows(ctx, tree):
    data = HEADER + "gq-a,甲管区,area,gq-b\ngq-b,乙管区,area,gq-a\n"
    with pytest.raises(ImportErrors) as info:
        import_csv(data)
    assert any("Line 2:" in e and "cycle" in e for e in info.value.errors), info.value.errors


def test_import_names_only_the_rows_of_a_cycle(ctx, tree):
    """A new unit whose parents lead into another rows' loop is not itself in a cycle."""
    data = HEADER + (f"gq-new,新管区,area,gq-a\n"
                     "gq-a,甲管区,area,gq-b\ngq-b,乙管区,area,gq-a\n")
    with pytest.raises(ImportErrors) as info:
        import_csv(data)
    cycles = [e for e in info.value.errors if "cycle" in e]
    assert len(cycles) == 2 and not any("Line 2:" in e for e in cycles), info.value.errors


def test_import_refuses_moving_a_unit_below_its_own_descendant(ctx, tree):
    """The file puts a township below an area of one of its own villages: refused whole."""
    before = {u.code: (u.path, u.parent_id) for u in db.session.scalars(select(OrgUnit))}
    data = HEADER + f"{TOWN_A},东风镇,township,{VILLAGE_A1}-x\n{VILLAGE_A1}-x,x,area,{VILLAGE_A1}\n"
    with pytest.raises(ImportErrors):
        import_csv(data)
    db.session.rollback()
    assert {u.code: (u.path, u.parent_id) for u in db.session.scalars(select(OrgUnit))} == before


def test_import_refuses_changing_the_kind_of_an_existing_unit(ctx, tree):
    with pytest.raises(ImportErrors, match="another kind"):
        import_csv(HEADER + f"{VILLAGE_A1},导子村,community,{TOWN_A}\n")


@pytest.mark.parametrize("data, words", [
    (b"code,name,kind\n990201000000,x,county\n", "missing columns: parent_code"),
    ("code,name,kind,parent_code\n990201000000,青河县,county,\n".encode("gbk"), "not UTF-8"),
    (b"", "empty"),
    (HEADER.encode(), "no units"),
])
def test_import_refuses_unreadable_files(ctx, tree, data, words):
    before = _count()
    with pytest.raises(ImportErrors) as info:
        import_csv(data)
    db.session.rollback()
    assert any(words in e for e in info.value.errors), info.value.errors
    assert _count() == before


def test_import_lists_every_bad_line_in_order(ctx):
    data = HEADER + "990201000000,青河县,kingdom,\nbad code!,x,county,\n990201000001,ok,county,\n,,x\n"
    with pytest.raises(ImportErrors) as info:
        import_csv(data)
    lines = [int(e.split(":")[0].split()[1]) for e in info.value.errors]
    assert lines == [2, 3, 5], info.value.errors
    assert _count() == 0


def test_import_reads_the_date_each_unit_was_established(ctx, tree):
    """The optional column established_on: a new unit gets its date, an existing one a new date; an empty
    cell is a unit that existed before the records began, or leaves an existing unit's date as it is."""
    import datetime as dt

    unit(VILLAGE_A2).established_on = dt.date(2019, 3, 1)
    db.session.commit()
    data = ("code,name,kind,parent_code,established_on\n"
            f"371402101204,赵庄村,village,{TOWN_A},2026-06-15\n"
            "zz-dzb,赵庄村党支部,party_branch,371402101204,\n"
            f"{VILLAGE_A1},导子村,village,{TOWN_A},2020-01-01\n"
            f"{VILLAGE_A2},王庄村,village,{TOWN_A},\n")
    assert import_csv(data) == (2, 1)  # 导子村 has a date now; 王庄村 is as it was
    db.session.commit()
    db.session.expire_all()
    assert unit("371402101204").established_on == dt.date(2026, 6, 15)
    assert unit("zz-dzb").established_on is None
    assert unit(VILLAGE_A1).established_on == dt.date(2020, 1, 1)
    assert unit(VILLAGE_A2).established_on == dt.date(2019, 3, 1)
    assert import_csv(data) == (0, 0)  # the same file again changes nothing


@pytest.mark.parametrize("cell, message", [
    ("2026-13-01", "“2026-13-01” is not a date such as 2026-06-15 (year-month-day)."),
    ("15.06.2026", "“15.06.2026” is not a date such as 2026-06-15 (year-month-day)."),
    ("20260615", "“20260615” is not a date such as 2026-06-15 (year-month-day)."),
    ("2099-01-01", "2099-01-01 is in the future: give the date the unit was set up, or leave it empty."),
])
def test_import_refuses_the_whole_file_for_a_bad_date_and_names_its_line(ctx, tree, cell, message):
    before = {u.code: (u.name, u.established_on) for u in db.session.scalars(select(OrgUnit))}
    data = ("code,name,kind,parent_code,established_on\n"
            f"371402101204,赵庄村,village,{TOWN_A},2026-06-15\n"
            f"{VILLAGE_A1},导子新村,village,{TOWN_A},2020-01-01\n"
            f"371402101205,钱庄村,village,{TOWN_A},{cell}\n")
    with pytest.raises(ImportErrors) as info:
        import_csv(data)
    db.session.rollback()
    assert info.value.errors == [f"Line 4, established_on: {message}"]
    assert {u.code: (u.name, u.established_on) for u in db.session.scalars(select(OrgUnit))} == before


# --- settings ---------------------------------------------------------------------------

def test_settings_are_inherited_and_effective_settings_say_where(ctx, tree):
    county, town, village = unit(COUNTY), unit(TOWN_A), unit(VILLAGE_A1)
    assert effective_settings(village)["org.report_hotline"] == ("", None)  # the declared default
    set_setting(county, "org.report_hotline", "0534-1234567")
    set_setting(town, "org.report_hotline", " 0534-2101234 ")
    db.session.commit()
    assert effective_settings(village)["org.report_hotline"] == ("0534-2101234", town.id)
    assert effective_settings(unit(TOWN_B))["org.report_hotline"] == ("0534-1234567", county.id)
    assert get_setting(village, "org.report_hotline") == "0534-2101234"
    set_setting(town, "org.report_hotline", "")  # clearing falls back to the county's value
    db.session.commit()
    assert effective_settings(village)["org.report_hotline"] == ("0534-1234567", county.id)


def test_unknown_setting_is_refused(ctx, tree):
    from portal.orgs.settings import SettingError

    with pytest.raises(SettingError, match="Unknown setting"):
        set_setting(unit(COUNTY), "no.such", "1")


def test_importing_the_same_file_again_changes_nothing(ctx):
    assert import_csv(GOOD_FILE) == (4, 0)
    db.session.commit()
    assert import_csv(GOOD_FILE) == (0, 0)
    assert import_csv(GOOD_FILE.replace("导子村,", "导子新村,")) == (0, 1)
