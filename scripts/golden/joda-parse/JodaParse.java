// Writes testdata/filters/date/joda_parse.tsv: date strings parsed the way
// Logstash's date filter parses them with Joda-Time, for gostash's date
// filter tests. Columns: now (epoch ms), zone, format, input, result (epoch
// ms, ERR when the filter would tag _dateparsefailure, or UNSUPPORTED when
// Joda cannot parse with the pattern at all).
import java.io.PrintStream;
import java.util.*;
import org.joda.time.*;
import org.joda.time.format.*;

public class JodaParse {
  static final String[] ZONES = {"UTC", "Europe/Paris", "America/New_York", "+05:30", "Australia/Lord_Howe"};
  static final String[] PATTERNS = {
    "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss.SSSZ",
    "yyyy-MM-dd'T'HH:mm:ss.SSSZZ", "dd/MMM/yyyy:HH:mm:ss Z", "MMM dd HH:mm:ss", "MMM  d HH:mm:ss",
    "MMM d HH:mm:ss", "EEE MMM dd HH:mm:ss yyyy", "EEE, dd MMM yyyy HH:mm:ss Z", "yyyyMMddHHmmss",
    "yyMMdd HH:mm:ss", "dd.MM.yy HH:mm", "MM/dd/yyyy hh:mm:ss a", "yyyy-MM-dd HH:mm:ss,SSS",
    "yyyy-MM-dd'T'HH:mm:ss.SSSSSS", "yyyy-DDD", "xxxx-'W'ww-e", "HH:mm:ss", "yyyy-MM-dd HH:mm:ss ZZZ",
    "yyyy-MM-dd HH:mm:ss z", "d MMMM yyyy", "EEEE, MMMM d, yyyy h:mm a", "yyyy/M/d H:m:s", "G yyyy",
    "kk:mm", "KK:mm a", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSZZ", "MMM dd yyyy HH:mm:ss.S", "yy-M-d",
    "y-MM-dd", "yyyy-MM-dd HH:mm:ssZ", "yyyy.MM.dd G 'at' HH:mm:ss", "C yy", "dd MMM yyyy HH:mm:ss.SSS zzzz",
  };
  static final String[] EDGES = {
    "", " ", "2011-04-19T03:44:01.103Z", "2011-04-19T03:44:01,103+01:00", "2011-04-19T03:44:01.103-0530",
    "2011-04-19T03:44:01.103+01", "2011-04-19", "2011-04", "2011", "T03:44", "T03:44:01.5Z", "2011-W16-2",
    "2011-W16", "2011-109", "2011-04-19T03:44:01.123456789Z", "2011-04-19T03:44:01.1234567891Z",
    "2011-04-19 03:44:01", "2011-04-19 03:44:01.123", "2011-04-19 03:44:01,123+0200", "2011-04-19t03:44z",
    "2011-4-9T3:4:1Z", "2011-04-19T03.5", "2011-04-19T03:30.25", "2011-04-19T24:00:00Z", "2011-02-29T00:00:00Z",
    "2012-02-29T00:00:00Z", "2011-04-31", "2011-13-01", "+2011-04-19", "-0044-03-15", "20110419", "2011-04-19T",
    "2011-04-19TZ", "2011-04-19T03:44:01.103+25:00", "2011-04-19T03:44:01.103+01:60", "2011-04-19T03:44:01+01:00:30",
    "2016-03-27T02:30:00", "2016-10-30T02:30:00", "2016-03-13T02:30:00", "2016-11-06T01:30:00",
    "Apr 19 03:44:01", "apr 19 03:44:01", "APR 19 03:44:01", "aPr 19 03:44:01", "April 19 03:44:01", "Apr  9 03:44:01",
    "Apr 9 03:44:01", "Dec 31 23:59:59", "Jan  1 00:00:00", "Feb 29 12:00:00", "Feb 30 12:00:00",
    "19/Apr/2011:03:44:01 +0000", "19/Apr/2011:03:44:01 -07:00", "19/Apr/2011:03:44:01 Z", "19/apr/2011:03:44:01 +0000",
    "Tue Apr 19 03:44:01 2011", "Mon Apr 19 03:44:01 2011", "Tue, 19 Apr 2011 03:44:01 +0100", "20110419034401",
    "110419 03:44:01", "19.04.11 03:44", "04/19/2011 03:44:01 PM", "04/19/2011 12:44:01 am", "04/19/2011 13:44:01 PM",
    "2011-04-19 03:44:01 Europe/Paris", "2011-04-19 03:44:01 UTC", "2011-04-19 03:44:01 America/Argentina/Buenos_Aires",
    "2011-04-19 03:44:01 EST", "2011-04-19 03:44:01 PDT", "2011-04-19 03:44:01 CET", "9 April 2011", "09 april 2011",
    "Tuesday, April 19, 2011 3:44 PM", "2011/4/9 3:4:1", "AD 2011", "BC 0044", "CE 2011", "24:00", "00:00", "11:59 PM",
    "12:00 AM", "2011-04-19T03:44:01.123456+02:00", "Apr 19 2011 03:44:01.1", "Apr 19 2011 03:44:01.12",
    "11-4-9", "5-4-9", "2011-4-9", "123456-04-19", "2011-04-19 03:44:01+0100", "2011.04.19 AD at 03:44:01",
    "20 11", "19 Apr 2011 03:44:01.123 UTC", "19 Apr 2011 03:44:01.123 Coordinated Universal Time",
    "1303184641", "1303184641.5", "-1.5", "1303184641123", "@4000000037c219bf2ef02e94", "4000000037c219bf2ef02e94",
  };
  static final String[] NOWS = {"2026-01-02T03:04:05.678Z", "2025-12-30T10:00:00Z", "2026-06-15T12:00:00Z"};

