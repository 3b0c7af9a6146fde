package textcodec

import "bytes"

// Tokenizer is Logstash's BufferedTokenizer: it splits a stream into the
// pieces between delimiters, buffering an unterminated last piece until the
// next chunk (or Flush). The delimiter may be several bytes long and may be
// split across chunks; nothing else (such as a \r before \n) is stripped.
type Tokenizer struct {
	delim   []byte
	pending []byte
	// limit, when > 0, is the most bytes one piece may have. A longer piece
	// is discarded up to its delimiter, as Logstash's tokenizer does after
	// its "input buffer full" error.
	limit     int
	skipping  bool
	oversized func()
}

// NewTokenizer returns a tokenizer splitting on delim.
func NewTokenizer(delim string) *Tokenizer {
	return &Tokenizer{delim: []byte(delim)}
}

// SetLimit bounds the size of a piece; oversized is called for each piece
// discarded for being longer.
func (t *Tokenizer) SetLimit(limit int, oversized func()) {
	t.limit, t.oversized = limit, oversized
}

// Extract feeds data and calls fn with every piece it completes, in order.
// The slice passed to fn is only valid during the call.
func (t *Tokenizer) Extract(data []byte, fn func(piece []byte)) {
	buf := data
	if len(t.pending) > 0 {
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
		t.emit(buf[start:end], fn)
		start = end + len(t.delim)
		searchFrom = start
	}
	rest := buf[start:]
	if t.limit > 0 && len(rest) > t.limit {
		if !t.skipping && t.oversized != nil {
			t.oversized()
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
}

func (t *Tokenizer) emit(piece []byte, fn func([]byte)) {
	if t.skipping {
		t.skipping = false
		return
	}
	if t.limit > 0 && len(piece) > t.limit {
		if t.oversized != nil {
			t.oversized()
		}
		return
	}
	fn(piece)
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
