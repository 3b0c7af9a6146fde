package twitterstream

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The worked example of OAuth Core 1.0a, Appendix A.5: photos.example.net.
func TestSignatureOAuthCoreExample(t *testing.T) {
	params := []Param{
		{"file", "vacation.jpg"}, {"size", "original"},
		{"oauth_consumer_key", "dpf43f3p2l4k3l03"}, {"oauth_token", "nnch734d00sl2jdk"},
		{"oauth_signature_method", "HMAC-SHA1"}, {"oauth_timestamp", "1191242096"},
		{"oauth_nonce", "kllo9940pd9333jh"}, {"oauth_version", "1.0"},
	}
	base := BaseString("GET", "http://photos.example.net/photos", params)
	wantBase := "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3Dkllo9940pd9333jh%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1191242096%26oauth_token%3Dnnch734d00sl2jdk%26oauth_version%3D1.0%26size%3Doriginal"
	if base != wantBase {
		t.Fatalf("base string\n got %s\nwant %s", base, wantBase)
	}
	if got := Sign(base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"); got != "tR3+Ty81lMeYAr/Fid0kMTYa/WM=" {
		t.Fatalf("signature %s", got)
	}
}

// Twitter's own documented example ("Creating a signature"), with a form
// body, verified end to end through VerifyOAuth1.
func TestVerifyTwitterDocumentedExample(t *testing.T) {
	creds := Credentials{
		ConsumerKey: "xvz1evFS4wEEPTGEFPHBog", ConsumerSecret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
		Token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", TokenSecret: "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
	}
	body := "status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21"
	header := `OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0"`
	newReq := func(h string) *http.Request {
		r := httptest.NewRequest("POST", "https://api.twitter.com/1.1/statuses/update.json?include_entities=true", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Authorization", h)
		return r
	}
	if err := VerifyOAuth1(newReq(header), creds); err != nil {
		t.Fatalf("documented request rejected: %v", err)
	}
	for name, bad := range map[string]string{
		"altered signature": strings.Replace(header, "hCtSm", "hCtSn", 1),
		"no nonce":          strings.Replace(header, `oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", `, "", 1),
		"no timestamp":      strings.Replace(header, `oauth_timestamp="1318622958", `, "", 1),
		"other consumer":    strings.Replace(header, "xvz1evFS4wEEPTGEFPHBog", "someone-else", 1),
		"plaintext":         strings.Replace(header, "HMAC-SHA1", "PLAINTEXT", 1),
		"not oauth":         "Bearer abc",
	} {
		if err := VerifyOAuth1(newReq(bad), creds); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The signature covers the URL: the same header on another path fails.
	r := newReq(header)
	r.URL.Path = "/1.1/statuses/destroy.json"
	if err := VerifyOAuth1(r, creds); err == nil {
		t.Error("signature accepted for another path")
	}
}

func TestPercentEncode(t *testing.T) {
	for in, want := range map[string]string{
		"Ladies + Gentlemen": "Ladies%20%2B%20Gentlemen",
		"An encoded string!": "An%20encoded%20string%21",
		"Dogs, Cats & Mice":  "Dogs%2C%20Cats%20%26%20Mice",
		"☃":                  "%E2%98%83",
		"-._~":               "-._~",
	} {
		if got := PercentEncode(in); got != want {
			t.Errorf("PercentEncode(%q) = %q, want %q", in, got, want)
		}
	}
}
