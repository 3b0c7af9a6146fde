package twitterstream

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Credentials are the OAuth 1.0a secrets a server accepts: one app
// (consumer) acting as one user (access token).
type Credentials struct {
	ConsumerKey, ConsumerSecret string
	Token, TokenSecret          string
}

// PercentEncode is RFC 5849 section 3.6 encoding: every byte but the
// unreserved ALPHA, DIGIT, '-', '.', '_', '~' becomes %XX (uppercase hex).
func PercentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// Param is one request parameter, decoded.
type Param struct{ Key, Value string }

// BaseString is the signature base string of RFC 5849 section 3.4.1: the
// method, the base string URI and the normalized parameters (sorted by
// encoded key, then encoded value), each percent-encoded and joined by '&'.
func BaseString(method, baseURI string, params []Param) string {
	enc := make([]Param, len(params))
	for i, p := range params {
		enc[i] = Param{PercentEncode(p.Key), PercentEncode(p.Value)}
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].Key != enc[j].Key {
			return enc[i].Key < enc[j].Key
		}
		return enc[i].Value < enc[j].Value
	})
	pairs := make([]string, len(enc))
	for i, p := range enc {
		pairs[i] = p.Key + "=" + p.Value
	}
	return strings.ToUpper(method) + "&" + PercentEncode(baseURI) + "&" + PercentEncode(strings.Join(pairs, "&"))
}

// Sign is the HMAC-SHA1 signature of base, keyed by the encoded consumer
// and token secrets joined with '&', in base64.
func Sign(base, consumerSecret, tokenSecret string) string {
	mac := hmac.New(sha1.New, []byte(PercentEncode(consumerSecret)+"&"+PercentEncode(tokenSecret)))
	mac.Write([]byte(base))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// BaseURI is the base string URI of a request as the server received it:
// lowercase scheme and host, the port only when not the scheme's default,
// the path without the query.
func BaseURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := strings.ToLower(r.Host)
	if h, port, ok := strings.Cut(host, ":"); ok && (scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = h
	}
	return scheme + "://" + host + r.URL.EscapedPath()
}

// ParseAuthorization reads an `Authorization: OAuth k="v", ...` header.
func ParseAuthorization(h string) (map[string]string, error) {
	rest, ok := strings.CutPrefix(h, "OAuth ")
	if !ok {
		return nil, errors.New("not an OAuth authorization")
	}
	out := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok || len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
			return nil, fmt.Errorf("malformed OAuth parameter %q", part)
		}
		key, err1 := url.PathUnescape(k)
		val, err2 := url.PathUnescape(v[1 : len(v)-1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("malformed OAuth parameter %q", part)
		}
		out[key] = val
	}
	return out, nil
}

// VerifyOAuth1 checks a request's OAuth 1.0a HMAC-SHA1 signature against
// the credentials, as Twitter does: the keys and token must match, nonce and
// timestamp must be present, and the signature must cover the method, the
// URL as received, the query, a form body and the oauth_* parameters.
func VerifyOAuth1(r *http.Request, c Credentials) error {
	oauth, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	switch {
	case oauth["oauth_consumer_key"] != c.ConsumerKey:
		return errors.New("unknown consumer key")
	case oauth["oauth_token"] != c.Token:
		return errors.New("unknown access token")
	case oauth["oauth_signature_method"] != "HMAC-SHA1":
		return fmt.Errorf("unsupported signature method %q", oauth["oauth_signature_method"])
	case oauth["oauth_nonce"] == "":
		return errors.New("missing oauth_nonce")
	case oauth["oauth_timestamp"] == "":
		return errors.New("missing oauth_timestamp")
	case oauth["oauth_version"] != "" && oauth["oauth_version"] != "1.0":
		return fmt.Errorf("unsupported oauth_version %q", oauth["oauth_version"])
	}
	var params []Param
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			params = append(params, Param{k, v})
		}
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return fmt.Errorf("malformed form body: %w", err)
		}
		for k, vs := range form {
			for _, v := range vs {
				params = append(params, Param{k, v})
			}
		}
	}
	for k, v := range oauth {
		if k != "oauth_signature" && k != "realm" {
			params = append(params, Param{k, v})
		}
	}
	want := Sign(BaseString(r.Method, BaseURI(r), params), c.ConsumerSecret, c.TokenSecret)
	if !hmac.Equal([]byte(want), []byte(oauth["oauth_signature"])) {
		return errors.New("signature mismatch")
	}
	return nil
}
