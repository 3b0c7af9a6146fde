// Package rabbitmqclient is what the rabbitmq input and output share: the
// connection options of Logstash's RabbitMQ integration (host, port, user,
// password, vhost, ssl*, heartbeat, connection_timeout, automatic_recovery,
// connect_retry_interval, passive, arguments), dialing the hosts with
// github.com/rabbitmq/amqp091-go, and turning AMQP table values into event
// values and back.
//
// amqp091-go has no stable connection recovery, so the plugins reconnect
// themselves: each runs a loop that dials again connect_retry_interval
// after a connection is lost, and declares its topology anew.
package rabbitmqclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

// The options both plugins take, with Logstash's defaults.
var (
	Host                   = plugin.StringList("host").Required().Doc("RabbitMQ host(s). With several, each connection (the first and every recovery) goes to one picked at random; an entry may carry its own `host:port`.")
	Port                   = plugin.Int("port").Default(5672).Between(1, 65535).Doc("Port of the hosts that do not name one.")
	User                   = plugin.String("user").Default("guest").Doc("User name to log in with.")
	Password               = plugin.Password("password").Default(plugin.NewSecret("guest")).Doc("Password of `user`.")
	Vhost                  = plugin.String("vhost").Default("/").Doc("Virtual host to use. Except for the default `/`, vhost names do not start with a slash.")
	SSL                    = plugin.Bool("ssl").Doc("Connect with TLS. Without `ssl_certificate_path`, the server's certificate is not verified (as in Logstash).")
	SSLVersion             = plugin.String("ssl_version").Default("TLSv1.2").Validate(checkSSLVersion).Doc("Newest TLS version to offer: `TLSv1.1`, `TLSv1.2`, `TLSv1.3`, or `TLS` for any.")
	SSLCertificatePath     = plugin.Path("ssl_certificate_path").Doc("PKCS12 (.p12) file holding the client certificate and key presented to the server; the server's certificate is then verified against the certificates it holds (without a host name check, as the Java client does).")
	SSLCertificatePassword = plugin.Password("ssl_certificate_password").Doc("Password of the PKCS12 file in `ssl_certificate_path`; the two go together.")
	AutomaticRecovery      = plugin.Bool("automatic_recovery").Default(true).Doc("Reconnect, and declare the queue, exchange and binding again, when the connection is lost. When false, a lost connection is an error of the input, which the pipeline restarts a second later; the output dials again in either case, since it would otherwise hold its events forever.")
	ConnectRetryInterval   = plugin.Float("connect_retry_interval").Default(1).AtLeast(0).Doc("Seconds to wait before connecting again after a failed attempt or a lost connection.")
	ConnectionTimeout      = plugin.Int("connection_timeout").AtLeast(0).Doc("Milliseconds a connection attempt may take (TCP, TLS and the AMQP handshake). Unset or 0: no limit.")
	Heartbeat              = plugin.Int("heartbeat").AtLeast(0).Doc("Heartbeat interval in seconds asked of the server. Unset or 0: the server's own (RabbitMQ's default is 60 s).")
	Passive                = plugin.Bool("passive").Default(false).Doc("Declare the queue passively: only check that it exists, failing (and retrying) when it does not.")
	Arguments              = plugin.Any("arguments").Default([]any{}).Validate(checkArguments).Doc("Extra arguments of the queue declaration as a hash, such as `{\"x-queue-type\" => \"quorum\"}`.")
)

// The output takes passive and arguments too, as Logstash's does, but only
// a queue uses them: set there, they get a located "has no effect" warning
// instead of being dropped without a word.
var (
	OutputPassive   = plugin.Bool("passive").Default(false).Ineffective("the output declares its exchange actively, as Logstash's does; passive applies to the input's queue.").Doc("Accepted for Logstash configs; the exchange is always declared actively.")
	OutputArguments = plugin.Any("arguments").Default([]any{}).Validate(checkArguments).Ineffective("queue arguments apply to the input's queue; the output declares no queue, as in Logstash.").Doc("Accepted for Logstash configs; the output declares no queue to give them to.")
)

// Options returns the connection options both plugins take, for a
// plugin's Spec; the input adds Passive and Arguments, the output
// OutputPassive and OutputArguments.
func Options() []plugin.Declared {
	return []plugin.Declared{Host, Port, User, Password, Vhost, SSL, SSLVersion, SSLCertificatePath,
		SSLCertificatePassword, AutomaticRecovery, ConnectRetryInterval, ConnectionTimeout, Heartbeat}
}

// QueueArguments is the input's arguments option as a table (nil for
// none); Validate has already refused anything but a hash.
func QueueArguments(s *plugin.Settings) amqp.Table {
	table, _ := tableFrom(Arguments.Get(s))
	return table
}

// ExchangeTypes are the exchange types the output accepts, as Logstash's.
var ExchangeTypes = []string{"fanout", "direct", "topic", "x-consistent-hash", "x-modulus-hash"}

