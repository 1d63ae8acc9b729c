# intelstream — the two commands a newcomer needs: `make run` and `make test`.

GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 60s
BENCHTIME ?= 1s

.PHONY: run test bench lint fuzz build fields

## run: the main job: the quickstart topology on the embedded broker (Shadowserver reports → parse → taxonomy → JSON lines)
run:
	$(GO) run ./examples/quickstart

## test: every test, with the race detector; fuzz seed corpora run here too
test:
	$(GO) test -race -count=1 $(PKGS)

## bench: one table, measured side by side: the Shadowserver topology end to end on the embedded broker (1, 2, 4 workers),
## the same hops by hand on franz-go (the ceiling), each stage in-process; JSON and PNG into bench/results
## (the generator: INTELSTREAM_BENCH_GEN, default ../shared/bench/gen_shadowserver.py)
bench:
	$(GO) run ./bench/e2e -out bench/results -go $(GO) -benchtime $(BENCHTIME)

## lint: gofmt, go vet and staticcheck
lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && echo "gofmt: the files above need formatting" && exit 1)
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

## fuzz: run every fuzz target for FUZZTIME each (not in CI)
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

## build: the command, into bin/
build:
	$(GO) build -o bin/intelstream ./cmd/intelstream

## fields: print the DHO field registry
fields:
	$(GO) run ./cmd/intelstream fields
