// Package syslog is the syslog output: events as RFC 3164 or RFC 5424
// messages to a syslog server over UDP, TCP or TLS.
package syslog

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gostash/gostash/plugins/internal/tlsopts"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	optHost              = plugin.String("host").Required().Doc("The syslog server to send to.")
	optPort              = plugin.Int("port").Required().Between(0, 65535).Doc("The syslog server's port.")
	optReconnectInterval = plugin.Float("reconnect_interval").Default(1).Doc("Seconds to wait before connecting again after a TCP or TLS failure.")
	optProtocol          = plugin.Enum("protocol", "tcp", "udp", "ssl-tcp").Default("udp").Doc("udp, tcp, or ssl-tcp (TLS over TCP). Each message ends with a newline, also over UDP.")

	optSSLVerify                 = plugin.Bool("ssl_verify").Default(false).Doc("Check the server's certificate chain against ssl_certificate_authorities and the system's CAs (the host name is not checked).")
	optSSLCACert                 = plugin.Path("ssl_cacert").Deprecated("Use 'ssl_certificate_authorities' instead.").Doc("Deprecated: a CA file; use ssl_certificate_authorities.")
	optSSLCertificateAuthorities = plugin.Strings("ssl_certificate_authorities").Validate(existingPaths).Doc("PEM files or directories of CAs to trust, besides the system's.")
	optSSLCert                   = plugin.Path("ssl_cert").Deprecated("Use 'ssl_certificate' instead.").Doc("Deprecated: use ssl_certificate.")
	optSSLCertificate            = plugin.Path("ssl_certificate").Doc("The PEM client certificate to present.")
	optSSLKey                    = plugin.Path("ssl_key").Doc("The PEM private key of ssl_certificate.")
	optSSLKeyPassphrase          = plugin.Password("ssl_key_passphrase").Doc("The passphrase of an encrypted ssl_key.")
	optSSLCRLPath                = plugin.Path("ssl_crl_path").Doc("PEM CRLs to check the server's certificate against (needs ssl_verify).")
	optSSLCRLCheck               = plugin.Strings("ssl_crl_check").Default([]string{"leaf"}).Validate(crlChecks).Doc("leaf checks the server's certificate against the CRLs, chain every certificate of its chain; each needs its issuer's CRL.")
	optSSLCipherSuites           = plugin.Strings("ssl_cipher_suites").Validate(cipherSuites).Doc("Cipher suites allowed, by their IANA names.")
	optSSLSupportedProtocols     = plugin.Strings("ssl_supported_protocols").Validate(protocols).Doc("TLS versions allowed, of TLSv1.1, TLSv1.2, TLSv1.3.")

	optUseLabels      = plugin.Bool("use_labels").Default(true).Doc("Take the priority from the facility and severity labels; false takes it from priority.")
	optPriority       = plugin.String("priority").Default("%{syslog_pri}").Doc("The priority (0-191) when use_labels is false, sprintf'd; anything else gives 13.")
	optFacility       = plugin.String("facility").Default("user-level").Doc("The facility label, sprintf'd; an unknown label gives user-level. The labels are Logstash's list (local0 counts as 14, as there).")
	optSeverity       = plugin.String("severity").Default("notice").Doc("The severity label, sprintf'd: emergency, alert, critical, error, warning, notice, informational, debug; an unknown one gives notice.")
	optSourcehost     = plugin.String("sourcehost").Default("%{host}").Doc("The HOSTNAME of the message, sprintf'd.")
	optAppname        = plugin.String("appname").Default("LOGSTASH").Doc("The APP-NAME (the tag in RFC 3164), sprintf'd.")
	optProcid         = plugin.String("procid").Default("-").Doc("The PROCID, sprintf'd.")
	optMessage        = plugin.String("message").Default("%{message}").Doc("The message text, sprintf'd; used when the codec is plain without a format of its own.")
	optMsgid          = plugin.String("msgid").Default("-").Doc("The MSGID (RFC 5424), sprintf'd.")
	optRFC            = plugin.Enum("rfc", "rfc3164", "rfc5424").Default("rfc3164").Doc("The message format.")
	optStructuredData = plugin.String("structured_data").Default("").Doc(`RFC 5424 STRUCTURED-DATA, sprintf'd, such as [exampleSDID@32473 iut="3"]; empty sends "-".`)
)

