// Package lumberjack reads the lumberjack protocol (versions 1 and 2) that
// Beats and logstash-forwarder speak, and writes its acknowledgements, as
// Logstash's beats input does (BeatsParser, AckEncoder).
//
// A client announces a window of N data frames ('W'), sends them (JSON 'J'
// frames in version 2, key/value 'D' frames in version 1), possibly inside
// zlib-compressed 'C' frames, and waits for an ACK ('A') carrying the
// highest sequence number of the window. Frame lengths are taken on trust
// only as far as data actually arrives: a frame that announces 4 GiB
// allocates nothing until the bytes come. What one window holds is bounded
// by WindowLimit (see there): past it the stream is a *ProtocolError.
package lumberjack

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/klauspost/compress/zlib"
)

// Protocol version bytes and frame types.
const (
	Version1 byte = '1'
	Version2 byte = '2'

	frameWindow     byte = 'W'
	frameJSON       byte = 'J'
	frameCompressed byte = 'C'
	frameData       byte = 'D'
	frameAck        byte = 'A'
)

// Message is one data frame of a batch: a JSON document (version 2) or
// key/value pairs (version 1).
type Message struct {
	Seq    uint32
	JSON   []byte
	Fields []Field
}

// Field is one key/value pair of a version 1 data frame.
type Field struct{ Key, Value string }

// Batch is a window of messages, complete or cut short by a new window.
type Batch struct {
	// Version is the version byte of the batch's first frame; the ACK is
	// sent with it.
	Version  byte
	Messages []Message
	// Highest is the highest sequence number in the batch, the one the ACK
	// carries (0 for an empty window).
	Highest uint32
	// Incomplete says a new window frame arrived before this batch had all
	// the frames its window announced.
	Incomplete bool
}

// ProtocolError is a frame the protocol does not allow. The connection
// cannot continue after one.
type ProtocolError struct{ msg string }

func (e *ProtocolError) Error() string { return e.msg }

func protocolErrorf(format string, args ...any) error {
	return &ProtocolError{msg: fmt.Sprintf(format, args...)}
}

// Parser states, named as Logstash's BeatsParser names them, for the
// message about a truncated frame inside compressed content.
const (
	stateHeader           = "READ_HEADER"
	stateFrameType        = "READ_FRAME_TYPE"
	stateWindowSize       = "READ_WINDOW_SIZE"
	stateJSONHeader       = "READ_JSON_HEADER"
	stateCompressedHeader = "READ_COMPRESSED_FRAME_HEADER"
	stateCompressed       = "READ_COMPRESSED_FRAME"
	stateJSON             = "READ_JSON"
	stateDataFields       = "READ_DATA_FIELDS"
)

// source is a stream frames are read from: the connection, or the inflated
// content of a compressed frame, whose payloads are slices of it.
type source struct {
	r        *bufio.Reader
	inflated []byte // nil for the connection
	off      int
}

func (s *source) compressed() bool { return s.r == nil }

// WindowLimit is the most bytes a Reader holds for one window: its frames'
// payloads, the inflated content of its compressed frames, and 64 bytes
// for each message. Logstash's beats input has no such limit and runs out
// of memory instead. A Beat sends at most bulk_max_size events per window
// (Filebeat's default is 2048, each message at most max_bytes, 10 MiB), and
// typical windows are a few MiB; 128 MiB leaves room for 64 KiB per event
// in a full default window while bounding what one connection can pin. A
// Beat whose window is refused shrinks its window and sends again.
const WindowLimit = 128 << 20

// messageOverhead is what a message costs besides its payload, counted
// against the limit so that a flood of tiny frames is bounded too.
const messageOverhead = 64

// Reader reads batches from a lumberjack stream.
type Reader struct {
	sources []source // the connection first, then nested compressed content
	batch   *Batch
	window  uint32
	// nextWindow is a window size announced while a batch was incomplete:
	// that batch is handed over and the size applies to the next one.
	nextWindow *uint32
	zr         io.ReadCloser // reused across compressed frames
	// inflatedHint is the size of the last inflated frame, the likely size
	// of the next.
	inflatedHint int
	// limit is WindowLimit, smaller in tests; held is what the current
	// window holds so far, counted against it.
	limit, held int64
}

// NewReader returns a Reader of r.
func NewReader(r io.Reader) *Reader {
	return &Reader{sources: []source{{r: bufio.NewReaderSize(r, 64<<10)}}, limit: WindowLimit}
}

