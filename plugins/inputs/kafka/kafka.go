// Package kafka is the kafka input: it consumes topics as a member of a
// Kafka consumer group (github.com/IBM/sarama), decodes each record's value
// with the codec and, unlike Logstash, commits a record's offset only after
// every event made from it has been handled by all outputs (at-least-once
// across crashes).
package kafka

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/gostash/gostash/plugins/internal/kafkaclient"
	"github.com/gostash/gostash/runtime/plugin"
)

const stringDeserializer = "org.apache.kafka.common.serialization.StringDeserializer"

// onlyStringDeserializer refuses deserializers gostash cannot run: they are
// Java classes.
func onlyStringDeserializer(class string) error {
	if class != stringDeserializer {
		return fmt.Errorf("unsupported deserializer %q: gostash only supports %s", class, stringDeserializer)
	}
	return nil
}

var (
	optTopics                      = plugin.Strings("topics").Default([]string{"logstash"}).Doc("Topics to subscribe to; ignored when topics_pattern is set.")
	optTopicsPattern               = plugin.String("topics_pattern").Doc("Regular expression the whole topic name must match to be consumed; re-evaluated every metadata_max_age_ms.")
	optGroupID                     = plugin.String("group_id").Default("logstash").Doc("Consumer group; consumers of one group share the partitions of the topics.")
	optGroupInstanceID             = plugin.String("group_instance_id").Doc("Static group membership id; with consumer_threads > 1 each thread uses <id>-<thread number>.")
	optGroupProtocol               = plugin.Enum("group_protocol", "classic", "consumer").Default("classic").Doc("Group rebalance protocol. Only `classic` is implemented by the Go client; `consumer` is a configuration error.")
	optConsumerThreads             = plugin.Int("consumer_threads").Default(1).AtLeast(1).Doc("Number of group members this input runs; ideally as many as the topics have partitions in total.")
	optAutoOffsetReset             = plugin.String("auto_offset_reset").Validate(checkOffsetReset).Doc("Where to start a partition the group has no committed offset for: earliest, latest (the default), none (log an error and leave the partition alone), or by_duration:<ISO 8601 duration> (the first record not older than that).")
	optEnableAutoCommit            = plugin.Bool("enable_auto_commit").Default(true).Doc("Commit handled offsets every auto_commit_interval_ms; when false, commit as soon as a record has been handled.")
	optAutoCommitIntervalMS        = plugin.Int("auto_commit_interval_ms").Default(5000).Doc("How often handled offsets are committed when enable_auto_commit is true.")
	optAutoCreateTopics            = plugin.Bool("auto_create_topics").Default(true).Doc("Whether subscribing to a missing topic lets the broker create it (when the broker allows it).")
	optCheckCrcs                   = plugin.Bool("check_crcs").Default(true).Doc("Accepted for compatibility; the Go client always checks record batch CRCs.")
	optClientRack                  = plugin.String("client_rack").Doc("Rack of this consumer, letting brokers serve fetches from a replica in the same rack.")
	optExcludeInternalTopics       = plugin.String("exclude_internal_topics").Doc("Whether topics_pattern may match internal topics such as __consumer_offsets (`true` unless set to `false`).")
	optFetchMaxBytes               = plugin.Int("fetch_max_bytes").Default(52428800).Doc("Most bytes a fetch response may hold across all partitions.")
	optFetchMaxWaitMS              = plugin.Int("fetch_max_wait_ms").Default(500).Doc("Longest time the broker waits for fetch_min_bytes before answering a fetch.")
	optFetchMinBytes               = plugin.Int("fetch_min_bytes").Doc("Fewest bytes the broker should gather before answering a fetch (1 when unset).")
	optHeartbeatIntervalMS         = plugin.Int("heartbeat_interval_ms").Default(3000).Doc("Interval of the heartbeats telling the group coordinator this consumer is alive.")
	optSessionTimeoutMS            = plugin.Int("session_timeout_ms").Default(10000).Doc("A consumer without heartbeats for this long is removed from the group and its partitions reassigned.")
	optMaxPollIntervalMS           = plugin.Int("max_poll_interval_ms").Default(300000).Doc("Longest time members get to rejoin the group during a rebalance.")
	optMaxPollRecords              = plugin.Int("max_poll_records").Default(500).Doc("Records buffered per partition ahead of the pipeline.")
	optMaxPartitionFetchBytes      = plugin.Int("max_partition_fetch_bytes").Default(1048576).Doc("Bytes asked for per partition in each fetch.")
	optIsolationLevel              = plugin.Enum("isolation_level", "read_uncommitted", "read_committed").Default("read_uncommitted").Doc("read_committed skips records of aborted transactions and waits for open ones.")
	optPartitionAssignmentStrategy = plugin.String("partition_assignment_strategy").Doc("How the group leader spreads partitions: range, round_robin, sticky or cooperative_sticky (cooperative_sticky runs as sticky).")
	optPollTimeoutMS               = plugin.Int("poll_timeout_ms").Default(100).Doc("Accepted for compatibility; records are delivered as they arrive rather than polled.")
	optKeyDeserializerClass        = plugin.String("key_deserializer_class").Default(stringDeserializer).Validate(onlyStringDeserializer).Doc("Only org.apache.kafka.common.serialization.StringDeserializer is supported.")
	optValueDeserializerClass      = plugin.String("value_deserializer_class").Default(stringDeserializer).Validate(onlyStringDeserializer).Doc("Only org.apache.kafka.common.serialization.StringDeserializer is supported.")
	optDecorateEvents              = plugin.Enum("decorate_events", "none", "basic", "extended", "false", "true").Default("none").Doc("basic adds [@metadata][kafka] topic, consumer_group, partition, offset, key and timestamp; extended also adds [@metadata][kafka][headers]. true and false are deprecated aliases of basic and none.")
)

