import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.WritableTypeId;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.jruby.RubyNil;
import org.jruby.RubyString;
import org.logstash.ConvertedList;
import org.logstash.ConvertedMap;
import org.logstash.Timestamp;

/**
 * Golden dead letter queue segments, written and read the way Logstash
 * does: each entry is Logstash's DLQEntry layout (five length-prefixed
 * fields) holding an event serialised by a Jackson CBOR ObjectMapper
 * configured as Logstash's ObjectMappers.CBOR_MAPPER is (WRITE_MINIMAL_INTS
 * off, STRINGREF on, default typing NON_FINAL with class-name ids in
 * wrapper arrays), strings, nil, timestamps, maps and lists typed as
 * Logstash's classes are (stand-ins with the same names, under org/),
 * numbers and booleans written without a type id as Logstash's Ruby
 * serialisers write them. The segment is Logstash's RecordIOWriter format.
 *
 *   java DLQGolden write DIR   writes DIR/1.log, prints the entries' dump
 *   java DLQGolden read FILE   reads a segment and prints the entries' dump
 *
 * The dump is one line per field; internal/deadletter's golden test prints
 * the same for what gostash reads or writes.
 */
public final class DLQGolden {
    static final int BLOCK_SIZE = 32 * 1024;
    static final int HEADER_SIZE = 13;

    static final ObjectMapper CBOR = new ObjectMapper(new CBORFactory()
            .configure(CBORGenerator.Feature.WRITE_MINIMAL_INTS, false)
            .configure(CBORGenerator.Feature.STRINGREF, true))
        .registerModule(module())
        .activateDefaultTyping(new LaissezFaireSubTypeValidator(), ObjectMapper.DefaultTyping.NON_FINAL);