  static PrintStream out;

  public static void main(String[] args) throws Exception {
    out = new PrintStream(System.out, false, "UTF-8");
    Locale.setDefault(Locale.US);
    Random rnd = new Random(20260102L);
    long first = new DateTime("1995-01-01T00:00:00Z").getMillis();
    long last = new DateTime("2030-01-01T00:00:00Z").getMillis();
    List<String> formats = new ArrayList<>(Arrays.asList(PATTERNS));
    formats.add("ISO8601");
    for (String nowText : NOWS) {
      long now = new DateTime(nowText).getMillis();
      DateTimeUtils.setCurrentMillisFixed(now);
      boolean main = nowText.equals(NOWS[0]);
      for (String zone : ZONES) {
        for (String format : formats) {
          if (!main && (format.contains("y") || format.contains("Y") || format.equals("ISO8601"))) continue;
          if (!main && !format.startsWith("MMM")) continue;
          for (String edge : EDGES) row(now, zone, format, edge);
          if (!main) {
            for (int i = 0; i < 20; i++) {
              long t = first + (long) (rnd.nextDouble() * (last - first));
              row(now, zone, format, print(format, zone, t));
            }
            continue;
          }
          for (int i = 0; i < 12; i++) {
            long t = first + (long) (rnd.nextDouble() * (last - first));
            t -= t % 1000 == 0 ? 0 : rnd.nextInt(3) == 0 ? t % 1000 : 0;
            String printed = print(format, zone, t);
            row(now, zone, format, printed);
            row(now, zone, formats.get(rnd.nextInt(formats.size())), printed);
            String mutated = mutate(printed, rnd);
            row(now, zone, format, mutated);
          }
        }
      }
    }
    fuzz(rnd, first, last);
    out.flush();
    locales(rnd, first, last);
  }

  static final String[] LOCALES = {"en-GB", "de", "fr", "es", "it", "pt", "nl", "sv", "da", "nb", "fi", "pl", "cs", "ru"};
  static final String[] TEXT_PATTERNS = {"dd MMM yyyy", "EEEE, d MMMM yyyy HH:mm", "EEE MMM d HH:mm:ss yyyy", "MMM d, yyyy h:mm a", "G yyyy MMMM"};

  // Month, weekday, half-day and era names per locale: joda_locales.tsv
  // (columns: locale, then as joda_parse.tsv).
  static void locales(Random rnd, long first, long last) throws Exception {
    PrintStream main = out;
    out = new PrintStream(new java.io.FileOutputStream("testdata/filters/date/joda_locales.tsv"), false, "UTF-8");
    long now = new DateTime(NOWS[0]).getMillis();
    DateTimeUtils.setCurrentMillisFixed(now);
    for (String tag : LOCALES) {
      Locale l = Locale.forLanguageTag(tag);
      for (String format : TEXT_PATTERNS) {
        for (int i = 0; i < 15; i++) {
          long t = first + (long) (rnd.nextDouble() * (last - first));
          String printed = DateTimeFormat.forPattern(format).withLocale(l).withZone(DateTimeZone.UTC).print(t);
          for (String input : new String[] {printed, printed.toUpperCase(l), printed.toLowerCase(l), mutate(printed, rnd)}) {
            String result;
            try {
              result = Long.toString(DateTimeFormat.forPattern(format).withDefaultYear(2026).withLocale(l).withZone(DateTimeZone.UTC).parseMillis(input));
            } catch (IllegalArgumentException e) {
              result = "ERR";
            }
            out.println(tag + "\t" + now + "\tUTC\t" + format + "\t" + input + "\t" + result);
          }
        }
      }
    }
    out.flush();
    out = main;
  }

