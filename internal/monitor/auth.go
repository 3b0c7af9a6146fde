package monitor

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
)

// basicAuth answers 401 to a request without the configured credentials,
// as Logstash's API does with api.auth.type: basic. Both sides are hashed
// before the constant-time comparison, so neither the length nor the
// content of the secret leaks through timing.
func basicAuth(next http.Handler, username, password string) http.Handler {
	wantUser, wantPass := sha256.Sum256([]byte(username)), sha256.Sum256([]byte(password))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		gotUser, gotPass := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
		if !ok || subtle.ConstantTimeCompare(gotUser[:], wantUser[:])&subtle.ConstantTimeCompare(gotPass[:], wantPass[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="logstash-api"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
