// Package kafkaclient holds what the kafka input and the kafka output share:
// the connection, SSL and SASL options of Logstash's kafka integration and
// their translation into a sarama client configuration. Both plugins list
// CommonOptions in their Specs and read these handles.
package kafkaclient

import (
	"github.com/gostash/gostash/runtime/plugin"
)

var (
	BootstrapServers                   = plugin.String("bootstrap_servers").Default("localhost:9092").Doc("Kafka brokers to bootstrap from, as host1:port1,host2:port2.")
	ClientID                           = plugin.String("client_id").Default("logstash").Doc("Client id sent to the brokers with every request (the input appends -<thread number>).")
	ClientDNSLookup                    = plugin.Enum("client_dns_lookup", "default", "use_all_dns_ips", "resolve_canonical_bootstrap_servers_only").Default("use_all_dns_ips").Doc("How broker host names resolve: try every address (use_all_dns_ips), or first turn each bootstrap name into its canonical names (resolve_canonical_bootstrap_servers_only). `default` is a deprecated alias of use_all_dns_ips.")
	ConnectionsMaxIdleMS               = plugin.Int("connections_max_idle_ms").Default(540000).Doc("Accepted for compatibility; the Go client keeps its broker connections open and does not close idle ones.")
	MetadataMaxAgeMS                   = plugin.Int("metadata_max_age_ms").Default(300000).Doc("Period after which cluster metadata is refreshed even without leadership changes; also how often topics_pattern is re-evaluated.")
	RequestTimeoutMS                   = plugin.Int("request_timeout_ms").Default(40000).Doc("How long to wait for a broker's response before failing the request (and retrying it).")
	ReceiveBufferBytes                 = plugin.Int("receive_buffer_bytes").Default(32768).Doc("TCP receive buffer (SO_RCVBUF) of broker connections; -1 keeps the operating system's default.")
	SendBufferBytes                    = plugin.Int("send_buffer_bytes").Default(131072).Doc("TCP send buffer (SO_SNDBUF) of broker connections; -1 keeps the operating system's default.")
	ReconnectBackoffMS                 = plugin.Int("reconnect_backoff_ms").Default(50).Doc("First wait before retrying a failed metadata request or connection; doubles up to reconnect_backoff_max_ms.")
	ReconnectBackoffMaxMS              = plugin.Int("reconnect_backoff_max_ms").Default(1000).Doc("Longest wait between attempts to reach an unavailable broker.")
	RetryBackoffMS                     = plugin.Int("retry_backoff_ms").Default(100).Doc("Wait before retrying a failed request to a partition.")
	SecurityProtocol                   = plugin.Enum("security_protocol", "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL").Default("PLAINTEXT").Doc("Protocol used to talk to the brokers. SSL settings apply with SSL and SASL_SSL, SASL settings with SASL_PLAINTEXT and SASL_SSL.")
	SSLTruststoreType                  = plugin.String("ssl_truststore_type").Doc("Format of ssl_truststore_location: PEM, JKS or PKCS12; guessed from the file when unset.")
	SSLTruststoreLocation              = plugin.Path("ssl_truststore_location").Doc("CA certificates that broker certificates must chain to; the system's roots when unset.")
	SSLTruststorePassword              = plugin.Password("ssl_truststore_password").Doc("Password of a JKS or PKCS12 truststore.")
	SSLKeystoreType                    = plugin.String("ssl_keystore_type").Doc("Format of ssl_keystore_location: PEM, JKS or PKCS12; guessed from the file when unset.")
	SSLKeystoreLocation                = plugin.Path("ssl_keystore_location").Doc("Client certificate chain and private key, for brokers that require client authentication.")
	SSLKeystorePassword                = plugin.Password("ssl_keystore_password").Doc("Password of a JKS or PKCS12 keystore.")
	SSLKeyPassword                     = plugin.Password("ssl_key_password").Doc("Password of the private key inside the keystore when it differs from the keystore's (JKS), or of an encrypted PEM key.")
	SSLEndpointIdentificationAlgorithm = plugin.String("ssl_endpoint_identification_algorithm").Default("https").Doc("`https` checks that the broker certificate names the broker host; an empty string only checks the certificate chain.")
	SASLMechanism                      = plugin.String("sasl_mechanism").Default("GSSAPI").Doc("SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or GSSAPI (Kerberos).")
	SASLKerberosServiceName            = plugin.String("sasl_kerberos_service_name").Doc("Kerberos principal name of the brokers; required with GSSAPI.")
	SASLJAASConfig                     = plugin.Password("sasl_jaas_config").Doc("JAAS login line, e.g. `org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";` (PlainLoginModule, ScramLoginModule and Krb5LoginModule are understood).")
	JAASPath                           = plugin.Path("jaas_path").Doc("JAAS file whose KafkaClient section holds the login module, used when sasl_jaas_config is unset.")
	KerberosConfig                     = plugin.Path("kerberos_config").Doc("krb5.conf used with GSSAPI.")
	SASLClientCallbackHandlerClass     = plugin.String("sasl_client_callback_handler_class").Doc("A Java class; gostash cannot load Java classes, so setting it with a SASL protocol is a configuration error.")
	SASLLoginCallbackHandlerClass      = plugin.String("sasl_login_callback_handler_class").Doc("A Java class; gostash cannot load Java classes, so setting it with a SASL protocol is a configuration error.")
	SASLOauthbearerTokenEndpointURL    = plugin.String("sasl_oauthbearer_token_endpoint_url").Doc("OAUTHBEARER token endpoint; OAUTHBEARER is not supported by gostash.")
	SASLOauthbearerScopeClaimName      = plugin.String("sasl_oauthbearer_scope_claim_name").Default("scope").Doc("OAUTHBEARER scope claim; OAUTHBEARER is not supported by gostash.")
	SASLLoginConnectTimeoutMS          = plugin.Int("sasl_login_connect_timeout_ms").Doc("Connect timeout of an external SASL login service; only used by OAUTHBEARER, which gostash does not support.")
	SASLLoginReadTimeoutMS             = plugin.Int("sasl_login_read_timeout_ms").Doc("Read timeout of an external SASL login service; only used by OAUTHBEARER, which gostash does not support.")
	SASLLoginRetryBackoffMS            = plugin.Int("sasl_login_retry_backoff_ms").Default(100).Doc("Retry backoff of an external SASL login service; only used by OAUTHBEARER, which gostash does not support.")
	SASLLoginRetryBackoffMaxMS         = plugin.Int("sasl_login_retry_backoff_max_ms").Default(10000).Doc("Longest retry backoff of an external SASL login service; only used by OAUTHBEARER, which gostash does not support.")
	SASLIAMJarPaths                    = plugin.Strings("sasl_iam_jar_paths").Doc("Java jars for AWS MSK IAM login; gostash cannot load jars, so setting it with a SASL protocol is a configuration error.")
)

// CommonOptions are the options both plugins declare with the same
// defaults (those of Logstash's kafka integration, which are Kafka's own).
func CommonOptions() []plugin.Declared {

	return []plugin.Declared{BootstrapServers, ClientID, ClientDNSLookup, ConnectionsMaxIdleMS, MetadataMaxAgeMS, RequestTimeoutMS, ReceiveBufferBytes, SendBufferBytes, ReconnectBackoffMS, ReconnectBackoffMaxMS, RetryBackoffMS, SecurityProtocol, SSLTruststoreType, SSLTruststoreLocation, SSLTruststorePassword, SSLKeystoreType, SSLKeystoreLocation, SSLKeystorePassword, SSLKeyPassword, SSLEndpointIdentificationAlgorithm, SASLMechanism, SASLKerberosServiceName, SASLJAASConfig, JAASPath, KerberosConfig, SASLClientCallbackHandlerClass, SASLLoginCallbackHandlerClass, SASLOauthbearerTokenEndpointURL, SASLOauthbearerScopeClaimName, SASLLoginConnectTimeoutMS, SASLLoginReadTimeoutMS, SASLLoginRetryBackoffMS, SASLLoginRetryBackoffMaxMS, SASLIAMJarPaths}
}