var tlsVersions = map[string]uint16{"TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13, "TLS": tls.VersionTLS13}

func checkSSLVersion(v string) error {
	if _, ok := tlsVersions[v]; !ok {
		return fmt.Errorf("unsupported ssl_version %q: use TLSv1.1, TLSv1.2, TLSv1.3 or TLS", v)
	}
	return nil
}

func checkArguments(v any) error {
	_, err := tableFrom(v)
	return err
}

// tableFrom reads the arguments option: a hash, or the empty list that is
// Logstash's default.
func tableFrom(v any) (amqp.Table, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		if len(t) == 0 {
			return nil, nil
		}
	case *event.Map:
		out := amqp.Table{}
		t.Range(func(k string, v any) bool { out[k] = ToTableValue(v); return true })
		return out, out.Validate()
	}
	return nil, fmt.Errorf("arguments must be a hash such as {\"x-max-length\" => 1000}, got %s", event.ValueString(v))
}

// ToTableValue turns an event (or config) value into what an AMQP table
// holds.
func ToTableValue(v any) any {
	switch t := v.(type) {
	case *event.Map:
		out := amqp.Table{}
		t.Range(func(k string, v any) bool { out[k] = ToTableValue(v); return true })
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = ToTableValue(x)
		}
		return out
	case string, int64, float64, bool, nil:
		return t
	case event.Timestamp:
		return t.Time
	}
	return event.ValueString(v)
}

// ToEventValue turns a value of an AMQP table (headers) into an event
// value: text, integers, floats, booleans, timestamps, hashes and lists.
func ToEventValue(v any) any {
	switch t := v.(type) {
	case string, bool, int64, float64, nil:
		return t
	case []byte:
		return strings.ToValidUTF8(string(t), "\uFFFD")
	case int8:
		return int64(t)
	case uint8:
		return int64(t)
	case int16:
		return int64(t)
	case uint16:
		return int64(t)
	case int32:
		return int64(t)
	case uint32:
		return int64(t)
	case int:
		return int64(t)
	case float32:
		return float64(t)
	case time.Time:
		return event.Timestamp{Time: t}
	case amqp.Decimal:
		d, err := event.ParseDecimal(decimalText(t))
		if err != nil {
			return decimalText(t)
		}
		return d
	case amqp.Table:
		return TableToMap(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = ToEventValue(x)
		}
		return out
	}
	return fmt.Sprint(v)
}

func decimalText(d amqp.Decimal) string {
	s := strconv.FormatInt(int64(d.Value), 10)
	if d.Scale == 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) <= int(d.Scale) {
		s = "0" + s
	}
	s = s[:len(s)-int(d.Scale)] + "." + s[len(s)-int(d.Scale):]
	if neg {
		s = "-" + s
	}
	return s
}

// TableToMap turns an AMQP table into an event hash.
func TableToMap(t amqp.Table) *event.Map {
	m := event.NewMap(len(t))
	for k, v := range t {
		m.Set(k, ToEventValue(v))
	}
	return m
}

// Client dials the configured hosts.
type Client struct {
	addrs         []string
	user          string
	password      plugin.Secret
	vhost         string
	tls           *tls.Config
	heartbeat     time.Duration
	dialTimeout   time.Duration
	RetryInterval time.Duration
	Recover       bool
	log           *slog.Logger
}

// New reads the shared options, returning located errors.
func New(s *plugin.Settings) (*Client, error) {
	c := &Client{
		user:          User.Get(s),
		password:      Password.Get(s),
		vhost:         Vhost.Get(s),
		heartbeat:     time.Duration(Heartbeat.Get(s)) * time.Second,
		dialTimeout:   time.Duration(ConnectionTimeout.Get(s)) * time.Millisecond,
		RetryInterval: time.Duration(ConnectRetryInterval.Get(s) * float64(time.Second)),
		Recover:       AutomaticRecovery.Get(s),
		log:           s.Logger(),
	}
	port := strconv.FormatInt(Port.Get(s), 10)
	for _, h := range Host.Get(s) {
		h = strings.TrimSpace(h)
		if h == "" {
			return nil, Host.Errorf(s, "empty host")
		}
		if strings.Contains(h, ":") {
			if _, _, err := net.SplitHostPort(h); err != nil {
				return nil, Host.Errorf(s, "host %q: %v", h, err)
			}
			c.addrs = append(c.addrs, h)
		} else {
			c.addrs = append(c.addrs, net.JoinHostPort(h, port))
		}
	}
	if len(c.addrs) == 0 {
		return nil, Host.Errorf(s, "no host given")
	}
	if !SSL.Get(s) {
		// Logstash reads the ssl_ options only with ssl => true; without
		// it the connection goes out in the clear, which a user who named
		// a certificate does not expect.
		for _, opt := range []plugin.Handle{SSLVersion, SSLCertificatePath, SSLCertificatePassword} {
			if opt.IsSet(s) {
				c.log.Warn(fmt.Sprintf("%s: %s has no effect without ssl => true; the connection is not encrypted (as in Logstash)", opt.Pos(s), opt.Name()))
			}
		}
		return c, nil
	}
	cfg, err := tlsConfig(s)
	if err != nil {
		return nil, err
	}
	c.tls = cfg
	return c, nil
}

