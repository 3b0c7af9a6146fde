// DateGolden writes the expected outputs that gostash's runtime tests check
// against: Joda-Time formatting (%{+...}), java.time formatting (%{{...}})
// and the @timestamp text parsing Logstash does when it builds an event
// from a map. Inputs are generated from a fixed seed, so the files only
// change when this program does.
//
// Usage: java -cp joda-time.jar:. DateGolden joda|javatime|parse|tostring
// Output: TSV on stdout; fields escape \t, \n and \\ with a backslash; a
// row whose result starts with "!ERR " records the exception message.
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DecimalStyle;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

public class DateGolden {
    static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    // Instants spread over the range events see, plus edges: the epoch,
    // leap days, year ends (week-year boundaries), years before 1 AD and
    // after 9999.
    static List<Instant> instants(Random r, int n) {
        List<Instant> out = new ArrayList<>();
        String[] fixed = {
            "1970-01-01T00:00:00Z", "2015-10-01T00:00:00Z", "2015-12-28T00:00:00Z",
            "2016-01-03T23:59:59.999Z", "2020-02-29T12:00:00Z", "2021-01-01T00:00:00Z",
            "2021-01-03T12:34:56.123456789Z", "2000-01-01T00:00:00.000001Z",
            "1999-12-31T23:59:59.5Z", "0001-01-01T00:00:00Z", "0000-06-15T06:00:00Z",
            "-0044-03-15T12:00:00Z", "9999-12-31T23:59:59.999999999Z", "+10000-01-01T00:00:00Z",
            "2024-12-29T00:00:00Z", "2026-01-02T03:04:05.678Z", "1969-12-31T23:59:59.999Z",
            "2023-01-01T12:00:00Z", "2023-01-01T00:00:00Z", "2023-06-15T18:30:00Z",
            "2023-06-15T21:00:00Z", "2023-06-15T06:00:00Z",
        };
        for (String f : fixed) {
            out.add(Instant.parse(f));
        }
        for (int i = 0; i < n; i++) {
            long sec;
            switch (r.nextInt(4)) {
                case 0: // any year 1..9999
                    sec = -62135596800L + (long) (r.nextDouble() * 315537897600L);
                    break;
                case 1: // around week-year boundaries
                    int y = 1990 + r.nextInt(60);
                    sec = java.time.LocalDate.of(y, 12, 24).atStartOfDay(ZoneOffset.UTC).toEpochSecond() + r.nextInt(14 * 86400);
                    break;
                default: // 1900..2100
                    sec = -2208988800L + (long) (r.nextDouble() * 6311433600L);
            }
            int nanos;
            switch (r.nextInt(4)) {
                case 0: nanos = 0; break;
                case 1: nanos = r.nextInt(1000) * 1000000; break;
                case 2: nanos = r.nextInt(1000000) * 1000; break;
                default: nanos = r.nextInt(1000000000);
            }
            out.add(Instant.ofEpochSecond(sec, nanos));
        }
        return out;
    }

    // Random patterns: letters (valid and not), repeated 1-6 times, mixed
    // with literal punctuation and quoted text.
    static List<String> randomPatterns(Random r, String letters, String extra, int n) {
        List<String> out = new ArrayList<>();
        String punct = "-:/. ,T";
        String[] quoted = {"'T'", "''", "'week '", "'it''s'", "'Z'", "'x"};
        for (int i = 0; i < n; i++) {
            StringBuilder b = new StringBuilder();
            int parts = 1 + r.nextInt(5);
            for (int p = 0; p < parts; p++) {
                int k = r.nextInt(10);
                if (k < 7) {
                    char c = r.nextInt(12) == 0 && !extra.isEmpty()
                        ? extra.charAt(r.nextInt(extra.length()))
                        : letters.charAt(r.nextInt(letters.length()));
                    int count = 1 + r.nextInt(r.nextInt(3) == 0 ? 6 : 4);
                    for (int j = 0; j < count; j++) b.append(c);
                } else if (k < 9) {
                    b.append(punct.charAt(r.nextInt(punct.length())));
                } else {
                    String q = quoted[r.nextInt(quoted.length)];
                    if (q.equals("'x") && p != parts - 1) q = "'x'";
                    b.append(q);
                }
            }
            out.add(b.toString());
        }
        return out;
    }