// ReadBatch returns the next complete batch (or one cut short by a new
// window frame). At the end of the stream between frames it returns io.EOF;
// a stream that ends inside a frame gives io.ErrUnexpectedEOF, and a frame
// the protocol does not allow a *ProtocolError.
func (r *Reader) ReadBatch() (*Batch, error) {
	for {
		b, err := r.readFrame()
		if err != nil {
			return nil, err
		}
		if b != nil {
			return b, nil
		}
	}
}

func (r *Reader) top() *source { return &r.sources[len(r.sources)-1] }

// read fills p from the current source; a compressed source that runs out
// inside a frame is an error naming the parser state, as in Logstash.
func (r *Reader) read(p []byte, state string, first bool) error {
	src := r.top()
	if src.compressed() {
		if src.off == len(src.inflated) && first {
			return io.EOF
		}
		if len(src.inflated)-src.off < len(p) {
			return protocolErrorf("Insufficient bytes in compressed content to decode: %s", state)
		}
		src.off += copy(p, src.inflated[src.off:])
		return nil
	}
	_, err := io.ReadFull(src.r, p)
	if err == nil {
		return nil
	}
	if !first && errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readFrame reads one frame and returns the batch it completes, if any.
func (r *Reader) readFrame() (*Batch, error) {
	var hdr [2]byte
	if err := r.read(hdr[:1], stateHeader, true); err != nil {
		if errors.Is(err, io.EOF) && r.top().compressed() {
			r.sources = r.sources[:len(r.sources)-1]
			return nil, nil
		}
		return nil, err
	}
	version := hdr[0]
	if version != Version1 && version != Version2 {
		return nil, protocolErrorf("Invalid version of beats protocol: %d", int8(version))
	}
	if r.batch == nil {
		r.startBatch(version)
	}
	if err := r.read(hdr[1:], stateFrameType, false); err != nil {
		return nil, err
	}
	switch hdr[1] {
	case frameWindow:
		var n [4]byte
		if err := r.read(n[:], stateWindowSize, false); err != nil {
			return nil, err
		}
		size := binary.BigEndian.Uint32(n[:])
		if len(r.batch.Messages) > 0 {
			b := r.batch
			b.Incomplete = true
			r.batch = nil
			r.held = 0
			r.nextWindow = &size
			return b, nil
		}
		r.window = size
		if size == 0 {
			b := r.batch
			r.batch = nil
			r.held = 0
			return b, nil
		}
		return nil, nil
	case frameJSON:
		if r.batch.Version != Version2 {
			return nil, protocolErrorf("JSON frame in a version 1 batch")
		}
		var h [8]byte
		if err := r.read(h[:], stateJSONHeader, false); err != nil {
			return nil, err
		}
		seq := binary.BigEndian.Uint32(h[:4])
		length := int32(binary.BigEndian.Uint32(h[4:]))
		if length <= 0 {
			return nil, protocolErrorf("Invalid json length, received: %d", length)
		}
		if err := r.hold(int64(length)+messageOverhead, "JSON frame"); err != nil {
			return nil, err
		}
		payload, err := r.readPayload(int64(length), stateJSON)
		if err != nil {
			return nil, err
		}
		return r.add(Message{Seq: seq, JSON: payload}), nil
	case frameData:
		if r.batch.Version != Version1 {
			return nil, protocolErrorf("key/value data frame in a version 2 batch")
		}
		msg, err := r.readDataFields()
		if err != nil {
			return nil, err
		}
		return r.add(msg), nil
	case frameCompressed:
		var h [4]byte
		if err := r.read(h[:], stateCompressedHeader, false); err != nil {
			return nil, err
		}
		length := int32(binary.BigEndian.Uint32(h[:]))
		if length < 0 {
			return nil, protocolErrorf("Invalid compressed frame length, received: %d", length)
		}
		if err := r.hold(int64(length), "compressed frame"); err != nil {
			return nil, err
		}
		compressed, err := r.readPayload(int64(length), stateCompressed)
		if err != nil {
			return nil, err
		}
		inflated, err := r.inflate(compressed)
		if err != nil {
			return nil, err
		}
		r.sources = append(r.sources, source{inflated: inflated})
		return nil, nil
	}
	return nil, protocolErrorf("Invalid Frame Type, received: %d", int8(hdr[1]))
}

func (r *Reader) startBatch(version byte) {
	r.batch = &Batch{Version: version}
	r.window = 0
	if r.nextWindow != nil {
		r.window = *r.nextWindow
		r.nextWindow = nil
	}
}

// add appends a message and hands the batch over when its window is full.
func (r *Reader) add(m Message) *Batch {
	b := r.batch
	b.Messages = append(b.Messages, m)
	if m.Seq > b.Highest {
		b.Highest = m.Seq
	}
	if uint32(len(b.Messages)) != r.window {
		return nil
	}
	r.batch = nil
	r.held = 0
	return b
}

// hold counts n more bytes against the window limit: payloads read from
// the connection (inside compressed content they are slices of the
// inflated bytes, counted once when inflated) and message overheads.
func (r *Reader) hold(n int64, what string) error {
	if r.top().compressed() {
		n = min(n, messageOverhead)
	}
	if r.held+n > r.limit {
		return protocolErrorf("%s over the window limit: the window would hold %d bytes, more than %d", what, r.held+n, r.limit)
	}
	r.held += n
	return nil
}

// eagerPayload is the largest payload allocated in full before its bytes
// arrive; a larger one grows as they do.
const eagerPayload = 1 << 20

// readPayload reads n bytes. Inside compressed content the payload is a
// slice of the inflated frame.
func (r *Reader) readPayload(n int64, state string) ([]byte, error) {
	src := r.top()
	if src.compressed() {
		if int64(len(src.inflated)-src.off) < n {
			return nil, protocolErrorf("Insufficient bytes in compressed content to decode: %s", state)
		}
		p := src.inflated[src.off : src.off+int(n) : src.off+int(n)]
		src.off += int(n)
		return p, nil
	}
	buf := make([]byte, 0, min(n, eagerPayload))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, int(min(n-int64(len(buf)), int64(cap(buf)))))
		}
		end := min(int64(cap(buf)), n)
		got, err := io.ReadFull(src.r, buf[len(buf):end])
		buf = buf[:len(buf)+got]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf, nil
}

