# autopilotsim — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
OUT       ?= test-results
SEED      ?=
FUZZTIME  ?= 20s
BENCHTIME ?= 1x
export TESTCONTAINERS_RYUK_DISABLED := true

SEEDFLAG := $(if $(SEED),--seed $(SEED),)

.PHONY: run test test-short lint fuzz bench build tools container-test conformance clean

## run: the scenario catalogue against the embedded mocks; results in $(OUT)/
run:
	$(GO) run ./cmd/autopilotsim run --out $(OUT) $(SEEDFLAG) scenarios/catalogue

## test: every spec with the race detector (installs ldap-utils for the LDAP client conformance specs)
test: tools
	$(GO) test -race -count=1 ./...

## test-short: the same without -race (faster while editing)
test-short:
	$(GO) test -count=1 ./...

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## fuzz: a short run of every fuzz target (FUZZTIME per target: a duration, or Nx iterations)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

## bench: the benchmarks (BENCHTIME=1x by default; e.g. make bench BENCHTIME=5s)
bench:
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -o bin/autopilotsim ./cmd/autopilotsim

## tools: what the specs need beyond Go (OpenLDAP's client tools)
tools:
	@command -v ldapsearch >/dev/null 2>&1 || { \
	  echo "installing ldap-utils (ldapsearch, ldapadd, ldapmodify, ldapdelete)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ldap-utils >/dev/null; }

## conformance: the official Microsoft Graph Go SDK against mockgraph (its own module: the SDK takes minutes and GBs to compile)
conformance:
	cd conformance/graphsdk && $(GO) test -count=1 ./...

## container-test: the testcontainers-go spec alone (needs a Docker engine)
container-test:
	$(GO) test -count=1 -run TestHarness ./harness/ -ginkgo.focus=container

clean:
	rm -rf $(OUT) bin
