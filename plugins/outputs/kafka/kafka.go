// Package kafka is the kafka output: it writes each event, encoded by the
// codec, as one Kafka record (github.com/IBM/sarama), and returns a batch
// only once the brokers acknowledged every record of it, retrying while they
// are unreachable so that an outage holds the pipeline back instead of
// losing events.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/gostash/gostash/plugins/internal/kafkaclient"
	"github.com/gostash/gostash/runtime/event"
	"github.com/gostash/gostash/runtime/plugin"
)

const (
	stringSerializer    = "org.apache.kafka.common.serialization.StringSerializer"
	byteArraySerializer = "org.apache.kafka.common.serialization.ByteArraySerializer"
)

var (
	optTopicID                = plugin.String("topic_id").Required().Doc("Topic to write to; may hold %{field} references.")
	optMessageKey             = plugin.String("message_key").Doc("Record key, may hold %{field} references; records have no key when unset.")
	optMessageHeaders         = plugin.Hash("message_headers").Default(event.NewMap(0)).Doc("Record headers: name => value, values may hold %{field} references and are sent as UTF-8.")
	optAcks                   = plugin.Enum("acks", "0", "1", "all").Default("1").Doc("Acknowledgement the leader gives before a record counts as written: 0 none, 1 the leader's, all every in-sync replica's.")
	optBatchSize              = plugin.Int("batch_size").Default(16384).Doc("Bytes of records gathered per partition before a request is sent.")
	optLingerMS               = plugin.Int("linger_ms").Default(5).Doc("Longest time records wait for more to fill a batch.")
	optBufferMemory           = plugin.Int("buffer_memory").Default(33554432).Doc("Accepted for compatibility; the output holds at most one pipeline batch per worker in memory.")
	optCompressionType        = plugin.Enum("compression_type", "none", "gzip", "snappy", "lz4", "zstd").Default("none").Doc("Compression of record batches.")
	optKeySerializer          = plugin.String("key_serializer").Default(stringSerializer).Doc("StringSerializer or ByteArraySerializer (both send the key's UTF-8 bytes).")
	optValueSerializer        = plugin.String("value_serializer").Default(stringSerializer).Doc("StringSerializer or ByteArraySerializer (both send the codec's bytes).")
	optMaxRequestSize         = plugin.Int("max_request_size").Default(1048576).Doc("Largest record (in bytes) the output sends; larger ones are dropped with a warning, as the broker would refuse them.")
	optMetadataFetchTimeoutMS = plugin.Int("metadata_fetch_timeout_ms").Default(60000).Doc("Accepted for compatibility and ignored, as in Logstash.")
	optPartitioner            = plugin.String("partitioner").Doc("Unset: keyed records go to murmur2(key) like the Java client, the others stick to a partition per batch. round_robin: records cycle over the partitions. default and uniform_sticky (refused by Logstash 12, kept for older configs) are the unset behaviour and sticky-ignoring-keys.")
	optRetries                = plugin.Int("retries").Doc("Unset: retry failed sends forever (nothing is lost). A number: give up and drop the events after that many retries.")
)

func init() {

	opts := []plugin.Declared{optTopicID, optMessageKey, optMessageHeaders, optAcks, optBatchSize, optLingerMS, optBufferMemory, optCompressionType, optKeySerializer, optValueSerializer, optMaxRequestSize, optMetadataFetchTimeoutMS, optPartitioner, optRetries}
	opts = append(opts, kafkaclient.CommonOptions()...)
	plugin.RegisterOutput(plugin.OutputSpec{
		Spec: plugin.Spec{
			Name:    "kafka",
			Summary: "Writes events to a Kafka topic, one record per event, waiting for the brokers' acknowledgement.",
			Options: opts,
		},
		New: newOutput,
	})
}

type output struct {
	s       *plugin.Settings
	log     *slog.Logger
	brokers []string
	cfg     *sarama.Config
	codec   plugin.Codec
	topic   *event.Template
	key     *event.Template
	headers []header
	// retries is the number of retry rounds, or -1 for no limit.
	retries int64
	backoff time.Duration

	mu       sync.Mutex
	producer sarama.SyncProducer
}

type header struct {
	name  string
	value *event.Template
}

