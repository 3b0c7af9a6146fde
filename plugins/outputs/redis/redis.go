// Package redis is the redis output: events encoded by a codec (json by
// default) appended to a Redis list (RPUSH) or published to a channel
// (PUBLISH), under a key that may name event fields.
package redis

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/gostash/gostash/plugins/internal/redisclient"
	"github.com/gostash/gostash/plugins/internal/tlsopts"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHost                = plugin.Strings("host").Default([]string{"127.0.0.1"}).Validate(checkHosts).Doc(`The servers, each "host" or "host:port" (the port overrides port). One is connected to at a time; after a failure the next one in the list is.`)
	optShuffleHosts        = plugin.Bool("shuffle_hosts").Default(true).Doc("Shuffle the host list once at start-up, so that many senders spread over the servers.")
	optPort                = plugin.Int("port").Default(6379).Between(1, 65535).Doc("The port of the hosts that name none.")
	optDB                  = plugin.Int("db").Default(0).AtLeast(0).Doc("The database number.")
	optTimeout             = plugin.Float("timeout").Default(5).Validate(positive).Doc("Seconds allowed for connecting, and for each reply.")
	optPassword            = plugin.Password("password").Doc("The password to authenticate with (AUTH); none by default.")
	optKey                 = plugin.String("key").Required().Doc("The list or channel; `%{field}` references are filled in from each event, e.g. `logstash-%{type}`.")
	optDataType            = plugin.Enum("data_type", "list", "channel").Required().Doc("list appends each event to the list key (RPUSH); channel publishes it on the channel key (PUBLISH).")
	optBatch               = plugin.Bool("batch").Default(false).Doc("For a list, send the events of a pipeline batch that go to the same key in one RPUSH of up to batch_events values, rather than one RPUSH each.")
	optBatchEvents         = plugin.Int("batch_events").Default(50).AtLeast(1).Doc("With batch, the most values one RPUSH carries.")
	optBatchTimeout        = plugin.Float("batch_timeout").Default(5).AtLeast(0).Ineffective("gostash never holds events between pipeline batches, so an event waits for its RPUSH no longer than the pipeline's batch delay (pipeline.batch.delay).").Doc("With batch, the longest an event may wait for its RPUSH, in seconds. gostash never holds events between pipeline batches (the pipeline's batch delay bounds the wait), so this is always met.")
	optReconnectInterval   = plugin.Float("reconnect_interval").Default(1).AtLeast(0).Doc("Seconds to wait before connecting again (to the next host) after a failed command; the events are sent again, never dropped.")
	optCongestionThreshold = plugin.Int("congestion_threshold").Default(0).AtLeast(0).Doc("For a list, wait while the list holds more than this many items before appending to it, so that a list nobody reads cannot fill the server's memory; 0 never waits.")
	optCongestionInterval  = plugin.Float("congestion_interval").Default(1).AtLeast(0).Doc("Seconds between congestion checks of a list, and between looks while it is congested; 0 checks before every batch.")

	optSSLEnabled                = plugin.Bool("ssl_enabled").Default(false).Doc("Speak TLS to the servers; the other ssl_ options apply only with it.")
	optSSL                       = plugin.Bool("ssl").Deprecated("Use 'ssl_enabled' instead.").Doc("The former name of ssl_enabled (output versions 5.1).")
	optSSLVerificationMode       = plugin.Enum("ssl_verification_mode", "full", "none").Default("full").Doc("full checks the server's certificate and that it names the host; none checks nothing.")
	optSSLCertificateAuthorities = plugin.Strings("ssl_certificate_authorities").Validate(existingFiles).Doc("PEM files of the CAs to trust, besides the system's.")
	optSSLCertificate            = plugin.Path("ssl_certificate").Doc("A PEM client certificate (chain) to present.")
	optSSLKey                    = plugin.Path("ssl_key").Doc("The PEM private key of ssl_certificate.")
	optSSLKeyPassphrase          = plugin.Password("ssl_key_passphrase").Doc("The passphrase of an encrypted ssl_key.")
	optSSLSupportedProtocols     = plugin.Strings("ssl_supported_protocols").Default([]string{}).Validate(protocols).Doc("TLS versions allowed, of TLSv1.1, TLSv1.2, TLSv1.3; empty leaves Go's defaults (1.2 and 1.3).")
	optSSLCipherSuites           = plugin.Strings("ssl_cipher_suites").Validate(cipherSuites).Doc("Cipher suites allowed, by their IANA names.")
)

