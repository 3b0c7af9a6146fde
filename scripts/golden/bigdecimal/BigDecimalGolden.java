// BigDecimalGolden writes the expected renderings and comparisons of JSON
// decimals as Logstash holds them after LogStash::Json.load (the json
// filter): JrJackson reads a number with a fraction or exponent through
// Jackson's JsonParser.getDecimalValue() and wraps that java.math.BigDecimal
// in JRuby's RubyBigDecimal, which the event stores as is.
//
// It runs against the JRuby that Logstash bundles (jruby-complete) and
// Jackson, so every column is what those libraries do, not a model of them.
// One line per JSON number text, tab-separated:
//   json      the number as it appears in the JSON document
//   java      BigDecimal.toString()              (sprintf %{field})
//   jackson   ObjectMapper().writeValueAsString  (json / json_lines output)
//   to_s      BigDecimal#to_s                    (mutate convert => string)
//   to_s_F    BigDecimal#to_s('F')               (rubydebug via amazing_print)
//   to_f      IEEE bits of BigDecimal#to_f, 16 hex digits (mutate convert => float)
//   to_i      BigDecimal#to_i, or "error" with the exception class (convert => integer)
//   eq_float  RubyFloat(to_f).equals(it)         ([f] == 5.1 in a condition)
//   eq_scale  it.equals(the same value with one more trailing zero) ([f] == [g])
//   cmp_float it.compareTo(RubyFloat(to_f)), then of Math.nextUp and nextDown of it ([f] < 5.1)
//   cmp_int   it.compareTo(RubyFixnum(to_i clamped to a long))  ([f] < 5)
//   float_cmp RubyFloat(to_f).compareTo(it)      ([float field] < [decimal field])
//   eq_rev    it.equals(RubyFloat(to_f)), of nextUp(to_f), it.equals(RubyFixnum(clamped to_i))
//             ([decimal field] == [float field], == [integer field])
//   int_cmp   RubyFixnum(clamped to_i).compareTo(it) ([integer field] < [decimal field])
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jruby.Ruby;
import org.jruby.RubyFixnum;
import org.jruby.RubyFloat;
import org.jruby.ext.bigdecimal.RubyBigDecimal;
import org.jruby.runtime.builtin.IRubyObject;

public class BigDecimalGolden {
    static final Random R = new Random(20261125L);

    static final String[] FIXED = {
        "5.1", "96.0", "0.9999", "0.51", "1e10", "1E+10", "1e-7", "1.5e-7", "0.000001", "0.0000001",
        "0.0", "-0.0", "0.00", "0e0", "0E-10", "0e5", "-0e0", "100.0", "1e2", "1.0e2", "10e-1", "5.10",
        "-1.5", "-5.1", "1.5", "2.5", "-2.5", "0.5", "-0.5", "0.1", "0.2", "0.3", "3.14159",
        "123456789012345678901234567890.123", "-123456789012345678901234567890.5",
        "9223372036854775807.5", "9223372036854775808.0", "-9223372036854775809.0",
        "1e400", "-1e400", "1e-400", "1.7976931348623157e308", "1.7976931348623159e308",
        "4.9e-324", "2e-324", "2.4703282292062328e-324", "1e22", "1e23", "9007199254740993.0",
        "0.1e1", "123.456e-2", "1E0", "1e-6", "12345678.9", "1234567.0", "0.001", "0.0001",
        "1600000000.123", "1600000000.1234567", "-0.000001", "1e+0", "1.23E-5",
    };