func existingPaths(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("File does not exist or cannot be opened %s", p)
		}
	}
	return nil
}

func crlChecks(v []string) error {
	for _, c := range v {
		if c != "leaf" && c != "chain" {
			return fmt.Errorf(`Expected one of ["leaf", "chain"], got %q`, c)
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

func protocols(names []string) error {
	for _, n := range names {
		if !slices.Contains(tlsopts.ProtocolNames, n) {
			return fmt.Errorf(`Expected one of ["TLSv1.1", "TLSv1.2", "TLSv1.3"], got %q`, n)
		}
	}
	return nil
}

func init() {
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "syslog",
			Summary: "Sends events as RFC 3164 or RFC 5424 syslog messages over UDP, TCP or TLS.",
			Options: []plugin.Declared{optHost, optPort, optReconnectInterval, optProtocol,
				optSSLVerify, optSSLCACert, optSSLCertificateAuthorities, optSSLCert, optSSLCertificate, optSSLKey,
				optSSLKeyPassphrase, optSSLCRLPath, optSSLCRLCheck, optSSLCipherSuites, optSSLSupportedProtocols,
				optUseLabels, optPriority, optFacility, optSeverity, optSourcehost, optAppname, optProcid,
				optMessage, optMsgid, optRFC, optStructuredData},
		},
		New: New,
	})
}