func positive(v float64) error {
	if v <= 0 {
		return fmt.Errorf("must be greater than 0, got %v", v)
	}
	return nil
}

func checkHosts(hosts []string) error {
	if len(hosts) == 0 {
		return fmt.Errorf("must name at least one host")
	}
	for _, h := range hosts {
		if _, _, err := splitHost(h, "6379"); err != nil {
			return err
		}
	}
	return nil
}

// splitHost reads "host" or "host:port" ("[v6]:port" too).
func splitHost(h, port string) (string, string, error) {
	host, p, err := net.SplitHostPort(h)
	if err != nil {
		// No port (or a bare IPv6 address).
		return strings.Trim(h, "[]"), port, nil
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("%q: the port must be a number from 1 to 65535", h)
	}
	return host, p, nil
}

func existingFiles(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("File does not exist or cannot be opened %s", p)
		}
	}
	return nil
}

func protocols(names []string) error {
	for _, n := range names {
		if !slices.Contains(tlsopts.ProtocolNames, n) {
			return fmt.Errorf(`Expected one of ["TLSv1.1", "TLSv1.2", "TLSv1.3"], got %q`, n)
		}
	}
	return nil
}

func cipherSuites(names []string) error {
	for _, n := range names {
		if err := tlsopts.CheckCipherSuite(n); err != nil {
			return err
		}
	}
	return nil
}

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "redis",
			Summary: "Appends events to a Redis list (RPUSH) or publishes them on a channel (PUBLISH).",
			Options: []plugin.Declared{optHost, optShuffleHosts, optPort, optDB, optTimeout, optPassword, optKey, optDataType,
				optBatch, optBatchEvents, optBatchTimeout, optReconnectInterval, optCongestionThreshold, optCongestionInterval,
				optSSLEnabled, optSSL, optSSLVerificationMode, optSSLCertificateAuthorities, optSSLCertificate, optSSLKey,
				optSSLKeyPassphrase, optSSLSupportedProtocols, optSSLCipherSuites},
		},
		DefaultCodec: "json",
		New:          New,
	})
}

var sslOptions = []plugin.Handle{optSSLVerificationMode, optSSLCertificateAuthorities, optSSLCertificate, optSSLKey,
	optSSLKeyPassphrase, optSSLSupportedProtocols, optSSLCipherSuites}

// server is one of the hosts.
type server struct {
	host, addr string
}

// Output is the redis output.
type Output struct {
	servers             []server
	base                redisclient.Config
	tls                 *tls.Config
	key                 *event.Template
	rawKey              string
	dataType            string
	batchEvents         int
	reconnect           time.Duration
	congestionThreshold int64
	congestionInterval  time.Duration
	codec               plugin.Codec
	log                 *slog.Logger

	// mu makes sending one caller's at a time, as Logstash runs this
	// output in a single thread: events reach a list in pipeline order.
	mu       sync.Mutex
	client   *goredis.Client
	next     int
	current  server
	checked  map[string]time.Time
	buf      []byte
	commands []command
}

// command is one RPUSH or PUBLISH: values are encodings in buf.
type command struct {
	key    string
	values [][]byte
}

