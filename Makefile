# rl: `make` builds bin/rl, bin/rl-init, bin/rl-image and bin/rl-kube; `make test` runs
# every test; `make bench` compares rl with its peers; `make lint` checks
# the code.
GO        ?= go
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
PREFIX    ?= /usr/local
LDFLAGS   := -s -w -X main.version=$(VERSION)
# containers/image and containers/storage (linked into rl-image only) need
# these tags to build without C libraries (gpgme, btrfs, devicemapper).
# rl-image itself needs cgo: storage's pkg/unshare enters the user
# namespace from a C constructor.
IMAGE_TAGS := containers_image_openpgp,exclude_graphdriver_btrfs,exclude_graphdriver_devicemapper
export GOFLAGS := -trimpath -tags=$(IMAGE_TAGS)
# rl is pure Go. rl-init has a small C constructor (cmd/rl-init/stage1.go)
# and is linked statically, so that its two execs per container load no
# shared libraries. Without a C compiler (and libc's static archive), it is
# built without cgo and takes a slower pure-Go path.
CC ?= cc
ifeq ($(shell command -v $(CC) 2>/dev/null),)
INIT_ENV     := CGO_ENABLED=0
INIT_LDFLAGS := $(LDFLAGS)
else
INIT_ENV     := CGO_ENABLED=1
INIT_LDFLAGS := -s -w -X main.version=$(VERSION) -linkmode external -extldflags -static
endif
INIT_TAGS    := osusergo,netgo

.PHONY: all build man install test unit integration test-vm bench lint clean

all: build man

build:
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/rl ./cmd/rl
	$(INIT_ENV) $(GO) build -tags $(INIT_TAGS) -ldflags '$(INIT_LDFLAGS)' -o bin/rl-init ./cmd/rl-init
	CGO_ENABLED=1 $(GO) build -ldflags '$(LDFLAGS)' -o bin/rl-image ./cmd/rl-image
	CGO_ENABLED=0 $(GO) build -ldflags '$(LDFLAGS)' -o bin/rl-kube ./cmd/rl-kube

# The man pages, rl(1) and rl-VERB(1), from the command tree: rl built
# with the mangen tag writes them (cmd/rl/man.go) and fails unless every
# command and flag is in them.
man:
	CGO_ENABLED=0 $(GO) build -tags $(IMAGE_TAGS),mangen -o bin/rl-mangen ./cmd/rl
	rm -rf bin/man && bin/rl-mangen __man bin/man

install: build man
	install -D -m 0755 bin/rl $(DESTDIR)$(PREFIX)/bin/rl
	install -D -m 0755 bin/rl-init $(DESTDIR)$(PREFIX)/bin/rl-init
	install -D -m 0755 bin/rl-image $(DESTDIR)$(PREFIX)/bin/rl-image
	install -D -m 0755 bin/rl-kube $(DESTDIR)$(PREFIX)/bin/rl-kube
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 bin/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	bin/rl completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rl
	bin/rl completion zsh >$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_rl
	bin/rl completion fish >$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/rl.fish

# As root this installs the test packages, creates the unprivileged test
# user and runs the bats suites as that user and then as root; as another
# user it runs the suites as that user (after `sudo tests/setup.sh`).
# Then the VM tier: systemd and cgroup v2 in a qemu guest (tests/vm).
test: unit integration test-vm

unit:
	$(GO) test ./...

# Test-only helpers (tests/cmd) run inside containers: static, no cgo.
integration: build man
	CGO_ENABLED=0 $(GO) build -o tests/bin/ ./tests/cmd/netprobe ./tests/cmd/sysprobe
	tests/run.sh

# rl's tests/vm suites as an unprivileged user with a systemd user manager
# and delegated cgroup v2 controllers, in a qemu guest whose image is
# built once (as root) and cached in /var/tmp/rl-vm (tests/vm/README.md).
test-vm: build
	tests/vm/run.sh

