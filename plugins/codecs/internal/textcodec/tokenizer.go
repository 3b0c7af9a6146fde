package textcodec

import (
	"bytes"
	"fmt"
	"log/slog"

	"github.com/gostash/gostash/runtime/plugin"
)

// DefaultLineLimit bounds a line of the line-based codecs that have no
// size option in Logstash (edn_lines, es_bulk, graphite, cef with a
// delimiter) and is the line codec's default decode_size_limit_bytes.
// Logstash buffers such lines without bound; 10 MiB is the most a Beats
// shipper sends as one message (Filebeat's max_bytes) and the multiline
// codec's max_bytes default, so no line a Logstash pipeline is fed in
// practice comes near it, while a peer that never sends a delimiter holds
// at most this much per connection.
const DefaultLineLimit = 10 << 20

// Tokenizer is Logstash's BufferedTokenizer: it splits a stream into the
// pieces between delimiters, buffering an unterminated last piece until the
// next chunk (or Flush). The delimiter may be several bytes long and may be
// split across chunks; nothing else (such as a \r before \n) is stripped.
//
// A piece may be at most limit bytes long, so that a stream without
// delimiters cannot grow the buffer without bound: Extract drops a longer
// piece (up to its delimiter) and logs it, as Logstash's tokenizer does
// after its "input buffer full" error; ExtractStream stops at it with a
// *TooLongError, for inputs that close the connection instead.
type Tokenizer struct {
	delim     []byte
	pending   []byte
	limit     int
	limitName string
	log       *slog.Logger
	// skipping says the pending piece was already found too long and is
	// being dropped up to its delimiter.
	skipping bool
}

// NewTokenizer returns a tokenizer splitting on delim whose pieces may be
// limit bytes long; limitName says what sets the limit (an option name),
// for messages; log receives what Extract drops.
func NewTokenizer(delim string, limit int, limitName string, log *slog.Logger) *Tokenizer {
	return &Tokenizer{delim: []byte(delim), limit: limit, limitName: limitName, log: log}
}

// TooLongError is a piece longer than a tokenizer's limit.
type TooLongError struct {
	Limit int
	// Name is what sets the limit, an option name.
	Name string
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("a line is longer than %s (%d bytes)", e.Name, e.Limit)
}

// Unwrap makes the error a plugin.ErrFrameTooLarge.
func (e *TooLongError) Unwrap() error { return plugin.ErrFrameTooLarge }

// Extract feeds data and calls fn with every piece it completes, in order.
// The slice passed to fn is only valid during the call. Pieces longer than
// the limit are dropped and logged.
func (t *Tokenizer) Extract(data []byte, fn func(piece []byte)) {
	_ = t.extract(data, fn, false)
}

// ExtractStream is Extract for a stream that ends at a piece longer than
// the limit: it returns a *TooLongError there, after the pieces before it.
func (t *Tokenizer) ExtractStream(data []byte, fn func(piece []byte)) error {
	return t.extract(data, fn, true)
}

func (t *Tokenizer) extract(data []byte, fn func(piece []byte), stop bool) error {
	buf := data
	if len(t.pending) > 0 {
		t.grow(len(data))
		t.pending = append(t.pending, data...)
		buf = t.pending
	}
	searchFrom := 0
	if len(t.pending) > 0 {
		// The delimiter may straddle the old and new data.
		searchFrom = max(0, len(t.pending)-len(data)-len(t.delim)+1)
	}
	start := 0
	for {
		i := bytes.Index(buf[searchFrom:], t.delim)
		if i < 0 {
			break
		}
		end := searchFrom + i
		piece := buf[start:end]
		start = end + len(t.delim)
		searchFrom = start
		switch {
		case t.skipping:
			t.skipping = false
		case len(piece) > t.limit:
			if stop {
				return t.tooLong()
			}
			t.dropped()
		default:
			fn(piece)
		}
	}
	rest := buf[start:]
	// The last bytes of rest may begin a delimiter: only what comes before
	// them is surely part of the piece.
	if len(rest) > t.limit+len(t.delim)-1 {
		if !t.skipping {
			if stop {
				return t.tooLong()
			}
			t.dropped()
		}
		t.skipping = true
		// Keep only what could begin a delimiter split across chunks.
		keep := min(len(rest), len(t.delim)-1)
		rest = rest[len(rest)-keep:]
	}
	if len(t.pending) > 0 {
		t.pending = append(t.pending[:0], rest...)
	} else {
		t.pending = append(t.pending, rest...)
	}
	return nil
}

// grow makes room for n more pending bytes. A long piece arrives a read at
// a time; append's growth by a quarter would copy it over and over and
// leave a trail of garbage several times the limit, so the buffer doubles,
// but never past what a piece at the limit plus this chunk needs.
func (t *Tokenizer) grow(n int) {
	need := len(t.pending) + n
	if need <= cap(t.pending) {
		return
	}
	size := max(min(2*cap(t.pending), t.limit+n), need)
	grown := make([]byte, len(t.pending), size)
	copy(grown, t.pending)
	t.pending = grown
}

// tooLong ends the stream: what is buffered is let go.
func (t *Tokenizer) tooLong() error {
	t.pending = nil
	return &TooLongError{Limit: t.limit, Name: t.limitName}
}

func (t *Tokenizer) dropped() {
	err := &TooLongError{Limit: t.limit, Name: t.limitName}
	t.log.Error("input buffer full: "+err.Error()+"; it is discarded", slog.Int(t.limitName, t.limit))
}

// Flush returns the buffered unterminated piece (possibly empty) and
// forgets it.
func (t *Tokenizer) Flush() []byte {
	rest := t.pending
	t.pending = nil
	if t.skipping {
		t.skipping = false
		return nil
	}
	return rest
}
