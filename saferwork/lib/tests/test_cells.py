from __future__ import annotations

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from saferwork.lib.cells import SafeSheet, neutralise
from saferwork.lib.csvstream import csv_lines


@pytest.mark.parametrize("lead", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_that_a_spreadsheet_would_run_gets_a_leading_quote(lead):
    assert neutralise(f"{lead}HYPERLINK(1)") == f"'{lead}HYPERLINK(1)"


def test_ordinary_text_and_numbers_are_left_alone():
    assert neutralise("Northfield Borough Council") == "Northfield Borough Council"
    assert neutralise(-3) == -3 and neutralise(2.5) == 2.5 and neutralise(None) is None


def test_the_shared_csv_helper_neutralises_every_cell():
    body = "".join(csv_lines([["=1+1", "ok", -4], ["@SUM(A1)"]]))
    assert list(csv.reader(io.StringIO(body))) == [["'=1+1", "ok", "-4"], ["'@SUM(A1)"]]


def test_a_safe_sheet_never_writes_a_formula():
    workbook = Workbook(write_only=True)
    SafeSheet(workbook.create_sheet("S")).append(["=cmd|' /C calc'!A0", 7])
    handle = io.BytesIO()
    workbook.save(handle)
    cell = next(load_workbook(handle)["S"].iter_rows())[0]
    assert cell.data_type == "s" and cell.value == "'=cmd|' /C calc'!A0"
