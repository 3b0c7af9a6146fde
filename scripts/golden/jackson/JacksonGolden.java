// JacksonGolden writes the expected bytes of gostash's JSON writer
// (runtime.AppendJSON): random event-like values serialized by Jackson's
// default ObjectMapper, the library behind Logstash's event.to_json.
//
// Each output line is "<typed value>\t<Jackson JSON>"; the typed form is
// what the Go test rebuilds runtime values from:
//   n  t  f                       null, true, false
//   i<decimal>;  I<decimal>;      a long, a BigInteger
//   d<16 hex digits>              a double by its IEEE bits
//   s<hex bytes>;                 a string by its raw bytes (maybe invalid UTF-8)
//   [v v ...]  {s<key>;v ...}     a list, a map in insertion order
// Strings are bytes on the Logstash side (Ruby strings); they reach Jackson
// as Java strings decoded from UTF-8 with replacement, as here.
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

public class JacksonGolden {
    static final Random R = new Random(20260102L);
    static int skippedDoubles = 0;

    // A value and its typed form, built together.
    static final class V {
        final Object java;
        final String typed;
        V(Object java, String typed) { this.java = java; this.typed = typed; }
    }

    // Escapes a TSV field: backslash, tab and newline.
    static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x", x & 0xff));
        return s.toString();
    }

    static final String[] PIECES = {
        "a", "Z", "0", " ", "~", "\"", "\\", "/", "<", ">", "&", "'", "\u007f",
        "\u00e9", "\u00ff", "\u65e5", "\ud83d\ude00", "\u2028", "\u2029", "\ufeff", "\ufffd", "\u0085", "\u00a0",
    };
    static final byte[][] BAD = {
        {(byte) 0xff}, {(byte) 0xc0}, {(byte) 0x80}, {(byte) 0xe2, (byte) 0x82}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe0, (byte) 0x80, (byte) 0xaf},
        {(byte) 0xf0, (byte) 0x9f, (byte) 0x98}, {(byte) 0xc3}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
    };

    static byte[] randomStringBytes() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int n = R.nextInt(12);
        for (int i = 0; i < n; i++) {
            int k = R.nextInt(10);
            byte[] piece;
            if (k < 3) piece = new byte[] {(byte) R.nextInt(0x20)};
            else if (k < 7) piece = PIECES[R.nextInt(PIECES.length)].getBytes(StandardCharsets.UTF_8);
            else if (k < 8) piece = BAD[R.nextInt(BAD.length)];
            else piece = new byte[] {(byte) (0x20 + R.nextInt(0x5f))};
            out.write(piece, 0, piece.length);
        }
        return out.toByteArray();
    }

    static V str(byte[] b) {
        return new V(new String(b, StandardCharsets.UTF_8), "s" + hex(b) + ";");
    }

    // The fewest significant digits that still read back as d.
    static int shortestDigits(double d) {
        for (int k = 1; k <= 17; k++) {
            if (new BigDecimal(d).round(new MathContext(k)).doubleValue() == d) return k;
        }
        return 17;
    }

    // What JDK 19+ Double.toString prints, as a number: the decimal of
    // max(shortest, 2) digits closest to d (JDK-4511638's specification).
    static BigDecimal jdk21Decimal(double d) {
        return new BigDecimal(d).round(new MathContext(Math.max(shortestDigits(d), 2)));
    }

    static final double[] EDGE = {
        0.0, -0.0, 1.0, -1.0, 1.5, 100.0, 0.1, 0.2, 0.3, 1e7, 9999999.0, 9999999.999, 1e-3, 0.001, 9.999e-4,
        1e10, 1e21, 1e22, 1e23, 1e-5, 1.0E-4, 123456789.123, 9007199254740992.0, 9.223372036854776E18,
        Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, 3.141592653589793, 2.718281828459045, 1.0E-323, 5e-324, 12345.678,
        0.30000000000000004, 1.7976931348623157E308, 4.35, 2.0E-3, 1234567.0, 12345678.0,
    };
    static int edgeIndex = 0;

    // A double for the file, or null when this JDK's Double.toString does not
    // print the decimal JDK 19+ prints. Logstash 9 runs JDK 21, whose
    // Double.toString (JDK-4511638, fixed in JDK 19) prints the decimal of
    // max(shortest, 2) significant digits closest to the value; JDK 17
    // sometimes prints a longer or different one (2.0E-3 is the same, but
    // e.g. 1.0E23-like values and many random doubles gain a digit). Those
    // rows would expect output Logstash never produces, so they are left out
    // and counted on stderr.
    static V dbl() {
        double d;
        if (edgeIndex < EDGE.length) {
            d = EDGE[edgeIndex++];
        } else {
            switch (R.nextInt(5)) {
                case 0: d = Double.longBitsToDouble(R.nextLong()); break;
                case 1: d = R.nextDouble() * Math.pow(10, R.nextInt(30) - 10); break;
                case 2: d = (double) R.nextInt(1000000) / Math.pow(10, R.nextInt(8)); break;
                case 3: d = Math.round(R.nextGaussian() * 1e6) / 100.0; break;
                default: d = R.nextInt(100000) * Math.pow(10, R.nextInt(40) - 20);
            }
            if (R.nextBoolean()) d = -d;
        }
        if (!Double.isNaN(d) && !Double.isInfinite(d) && d != 0
            && new BigDecimal(Double.toString(d)).compareTo(jdk21Decimal(d)) != 0) {
            skippedDoubles++;
            return null;
        }
        return new V(d, "d" + String.format("%016x", Double.doubleToRawLongBits(d)));
    }

    static V scalar() {
        switch (R.nextInt(8)) {
            case 0: return new V(null, "n");
            case 1: return R.nextBoolean() ? new V(true, "t") : new V(false, "f");
            case 2: {
                long[] edge = {0, -1, 1, Long.MAX_VALUE, Long.MIN_VALUE, 1234567890123L};
                long l = R.nextBoolean() ? edge[R.nextInt(edge.length)] : R.nextLong() >> R.nextInt(63);
                return new V(l, "i" + l + ";");
            }
            case 3: {
                BigInteger b = new BigInteger(64 + R.nextInt(100), R);
                if (R.nextBoolean()) b = b.negate();
                if (b.bitLength() < 64) b = b.add(BigInteger.TWO.pow(70));
                return new V(b, "I" + b + ";");
            }
            case 4: case 5: {
                V d = dbl();
                return d != null ? d : new V(null, "n");
            }
            default: return str(randomStringBytes());
        }
    }

    static V value(int depth) {
        int k = depth >= 3 ? 9 : R.nextInt(10);
        if (k == 0) {
            List<Object> l = new ArrayList<>();
            StringBuilder t = new StringBuilder("[");
            int n = R.nextInt(5);
            for (int i = 0; i < n; i++) {
                V v = value(depth + 1);
                l.add(v.java);
                t.append(v.typed);
            }
            return new V(l, t.append(']').toString());
        }
        if (k == 1) return map(depth + 1);
        return scalar();
    }

    static V map(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        StringBuilder t = new StringBuilder("{");
        int n = R.nextInt(6);
        for (int i = 0; i < n; i++) {
            byte[] key = randomStringBytes();
            V kv = str(key);
            if (m.containsKey(kv.java)) continue;
            V v = value(depth);
            m.put((String) kv.java, v.java);
            t.append(kv.typed).append(v.typed);
        }
        return new V(m, t.append('}').toString());
    }

    // Mutations that turn a valid document into the inputs a strict parser
    // must judge: each either keeps the text valid or breaks it in one place.
    static final String[] JUNK = {
        "x", "NaN", "Infinity", "-Infinity", "// c\n", "/* c */", "#", ",", "]", "}", "{", "[", ":", "'a'", "\"",
        "01", "-", "1.", ".5", "1e", "+1", "0x1F", "tru", "True", "nul", "\u0000", "\t", " ", "\n", "\r\n",
        "\"\\x\"", "\"\\u12G4\"", "\"\\ud83d\"", "\"\\ud83d\\ude00\"", "\"\\ude00\"", "\"a\tb\"",
        "123456789012345678901234567890", "-9223372036854775809", "9223372036854775807", "1e400", "-1e-400",
        "1.5E+3", "0.0000001", "-0", "-0.0", "{\"a\":1,\"a\":2}", "{} {}", "[] x", "12 34", "12x", "\u00ff", "\u2028",
    };

    static String mutate(String doc) {
        String junk = JUNK[R.nextInt(JUNK.length)].replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t").replace("\\u0000", "\u0000").replace("\\u00ff", "\u00ff").replace("\\u2028", "\u2028");
        switch (R.nextInt(6)) {
            case 0: return doc.substring(0, R.nextInt(doc.length() + 1));
            case 1: return doc + junk;
            case 2: return junk;
            case 3: {
                int at = R.nextInt(doc.length() + 1);
                return doc.substring(0, at) + junk + doc.substring(at);
            }
            case 4: return " \t\r\n".charAt(R.nextInt(4)) + doc + "\n";
            default: return doc;
        }
    }

    // Every double in v reads the same on JDK 17 as on JDK 21.
    static boolean portable(Object v) {
        if (v instanceof Double) {
            double d = (Double) v;
            return Double.isNaN(d) || Double.isInfinite(d) || d == 0
                || new BigDecimal(Double.toString(d)).compareTo(jdk21Decimal(d)) == 0;
        }
        if (v instanceof Map) return ((Map<?, ?>) v).values().stream().allMatch(JacksonGolden::portable);
        if (v instanceof List) return ((List<?>) v).stream().allMatch(JacksonGolden::portable);
        return true;
    }

    // decode writes "<hex input>\tOK\t<JSON of the last root value>" or
    // "<hex input>\tERR\t<message>\t<line>\t<column>" (text fields escape
    // backslash, tab and newline with a backslash), reading root values
    // one after another as JrJackson's Ruby parser (LogStash::Json.load) does.
    static void decode(ObjectMapper mapper) throws Exception {
        List<String> docs = new ArrayList<>();
        for (String j : JUNK) docs.add(j.replace("\\n", "\n").replace("\\t", "\t").replace("\\r", "\r"));
        docs.add("");
        docs.add("   ");
        // Nesting and number-length limits are left to the unit tests: the
        // Jackson here (2.14) predates the StreamReadConstraints Logstash 9's
        // Jackson applies.
        for (int i = 0; i < 600; i++) {
            String doc = mapper.writeValueAsString(map(0).java);
            docs.add(R.nextInt(3) == 0 ? doc : mutate(doc));
        }
        StringBuilder out = new StringBuilder();
        for (String doc : docs) {
            byte[] in = doc.getBytes(StandardCharsets.UTF_8);
            out.append(hex(in)).append('\t');
            // Root values one after another, read token by token as
            // JrJackson's parse loop does (databind's readValue would reset
            // the current token between values, which shows in messages).
            try (com.fasterxml.jackson.core.JsonParser p = mapper.getFactory().createParser(in)) {
                Object last = null;
                while (p.nextToken() != null) last = readTokens(p);
                if (!portable(last)) {
                    out.setLength(out.length() - hex(in).length() - 1);
                    continue;
                }
                out.append("OK\t").append(esc(mapper.writeValueAsString(last)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                out.append("ERR\t").append(esc(e.getOriginalMessage())).append('\t')
                    .append(e.getLocation().getLineNr()).append('\t').append(e.getLocation().getColumnNr());
            }
            out.append('\n');
        }
        System.out.write(out.toString().getBytes(StandardCharsets.UTF_8));
        System.out.flush();
    }

    // readTokens builds the value starting at the current token.
    static Object readTokens(com.fasterxml.jackson.core.JsonParser p) throws java.io.IOException {
        switch (p.currentToken()) {
            case START_OBJECT: {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String k = p.getCurrentName();
                    p.nextToken();
                    m.put(k, readTokens(p));
                }
                return m;
            }
            case START_ARRAY: {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) l.add(readTokens(p));
                return l;
            }
            case VALUE_STRING: return p.getText();
            case VALUE_NUMBER_INT: return p.getNumberValue();
            case VALUE_NUMBER_FLOAT: return p.getDoubleValue();
            case VALUE_TRUE: return true;
            case VALUE_FALSE: return false;
            default: return null;
        }
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        if (args.length > 0 && args[0].equals("decode")) {
            decode(mapper);
            return;
        }
        StringBuilder out = new StringBuilder();
        List<V> cases = new ArrayList<>();
        while (edgeIndex < EDGE.length) {
            V d = dbl();
            if (d != null) cases.add(d);
        }
        for (int i = 0; i < 400; i++) cases.add(str(randomStringBytes()));
        for (int i = 0; i < 1500; i++) {
            V d = dbl();
            if (d != null) cases.add(d);
        }
        for (int i = 0; i < 300; i++) cases.add(scalar());
        for (int i = 0; i < 400; i++) cases.add(map(0));
        for (V v : cases) {
            out.append(v.typed).append('\t').append(mapper.writeValueAsString(v.java)).append('\n');
        }
        System.out.write(out.toString().getBytes(StandardCharsets.UTF_8));
        System.out.flush();
        System.err.println("doubles left out (JDK 17 Double.toString differs from JDK 19+): " + skippedDoubles);
    }
}