func init() {

	opts := []plugin.Declared{optTopics, optTopicsPattern, optGroupID, optGroupInstanceID, optGroupProtocol, optConsumerThreads, optAutoOffsetReset, optEnableAutoCommit, optAutoCommitIntervalMS, optAutoCreateTopics, optCheckCrcs, optClientRack, optExcludeInternalTopics, optFetchMaxBytes, optFetchMaxWaitMS, optFetchMinBytes, optHeartbeatIntervalMS, optSessionTimeoutMS, optMaxPollIntervalMS, optMaxPollRecords, optMaxPartitionFetchBytes, optIsolationLevel, optPartitionAssignmentStrategy, optPollTimeoutMS, optKeyDeserializerClass, optValueDeserializerClass, optDecorateEvents}
	opts = append(opts, kafkaclient.CommonOptions()...)
	opts = append(opts, schemaRegistryOptions()...)
	plugin.RegisterInput(plugin.InputSpec{
		Spec: plugin.Spec{
			Name:    "kafka",
			Summary: "Reads events from Kafka topics as a member of a consumer group, committing offsets only for handled events.",
			Options: opts,
		},
		Acknowledges: true,
		New:          newInput,
	})
}

// The schema registry options are declared so that configs carrying them
// still parse; setting schema_registry_url, which would turn on Avro
// decoding through a Confluent schema registry, is a located "not
// supported" error.
const schemaRegistryDoc = "Confluent schema registry (Avro) setting; gostash does not support the schema registry, and setting schema_registry_url is a configuration error."

