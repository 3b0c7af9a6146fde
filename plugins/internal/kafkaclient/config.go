package kafkaclient

import (
	"fmt"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/IBM/sarama"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/xdg-go/scram"
)

// ProtocolVersion is the Kafka protocol version the clients speak: Kafka 4
// brokers dropped the request versions older clients default to.
var ProtocolVersion = sarama.V3_9_0_0

// Millis reads a millisecond option as a duration.
func Millis(s *plugin.Settings, option plugin.Opt[int64]) time.Duration {
	return time.Duration(option.Get(s)) * time.Millisecond
}

// Brokers splits bootstrap_servers into addresses, or returns a located
// error when none is given.
func Brokers(s *plugin.Settings) ([]string, error) {
	var out []string
	for _, b := range strings.Split(BootstrapServers.Get(s), ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		return nil, BootstrapServers.Errorf(s, "no broker address in bootstrap_servers")
	}
	return out, nil
}

// NewConfig validates the shared options and returns a sarama
// configuration with them applied; callers add their producer or consumer
// settings.
func NewConfig(s *plugin.Settings, clientID string) (*sarama.Config, error) {
	cfg := sarama.NewConfig()
	cfg.Version = ProtocolVersion
	cfg.ClientID = clientID

	if ClientDNSLookup.Get(s) == "default" {
		s.Logger().Warn("Deprecated value `default` for `client_dns_lookup` option; please update your configuration to use `use_all_dns_ips` instead.")
	}
	cfg.Net.ResolveCanonicalBootstrapServers = ClientDNSLookup.Get(s) == "resolve_canonical_bootstrap_servers_only"

	cfg.Metadata.RefreshFrequency = Millis(s, MetadataMaxAgeMS)
	timeout := Millis(s, RequestTimeoutMS)
	if timeout <= 0 {
		return nil, RequestTimeoutMS.Errorf(s, "request_timeout_ms must be positive, got %d", RequestTimeoutMS.Get(s))
	}
	cfg.Net.ReadTimeout = timeout
	cfg.Net.WriteTimeout = timeout

	first, most := Millis(s, ReconnectBackoffMS), Millis(s, ReconnectBackoffMaxMS)
	cfg.Metadata.Retry.BackoffFunc = func(retries, _ int) time.Duration {
		d := first
		for i := 0; i < retries && d < most; i++ {
			d *= 2
		}
		return min(d, most)
	}
	cfg.Metadata.Retry.Max = 5

	rcv, snd := int(ReceiveBufferBytes.Get(s)), int(SendBufferBytes.Get(s))
	if rcv > 0 || snd > 0 {
		// sarama has no socket buffer settings; a dialer of our own sets them.
		cfg.Net.Proxy.Enable = true
		cfg.Net.Proxy.Dialer = &net.Dialer{
			Timeout:   cfg.Net.DialTimeout,
			KeepAlive: cfg.Net.KeepAlive,
			Control: func(_, _ string, c syscall.RawConn) error {
				var serr error
				err := c.Control(func(fd uintptr) {
					if rcv > 0 {
						serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcv)
					}
					if snd > 0 && serr == nil {
						serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF, snd)
					}
				})
				if err != nil {
					return err
				}
				return serr
			},
		}
	}

	protocol := SecurityProtocol.Get(s)
	if protocol == "SSL" || protocol == "SASL_SSL" {
		tlsCfg, err := tlsConfig(s)
		if err != nil {
			return nil, err
		}
		cfg.Net.TLS.Enable = true
		cfg.Net.TLS.Config = tlsCfg
	}
	if protocol == "SASL_PLAINTEXT" || protocol == "SASL_SSL" {
		if err := saslConfig(s, cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kafka client configuration: %w", err)
	}
	return cfg, nil
}

func saslConfig(s *plugin.Settings, cfg *sarama.Config) error {
	for _, javaOnly := range []plugin.Opt[string]{SASLClientCallbackHandlerClass, SASLLoginCallbackHandlerClass} {
		if javaOnly.IsSet(s) {
			return javaOnly.Errorf(s, "%s names a Java class, which gostash cannot load", javaOnly.Name())
		}
	}
	if SASLIAMJarPaths.IsSet(s) {
		return SASLIAMJarPaths.Errorf(s, "sasl_iam_jar_paths loads Java jars, which gostash cannot do")
	}
	mechanism := SASLMechanism.Get(s)
	if mechanism == "GSSAPI" && !SASLKerberosServiceName.IsSet(s) {
		return SASLMechanism.Errorf(s, "sasl_kerberos_service_name must be specified when SASL mechanism is GSSAPI")
	}
	login, err := loginModule(s)
	if err != nil {
		return err
	}
	cfg.Net.SASL.Enable = true
	cfg.Net.SASL.Handshake = true
	switch mechanism {
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if login == nil || login.kind != loginPassword {
			return SASLJAASConfig.Errorf(s, "SASL mechanism %s needs sasl_jaas_config (or jaas_path) with a PlainLoginModule or ScramLoginModule username and password", mechanism)
		}
		cfg.Net.SASL.User = login.options["username"]
		cfg.Net.SASL.Password = login.options["password"]
		switch mechanism {
		case "PLAIN":
			cfg.Net.SASL.Mechanism = sarama.SASLTypePlaintext
		case "SCRAM-SHA-256":
			cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
			cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.SHA256} }
		case "SCRAM-SHA-512":
			cfg.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
			cfg.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.SHA512} }
		}
	case "GSSAPI":
		cfg.Net.SASL.Mechanism = sarama.SASLTypeGSSAPI
		g := &cfg.Net.SASL.GSSAPI
		g.ServiceName = SASLKerberosServiceName.Get(s)
		g.KerberosConfigPath = KerberosConfig.Get(s)
		if g.KerberosConfigPath == "" {
			g.KerberosConfigPath = "/etc/krb5.conf"
		}
		g.DisablePAFXFAST = true
		if login == nil || login.kind != loginKerberos {
			return SASLJAASConfig.Errorf(s, "SASL mechanism GSSAPI needs sasl_jaas_config (or jaas_path) with a Krb5LoginModule naming a principal and a keyTab or ticket cache")
		}
		user, realm, _ := strings.Cut(login.options["principal"], "@")
		g.Username, g.Realm = user, realm
		switch {
		case login.options["useKeyTab"] == "true":
			g.AuthType = sarama.KRB5_KEYTAB_AUTH
			g.KeyTabPath = login.options["keyTab"]
		case login.options["useTicketCache"] == "true":
			g.AuthType = sarama.KRB5_CCACHE_AUTH
			g.CCachePath = login.options["ticketCache"]
		default:
			return SASLJAASConfig.Errorf(s, "Krb5LoginModule needs useKeyTab=true with keyTab, or useTicketCache=true")
		}
	default:
		return SASLMechanism.Errorf(s, "unsupported SASL mechanism %q: gostash supports PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 and GSSAPI", mechanism)
	}
	return nil
}

// scramClient adapts xdg-go/scram to sarama's SCRAMClient.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (c *scramClient) Begin(user, password, authzID string) error {
	client, err := c.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	c.conv = client.NewConversation()
	return nil
}

func (c *scramClient) Step(challenge string) (string, error) { return c.conv.Step(challenge) }

func (c *scramClient) Done() bool { return c.conv.Done() }