    static void joda(Random r) {
        List<String> patterns = new ArrayList<>();
        String letters = "GCYxwweEyDMdaKhHkmsSzZ";
        for (char c : letters.toCharArray()) {
            for (int n = 1; n <= 6; n++) patterns.add(String.valueOf(c).repeat(n));
        }
        String[] fixed = {
            "YYYY.MM.dd", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "xxxx-'W'ww", "YYYY-'W'ww-e", "yyyy/MM/dd HH:mm:ss",
            "EEE, dd MMM yyyy HH:mm:ss Z", "EEEE MMMM d yyyy h:mm a", "dd/MMM/yyyy:HH:mm:ss ZZ", "ZZZ",
            "''", "'it''s' HH", "'unterminated", "S", "SS", "SSSSSSSSS", "SSSSSSSSSSSS", "%s", "+%s", "%ss",
            "yy", "YY", "xx", "y", "Y", "CC", "G", "GGGG", "zzzz", "HH 'o''clock'", "\u00e9t\u00e9 yyyy", "",
            "q", "Q", "u", "B", "A", "n", "N", "VV", "X", "O", "L", "F", "W", "c", "yyyy-MM-dd [HH]", "#yyyy", "{}",
        };
        for (String f : fixed) patterns.add(f);
        patterns.addAll(randomPatterns(r, letters, "qQbBAFgiIjJlLnNoOpPrRtTuUvVWX", 400));
        List<Instant> insts = instants(r, 300);
        for (String p : patterns) {
            org.joda.time.format.DateTimeFormatter f;
            try {
                f = org.joda.time.format.DateTimeFormat.forPattern(p).withZone(org.joda.time.DateTimeZone.UTC);
            } catch (Exception e) {
                System.out.println("0\t" + esc(p) + "\t!ERR " + esc(e.getMessage()));
                continue;
            }
            // Each pattern against a sample of the instants keeps the file small.
            for (int i = 0; i < 12; i++) {
                Instant t = insts.get(i < 4 ? r.nextInt(22) : r.nextInt(insts.size()));
                long ms = t.toEpochMilli();
                String out;
                try {
                    out = new org.joda.time.DateTime(ms, org.joda.time.DateTimeZone.UTC).toString(f);
                } catch (Exception e) {
                    out = "!ERR " + e.getMessage();
                }
                System.out.println(ms + "\t" + esc(p) + "\t" + esc(out));
            }
        }
    }

    static void javatime(Random r) {
        List<String> patterns = new ArrayList<>();
        // F is left out: JDK 19 changed its meaning (JDK-8282081) and this
        // generator runs on JDK 17, while Logstash 9 runs on JDK 21.
        String letters = "GuyYQqMLdDwWEecaBhKkHmsSAnNVvzOXxZ";
        for (char c : letters.toCharArray()) {
            for (int n = 1; n <= 6; n++) patterns.add(String.valueOf(c).repeat(n));
        }
        String[] fixed = {
            "YYYY-DDD", "YYYY-'W'ww", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS", "yyyy.MM.dd", "uuuu-MM-dd",
            "yyyy-MM-dd HH:mm:ss[.SSS]", "EEE, dd MMM yyyy HH:mm:ss Z", "h:mm a", "''", "'it''s' HH",
            "'unterminated", "yyyy#", "yyyy{", "yyyy}", "]", "[yyyy", "[[yyyy]]", "p", "ppH", "pppppEEE", "p'x'",
            "yy", "YY", "uu", "ss.S", "ss.SSSS", "n", "nnnnnnnnnn", "A", "AAAAAAAAA", "N", "\u00e9t\u00e9 yyyy", "",
            "ee", "cc", "ccc", "l", "t", "T", "BAD_TIME_NOW", "b", "f", "g", "i", "j", "o", "C", "I", "J", "P", "R", "U",
        };
        for (String f : fixed) patterns.add(f);
        patterns.addAll(randomPatterns(r, letters, "bCfgiIjJlloPrRtTU[]#{}", 400));
        List<Instant> insts = instants(r, 300);
        for (String p : patterns) {
            DateTimeFormatter f;
            try {
                f = DateTimeFormatter.ofPattern(p).withZone(ZoneOffset.UTC);
            } catch (Exception e) {
                System.out.println("0\t0\t" + esc(p) + "\t!ERR " + esc(e.getMessage()));
                continue;
            }
            for (int i = 0; i < 12; i++) {
                Instant t = insts.get(i < 4 ? r.nextInt(22) : r.nextInt(insts.size()));
                String out;
                try {
                    out = f.format(t);
                } catch (Exception e) {
                    out = "!ERR " + e.getMessage();
                }
                System.out.println(t.getEpochSecond() + "\t" + t.getNano() + "\t" + esc(p) + "\t" + esc(out));
            }
        }
    }

