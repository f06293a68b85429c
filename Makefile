# rl: `make` builds bin/rl and bin/rl-init; `make test` runs every test;
# `make bench` compares rl with its peers; `make lint` checks the code.
GO        ?= go
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
PREFIX    ?= /usr/local
LDFLAGS   := -s -w -X main.version=$(VERSION)
GOFLAGS   ?= -trimpath
export CGO_ENABLED ?= 0

.PHONY: all build install test unit integration bench lint clean

all: build

build:
	$(GO) build $(GOFLAGS) -ldflags '$(LDFLAGS)' -o bin/rl ./cmd/rl
	$(GO) build $(GOFLAGS) -ldflags '$(LDFLAGS)' -o bin/rl-init ./cmd/rl-init

install: build
	install -D -m 0755 bin/rl $(DESTDIR)$(PREFIX)/bin/rl
	install -D -m 0755 bin/rl-init $(DESTDIR)$(PREFIX)/bin/rl-init

# As root this installs the test packages, creates the unprivileged test
# user and runs the bats suites as that user and then as root; as another
# user it runs the suites as that user (after `sudo tests/setup.sh`).
test: unit integration

unit:
	$(GO) test ./...

integration: build
	tests/run.sh

bench: build
	tests/bench/run.sh

lint:
	$(GO) vet ./...
	test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	shellcheck tests/*.sh tests/bench/*.sh .ci/run

clean:
	rm -rf bin
