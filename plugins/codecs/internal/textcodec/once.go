package textcodec

import "sync"

var logged sync.Map

// LogOnce runs log the first time key is seen. Codecs are built more than
// once per plugin block (at config check, then per stream); advice logged
// when building should appear once per block, as in Logstash.
func LogOnce(key string, log func()) {
	if _, seen := logged.LoadOrStore(key, true); !seen {
		log()
	}
}