// New builds a redis output.
func New(s *plugin.Settings) (plugin.Output, error) {
	dataType := optDataType.Get(s)
	if optBatch.Get(s) && dataType != "list" {
		return nil, optBatch.Errorf(s, "batch is not supported with data_type %s", dataType)
	}
	key, err := event.CompileTemplate(optKey.Get(s))
	if err != nil {
		return nil, optKey.Errorf(s, "%v", err)
	}
	o := &Output{
		key:                 key,
		rawKey:              optKey.Get(s),
		dataType:            dataType,
		batchEvents:         1,
		reconnect:           seconds(optReconnectInterval.Get(s)),
		congestionThreshold: optCongestionThreshold.Get(s),
		congestionInterval:  seconds(optCongestionInterval.Get(s)),
		codec:               s.NewCodec(),
		log:                 s.Logger(),
		checked:             map[string]time.Time{},
		base: redisclient.Config{
			Network:  "tcp",
			DB:       int(optDB.Get(s)),
			Password: optPassword.Get(s),
			Timeout:  seconds(optTimeout.Get(s)),
		},
	}
	if optBatch.Get(s) {
		o.batchEvents = int(optBatchEvents.Get(s))
	}
	port := strconv.FormatInt(optPort.Get(s), 10)
	for _, h := range optHost.Get(s) {
		host, p, _ := splitHost(h, port)
		o.servers = append(o.servers, server{host: host, addr: net.JoinHostPort(host, p)})
	}
	if optShuffleHosts.Get(s) {
		rand.Shuffle(len(o.servers), func(i, j int) { o.servers[i], o.servers[j] = o.servers[j], o.servers[i] })
	}
	if o.tls, err = tlsConfig(s); err != nil {
		return nil, err
	}
	return o, nil
}

func seconds(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }

// tlsConfig checks the ssl_ options as the plugin does when it registers
// and builds the TLS configuration, or nil without ssl_enabled.
func tlsConfig(s *plugin.Settings) (*tls.Config, error) {
	if !optSSLEnabled.Get(s) && !optSSL.Get(s) {
		var ignored []string
		for _, o := range sslOptions {
			if o.IsSet(s) {
				ignored = append(ignored, strconv.Quote(o.Name()))
			}
		}
		if len(ignored) > 0 {
			s.Logger().Warn(fmt.Sprintf("Configured SSL settings are not used when `ssl_enabled` is set to `false`: [%s]", strings.Join(ignored, ", ")))
		}
		return nil, nil
	}
	switch {
	case optSSLCertificate.IsSet(s) && !optSSLKey.IsSet(s):
		return nil, optSSLCertificate.Errorf(s, "Using an `ssl_certificate` requires an `ssl_key`")
	case optSSLKey.IsSet(s) && !optSSLCertificate.IsSet(s):
		return nil, optSSLKey.Errorf(s, "An `ssl_certificate` is required when using an `ssl_key`")
	}
	full := optSSLVerificationMode.Get(s) == "full"
	cfg, err := tlsopts.Client{
		Common:         tlsopts.Common{SupportedProtocols: optSSLSupportedProtocols.Get(s), CipherSuites: optSSLCipherSuites.Get(s)},
		Identity:       tlsopts.Identity{Certificate: optSSLCertificate.Get(s), Key: optSSLKey.Get(s), KeyPassphrase: optSSLKeyPassphrase.Get(s).Reveal()},
		Trust:          tlsopts.Trust{CertificateAuthorities: optSSLCertificateAuthorities.Get(s), WithSystemRoots: true},
		VerifyServer:   full,
		VerifyHostname: full,
	}.Config()
	if err != nil {
		return nil, tlsopts.Locate(s, err, sslOptions...)
	}
	return cfg, nil
}

// Output sends the batch: one RPUSH or PUBLISH per event, or with batch
// one RPUSH per run of events going to the same list, pipelined in one
// round trip. A failed command is logged and sent again after
// reconnect_interval, on a new connection to the next host, until it
// works: the pipeline is held back (back-pressure), nothing is dropped.
// A command whose reply was lost may have been carried out, so a server
// can get an event twice (at least once). Only a forced shutdown (ctx)
// gives up.
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.encode(events)
	pending := o.commands
	for len(pending) > 0 {
		failed, err := o.send(ctx, pending)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		o.log.Warn("Failed to send event to Redis", slog.String("identity", o.identity()), slog.String("exception", err.Error()))
		o.disconnect()
		pending = failed
		if !redisclient.Pause(ctx, o.reconnect) {
			return ctx.Err()
		}
	}
	return nil
}