var (
	optSchemaRegistryURL                   = plugin.URI("schema_registry_url").Doc(schemaRegistryDoc)
	optSchemaRegistryProxy                 = plugin.URI("schema_registry_proxy").Doc(schemaRegistryDoc)
	optSchemaRegistryKey                   = plugin.String("schema_registry_key").Doc(schemaRegistryDoc)
	optSchemaRegistrySSLKeystoreLocation   = plugin.String("schema_registry_ssl_keystore_location").Doc(schemaRegistryDoc)
	optSchemaRegistrySSLTruststoreLocation = plugin.String("schema_registry_ssl_truststore_location").Doc(schemaRegistryDoc)
	optSchemaRegistrySecret                = plugin.Password("schema_registry_secret").Doc(schemaRegistryDoc)
	optSchemaRegistrySSLKeystorePassword   = plugin.Password("schema_registry_ssl_keystore_password").Doc(schemaRegistryDoc)
	optSchemaRegistrySSLTruststorePassword = plugin.Password("schema_registry_ssl_truststore_password").Doc(schemaRegistryDoc)
	optSchemaRegistrySSLKeystoreType       = plugin.Enum("schema_registry_ssl_keystore_type", "jks", "PKCS12").Default("jks").Doc(schemaRegistryDoc)
	optSchemaRegistrySSLTruststoreType     = plugin.Enum("schema_registry_ssl_truststore_type", "jks", "PKCS12").Default("jks").Doc(schemaRegistryDoc)
	optSchemaRegistryValidation            = plugin.Enum("schema_registry_validation", "auto", "skip").Default("auto").Doc(schemaRegistryDoc)
)

func schemaRegistryOptions() []plugin.Declared {
	return []plugin.Declared{optSchemaRegistryURL, optSchemaRegistryProxy, optSchemaRegistryKey,
		optSchemaRegistrySSLKeystoreLocation, optSchemaRegistrySSLTruststoreLocation, optSchemaRegistrySecret,
		optSchemaRegistrySSLKeystorePassword, optSchemaRegistrySSLTruststorePassword, optSchemaRegistrySSLKeystoreType,
		optSchemaRegistrySSLTruststoreType, optSchemaRegistryValidation}
}

// metadataMode is what decorate_events adds to [@metadata][kafka].
type metadataMode int

const (
	metadataNone metadataMode = iota
	metadataBasic
	metadataExtended
)

type input struct {
	s       *plugin.Settings
	log     *slog.Logger
	brokers []string
	configs []*sarama.Config // one per consumer thread
	topics  []string
	pattern *regexp.Regexp
	groupID string
	meta    metadataMode
	// autoCommit commits marked offsets on a timer; otherwise every newly
	// handled offset is committed right away.
	autoCommit bool
	reset      *offsetReset
}

func newInput(s *plugin.Settings) (plugin.Input, error) {
	in := &input{s: s, log: s.Logger(), groupID: optGroupID.Get(s), autoCommit: optEnableAutoCommit.Get(s)}
	var err error
	if in.brokers, err = kafkaclient.Brokers(s); err != nil {
		return nil, err
	}
	if optSchemaRegistryURL.IsSet(s) {
		return nil, optSchemaRegistryURL.Errorf(s, "the Confluent schema registry (Avro) is not supported by gostash")
	}
	switch optDecorateEvents.Get(s) {
	case "basic":
		in.meta = metadataBasic
	case "extended":
		in.meta = metadataExtended
	case "true", "false":
		canonical := map[string]string{"true": "basic", "false": "none"}[optDecorateEvents.Get(s)]
		s.Logger().Warn(fmt.Sprintf("Deprecated value `%s` for `decorate_events` option; use `%s` instead.", optDecorateEvents.Get(s), canonical))
		if canonical == "basic" {
			in.meta = metadataBasic
		}
	}
	if optTopicsPattern.IsSet(s) {
		// Kafka subscribes by pattern with Java's Matcher.matches: the whole
		// name must match. Go's RE2 covers the Java syntax used for topic names.
		in.pattern, err = regexp.Compile(`^(?:` + optTopicsPattern.Get(s) + `)$`)
		if err != nil {
			return nil, optTopicsPattern.Errorf(s, "invalid topics_pattern: %v", err)
		}
	} else {
		in.topics = optTopics.Get(s)
		if len(in.topics) == 0 {
			return nil, optTopics.Errorf(s, "no topic to subscribe to")
		}
	}
	in.reset, _ = parseOffsetReset(optAutoOffsetReset.Get(s))
	if optGroupProtocol.Get(s) == "consumer" {
		for _, o := range []plugin.Handle{optPartitionAssignmentStrategy, optHeartbeatIntervalMS, optSessionTimeoutMS} {
			if o.IsSet(s) {
				return nil, o.Errorf(s, "group_protocol cannot be set to 'consumer' when any of partition_assignment_strategy, heartbeat_interval_ms or session_timeout_ms is set")
			}
		}
		return nil, optGroupProtocol.Errorf(s, "group_protocol 'consumer' (KIP-848) is not supported by the Go Kafka client gostash uses; use 'classic'")
	}
	threads := int(optConsumerThreads.Get(s))
	for i := range threads {
		cfg, err := in.consumerConfig(i, threads)
		if err != nil {
			return nil, err
		}
		in.configs = append(in.configs, cfg)
	}
	return in, nil
}

