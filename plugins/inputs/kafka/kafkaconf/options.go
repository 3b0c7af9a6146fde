// Package kafkaconf holds what the kafka input and the kafka output share:
// the connection, SSL and SASL options of Logstash's kafka integration and
// their translation into a sarama client configuration. It lives under the
// input's folder only because one of the two had to hold it; the output
// imports it too.
package kafkaconf

import (
	"github.com/gostash/gostash/runtime/plugin"
)

// Option names the two plugins read through this package.
const (
	OptBootstrapServers = "bootstrap_servers"
	OptClientID         = "client_id"
	OptRetryBackoffMS   = "retry_backoff_ms"
)

// CommonOptions are the options both plugins declare with the same
// defaults (those of Logstash's kafka integration, which are Kafka's own).
func CommonOptions() []plugin.Option {
	return []plugin.Option{
		{Name: OptBootstrapServers, Type: plugin.TypeString, Default: "localhost:9092",
			Doc: "Kafka brokers to bootstrap from, as host1:port1,host2:port2."},
		{Name: OptClientID, Type: plugin.TypeString, Default: "logstash",
			Doc: "Client id sent to the brokers with every request (the input appends -<thread number>)."},
		{Name: "client_dns_lookup", Type: plugin.TypeEnum, Enum: []string{"default", "use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"}, Default: "use_all_dns_ips",
			Doc: "How broker host names resolve: try every address (use_all_dns_ips), or first turn each bootstrap name into its canonical names (resolve_canonical_bootstrap_servers_only). `default` is a deprecated alias of use_all_dns_ips."},
		{Name: "connections_max_idle_ms", Type: plugin.TypeNumber, Default: int64(540000),
			Doc: "Accepted for compatibility; the Go client keeps its broker connections open and does not close idle ones."},
		{Name: "metadata_max_age_ms", Type: plugin.TypeNumber, Default: int64(300000),
			Doc: "Period after which cluster metadata is refreshed even without leadership changes; also how often topics_pattern is re-evaluated."},
		{Name: "request_timeout_ms", Type: plugin.TypeNumber, Default: int64(40000),
			Doc: "How long to wait for a broker's response before failing the request (and retrying it)."},
		{Name: "receive_buffer_bytes", Type: plugin.TypeNumber, Default: int64(32768),
			Doc: "TCP receive buffer (SO_RCVBUF) of broker connections; -1 keeps the operating system's default."},
		{Name: "send_buffer_bytes", Type: plugin.TypeNumber, Default: int64(131072),
			Doc: "TCP send buffer (SO_SNDBUF) of broker connections; -1 keeps the operating system's default."},
		{Name: "reconnect_backoff_ms", Type: plugin.TypeNumber, Default: int64(50),
			Doc: "First wait before retrying a failed metadata request or connection; doubles up to reconnect_backoff_max_ms."},
		{Name: "reconnect_backoff_max_ms", Type: plugin.TypeNumber, Default: int64(1000),
			Doc: "Longest wait between attempts to reach an unavailable broker."},
		{Name: OptRetryBackoffMS, Type: plugin.TypeNumber, Default: int64(100),
			Doc: "Wait before retrying a failed request to a partition."},
		{Name: "security_protocol", Type: plugin.TypeEnum, Enum: []string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}, Default: "PLAINTEXT",
			Doc: "Protocol used to talk to the brokers. SSL settings apply with SSL and SASL_SSL, SASL settings with SASL_PLAINTEXT and SASL_SSL."},
		{Name: "ssl_truststore_type", Type: plugin.TypeString,
			Doc: "Format of ssl_truststore_location: PEM, JKS or PKCS12; guessed from the file when unset."},
		{Name: "ssl_truststore_location", Type: plugin.TypePath,
			Doc: "CA certificates that broker certificates must chain to; the system's roots when unset."},
		{Name: "ssl_truststore_password", Type: plugin.TypePassword,
			Doc: "Password of a JKS or PKCS12 truststore."},
		{Name: "ssl_keystore_type", Type: plugin.TypeString,
			Doc: "Format of ssl_keystore_location: PEM, JKS or PKCS12; guessed from the file when unset."},
		{Name: "ssl_keystore_location", Type: plugin.TypePath,
			Doc: "Client certificate chain and private key, for brokers that require client authentication."},
		{Name: "ssl_keystore_password", Type: plugin.TypePassword,
			Doc: "Password of a JKS or PKCS12 keystore."},
		{Name: "ssl_key_password", Type: plugin.TypePassword,
			Doc: "Password of the private key inside the keystore when it differs from the keystore's (JKS), or of an encrypted PEM key."},
		{Name: "ssl_endpoint_identification_algorithm", Type: plugin.TypeString, Default: "https",
			Doc: "`https` checks that the broker certificate names the broker host; an empty string only checks the certificate chain."},
		{Name: "sasl_mechanism", Type: plugin.TypeString, Default: "GSSAPI",
			Doc: "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or GSSAPI (Kerberos)."},
		{Name: "sasl_kerberos_service_name", Type: plugin.TypeString,
			Doc: "Kerberos principal name of the brokers; required with GSSAPI."},
		{Name: "sasl_jaas_config", Type: plugin.TypePassword,
			Doc: "JAAS login line, e.g. `org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";` (PlainLoginModule, ScramLoginModule and Krb5LoginModule are understood)."},
		{Name: "jaas_path", Type: plugin.TypePath,
			Doc: "JAAS file whose KafkaClient section holds the login module, used when sasl_jaas_config is unset."},
		{Name: "kerberos_config", Type: plugin.TypePath,
			Doc: "krb5.conf used with GSSAPI."},
		{Name: "sasl_client_callback_handler_class", Type: plugin.TypeString,
			Doc: "A Java class; gostash cannot load Java classes, so setting it with a SASL protocol is a configuration error."},
		{Name: "sasl_login_callback_handler_class", Type: plugin.TypeString,
			Doc: "A Java class; gostash cannot load Java classes, so setting it with a SASL protocol is a configuration error."},
		{Name: "sasl_oauthbearer_token_endpoint_url", Type: plugin.TypeString,
			Doc: "OAUTHBEARER token endpoint; OAUTHBEARER is not supported by gostash."},
		{Name: "sasl_oauthbearer_scope_claim_name", Type: plugin.TypeString, Default: "scope",
			Doc: "OAUTHBEARER scope claim; OAUTHBEARER is not supported by gostash."},
		{Name: "sasl_login_connect_timeout_ms", Type: plugin.TypeNumber,
			Doc: "Connect timeout of an external SASL login service; only used by OAUTHBEARER, which gostash does not support."},
		{Name: "sasl_login_read_timeout_ms", Type: plugin.TypeNumber,
			Doc: "Read timeout of an external SASL login service; only used by OAUTHBEARER, which gostash does not support."},
		{Name: "sasl_login_retry_backoff_ms", Type: plugin.TypeNumber, Default: int64(100),
			Doc: "Retry backoff of an external SASL login service; only used by OAUTHBEARER, which gostash does not support."},
		{Name: "sasl_login_retry_backoff_max_ms", Type: plugin.TypeNumber, Default: int64(10000),
			Doc: "Longest retry backoff of an external SASL login service; only used by OAUTHBEARER, which gostash does not support."},
		{Name: "sasl_iam_jar_paths", Type: plugin.TypeArray,
			Doc: "Java jars for AWS MSK IAM login; gostash cannot load jars, so setting it with a SASL protocol is a configuration error."},
	}
}