  static final String[] TOKENS = {
    "y", "yy", "yyy", "yyyy", "Y", "YYYY", "x", "xxxx", "M", "MM", "MMM", "MMMM", "d", "dd", "D", "DDD", "e", "E", "EEEE",
    "w", "ww", "H", "HH", "k", "kk", "K", "KK", "h", "hh", "a", "m", "mm", "s", "ss", "S", "SS", "SSS", "SSSSSS", "Z", "ZZ", "ZZZ",
    "z", "G", "C", "'T'", "''",
  };
  static final String[] SEPARATORS = {"", " ", "-", "/", ":", ".", ",", "  ", "'at'", "|"};

  // Random patterns, each parsing what Joda printed with it (and mangled
  // copies), at the first "now", to reach letter combinations the fixed
  // list misses.
  static void fuzz(Random rnd, long first, long last) {
    long now = new DateTime(NOWS[0]).getMillis();
    DateTimeUtils.setCurrentMillisFixed(now);
    for (int p = 0; p < 1500; p++) {
      StringBuilder b = new StringBuilder();
      int n = 2 + rnd.nextInt(6);
      for (int i = 0; i < n; i++) {
        if (i > 0) b.append(SEPARATORS[rnd.nextInt(SEPARATORS.length)]);
        b.append(TOKENS[rnd.nextInt(TOKENS.length)]);
      }
      String format = b.toString();
      String zone = ZONES[rnd.nextInt(ZONES.length)];
      for (int i = 0; i < 6; i++) {
        long t = first + (long) (rnd.nextDouble() * (last - first));
        String printed = print(format, zone, t);
        row(now, zone, format, printed);
        row(now, zone, format, mutate(printed, rnd));
      }
    }
  }

  static String print(String format, String zone, long t) {
    DateTimeFormatter f = format.equals("ISO8601") ? ISODateTimeFormat.dateTime() : DateTimeFormat.forPattern(format);
    return f.withLocale(Locale.US).withZone(DateTimeZone.forID(zone)).print(t);
  }

  static String mutate(String s, Random rnd) {
    if (s.isEmpty()) return "x";
    int i = rnd.nextInt(s.length());
    switch (rnd.nextInt(6)) {
      case 0: return s.substring(0, i) + s.substring(i + 1);
      case 1: return s.substring(0, i) + rnd.nextInt(10) + s.substring(i);
      case 2: return s.toLowerCase(Locale.US);
      case 3: return s.toUpperCase(Locale.US);
      case 4: return s + " ";
      default: return s.replaceFirst("0(\\d)", "$1");
    }
  }

  static void row(long now, String zone, String format, String input) {
    String result;
    try {
      result = Long.toString(parse(now, zone, format, input));
    } catch (IllegalArgumentException e) {
      result = "ERR";
    } catch (UnsupportedOperationException e) {
      result = "UNSUPPORTED";
    }
    out.println(now + "\t" + zone + "\t" + format + "\t" + input + "\t" + result);
  }

  // The date filter's rules: ISO8601 tries Joda's dateTimeParser and four
  // fallback patterns; a Joda pattern parses in the zone with the current
  // year as default year, and a pattern without a year guesses the year
  // around new year.
  static long parse(long now, String zone, String format, String input) {
    DateTimeZone tz = DateTimeZone.forID(zone);
    if (format.equals("ISO8601")) {
      DateTimeFormatter[] parsers = {
        ISODateTimeFormat.dateTimeParser(),
        DateTimeFormat.forPattern("yyyy-MM-dd HH:mm:ss.SSSZ"),
        DateTimeFormat.forPattern("yyyy-MM-dd HH:mm:ss.SSS"),
        DateTimeFormat.forPattern("yyyy-MM-dd HH:mm:ss,SSSZ"),
        DateTimeFormat.forPattern("yyyy-MM-dd HH:mm:ss,SSS"),
      };
      IllegalArgumentException last = null;
      for (DateTimeFormatter p : parsers) {
        try {
          return p.withZone(tz).parseMillis(input);
        } catch (IllegalArgumentException e) {
          last = e;
        }
      }
      throw last;
    }
    DateTimeFormatter parser = DateTimeFormat.forPattern(format).withDefaultYear(new DateTime(now).getYear()).withLocale(Locale.US).withZone(tz);
    if (format.contains("y") || format.contains("Y")) return parser.parseMillis(input);
    DateTime dateTime;
    if (format.contains("Z")) {
      dateTime = parser.parseDateTime(input);
    } else {
      dateTime = parser.withZoneUTC().parseLocalDateTime(input).toDateTime(parser.getZone());
    }
    DateTime nowTime = new DateTime(now);
    int year = nowTime.getYear();
    if (dateTime.getMonthOfYear() == 12 && nowTime.getMonthOfYear() == 1) year--;
    else if (dateTime.getMonthOfYear() == 1 && nowTime.getMonthOfYear() == 12) year++;
    return dateTime.withYear(year).getMillis();
  }
}