    // The parser Logstash's Timestamp(String) uses when an event is built
    // from a map: a required ISO local date, an optional 'T' and ISO local
    // time, then an optional zone or offset in either of two spellings,
    // case-insensitive, missing time fields defaulting to zero and a
    // missing zone meaning the JVM's. Rebuilt here from its documented
    // shape to record verdicts; the JVM zone is pinned by -Duser.timezone.
    static void parse(Random r) {
        DateTimeFormatter lenient = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').append(DateTimeFormatter.ISO_LOCAL_TIME).optionalEnd()
            .optionalStart().appendZoneOrOffsetId().optionalEnd()
            .optionalStart().appendOffset("+HHmmss", "Z").optionalEnd()
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
            .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
            .parseDefaulting(ChronoField.NANO_OF_SECOND, 0)
            .toFormatter()
            .withZone(ZoneId.systemDefault())
            .withDecimalStyle(DecimalStyle.ofDefaultLocale());
        List<String> inputs = new ArrayList<>(List.of(
            "2022-04-13T11:15:32.000Z", "2022-04-13T11:15:32Z", "2022-04-13T11:15Z", "2022-04-13T11Z",
            "2022-04-13", "2022-04-13Z", "2022-04-13T11:15:32", "2022-04-13T11:15", "2022-04-13t11:15:32z",
            "2022-04-13T11:15:32.1Z", "2022-04-13T11:15:32.123456789Z", "2022-04-13T11:15:32.1234567891Z",
            "2022-04-13T11:15:32.Z", "2022-04-13T11:15:32,123Z", "2022-04-13T11:15:32+01:00",
            "2022-04-13T11:15:32+0100", "2022-04-13T11:15:32+01", "2022-04-13T11:15:32-05:30",
            "2022-04-13T11:15:32+01:00:30", "2022-04-13T11:15:32+010030", "2022-04-13T11:15:32+1:00",
            "2022-04-13T11:15:32 +01:00", "2022-04-13T11:15:32+18:00", "2022-04-13T11:15:32+19:00",
            "2022-04-13T11:15:32UTC", "2022-04-13T11:15:32GMT", "2022-04-13T11:15:32GMT+02:00",
            "2022-04-13T11:15:32UTC+2", "2022-04-13T11:15:32Europe/Paris", "2022-04-13T11:15:32europe/paris",
            "2022-04-13T11:15:32[Europe/Paris]", "2022-04-13T11:15:32Z+01:00", "2022-04-13T11:15:32Z+0100",
            "2022-04-13T11:15:32+01:00Z", "2022-04-13 11:15:32Z", "2022-04-13T24:00:00Z", "2022-04-13T24:00:01Z",
            "2022-04-13T23:59:60Z", "2022-02-29T00:00:00Z", "2024-02-29T00:00:00Z", "2022-02-30T00:00:00Z",
            "2022-04-31T00:00:00Z", "2022-04-32T00:00:00Z", "2022-13-01T00:00:00Z", "2022-00-01T00:00:00Z",
            "2022-4-13T11:15:32Z", "22-04-13T11:15:32Z", "+2022-04-13T11:15:32Z", "-0001-04-13T11:15:32Z",
            "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "10000-01-01T00:00:00Z",
            "+10000-01-01T00:00:00Z", "+12345678-01-01T00:00:00Z", "2022-04-13T1:15:32Z", "2022-04-13T11:1:32Z",
            "2022-04-13T11:15:3Z", "2022-04-13T", "2022-04-13TZ", "", "yesterday", "2022-04-13T11:15:32.000Z ",
            " 2022-04-13T11:15:32.000Z", "2022-04-13T11:15:32.000+00:00", "2022-04-13T11:15:32-00:00",
            "2022-W15-3", "2022-103", "20220413T111532Z", "2022-04", "2022",
            "2022-03-27T02:30:00", "2022-10-30T02:30:00", "2022-03-13T02:30:00", "2022-11-06T01:30:00",
            "2022-04-13T11:15:32.000z", "2022-04-13t11:15:32+01:00", "2022-04-13T11:15:32utc"));
        for (int i = 0; i < 200; i++) {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%04d-%02d-%02d", 1900 + r.nextInt(200), 1 + r.nextInt(12), 1 + r.nextInt(31)));
            if (r.nextInt(5) > 0) {
                b.append(r.nextInt(10) == 0 ? 't' : 'T').append(String.format("%02d:%02d", r.nextInt(24), r.nextInt(60)));
                if (r.nextInt(4) > 0) {
                    b.append(String.format(":%02d", r.nextInt(60)));
                    int digits = r.nextInt(11);
                    if (digits > 0) {
                        b.append('.');
                        for (int d = 0; d < digits; d++) b.append((char) ('0' + r.nextInt(10)));
                    }
                }
            }
            String[] zones = {"", "Z", "z", "+01:00", "-0530", "+02", "+14:00", "-12:00", "+0000", "UTC"};
            b.append(zones[r.nextInt(zones.length)]);
            inputs.add(b.toString());
        }
        for (String in : inputs) {
            String out;
            try {
                Instant t = lenient.parse(in, Instant::from);
                out = t.getEpochSecond() + "\t" + t.getNano();
            } catch (Exception e) {
                out = "!ERR";
            }
            System.out.println(esc(in) + "\t" + out);
        }
    }

    // Timestamp#to_s: ISO_INSTANT, but with exactly three fraction digits
    // when the nanoseconds are zero (appendInstant(3)), per the spec notes.
    static void tostring(Random r) {
        DateTimeFormatter millis = new DateTimeFormatterBuilder().appendInstant(3).toFormatter();
        for (Instant t : instants(r, 500)) {
            String s = (t.getNano() == 0 ? millis : DateTimeFormatter.ISO_INSTANT).format(t);
            System.out.println(t.getEpochSecond() + "\t" + t.getNano() + "\t" + s);
        }
    }

    public static void main(String[] args) {
        Random r = new Random(20260102L);
        switch (args[0]) {
            case "joda": joda(r); break;
            case "javatime": javatime(r); break;
            case "parse": parse(r); break;
            case "tostring": tostring(r); break;
            default: throw new IllegalArgumentException(args[0]);
        }
    }
}