func tlsConfig(s *plugin.Settings) (*tls.Config, error) {
	cfg := &tls.Config{MaxVersion: tlsVersions[SSLVersion.Get(s)]}
	if cfg.MaxVersion < tls.VersionTLS12 {
		cfg.MinVersion = cfg.MaxVersion
	}
	path, pass := SSLCertificatePath.Get(s), SSLCertificatePassword.Get(s)
	const both = "RabbitMQ requires both ssl_certificate_path AND ssl_certificate_password to be set!"
	switch {
	case path != "" && !pass.IsSet():
		return nil, SSLCertificatePath.Errorf(s, both)
	case path == "" && pass.IsSet():
		return nil, SSLCertificatePassword.Errorf(s, both)
	}
	// The Java client trusts any server unless a key store is given, and
	// never checks the host name: Go's own verification is replaced.
	cfg.InsecureSkipVerify = true
	if path == "" {
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, SSLCertificatePath.Errorf(s, "%v", err)
	}
	key, cert, cas, err := pkcs12.DecodeChain(data, pass.Reveal())
	if err != nil {
		return nil, SSLCertificatePath.Errorf(s, "reading PKCS12 file %s: %v", path, err)
	}
	chain := [][]byte{cert.Raw}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	for _, ca := range cas {
		chain = append(chain, ca.Raw)
		roots.AddCert(ca)
	}
	cfg.Certificates = []tls.Certificate{{Certificate: chain, PrivateKey: key, Leaf: cert}}
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return errors.New("the server sent no certificate")
		}
		certs := make([]*x509.Certificate, len(raw))
		for i, r := range raw {
			c, err := x509.ParseCertificate(r)
			if err != nil {
				return err
			}
			certs[i] = c
		}
		inter := x509.NewCertPool()
		for _, c := range certs[1:] {
			inter.AddCert(c)
		}
		_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
		return err
	}
	return cfg, nil
}

// URL is how a connection to addr is shown in logs: the password masked,
// as Logstash shows it.
func (c *Client) URL(addr string) string {
	scheme := "amqp"
	if c.tls != nil {
		scheme = "amqps"
	}
	return fmt.Sprintf("%s://%s:XXXXXX@%s%s", scheme, url.User(c.user).String(), addr, c.vhost)
}

// Dial connects to one of the hosts, picked at random, returning the
// connection and the address it went to.
func (c *Client) Dial(ctx context.Context) (*amqp.Connection, string, error) {
	addr := c.addrs[rand.IntN(len(c.addrs))]
	cfg := amqp.Config{
		SASL:      []amqp.Authentication{&amqp.PlainAuth{Username: c.user, Password: c.password.Reveal()}},
		Vhost:     c.vhost,
		Heartbeat: c.heartbeat,
		Locale:    "en_US",
		Properties: amqp.Table{
			"product":         "gostash",
			"connection_name": "gostash",
			"capabilities": amqp.Table{
				"connection.blocked":     true,
				"consumer_cancel_notify": true,
				"publisher_confirms":     true,
			},
		},
		Dial: func(network, a string) (net.Conn, error) {
			d := net.Dialer{Timeout: c.dialTimeout}
			conn, err := d.DialContext(ctx, network, a)
			if err != nil {
				return nil, err
			}
			if c.dialTimeout > 0 {
				// The deadline covers the TLS and AMQP handshakes; amqp091
				// clears it once the connection is open.
				if err := conn.SetDeadline(time.Now().Add(c.dialTimeout)); err != nil {
					conn.Close()
					return nil, err
				}
			}
			return conn, nil
		},
	}
	scheme := "amqp"
	if c.tls != nil {
		scheme = "amqps"
		cfg.TLSClientConfig = c.tls.Clone()
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.TLSClientConfig.ServerName = host
		}
	}
	conn, err := amqp.DialConfig(scheme+"://"+addr+"/", cfg)
	if err != nil {
		return nil, addr, fmt.Errorf("connecting to %s: %w", c.URL(addr), err)
	}
	return conn, addr, nil
}

// Connect dials until a connection is made or ctx ends, waiting
// connect_retry_interval between attempts and logging each failure as
// Logstash does. It returns nil when ctx ended first.
func (c *Client) Connect(ctx context.Context) (*amqp.Connection, string) {
	for {
		conn, addr, err := c.Dial(ctx)
		if err == nil {
			c.log.Info("Connected to RabbitMQ", slog.String("url", c.URL(addr)))
			return conn, addr
		}
		if ctx.Err() != nil {
			return nil, ""
		}
		c.log.Error("RabbitMQ connection error, will retry", slog.String("message", err.Error()))
		if !Sleep(ctx, c.RetryInterval) {
			return nil, ""
		}
	}
}

// Sleep waits d or until ctx ends, reporting whether it waited the whole d.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
