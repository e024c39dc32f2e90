# tonghop — make demo | make test | make bench
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench venv lint

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
	$(BIN)/tonghop sql "select period_code, indicator_code, indicator_name, value, n_units from v_district where indicator_code in ('III.3.3.1','III.3.3.2','III.3.3','VII.5.3.1','VII.5.3.2','VII.5.3') order by period_code, indicator_code"

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
