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

## bench: the benchmarks, as a table (name, ns/op, B/op, allocs/op)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) $(PKGS) | tee bench.out | \
		awk '/^Benchmark/ {printf "%-60s %14s %s %10s %s %8s %s\n", $$1, $$3, $$4, $$5, $$6, $$7, $$8}'

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
