# autopilotsim — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
OUT       ?= test-results
SEED      ?=
FUZZTIME  ?= 20000x
BENCHTIME ?= 1x
export TESTCONTAINERS_RYUK_DISABLED := true

SEEDFLAG := $(if $(SEED),--seed $(SEED),)

.PHONY: run test test-short lint fuzz bench bench-scale report-scale build tools container-test conformance soak clean image

## run: the scenario catalogue against the embedded mocks; results in $(OUT)/
run:
	$(GO) run ./cmd/autopilotsim run --out $(OUT) $(SEEDFLAG) scenarios/catalogue

## test: every spec with the race detector (installs ldap-utils and chromium for the specs that drive them)
test: tools
	$(GO) test -race -count=1 ./...

## test-short: the same without -race (faster while editing)
test-short:
	$(GO) test -count=1 ./...

## lint: formatting, vet and a tidy go.mod
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags container ./labcontainer/
	$(GO) vet -tags scale ./report/
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

## fuzz: every fuzz target in turn, from its seed corpus in testdata/fuzz/, for FUZZTIME each: an
## iteration budget (default 20000x, what CI runs) rather than a duration, which a loaded machine can end
## in the engine's own "context deadline exceeded"; README.md "Fuzzing: the make fuzz budget"
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

## bench: the benchmarks but the 100,000-device one (BENCHTIME=1x by default; e.g. make bench BENCHTIME=5s)
bench:
	$(GO) test -run='^$$' -bench=. -skip='^BenchmarkFleetScale$$' -benchmem -benchtime=$(BENCHTIME) ./...

## bench-scale: 1,000 (five runs, the median counts), 10,000 and 100,000 devices through the whole flow, then 1,000 again (drift, and each size over all ten baseline runs); CPU per device, with and without the collector's share, devices/s, peak RSS (minutes; not part of make test)
## SCALE_MEMLIMIT is the Go soft memory limit the benchmark runs under: the 4 GB budget less ~100 MB (docs/SCALE.md "Memory"); SCALE_MEMLIMIT=off runs without one
SCALE_MEMLIMIT ?= 3700MiB
bench-scale:
	GOMEMLIMIT=$(SCALE_MEMLIMIT) $(GO) test -run='^$$' -bench='^BenchmarkFleetScale$$' -benchtime=1x -timeout=60m ./harness/

## report-scale: the report of a 100,000-device suite (fleet1000.yaml simulated, copied 100 times, beside the
## catalogue) in headless chromium under --timeline all and failed: opens, pages, search, timeline, filter;
## prints page sizes and load times, saves screenshots (REPORT_SCREENSHOTS). About a minute and 4 GB; not part of make test
report-scale: tools
	$(GO) test -v -tags scale -count=1 -timeout 30m -run TestReport ./report/ -ginkgo.label-filter=scale -ginkgo.v

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -o bin/autopilotsim ./cmd/autopilotsim

## image: the lab image (static binary FROM scratch, non-root, health check; labcontainer/Dockerfile) built
## without network access; LAB_SCENARIO picks the scenario it serves, IMAGE its tag
IMAGE       ?= autopilotsim-lab:latest
LAB_SCENARIO ?= harness/testdata/lab.yaml
image:
	@rm -rf build/image && mkdir -p build/image
	CGO_ENABLED=0 $(GO) build -trimpath -o build/image/autopilotsim ./cmd/autopilotsim
	cp $(LAB_SCENARIO) build/image/scenario.yaml
	cp labcontainer/Dockerfile build/image/Dockerfile
	docker build --network none -t $(IMAGE) build/image

## tools: what the specs need beyond Go: OpenLDAP's client tools (mockad's LDAP client specs) and
## Debian's chromium with a font (the HTML report's and the lab console's browser specs)
tools:
	@pkgs=; \
	command -v ldapsearch >/dev/null 2>&1 || pkgs="$$pkgs ldap-utils"; \
	{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } || pkgs="$$pkgs chromium fonts-liberation"; \
	if [ -n "$$pkgs" ]; then \
	  echo "installing$$pkgs"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs >/dev/null; \
	fi

## soak: mixed Graph + LDAP load on a lab's loopback ports for SOAKTIME (default 30s); fails on any error or heap growth past SOAKHEAP MiB (default 64). Not part of make test.
SOAKTIME ?= 30s
SOAKHEAP ?= 64
soak:
	SOAKTIME=$(SOAKTIME) SOAKHEAP=$(SOAKHEAP) $(GO) test -v -tags soak -count=1 -timeout 10m -run TestHarness ./harness/ -ginkgo.label-filter=soak -ginkgo.v

## conformance: the official Microsoft Graph Go SDK against mockgraph (its own module: the SDK takes minutes and GBs to compile)
conformance:
	cd conformance/graphsdk && $(GO) test -count=1 ./...

## container-test: the testcontainers-go specs, the lab and shards with merge in the lab image (need a Docker engine; build their own static binary, so not in make test)
container-test:
	$(GO) test -tags container -count=1 ./labcontainer/

clean:
	rm -rf $(OUT) bin build
