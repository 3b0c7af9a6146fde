package rabbitmq_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gostash/gostash/plugins/internal/rabbitmqtest"
	"github.com/gostash/gostash/runtime/plugin"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

// Over the node's TLS listener: without ssl_certificate_path the server is
// not verified (as in Logstash); with a PKCS12 file the client presents its
// certificate and trusts only the CAs in the file, so a file of another CA
// makes every connection fail (and retried), logged with the reason.
func TestTLS(t *testing.T) {
	b := rabbitmqtest.Require(t)
	client, untrusted := b.TLSFile(t, "client.p12"), b.TLSFile(t, "untrusted.p12")
	for _, c := range []struct {
		name, options string
		connects      bool
	}{
		{"unverified", ``, true},
		{"client certificate", fmt.Sprintf(`ssl_certificate_path => %q ssl_certificate_password => "changeit"`, client), true},
		{"TLSv1.3", fmt.Sprintf(`ssl_version => "TLSv1.3" ssl_certificate_path => %q ssl_certificate_password => "changeit"`, client), true},
		{"untrusted server", fmt.Sprintf(`ssl_certificate_path => %q ssl_certificate_password => "changeit"`, untrusted), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			exchange, q := rabbitmqtest.Name(t), rabbitmqtest.Name(t)
			b.Declare(t, rabbitmqtest.Binding{Queue: q, Exchange: exchange, Type: "fanout", Durable: true})
			out := plugintest.Output(t, fmt.Sprintf(`rabbitmq { host => %q exchange => %q exchange_type => "fanout" ssl => true %s }`,
				b.TLSHost(), exchange, c.options))
			if err := out.Plugin.(plugin.Starter).Start(); err != nil {
				t.Fatal(err)
			}
			if !c.connects {
				out.Logs.WaitFor(t, "certificate signed by unknown authority")
				if logs := out.Logs.String(); !containsAll(logs, "RabbitMQ connection error, will retry", "amqps://guest:XXXXXX@"+b.TLSHost()) {
					t.Errorf("logs:\n%s", logs)
				}
				return
			}
			if err := out.Output(plugintest.Event(t, `{"over":"tls"}`)); err != nil {
				t.Fatal(err)
			}
			b.WaitCount(t, q, 1, 30*time.Second)
			if logs := out.Logs.String(); !containsAll(logs, "Connected to RabbitMQ", "amqps://guest:XXXXXX@"+b.TLSHost()) {
				t.Errorf("logs:\n%s", logs)
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
