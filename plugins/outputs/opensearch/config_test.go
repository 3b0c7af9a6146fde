package opensearch_test

import (
	"strings"
	"testing"

	_ "github.com/gostash/gostash/plugins/codecs/plain"
	"github.com/gostash/gostash/runtime/plugin/plugintest"
)

func TestConfigErrors(t *testing.T) {
	cases := []struct{ block, want string }{
		{`action => "upsert"`, `Action 'upsert' is invalid!`},
		{`action => "update"`, "Specifying action => 'update' needs a document_id."},
		{`auth_type => { type => aws_iam region => "eu-west-1" }`, "auth_type aws_iam (SigV4 signing for Amazon OpenSearch Service) is not supported by gostash"},
		{`auth_type => { type => basic user => "admin" }`, "auth_type basic needs user and password"},
		{`ssl => false hosts => ["https://h"]`, "SSL option was explicitly set to false"},
		{`cacert => "/etc/hostname" truststore => "/etc/hostname"`, `Use either "cacert" or "truststore"`},
		{`tls_certificate => "/etc/hostname"`, `"tls_key" is missing`},
		{`data_stream => true`, "Unknown setting 'data_stream' for opensearch"},
		{`ilm_enabled => true`, "Unknown setting 'ilm_enabled' for opensearch"},
		{`api_key => "x"`, "Unknown setting 'api_key' for opensearch"},
		{`target_bulk_bytes => 0`, "must be at least 1"},
	}
	for _, c := range cases {
		t.Run(c.block, func(t *testing.T) {
			_, err := plugintest.TryOutput(t, "opensearch { "+c.block+" }")
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestSecretsNeverShown(t *testing.T) {
	_, err := plugintest.TryOutput(t, `opensearch { hosts => ["ftp://admin:hunter2@h"] }`)
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v", err)
	}
}
