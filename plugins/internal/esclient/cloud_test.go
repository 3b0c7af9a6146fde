package esclient

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestCloudID(t *testing.T) {
	enc := func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) }
	cases := []struct{ id, want string }{
		{"label:" + enc("us-east-1.aws.found.io$notareal$identifier"), "https://notareal.us-east-1.aws.found.io:443"},
		{enc("us-east-1.aws.found.io$notareal$identifier"), "https://notareal.us-east-1.aws.found.io:443"},
		{"x:" + enc("us-east-1.aws.found.io:9243$notareal$identifier"), "https://notareal.us-east-1.aws.found.io:9243"},
		{"x:" + enc("us-east-1.aws.found.io:9243$notareal:9244$identifier"), "https://notareal.us-east-1.aws.found.io:9244"},
	}
	for _, c := range cases {
		u, err := CloudID(c.id)
		if err != nil {
			t.Fatalf("CloudID(%q): %v", c.id, err)
		}
		if u.String() != c.want {
			t.Errorf("CloudID(%q) = %s, want %s", c.id, u, c.want)
		}
	}
	for _, bad := range []string{"x:" + enc("only$one"), "x:" + enc("a$$c"), "x:" + enc("h$undefined$k"), "!!!"} {
		if _, err := CloudID(bad); err == nil || !strings.HasPrefix(err.Error(), "cloud_id, after decoding") {
			t.Errorf("CloudID(%q): %v", bad, err)
		}
	}
}

func TestCloudAuth(t *testing.T) {
	u, p, err := CloudAuth("elastic:pa:ss")
	if err != nil || u != "elastic" || p != "pa:ss" {
		t.Fatalf("got %q %q %v", u, p, err)
	}
	for _, bad := range []string{"elastic", "elastic:", ":pw"} {
		if _, _, err := CloudAuth(bad); err == nil {
			t.Errorf("CloudAuth(%q) accepted", bad)
		}
	}
}

func TestAPIKeyHeader(t *testing.T) {
	cases := map[string]string{
		"aWQ6a2V5":     "ApiKey aWQ6a2V5",
		"id:key":       "ApiKey aWQ6a2V5",
		"essu_abc.def": "ApiKey essu_abc.def",
	}
	for in, want := range cases {
		got, err := APIKeyHeader(in)
		if err != nil || got != want {
			t.Errorf("APIKeyHeader(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := APIKeyHeader("a:b:c"); err == nil {
		t.Error("a:b:c accepted")
	}
}