func newOutput(s *plugin.Settings) (plugin.Output, error) {
	o := &output{s: s, log: s.Logger(), codec: s.NewCodec(), retries: -1,
		backoff: kafkaclient.Millis(s, kafkaclient.RetryBackoffMS)}
	var err error
	if o.brokers, err = kafkaclient.Brokers(s); err != nil {
		return nil, err
	}
	if o.topic, err = event.CompileTemplate(optTopicID.Get(s)); err != nil {
		return nil, optTopicID.Errorf(s, "%v", err)
	}
	if optMessageKey.IsSet(s) {
		if o.key, err = event.CompileTemplate(optMessageKey.Get(s)); err != nil {
			return nil, optMessageKey.Errorf(s, "%v", err)
		}
	}
	var headerErr error
	optMessageHeaders.Get(s).Range(func(name string, v any) bool {
		value, ok := v.(string)
		if !ok {
			value = event.ValueString(v)
		}
		t, err := event.CompileTemplate(value)
		if err != nil {
			headerErr = optMessageHeaders.Errorf(s, "header %q: %v", name, err)
			return false
		}
		o.headers = append(o.headers, header{name: name, value: t})
		return true
	})
	if headerErr != nil {
		return nil, headerErr
	}
	if optRetries.IsSet(s) {
		if r := optRetries.Get(s); r < 0 {
			return nil, optRetries.Errorf(s, "A negative retry count (%d) is not valid. Must be a value >= 0", r)
		}
		o.retries = optRetries.Get(s)
		o.log.Warn("Kafka output is configured with finite retry. This instructs Logstash to LOSE DATA after a set number of send attempts fails. If you do not want to lose data if Kafka is down, then you must remove the retry setting.",
			slog.Int64("retries", o.retries))
	}
	if v := optValueSerializer.Get(s); v != stringSerializer && v != byteArraySerializer {
		return nil, optValueSerializer.Errorf(s, "'value_serializer' only supports %s and %s", byteArraySerializer, stringSerializer)
	}
	if k := optKeySerializer.Get(s); k != stringSerializer && k != byteArraySerializer {
		return nil, optKeySerializer.Errorf(s, "'key_serializer' only supports %s and %s in gostash", byteArraySerializer, stringSerializer)
	}
	if o.cfg, err = o.producerConfig(); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *output) producerConfig() (*sarama.Config, error) {
	s := o.s
	cfg, err := kafkaclient.NewConfig(s, kafkaclient.ClientID.Get(s))
	if err != nil {
		return nil, err
	}
	p := &cfg.Producer
	p.Return.Successes = true
	p.Return.Errors = true
	switch optAcks.Get(s) {
	case "0":
		p.RequiredAcks = sarama.NoResponse
	case "1":
		p.RequiredAcks = sarama.WaitForLocal
	case "all":
		p.RequiredAcks = sarama.WaitForAll
	}
	p.Compression = map[string]sarama.CompressionCodec{
		"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP, "snappy": sarama.CompressionSnappy,
		"lz4": sarama.CompressionLZ4, "zstd": sarama.CompressionZSTD,
	}[optCompressionType.Get(s)]
	if linger := kafkaclient.Millis(s, optLingerMS); linger > 0 {
		p.Flush.Bytes = int(optBatchSize.Get(s))
		p.Flush.Frequency = linger
	} else {
		// Like the Java client with linger.ms=0: send at once whatever has
		// gathered. sarama would otherwise hold a batch smaller than
		// Flush.Bytes forever, having no timer to flush it.
		p.Flush.Bytes = 0
		p.Flush.Frequency = 0
	}
	p.MaxMessageBytes = int(optMaxRequestSize.Get(s))
	p.Timeout = kafkaclient.Millis(s, kafkaclient.RequestTimeoutMS)
	p.Retry.Backoff = o.backoff
	if o.retries >= 0 {
		p.Retry.Max = int(o.retries)
	}
	batchBytes := int(optBatchSize.Get(s))
	switch name := optPartitioner.Get(s); name {
	case "", "default", "org.apache.kafka.clients.producer.internals.DefaultPartitioner":
		p.Partitioner = newStickyPartitioner(false, batchBytes)
	case "uniform_sticky", "org.apache.kafka.clients.producer.UniformStickyPartitioner":
		p.Partitioner = newStickyPartitioner(true, batchBytes)
	case "round_robin", "org.apache.kafka.clients.producer.RoundRobinPartitioner":
		p.Partitioner = sarama.NewRoundRobinPartitioner
	default:
		if !strings.Contains(name, ".") {
			return nil, optPartitioner.Errorf(s, "unsupported partitioner: %q", name)
		}
		return nil, optPartitioner.Errorf(s, "partitioner %q names a Java class, which gostash cannot load; leave it unset or use round_robin", name)
	}
	if optPartitioner.IsSet(s) && (optPartitioner.Get(s) == "default" || optPartitioner.Get(s) == "uniform_sticky") {
		o.log.Warn(fmt.Sprintf("partitioner %q is accepted for older configurations; Logstash's kafka integration 12 refuses it", optPartitioner.Get(s)))
	}
	if err := cfg.Validate(); err != nil {
		return nil, s.Errorf("kafka producer configuration: %v", err)
	}
	return cfg, nil
}

// record is what an event becomes; sarama messages are rebuilt from it for
// every attempt because sarama keeps per-attempt state in them.
type record struct {
	topic   string
	key     []byte
	value   []byte
	headers []sarama.RecordHeader
}

