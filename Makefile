# gostash — two commands matter on a fresh machine:
#   make demo   the blog's producer_test.conf against the in-repo Twitter stream server
#   make test   every test there is
GO      ?= go
BIN     := bin/gostash
VERSION ?= 0.1.0
# A static binary: no cgo, no libc dependency, runs on any Linux box.
export CGO_ENABLED := 0

.PHONY: all build test test-short race bench demo fuzz docs package kafka-up kafka-down rabbitmq-up rabbitmq-down redis-up redis-down postgres-up postgres-down mariadb-up mariadb-down opensearch-up opensearch-down fmt vet clean

all: build

build:
	$(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o $(BIN) ./cmd/gostash

# Everything: unit tests, golden files through the real binary, and the
# kafka suite (against the broker .ci/run starts, or an in-process cluster).
test: vet
	$(GO) test -count=1 -timeout 20m ./...

test-short:
	$(GO) test -short -count=1 ./...

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	scripts/bench.sh

# Every fuzz target in the module, FUZZTIME each (default 20s).
fuzz:
	scripts/fuzz.sh

# The race detector over the concurrent code: the pipeline, the event model
# and the plugins, in -short mode to bound its time.
race:
	CGO_ENABLED=1 $(GO) test -race -short -count=1 -timeout 15m ./runtime/... ./plugins/...

demo:
	scripts/demo.sh

# Regenerates each plugin's README.md from its option declarations.
docs:
	$(GO) run ./cmd/gostash docs plugins

kafka-up:
	scripts/kafka/kafka.sh up

kafka-down:
	scripts/kafka/kafka.sh down

rabbitmq-up:
	scripts/rabbitmq/rabbitmq.sh up

rabbitmq-down:
	scripts/rabbitmq/rabbitmq.sh down

redis-up:
	scripts/redis/redis.sh up

redis-down:
	scripts/redis/redis.sh down

postgres-up:
	scripts/postgres/postgres.sh up

postgres-down:
	scripts/postgres/postgres.sh down

mariadb-up:
	scripts/mariadb/mariadb.sh up

mariadb-down:
	scripts/mariadb/mariadb.sh down

opensearch-up:
	scripts/opensearch/opensearch.sh up

opensearch-down:
	scripts/opensearch/opensearch.sh down

# The .deb and .rpm: the binary, /etc/gostash/{logstash.yml,pipelines.yml,conf.d/},
# a systemd unit running as its own user, /var/lib/gostash (packaging/).
NFPM ?= $(GO) run github.com/goreleaser/nfpm/v2/cmd/nfpm@$(shell cat packaging/NFPM_VERSION)
package: build
	mkdir -p dist
	VERSION=$(VERSION) GOARCH=$$($(GO) env GOARCH) $(NFPM) package --config packaging/nfpm.yaml --packager deb --target dist/
	VERSION=$(VERSION) GOARCH=$$($(GO) env GOARCH) $(NFPM) package --config packaging/nfpm.yaml --packager rpm --target dist/

clean:
	rm -rf bin dist