func (in *input) consumerConfig(thread, threads int) (*sarama.Config, error) {
	s := in.s
	cfg, err := kafkaclient.NewConfig(s, fmt.Sprintf("%s-%d", kafkaclient.ClientID.Get(s), thread))
	if err != nil {
		return nil, err
	}
	c := &cfg.Consumer
	c.Return.Errors = true
	c.Offsets.Initial = sarama.OffsetNewest
	if in.reset.kind == resetEarliest {
		c.Offsets.Initial = sarama.OffsetOldest
	}
	c.Offsets.AutoCommit.Enable = in.autoCommit
	if in.autoCommit {
		c.Offsets.AutoCommit.Interval = kafkaclient.Millis(s, optAutoCommitIntervalMS)
		if c.Offsets.AutoCommit.Interval <= 0 {
			return nil, optAutoCommitIntervalMS.Errorf(s, "auto_commit_interval_ms must be positive")
		}
	}
	c.Group.Session.Timeout = kafkaclient.Millis(s, optSessionTimeoutMS)
	c.Group.Heartbeat.Interval = kafkaclient.Millis(s, optHeartbeatIntervalMS)
	c.Group.Rebalance.Timeout = kafkaclient.Millis(s, optMaxPollIntervalMS)
	c.Group.Rebalance.Retry.Backoff = kafkaclient.Millis(s, kafkaclient.RetryBackoffMS)
	c.Retry.Backoff = kafkaclient.Millis(s, kafkaclient.RetryBackoffMS)
	if id := optGroupInstanceID.Get(s); id != "" {
		if threads > 1 {
			id = fmt.Sprintf("%s-%d", id, thread)
		}
		c.Group.InstanceId = id
	}
	if optPartitionAssignmentStrategy.IsSet(s) {
		strategy, err := assignor(s)
		if err != nil {
			return nil, err
		}
		c.Group.Rebalance.GroupStrategies = []sarama.BalanceStrategy{strategy}
	}
	c.Fetch.MaxBytes = int32(optFetchMaxBytes.Get(s))
	c.Fetch.Default = int32(optMaxPartitionFetchBytes.Get(s))
	if optFetchMinBytes.IsSet(s) {
		c.Fetch.Min = int32(optFetchMinBytes.Get(s))
	}
	c.MaxWaitTime = kafkaclient.Millis(s, optFetchMaxWaitMS)
	cfg.ChannelBufferSize = int(optMaxPollRecords.Get(s))
	if optIsolationLevel.Get(s) == "read_committed" {
		c.IsolationLevel = sarama.ReadCommitted
	}
	cfg.RackID = optClientRack.Get(s)
	cfg.Metadata.AllowAutoTopicCreation = optAutoCreateTopics.Get(s)
	if err := cfg.Validate(); err != nil {
		return nil, s.Errorf("kafka consumer configuration: %v", err)
	}
	return cfg, nil
}

func assignor(s *plugin.Settings) (sarama.BalanceStrategy, error) {
	switch name := optPartitionAssignmentStrategy.Get(s); name {
	case "range", "org.apache.kafka.clients.consumer.RangeAssignor":
		return sarama.NewBalanceStrategyRange(), nil
	case "round_robin", "org.apache.kafka.clients.consumer.RoundRobinAssignor":
		return sarama.NewBalanceStrategyRoundRobin(), nil
	case "sticky", "cooperative_sticky", "org.apache.kafka.clients.consumer.StickyAssignor", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor":
		return sarama.NewBalanceStrategySticky(), nil
	default:
		if !strings.Contains(name, ".") {
			return nil, optPartitionAssignmentStrategy.Errorf(s, "unsupported partition_assignment_strategy: %q", name)
		}
		return nil, optPartitionAssignmentStrategy.Errorf(s, "partition_assignment_strategy %q names a Java class, which gostash cannot load; use range, round_robin, sticky or cooperative_sticky", name)
	}
}

