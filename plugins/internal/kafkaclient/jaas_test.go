package kafkaclient

import (
	"strings"
	"testing"
)

func TestParseLogin(t *testing.T) {
	for _, tc := range []struct {
		text string
		kind loginKind
		opts map[string]string
	}{
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="s3cret";`,
			loginPassword, map[string]string{"username": "alice", "password": "s3cret"}},
		{"org.apache.kafka.common.security.scram.ScramLoginModule required\n  username='bob'\n  password='say \"hi\"';",
			loginPassword, map[string]string{"username": "bob", "password": `say "hi"`}},
		{`org.apache.kafka.common.security.plain.PlainLoginModule required username=carol password="a \"quoted\" = ; pass";`,
			loginPassword, map[string]string{"username": "carol", "password": `a "quoted" = ; pass`}},
		{`com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true keyTab="/etc/kafka.keytab" principal="kafka-client@EXAMPLE.COM";`,
			loginKerberos, map[string]string{"useKeyTab": "true", "keyTab": "/etc/kafka.keytab", "principal": "kafka-client@EXAMPLE.COM"}},
	} {
		l, err := parseLogin(tc.text)
		if err != nil {
			t.Errorf("%s: %v", tc.text, err)
			continue
		}
		if l.kind != tc.kind {
			t.Errorf("%s: kind %d", tc.text, l.kind)
		}
		for k, v := range tc.opts {
			if l.options[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.text, k, l.options[k], v)
			}
		}
	}
}

func TestParseLoginErrorsNeverEchoSecrets(t *testing.T) {
	for _, text := range []string{
		`org.example.OAuthModule required token="hunter2";`,
		`org.apache.kafka.common.security.plain.PlainLoginModule required password="hunter2"`,
		`org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="hunter2`,
		`justoneword`,
	} {
		_, err := parseLogin(text)
		if err == nil {
			t.Errorf("%s: no error", text)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %q shows the secret", err)
		}
	}
}

func TestJAASSection(t *testing.T) {
	file := "Server {\n a.B required;\n};\nKafkaClient {\n  x.PlainLoginModule required username=\"u\";\n};\n"
	body, ok := jaasSection(file, "KafkaClient")
	if !ok || !strings.Contains(body, "PlainLoginModule") || strings.Contains(body, "a.B") {
		t.Fatalf("section %q, %v", body, ok)
	}
}
