# tonghop — make demo | make test | make bench
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-2025 test bench venv lint

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PY))"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m samples.demo --inbox inbox --units schemas/units.csv
	@sleep 2  # tonghop leaves files modified in the last 2 s for the next run (they may still be being copied)
	$(BIN)/tonghop run
	@echo
	$(BIN)/tonghop sql "select period_code as \"Kỳ\", indicator_code as \"Mã\", indicator_name as \"Chỉ tiêu\", case when unit_of_measure = '%' then replace(printf('%.2f', value), '.', ',') || '%' else replace(printf('%,d', cast(round(value) as bigint)), ',', '.') end as \"Toàn huyện\", n_units || '/' || n_expected as \"Số đơn vị\" from v_district where indicator_code in ('III.3.3.1','III.3.3.2','III.3.3','VII.5.3.1','VII.5.3.2','VII.5.3') order by period_code, indicator_code"

# An ILLUSTRATION of the map after 1 July 2025 (invented merger, not real data), in its own folder demo-2025/ with its
# own registry, inbox and warehouse: `make demo` and the office's files are left as they are.
D25 := demo-2025
demo-2025: $(STAMP)
	$(BIN)/python -m samples.merger2025 --dir $(D25) --units schemas/units.csv
	@sleep 2  # files modified in the last 2 s wait for the next run
	$(BIN)/tonghop run --inbox $(D25)/inbox --warehouse $(D25)/warehouse/tonghop.duckdb --out $(D25)/reports --units $(D25)/units.csv
	@echo
	$(BIN)/tonghop sql --warehouse $(D25)/warehouse/tonghop.duckdb "select file_name, status, reason from v_submissions where status = 'rejected'"
	$(BIN)/tonghop sql --warehouse $(D25)/warehouse/tonghop.duckdb "select period_code, unit_code, indicator_code, round(value, 2) as value, source_units from v_values_current_map where unit_code in ('ngoc_quang_mh', 'xa_tu_ky') and indicator_code in ('III.3.3.1', 'III.3.3') order by unit_code, indicator_code, period_code"
	$(BIN)/tonghop sql --warehouse $(D25)/warehouse/tonghop.duckdb "select period_code, count(*) as n_units, count(*) filter (where status = 'missing') as missing from v_completeness group by period_code order by period_code"

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench_process


.PHONY: province
province: $(STAMP)  # the 170-unit province sample through tonghop run, its workbook to PDF, pages per sheet (needs soffice)
	$(BIN)/python -m tests.province_print /tmp/tonghop-province --png 2,3

lint: $(STAMP)
	$(BIN)/ruff check --select F,E9 pipeline flows schemas tests

.PHONY: golden
golden: $(STAMP)  # rewrite tests/golden/expected_*.json from the fixed inbox; review the diff before committing
	$(BIN)/python -m tests.golden.regenerate