func (r *record) message() *sarama.ProducerMessage {
	m := &sarama.ProducerMessage{Topic: r.topic, Value: sarama.ByteEncoder(r.value), Headers: r.headers}
	if r.key != nil {
		m.Key = sarama.ByteEncoder(r.key)
	}
	return m
}

func (o *output) encode(e *event.Event) *record {
	r := &record{topic: o.topic.Render(e), value: o.codec.Encode(nil, e)}
	if o.key != nil {
		r.key = []byte(o.key.Render(e))
	}
	if len(o.headers) > 0 {
		r.headers = make([]sarama.RecordHeader, len(o.headers))
		for i, h := range o.headers {
			r.headers[i] = sarama.RecordHeader{Key: []byte(h.name), Value: []byte(h.value.Render(e))}
		}
	}
	return r
}

// Output sends the batch and returns once the brokers acknowledged every
// record, or a record failed in a way retrying cannot fix (dropped with a
// warning, as Logstash does), or retries ran out. Retriable failures, such
// as an unreachable broker, are retried after retry_backoff_ms for as long
// as ctx lives.
func (o *output) Output(ctx context.Context, events []*event.Event) error {
	batch := make([]*record, 0, len(events))
	for _, e := range events {
		batch = append(batch, o.encode(e))
	}
	for round := int64(0); len(batch) > 0; round++ {
		if o.retries >= 0 && round > o.retries {
			o.log.Info("Exhausted user-configured retry count when sending to Kafka. Dropping these events.",
				slog.Int64("max_retries", o.retries), slog.Int("drop_count", len(batch)))
			return nil
		}
		if round > 0 {
			o.log.Info("Sending batch to Kafka failed. Will retry after a delay.",
				slog.Int("batch_size", len(batch)), slog.Float64("sleep", o.backoff.Seconds()))
			if err := wait(ctx, o.backoff); err != nil {
				return fmt.Errorf("kafka output %q: %d events not sent: %w", o.s.ID(), len(batch), err)
			}
		}
		batch = o.send(batch)
	}
	return nil
}

// send tries every record once and returns those worth retrying.
func (o *output) send(batch []*record) []*record {
	producer, err := o.connect()
	if err != nil {
		o.log.Info("producer send failed, will retry sending", slog.String("message", err.Error()))
		return batch
	}
	msgs := make([]*sarama.ProducerMessage, len(batch))
	index := make(map[*sarama.ProducerMessage]int, len(batch))
	for i, r := range batch {
		msgs[i] = r.message()
		index[msgs[i]] = i
	}
	err = producer.SendMessages(msgs)
	if err == nil {
		return nil
	}
	var perrs sarama.ProducerErrors
	if !errors.As(err, &perrs) {
		o.log.Info("producer send failed, will retry sending", slog.String("message", err.Error()))
		return batch
	}
	var failed []*record
	for _, pe := range perrs {
		r := batch[index[pe.Msg]]
		if retriable(pe.Err) {
			o.log.Info("producer send failed, will retry sending", slog.String("message", pe.Err.Error()))
			failed = append(failed, r)
			continue
		}
		o.log.Warn("producer send failed, dropping record", slog.String("message", pe.Err.Error()),
			slog.String("record_value", string(r.value)))
	}
	return failed
}

// connect returns the shared producer, creating it on first use: the
// brokers may well be down when the pipeline starts.
func (o *output) connect() (sarama.SyncProducer, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.producer != nil {
		return o.producer, nil
	}
	p, err := sarama.NewSyncProducer(o.brokers, o.cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", strings.Join(o.brokers, ","), err)
	}
	o.producer = p
	return p, nil
}

// Close flushes and closes the producer.
func (o *output) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.producer == nil {
		return nil
	}
	err := o.producer.Close()
	o.producer = nil
	return err
}

// retriable tells failures that may heal (an unreachable broker, a leader
// election) from those that will not (a record too large, a forbidden
// topic), after the Java client's RetriableException classes.
func retriable(err error) bool {
	var (
		kerr   sarama.KError
		cfgErr sarama.ConfigurationError
		encErr sarama.PacketEncodingError
	)
	if errors.As(err, &cfgErr) || errors.As(err, &encErr) {
		return false
	}
	if !errors.As(err, &kerr) {
		// Connection failures, timeouts, "out of brokers": all transient.
		return true
	}
	switch kerr {
	case sarama.ErrMessageSizeTooLarge, sarama.ErrInvalidTopic, sarama.ErrTopicAuthorizationFailed,
		sarama.ErrClusterAuthorizationFailed, sarama.ErrInvalidRequiredAcks,
		sarama.ErrUnsupportedVersion, sarama.ErrUnsupportedForMessageFormat, sarama.ErrInvalidRecord,
		sarama.ErrSASLAuthenticationFailed, sarama.ErrInvalidTimestamp:
		return false
	}
	return true
}

func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