// facilityLabels and severityLabels are the plugin's own lists, indexed
// by code. The facilities skip cron and authpriv, so local0..7 come out
// as 14..21 rather than RFC 5424's 16..23: Logstash sends that.
var (
	facilityLabels = []string{"kernel", "user-level", "mail", "daemon", "security/authorization", "syslogd",
		"line printer", "network news", "uucp", "clock", "ftp", "ntp", "log audit", "log alert",
		"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
	severityLabels = []string{"emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug"}
)

var sslOptions = []plugin.Handle{optSSLVerify, optSSLCACert, optSSLCertificateAuthorities, optSSLCert, optSSLCertificate,
	optSSLKey, optSSLKeyPassphrase, optSSLCRLPath, optSSLCRLCheck, optSSLCipherSuites, optSSLSupportedProtocols}

// Output is the syslog output.
type Output struct {
	addr      string
	protocol  string
	tls       *tls.Config
	reconnect time.Duration
	rfc3164   bool
	useLabels bool

	priority, facility, severity, sourcehost, appname, procid, msgid, structuredData *event.Template
	// message formats the text when the codec is a plain codec without a
	// format; otherwise codec encodes it.
	message *event.Template
	codec   plugin.Codec

	log *slog.Logger

	// mu keeps one connection and one writer, as Logstash runs this output
	// in a single thread.
	mu   sync.Mutex
	conn net.Conn
}

// New builds a syslog output.
func New(s *plugin.Settings) (plugin.Output, error) {
	o := &Output{
		addr:      net.JoinHostPort(optHost.Get(s), strconv.FormatInt(optPort.Get(s), 10)),
		protocol:  optProtocol.Get(s),
		reconnect: time.Duration(optReconnectInterval.Get(s) * float64(time.Second)),
		rfc3164:   optRFC.Get(s) == "rfc3164",
		useLabels: optUseLabels.Get(s),
		log:       s.Logger(),
	}
	if err := o.configureTLS(s); err != nil {
		return nil, err
	}
	if o.rfc3164 && optStructuredData.Get(s) != "" {
		return nil, optStructuredData.Errorf(s, "Structured data is not supported for RFC3164")
	}
	for _, t := range []struct {
		opt plugin.Opt[string]
		dst **event.Template
	}{{optPriority, &o.priority}, {optFacility, &o.facility}, {optSeverity, &o.severity}, {optSourcehost, &o.sourcehost},
		{optAppname, &o.appname}, {optProcid, &o.procid}, {optMsgid, &o.msgid}, {optStructuredData, &o.structuredData}, {optMessage, &o.message}} {
		tmpl, err := event.CompileTemplate(t.opt.Get(s))
		if err != nil {
			return nil, t.opt.Errorf(s, "%v", err)
		}
		*t.dst = tmpl
	}
	if s.CodecName() != "plain" || s.CodecOptionIsSet("format") {
		o.codec = s.NewCodec()
	}
	return o, nil
}

func (o *Output) configureTLS(s *plugin.Settings) error {
	if o.protocol != "ssl-tcp" {
		var given []string
		for _, h := range sslOptions {
			if h.IsSet(s) {
				given = append(given, strconv.Quote(h.Name()))
			}
		}
		if len(given) > 0 {
			s.Logger().Warn(fmt.Sprintf("Configured SSL settings are not used when `protocol` is set to '%s': [%s]", o.protocol, strings.Join(given, ", ")))
		}
		return nil
	}
	cas := optSSLCertificateAuthorities.Get(s)
	if optSSLCACert.IsSet(s) {
		if optSSLCertificateAuthorities.IsSet(s) {
			return optSSLCACert.Errorf(s, "Both `ssl_certificate_authorities` and (deprecated) `ssl_cacert` were set. Use only `ssl_certificate_authorities`.")
		}
		cas = []string{optSSLCACert.Get(s)}
	}
	cert := optSSLCertificate.Get(s)
	if optSSLCert.IsSet(s) {
		if optSSLCertificate.IsSet(s) {
			return optSSLCert.Errorf(s, "Both `ssl_certificate` and (deprecated) `ssl_cert` were set. Use only `ssl_certificate`.")
		}
		cert = optSSLCert.Get(s)
	}
	checks := optSSLCRLCheck.Get(s)
	switch {
	case optSSLCRLCheck.IsSet(s) && !optSSLCRLPath.IsSet(s):
		return optSSLCRLCheck.Errorf(s, "ssl_crl_check is set but ssl_crl_path is not set")
	case slices.Contains(checks, "leaf") && slices.Contains(checks, "chain"):
		return optSSLCRLCheck.Errorf(s, "ssl_crl_check can only contain one of 'leaf' or 'chain'")
	case (cert != "") != optSSLKey.IsSet(s):
		return optSSLKey.Errorf(s, "ssl_certificate and ssl_key go together: set both or neither")
	}
	client := tlsopts.Client{
		Common:       tlsopts.Common{SupportedProtocols: optSSLSupportedProtocols.Get(s), CipherSuites: optSSLCipherSuites.Get(s)},
		Identity:     tlsopts.Identity{Certificate: cert, Key: optSSLKey.Get(s), KeyPassphrase: optSSLKeyPassphrase.Get(s).Reveal()},
		Trust:        tlsopts.Trust{CertificateAuthorities: cas, WithSystemRoots: true},
		VerifyServer: optSSLVerify.Get(s),
		ServerName:   optHost.Get(s),
	}
	if client.VerifyServer {
		client.CRLFile, client.CRLChain = optSSLCRLPath.Get(s), slices.Contains(checks, "chain")
	}
	cfg, err := client.Config()
	if err != nil {
		return tlsopts.Locate(s, err, append(sslOptions, plugin.Handle(optSSLKey))...)
	}
	o.tls = cfg
	return nil
}

// Output sends each event as one message. Over TCP and TLS a failed
// connection or write is logged and retried every reconnect_interval,
// resending the message, until it works (back-pressure: nothing is
// dropped); over UDP a failed send is dropped, as syslog over UDP
// promises nothing. Only a forced shutdown (ctx) gives up.
func (o *Output) Output(ctx context.Context, events []*event.Event) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, e := range events {
		if err := o.send(ctx, o.format(e)); err != nil {
			return err
		}
	}
	return nil
}