// Run starts one group member per consumer thread and returns when ctx is
// cancelled and every member has left the group.
func (in *input) Run(ctx context.Context, out plugin.Emitter) error {
	var wg sync.WaitGroup
	for _, cfg := range in.configs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.member(ctx, cfg, out)
		}()
	}
	wg.Wait()
	return nil
}

// member runs one consumer group member until ctx is cancelled, reconnecting
// after errors as Logstash's poll loop does (log, sleep one second).
func (in *input) member(ctx context.Context, cfg *sarama.Config, out plugin.Emitter) {
	log := in.log.With(slog.String("thread", "kafka-input-worker-"+cfg.ClientID))
	for ctx.Err() == nil {
		err := in.consume(ctx, cfg, out, log)
		if err == nil || ctx.Err() != nil {
			return
		}
		log.Error("Unable to poll Kafka consumer", slog.String("kafka_error_message", err.Error()))
		sleep(ctx, time.Second)
	}
}

func (in *input) consume(ctx context.Context, cfg *sarama.Config, out plugin.Emitter, log *slog.Logger) error {
	client, err := sarama.NewClient(in.brokers, cfg)
	if err != nil {
		return err
	}
	defer client.Close()
	group, err := sarama.NewConsumerGroupFromClient(in.groupID, client)
	if err != nil {
		return err
	}
	defer group.Close()
	go func() {
		for err := range group.Errors() {
			log.Error("Kafka consumer error", slog.String("kafka_error_message", err.Error()))
		}
	}()
	h := &handler{in: in, out: out, client: client, log: log}
	if !in.autoCommit {
		// The loop lives as long as this client: a reconnect starts another.
		loopCtx, stopLoop := context.WithCancel(ctx)
		defer stopLoop()
		h.commits = make(chan struct{}, 1)
		go h.commitLoop(loopCtx)
	}
	for ctx.Err() == nil {
		topics := in.topics
		sessionCtx := ctx
		if in.pattern != nil {
			var cancel context.CancelFunc
			topics, err = in.matchingTopics(client)
			if err != nil {
				return err
			}
			if len(topics) == 0 {
				sleep(ctx, min(kafkaclient.Millis(in.s, kafkaclient.MetadataMaxAgeMS), 5*time.Second))
				continue
			}
			sessionCtx, cancel = context.WithCancel(ctx)
			go in.watchPattern(sessionCtx, cancel, client, topics)
			err = group.Consume(sessionCtx, topics, h)
			cancel()
		} else {
			err = group.Consume(sessionCtx, topics, h)
		}
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

// matchingTopics lists the topics topics_pattern selects, after a metadata
// refresh so that new topics are seen.
func (in *input) matchingTopics(client sarama.Client) ([]string, error) {
	if err := client.RefreshMetadata(); err != nil {
		return nil, err
	}
	all, err := client.Topics()
	if err != nil {
		return nil, err
	}
	excludeInternal := optExcludeInternalTopics.Get(in.s) != "false"
	var out []string
	for _, t := range all {
		if excludeInternal && strings.HasPrefix(t, "__") {
			continue
		}
		if in.pattern.MatchString(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// watchPattern ends the group session when the set of topics matching
// topics_pattern changes, so that the next session subscribes to the new set.
func (in *input) watchPattern(ctx context.Context, cancel context.CancelFunc, client sarama.Client, current []string) {
	every := kafkaclient.Millis(in.s, kafkaclient.MetadataMaxAgeMS)
	for sleep(ctx, every) {
		topics, err := in.matchingTopics(client)
		if err == nil && strings.Join(topics, "\x00") != strings.Join(current, "\x00") {
			cancel()
			return
		}
	}
}

// sleep waits d or until ctx is done; it reports whether ctx is still alive.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