    // A random JSON number with a fraction, an exponent or both.
    static String randomNumber() {
        StringBuilder s = new StringBuilder();
        if (R.nextInt(4) == 0) s.append('-');
        int intDigits = 1 + R.nextInt(R.nextInt(4) == 0 ? 25 : 6);
        if (R.nextInt(5) == 0) {
            s.append('0');
        } else {
            s.append((char) ('1' + R.nextInt(9)));
            for (int i = 1; i < intDigits; i++) s.append(digit());
        }
        boolean frac = R.nextInt(4) != 0;
        boolean exp = !frac || R.nextInt(3) == 0;
        if (frac) {
            s.append('.');
            int n = 1 + R.nextInt(R.nextInt(4) == 0 ? 25 : 8);
            for (int i = 0; i < n; i++) s.append(digit());
        }
        if (exp) {
            s.append(R.nextBoolean() ? 'e' : 'E');
            switch (R.nextInt(3)) {
                case 0: s.append('+'); break;
                case 1: s.append('-'); break;
                default:
            }
            s.append(R.nextInt(8) == 0 ? R.nextInt(400) : R.nextInt(30));
        }
        return s.toString();
    }

    // Digits skewed towards zeros and nines, where rounding and trailing
    // zeros matter.
    static char digit() {
        switch (R.nextInt(5)) {
            case 0: return '0';
            case 1: return '9';
            default: return (char) ('0' + R.nextInt(10));
        }
    }

    static int sign(int c) {
        return Integer.signum(c);
    }

    public static void main(String[] args) throws Exception {
        Ruby ruby = Ruby.newInstance();
        ruby.evalScriptlet("require 'bigdecimal'");
        ObjectMapper mapper = new ObjectMapper();
        JsonFactory factory = new JsonFactory();
        List<String> inputs = new ArrayList<>(List.of(FIXED));
        for (int i = 0; i < 3000; i++) inputs.add(randomNumber());
        for (String json : inputs) {
            BigDecimal bd;
            try (JsonParser p = factory.createParser(json + " ")) {
                p.nextToken();
                bd = p.getDecimalValue();
            }
            RubyBigDecimal rbd = new RubyBigDecimal(ruby, bd);
            IRubyObject f = rbd.callMethod(ruby.getCurrentContext(), "to_f");
            double d = ((RubyFloat) f).getDoubleValue();
            String toI;
            long clamped;
            try {
                IRubyObject i = rbd.callMethod(ruby.getCurrentContext(), "to_i");
                toI = i.toString();
                BigInteger bi = new BigInteger(toI);
                clamped = bi.max(BigInteger.valueOf(Long.MIN_VALUE)).min(BigInteger.valueOf(Long.MAX_VALUE)).longValue();
            } catch (org.jruby.exceptions.RaiseException e) {
                toI = "error " + e.getException().getMetaClass().getName();
                clamped = 0;
            }
            RubyBigDecimal widened = new RubyBigDecimal(ruby, bd.setScale(bd.scale() + 1));
            StringBuilder cmp = new StringBuilder();
            for (double x : new double[] {d, Math.nextUp(d), Math.nextDown(d)}) {
                if (cmp.length() > 0) cmp.append(',');
                cmp.append(sign(rbd.compareTo(RubyFloat.newFloat(ruby, x))));
            }
            System.out.println(String.join("\t",
                json,
                bd.toString(),
                mapper.writeValueAsString(bd),
                rbd.callMethod(ruby.getCurrentContext(), "to_s").toString(),
                rbd.callMethod(ruby.getCurrentContext(), "to_s", ruby.newString("F")).toString(),
                String.format("%016x", Double.doubleToRawLongBits(d)),
                toI,
                Boolean.toString(RubyFloat.newFloat(ruby, d).equals(rbd)),
                Boolean.toString(rbd.equals(widened)),
                cmp.toString(),
                Integer.toString(sign(rbd.compareTo(RubyFixnum.newFixnum(ruby, clamped)))),
                Integer.toString(sign(RubyFloat.newFloat(ruby, d).compareTo(rbd))),
                rbd.equals(RubyFloat.newFloat(ruby, d)) + "," + rbd.equals(RubyFloat.newFloat(ruby, Math.nextUp(d)))
                    + "," + rbd.equals(RubyFixnum.newFixnum(ruby, clamped)),
                Integer.toString(sign(RubyFixnum.newFixnum(ruby, clamped).compareTo(rbd)))));
        }
    }
}