// format renders an event as one syslog line, newline included.
func (o *Output) format(e *event.Event) []byte {
	var payload []byte
	if o.codec != nil {
		payload = o.codec.Encode(nil, e)
	} else {
		payload = o.message.AppendRender(nil, e)
	}
	// One message, one line: trailing blanks go, and line breaks inside
	// become the two characters \n.
	payload = bytes.TrimRight(payload, "\x00\t\n\v\f\r ")
	payload = bytes.ReplaceAll(payload, []byte("\r\n"), []byte("\n"))
	payload = bytes.ReplaceAll(payload, []byte("\n"), []byte(`\n`))

	pri := o.priorityOf(e)
	b := make([]byte, 0, len(payload)+128)
	b = append(b, '<')
	b = strconv.AppendInt(b, int64(pri), 10)
	b = append(b, '>')
	if o.rfc3164 {
		b = append(b, e.Sprintf("%{+MMM dd HH:mm:ss}")...)
		b = append(b, ' ')
		b = o.sourcehost.AppendRender(b, e)
		b = append(b, ' ')
		b = o.appname.AppendRender(b, e)
		b = append(b, '[')
		b = o.procid.AppendRender(b, e)
		b = append(b, "]: "...)
	} else {
		b = append(b, "1 "...)
		b = append(b, e.Sprintf("%{+YYYY-MM-dd'T'HH:mm:ss.SSSZZ}")...)
		for _, t := range []*event.Template{o.sourcehost, o.appname, o.procid, o.msgid} {
			b = append(b, ' ')
			b = t.AppendRender(b, e)
		}
		b = append(b, ' ')
		if o.structuredData.String() == "" {
			b = append(b, '-')
		} else {
			b = o.structuredData.AppendRender(b, e)
		}
		b = append(b, ' ')
	}
	b = append(b, payload...)
	return append(b, '\n')
}

// priorityOf is facility*8+severity from the labels, or the priority
// option; what cannot be read gives 13 (user-level notice).
func (o *Output) priorityOf(e *event.Event) int {
	if o.useLabels {
		facility := slices.Index(facilityLabels, o.facility.Render(e))
		if facility < 0 {
			facility = 1
		}
		severity := slices.Index(severityLabels, o.severity.Render(e))
		if severity < 0 {
			severity = 5
		}
		return facility*8 + severity
	}
	p, err := strconv.ParseInt(strings.TrimSpace(o.priority.Render(e)), 0, 64)
	if err != nil || p < 0 || p > 191 {
		return 13
	}
	return int(p)
}

func (o *Output) send(ctx context.Context, msg []byte) error {
	for {
		err := o.write(ctx, msg)
		if err == nil {
			return nil
		}
		if o.protocol == "udp" {
			return nil
		}
		o.log.Warn("syslog "+o.protocol+" output exception: closing, reconnecting and resending event",
			slog.String("host", o.addr), slog.String("exception", err.Error()))
		if o.conn != nil {
			o.conn.Close()
			o.conn = nil
		}
		timer := time.NewTimer(o.reconnect)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}

func (o *Output) write(ctx context.Context, msg []byte) error {
	if o.conn == nil {
		conn, err := o.connect(ctx)
		if err != nil {
			return err
		}
		o.conn = conn
	}
	_, err := o.conn.Write(msg)
	return err
}

func (o *Output) connect(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: 30 * time.Second}
	network := "tcp"
	if o.protocol == "udp" {
		network = "udp"
	}
	conn, err := d.DialContext(ctx, network, o.addr)
	if err != nil || o.tls == nil {
		return conn, err
	}
	tc := tls.Client(conn, o.tls)
	if err := tc.HandshakeContext(ctx); err != nil {
		o.log.Error("SSL Error", slog.String("exception", err.Error()))
		conn.Close()
		return nil, err
	}
	return tc, nil
}

// Close closes the connection.
func (o *Output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.conn != nil {
		return o.conn.Close()
	}
	return nil
}