# The cgroup benchmark runs in the VM tier: it needs systemd and cgroup v2.
# rl's start-up is also timed against a build of the commit BENCH_BASE
# (rl-base, rl-img-base), which tests/bench/base.sh builds in a temporary
# directory: by default the merge base with origin/main when HEAD is not
# on origin/main (the branch's changes), else HEAD when tracked files have
# uncommitted changes (those changes), else HEAD~1 (the last commit's).
# BENCH_BASE= (empty) leaves the base out.
BENCH_BASE ?= $(shell b=$$(git merge-base HEAD origin/main 2>/dev/null) && [ "$$b" != "$$(git rev-parse HEAD)" ] && echo "$$b" || \
	{ git diff --quiet HEAD -- 2>/dev/null && echo HEAD~1 || echo HEAD; })

bench: build
	GO='$(GO)' tests/bench/base.sh '$(BENCH_BASE)' tests/bench/run.sh
	tests/bench/kube.sh
	tests/vm/run.sh tests/bench/vm-cgroups.bats

# Fuzzing of the parsers that read outside input, each target for
# FUZZTIME (`make fuzz FUZZTIME=30s`). Go fuzzes one target per run; a
# failing input is written to the package's testdata/fuzz/FuzzX/, where
# `go test ./...` runs it as a seed from then on.
FUZZTIME ?= 10s

.PHONY: fuzz
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzParseSubIDs$$' -fuzztime=$(FUZZTIME) ./userns
	$(GO) test -run='^$$' -fuzz='^FuzzParseConfig$$' -fuzztime=$(FUZZTIME) ./rootless/store
	$(GO) test -run='^$$' -fuzz='^FuzzRecv$$' -fuzztime=$(FUZZTIME) ./rootless/handshake
	$(GO) test -run='^$$' -fuzz='^FuzzAnswer$$' -fuzztime=$(FUZZTIME) ./rootless/image
	$(GO) test -run='^$$' -fuzz='^FuzzImageConfig$$' -fuzztime=$(FUZZTIME) ./rootless/image/backend
	$(GO) test -run='^$$' -fuzz='^FuzzDecode$$' -fuzztime=$(FUZZTIME) ./rootless/kube/backend
	$(GO) test -run='^$$' -fuzz='^FuzzParsePublish$$' -fuzztime=$(FUZZTIME) ./cmd/rl/opts
	$(GO) test -run='^$$' -fuzz='^FuzzResources$$' -fuzztime=$(FUZZTIME) ./cmd/rl/opts
	$(GO) test -run='^$$' -fuzz='^FuzzParseEnv$$' -fuzztime=$(FUZZTIME) ./cmd/rl/opts
	$(GO) test -run='^$$' -fuzz='^FuzzParseVolume$$' -fuzztime=$(FUZZTIME) ./cmd/rl/opts
	$(GO) test -run='^$$' -fuzz='^FuzzParseTmpfs$$' -fuzztime=$(FUZZTIME) ./cmd/rl/opts
	$(GO) test -run='^$$' -fuzz='^FuzzParseSignal$$' -fuzztime=$(FUZZTIME) ./cmd/rl/opts
	$(GO) test -run='^$$' -fuzz='^FuzzProfile$$' -fuzztime=$(FUZZTIME) ./rootless/seccomp
	$(GO) test -run='^$$' -fuzz='^FuzzLoad$$' -fuzztime=$(FUZZTIME) ./rootless/containersconf
	$(GO) test -run='^$$' -fuzz='^FuzzPrintTemplate$$' -fuzztime=$(FUZZTIME) ./cmd/rl

# golangci-lint (.golangci.yml) is installed on demand into bin/tools, at
# the pinned version, from the Go module proxy; it stays out of go.mod.
GOLANGCI_LINT_VERSION := 2.15.0
GOLANGCI_LINT         := bin/tools/golangci-lint

lint:
	$(GO) vet ./...
	test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	test "$$($(GOLANGCI_LINT) version --short 2>/dev/null)" = $(GOLANGCI_LINT_VERSION) || { rm -f $(GOLANGCI_LINT); \
		GOBIN=$(CURDIR)/bin/tools $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v$(GOLANGCI_LINT_VERSION); }
	$(GOLANGCI_LINT) run ./...
	shellcheck tests/*.sh tests/bench/*.sh tests/registry/*.sh tests/vm/*.sh .ci/run

clean:
	rm -rf bin tests/bin