func (r *Reader) readDataFields() (Message, error) {
	var h [8]byte
	if err := r.read(h[:], stateDataFields, false); err != nil {
		return Message{}, err
	}
	msg := Message{Seq: binary.BigEndian.Uint32(h[:4])}
	count := int32(binary.BigEndian.Uint32(h[4:]))
	if count <= 0 {
		return Message{}, protocolErrorf("Invalid number of fields, received: %d", count)
	}
	if err := r.hold(messageOverhead, "data frame"); err != nil {
		return Message{}, err
	}
	readString := func() (string, error) {
		var l [4]byte
		if err := r.read(l[:], stateDataFields, false); err != nil {
			return "", err
		}
		n := int64(binary.BigEndian.Uint32(l[:]))
		if err := r.hold(n+messageOverhead, "data frame field"); err != nil {
			return "", err
		}
		b, err := r.readPayload(n, stateDataFields)
		return string(bytes.ToValidUTF8(b, []byte("\uFFFD"))), err
	}
	for range count {
		k, err := readString()
		if err != nil {
			return Message{}, err
		}
		v, err := readString()
		if err != nil {
			return Message{}, err
		}
		msg.Fields = append(msg.Fields, Field{Key: k, Value: v})
	}
	return msg, nil
}

func (r *Reader) inflate(compressed []byte) ([]byte, error) {
	var err error
	if r.zr == nil {
		r.zr, err = zlib.NewReader(bytes.NewReader(compressed))
	} else {
		err = r.zr.(zlib.Resetter).Reset(bytes.NewReader(compressed), nil)
	}
	if err != nil {
		r.zr = nil
		return nil, protocolErrorf("compressed frame: %v", err)
	}
	// One byte past the hint lets a frame of the hinted size end without
	// growing the buffer.
	room := r.limit - r.held
	out := make([]byte, 0, min(int64(max(r.inflatedHint, 4*len(compressed))+1), room+1))
	for {
		if int64(len(out)) > room {
			return nil, protocolErrorf("compressed frame inflates past the window limit of %d bytes", r.limit)
		}
		if len(out) == cap(out) {
			out = slices.Grow(out, int(min(int64(cap(out)), room+1-int64(cap(out)))))
		}
		n, err := r.zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, protocolErrorf("compressed frame: %v", err)
		}
	}
	r.inflatedHint = len(out)
	r.held += int64(len(out))
	return out, nil
}

// AppendAck appends an ACK frame for seq in the given protocol version.
func AppendAck(dst []byte, version byte, seq uint32) []byte {
	dst = append(dst, version, frameAck)
	return binary.BigEndian.AppendUint32(dst, seq)
}