    static final JavaType EVENT_MAP_TYPE =
        CBOR.getTypeFactory().constructMapType(HashMap.class, String.class, Object.class);

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("write")) {
            write(Path.of(args[1]));
        } else if (args.length == 2 && args[0].equals("read")) {
            read(Path.of(args[1]));
        } else {
            System.err.println("usage: DLQGolden write DIR | read FILE");
            System.exit(2);
        }
    }

    // ---- the events ----

    static ConvertedMap map(Object... kv) {
        ConvertedMap m = new ConvertedMap();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static ConvertedList list(Object... items) {
        ConvertedList l = new ConvertedList();
        for (Object o : items) {
            l.add(o);
        }
        return l;
    }

    static RubyString s(String v) {
        return new RubyString(v);
    }

    static void write(Path dir) throws IOException {
        List<Object[]> entries = new ArrayList<>();
        ConvertedMap plain = map(
            "@timestamp", new Timestamp("2026-01-02T03:04:05.678Z"),
            "@version", s("1"),
            "message", s("hello world"),
            "host", map("name", s("web-1")));
        entries.add(new Object[] {"2026-01-02T03:04:06.000Z", plain, map(), "elasticsearch", "es_out",
            "Could not index event to Elasticsearch. status: 400"});

        // Every kind of value, repeated strings (stringrefs), unicode.
        ConvertedMap kinds = map(
            "@timestamp", new Timestamp("2026-01-02T03:04:05.123456789Z"),
            "@version", s("1"),
            "message", s("héllo \u263a \uD83D\uDE00 \"quoted\" tab\there"),
            "count", 42L,
            "negative", -7L,
            "long_max", Long.MAX_VALUE,
            "long_min", Long.MIN_VALUE,
            "ratio", 1.5d,
            "negative_zero", -0.0d,
            "huge", 1e300d,
            "big", new BigInteger("1180591620717411303424"),
            "big_negative", new BigInteger("-1180591620717411303425"),
            "price", new BigDecimal("12.345"),
            "tiny", new BigDecimal("-0.001"),
            "exact", new BigDecimal("123456789012345678901234567890.5"),
            "yes", Boolean.TRUE,
            "no", Boolean.FALSE,
            "nothing", RubyNil.NIL,
            "when", new Timestamp("2025-12-31T23:59:59.999999Z"),
            "tags", list(s("alpha"), s("beta"), s("alpha")),
            "nested", map("service", map("name", s("alpha"), "port", 8080L), "list", list(1L, s("two"), list(), map())),
            "repeat", list(s("service"), s("service"), s("nested")));
        ConvertedMap meta = map("index", s("logs-alpha"), "flag", Boolean.TRUE);
        entries.add(new Object[] {"2026-01-02T03:04:07.500Z", kinds, meta, "elasticsearch", "es_out",
            "Could not index event to Elasticsearch. status: 400, action: [\"index\", {:_index=>\"logs\"}], response: {\"type\"=>\"mapper_parsing_exception\"}"});

        // An event bigger than a block: it is split into start, middle and
        // end records.
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 9000; i++) {
            big.append("line ").append(i).append('\n');
        }
        ConvertedMap large = map(
            "@timestamp", new Timestamp("2026-01-02T03:04:08.000Z"),
            "@version", s("1"),
            "message", s(big.toString()));
        entries.add(new Object[] {"2026-01-02T03:04:08.001Z", large, map(), "http", "http_out", "HTTP 404"});

        ByteArrayOutputStream segment = new ByteArrayOutputStream();
        segment.write('1');
        int[] posInBlock = {0};
        StringBuilder dump = new StringBuilder();
        for (Object[] e : entries) {
            HashMap<String, Map<String, Object>> event = new HashMap<>(2, 1.0F);
            event.put("DATA", (ConvertedMap) e[1]);
            event.put("META", (ConvertedMap) e[2]);
            byte[] eventBytes = CBOR.writeValueAsBytes(event);
            byte[] entry = entry((String) e[0], eventBytes, (String) e[3], (String) e[4], (String) e[5]);
            writeRecords(segment, posInBlock, entry);
            dumpEntry(dump, (String) e[0], event, (String) e[3], (String) e[4], (String) e[5]);
        }
        Files.createDirectories(dir);
        Files.write(dir.resolve("1.log"), segment.toByteArray());
        print(dump);
    }

    // DLQEntry's layout: five fields, each a 4-byte big-endian length and
    // its bytes.
    static byte[] entry(String time, byte[] event, String type, String id, String reason) {
        byte[][] fields = {time.getBytes(StandardCharsets.UTF_8), event, type.getBytes(StandardCharsets.UTF_8),
            id.getBytes(StandardCharsets.UTF_8), reason.getBytes(StandardCharsets.UTF_8)};
        int n = 0;
        for (byte[] f : fields) {
            n += 4 + f.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] f : fields) {
            b.putInt(f.length);
            b.put(f);
        }
        return b.array();
    }

    // RecordIOWriter's framing: records never cross a 32 KiB block; an
    // entry that does not fit is split into start, middle and end records;
    // a block with no room for a header and one byte is left (zeros).
    static void writeRecords(ByteArrayOutputStream out, int[] posInBlock, byte[] data) {
        int off = 0;
        char prev = 0;
        while (off < data.length) {
            if (posInBlock[0] + HEADER_SIZE + 1 > BLOCK_SIZE) {
                for (int i = posInBlock[0]; i < BLOCK_SIZE; i++) {
                    out.write(0);
                }
                posInBlock[0] = 0;
            }
            int remaining = data.length - off;
            boolean fits = remaining + HEADER_SIZE < BLOCK_SIZE - posInBlock[0];
            char type = prev == 0 ? (fits ? 'c' : 's') : (fits ? 'e' : 'm');
            int n = Math.min(BLOCK_SIZE - posInBlock[0] - HEADER_SIZE, remaining);
            CRC32 crc = new CRC32();
            crc.update(data, off, n);
            ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE);
            h.put((byte) type).putInt(n).putInt(type == 's' ? data.length : -1).putInt((int) crc.getValue());
            out.write(h.array(), 0, HEADER_SIZE);
            out.write(data, off, n);
            posInBlock[0] += HEADER_SIZE + n;
            off += n;
            prev = type;
        }
    }

    // ---- reading ----

    static void read(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        if (raw.length == 0 || raw[0] != '1') {
            throw new IOException(file + ": not a version 1 segment");
        }
        StringBuilder dump = new StringBuilder();
        ByteArrayOutputStream partial = null;
        int pos = 1;
        while (pos + HEADER_SIZE <= raw.length) {
            int inBlock = (pos - 1) % BLOCK_SIZE;
            if (inBlock + HEADER_SIZE + 1 > BLOCK_SIZE) {
                pos += BLOCK_SIZE - inBlock;
                continue;
            }
            ByteBuffer h = ByteBuffer.wrap(raw, pos, HEADER_SIZE);
            char type = (char) h.get();
            int n = h.getInt();
            h.getInt();
            int sum = h.getInt();
            if ("csme".indexOf(type) < 0) {
                pos += BLOCK_SIZE - inBlock;
                continue;
            }
            CRC32 crc = new CRC32();
            crc.update(raw, pos + HEADER_SIZE, n);
            if ((int) crc.getValue() != sum) {
                throw new IOException(file + ": bad checksum at " + pos);
            }
            if (type == 'c' || type == 's') {
                partial = new ByteArrayOutputStream();
            }
            partial.write(raw, pos + HEADER_SIZE, n);
            pos += HEADER_SIZE + n;
            if (type == 'c' || type == 'e') {
                readEntry(dump, partial.toByteArray());
            }
        }
        print(dump);
    }

    static void readEntry(StringBuilder dump, byte[] entry) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(entry);
        byte[][] fields = new byte[5][];
        for (int i = 0; i < 5; i++) {
            fields[i] = new byte[b.getInt()];
            b.get(fields[i]);
        }
        // As Event.deserialize does: the DATA and META maps must be there.
        HashMap<String, Map<String, Object>> event = CBOR.readValue(fields[1], EVENT_MAP_TYPE);
        if (event == null || event.get("DATA") == null || event.get("META") == null) {
            throw new IOException("the event has no DATA or no META map");
        }
        String time = new String(fields[0], StandardCharsets.UTF_8);
        Instant.parse(time); // Logstash parses the entry time as a Timestamp
        dumpEntry(dump, time, event, new String(fields[2], StandardCharsets.UTF_8),
            new String(fields[3], StandardCharsets.UTF_8), new String(fields[4], StandardCharsets.UTF_8));
    }

    // ---- the dump ----

    // Printed as UTF-8 whatever the locale.
    static void print(StringBuilder dump) throws IOException {
        System.out.write(dump.toString().getBytes(StandardCharsets.UTF_8));
        System.out.flush();
    }

    static void dumpEntry(StringBuilder b, String time, Map<String, Map<String, Object>> event, String type, String id,
            String reason) {
        b.append("entry\n");
        b.append("time: ").append(time).append('\n');
        b.append("plugin_type: ").append(type).append('\n');
        b.append("plugin_id: ").append(id).append('\n');
        b.append("reason: ").append(reason).append('\n');
        b.append("data: ");
        dump(b, event.get("DATA"));
        b.append("\nmetadata: ");
        dump(b, event.get("META"));
        b.append('\n');
    }

    static void dump(StringBuilder b, Object v) {
        if (v == null || v instanceof RubyNil) {
            b.append("nil");
        } else if (v instanceof RubyString) {
            quote(b, ((RubyString) v).value);
        } else if (v instanceof String) {
            quote(b, (String) v);
        } else if (v instanceof Integer || v instanceof Long) {
            b.append("i:").append(v);
        } else if (v instanceof BigInteger) {
            b.append("n:").append(v);
        } else if (v instanceof Double) {
            b.append("f:").append(Long.toHexString(Double.doubleToRawLongBits((Double) v)));
        } else if (v instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) v;
            b.append("d:").append(d.unscaledValue()).append('/').append(d.scale());
        } else if (v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof Timestamp) {
            b.append("t:").append(((Timestamp) v).text);
        } else if (v instanceof Map) {
            // Sorted by key: Logstash's maps have no order.
            TreeMap<String, Object> sorted = new TreeMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                sorted.put((String) e.getKey(), e.getValue());
            }
            b.append('{');
            String sep = "";
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                b.append(sep);
                quote(b, e.getKey());
                b.append('=');
                dump(b, e.getValue());
                sep = ", ";
            }
            b.append('}');
        } else if (v instanceof List) {
            b.append('[');
            String sep = "";
            for (Object o : (List<?>) v) {
                b.append(sep);
                dump(b, o);
                sep = ", ";
            }
            b.append(']');
        } else {
            throw new IllegalStateException("unexpected value of " + v.getClass());
        }
    }

    // A string in double quotes; quotes, backslashes and control
    // characters escaped, the rest as is. A string of more than 200 bytes
    // is shown as its UTF-8 length and CRC-32.
    static void quote(StringBuilder b, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > 200) {
            CRC32 crc = new CRC32();
            crc.update(utf8);
            b.append("s[").append(utf8.length).append("]:").append(Long.toHexString(crc.getValue()));
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }

    // ---- Logstash's serialisers, for the stand-in classes ----

    static SimpleModule module() {
        return new SimpleModule("golden")
            .addSerializer(RubyString.class, new TypedStringSerializer<>(RubyString.class, v -> v.value))
            .addSerializer(Timestamp.class, new TypedStringSerializer<>(Timestamp.class, v -> v.text))
            .addSerializer(RubyNil.class, new NilSerializer())
            .addSerializer(Long.class, new UntypedSerializer<>(Long.class, (v, g) -> g.writeNumber(v)))
            .addSerializer(Double.class, new UntypedSerializer<>(Double.class, (v, g) -> g.writeNumber(v)))
            .addSerializer(Boolean.class, new UntypedSerializer<>(Boolean.class, (v, g) -> g.writeBoolean(v)))
            .addSerializer(BigInteger.class, new UntypedSerializer<>(BigInteger.class, (v, g) -> g.writeNumber(v)))
            .addSerializer(BigDecimal.class, new UntypedSerializer<>(BigDecimal.class, (v, g) -> g.writeNumber(v)))
            .addDeserializer(RubyString.class, new StdDeserializer<RubyString>(RubyString.class) {
                @Override
                public RubyString deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                    return new RubyString(p.getValueAsString());
                }
            })
            .addDeserializer(RubyNil.class, new StdDeserializer<RubyNil>(RubyNil.class) {
                @Override
                public RubyNil deserialize(JsonParser p, DeserializationContext ctxt) {
                    return RubyNil.NIL;
                }

                @Override
                public RubyNil getNullValue(DeserializationContext ctxt) {
                    return RubyNil.NIL;
                }
            })
            .addDeserializer(Timestamp.class, new StdDeserializer<Timestamp>(Timestamp.class) {
                @Override
                public Timestamp deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                    String text = p.getText();
                    Instant.parse(text);
                    return new Timestamp(text);
                }
            });
    }

    interface Text<T> {
        String of(T value);
    }

    interface Writer<T> {
        void write(T value, JsonGenerator g) throws IOException;
    }

    // A value written as a string, and with its type id when typed.
    static final class TypedStringSerializer<T> extends StdSerializer<T> {
        private static final long serialVersionUID = 1L;
        private final transient Text<T> text;

        TypedStringSerializer(Class<T> c, Text<T> text) {
            super(c);
            this.text = text;
        }

        @Override
        public void serialize(T value, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeString(text.of(value));
        }

        @Override
        public void serializeWithType(T value, JsonGenerator g, SerializerProvider p, TypeSerializer ts)
                throws IOException {
            WritableTypeId id = ts.typeId(value, handledType(), JsonToken.VALUE_STRING);
            ts.writeTypePrefix(g, id);
            g.writeString(text.of(value));
            ts.writeTypeSuffix(g, id);
        }
    }

    static final class NilSerializer extends StdSerializer<RubyNil> {
        private static final long serialVersionUID = 1L;

        NilSerializer() {
            super(RubyNil.class);
        }

        @Override
        public void serialize(RubyNil value, JsonGenerator g, SerializerProvider p) throws IOException {
            g.writeNull();
        }

        @Override
        public void serializeWithType(RubyNil value, JsonGenerator g, SerializerProvider p, TypeSerializer ts)
                throws IOException {
            WritableTypeId id = ts.typeId(value, RubyNil.class, JsonToken.VALUE_NULL);
            ts.writeTypePrefix(g, id);
            g.writeNull();
            ts.writeTypeSuffix(g, id);
        }
    }

    // A scalar written without a type id even where one is expected.
    static final class UntypedSerializer<T> extends StdSerializer<T> {
        private static final long serialVersionUID = 1L;
        private final transient Writer<T> writer;

        UntypedSerializer(Class<T> c, Writer<T> writer) {
            super(c);
            this.writer = writer;
        }

        @Override
        public void serialize(T value, JsonGenerator g, SerializerProvider p) throws IOException {
            writer.write(value, g);
        }

        @Override
        public void serializeWithType(T value, JsonGenerator g, SerializerProvider p, TypeSerializer ts)
                throws IOException {
            writer.write(value, g);
        }
    }
}