// encode fills o.commands with the batch's commands, their values
// encoded one after another in o.buf.
func (o *Output) encode(events []*event.Event) {
	o.buf = o.buf[:0]
	ends := make([]int, 0, len(events))
	keys := make([]string, 0, len(events))
	for _, e := range events {
		o.buf = o.codec.Encode(o.buf, e)
		ends = append(ends, len(o.buf))
		keys = append(keys, o.key.Render(e))
	}
	o.commands = o.commands[:0]
	start := 0
	for i, end := range ends {
		value := o.buf[start:end:end]
		start = end
		if n := len(o.commands); n > 0 && o.commands[n-1].key == keys[i] && len(o.commands[n-1].values) < o.batchEvents {
			o.commands[n-1].values = append(o.commands[n-1].values, value)
			continue
		}
		o.commands = append(o.commands, command{key: keys[i], values: [][]byte{value}})
	}
}

// send runs the commands in one pipeline and returns those that failed.
func (o *Output) send(ctx context.Context, commands []command) ([]command, error) {
	client := o.connect()
	if err := o.waitForCongestion(ctx, client, commands); err != nil {
		return commands, err
	}
	pipe := client.Pipeline()
	cmds := make([]goredis.Cmder, len(commands))
	for i, c := range commands {
		args := make([]any, len(c.values))
		for j, v := range c.values {
			args[j] = v
		}
		if o.dataType == "list" {
			cmds[i] = pipe.RPush(ctx, c.key, args...)
		} else {
			cmds[i] = pipe.Publish(ctx, c.key, args[0])
		}
	}
	_, err := pipe.Exec(ctx)
	if err == nil {
		return nil, nil
	}
	var failed []command
	for i, cmd := range cmds {
		if cmd.Err() != nil {
			failed = append(failed, commands[i])
		}
	}
	return failed, err
}

// waitForCongestion holds a list's events back while the list holds more
// than congestion_threshold items, looking again every
// congestion_interval; each list is checked at most once an interval.
func (o *Output) waitForCongestion(ctx context.Context, client *goredis.Client, commands []command) error {
	if o.congestionThreshold == 0 || o.dataType != "list" {
		return nil
	}
	for _, c := range commands {
		if last, ok := o.checked[c.key]; ok && time.Since(last) < o.congestionInterval {
			continue
		}
		for {
			n, err := client.LLen(ctx, c.key).Result()
			if err != nil {
				return err
			}
			if n <= o.congestionThreshold {
				break
			}
			o.log.Warn(fmt.Sprintf("Redis key size has hit a congestion threshold %d suspending output for %v seconds", o.congestionThreshold, o.congestionInterval.Seconds()))
			if !redisclient.Pause(ctx, max(o.congestionInterval, 10*time.Millisecond)) {
				return ctx.Err()
			}
		}
		o.checked[c.key] = time.Now()
	}
	return nil
}

// connect returns the connection's client, making one to the next host
// when there is none.
func (o *Output) connect() *goredis.Client {
	if o.client != nil {
		return o.client
	}
	o.current = o.servers[o.next]
	o.next = (o.next + 1) % len(o.servers)
	cfg := o.base
	cfg.Addr = o.current.addr
	if o.tls != nil {
		cfg.TLS = o.tls.Clone()
		cfg.TLS.ServerName = o.current.host
	}
	o.client = cfg.NewClient()
	return o.client
}

func (o *Output) disconnect() {
	if o.client != nil {
		o.client.Close()
		o.client = nil
	}
}

// identity names the server and key in log lines, as Logstash does.
func (o *Output) identity() string {
	cfg := o.base
	cfg.Addr = o.current.addr
	return cfg.Identity(o.dataType, o.rawKey)
}

// Close closes the connection.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.disconnect()
	return nil
}
