# Writes, from the captures Ruby's own regex engine (Onigmo) gives, so that
# gostash's regex engines can be checked capture by capture:
#   testdata/filters/grok/onigmo.tsv       core grok patterns on log lines
#     columns: pattern set, pattern, input (inspect), captures (inspect of a
#     list of [name, value] in Ruby's named_captures order) or NOMATCH
#   testdata/filters/grok/expressions.tsv  grok expressions as users write
#     them (hand-picked, then random), legacy set, on log lines and random text
#     columns: expression, input (inspect), captures or NOMATCH
require "timeout"

dir = ARGV.fetch(0)
patterns_root = ARGV.fetch(1)

def load_set(root)
  defs = {}
  Dir.glob(File.join(root, "*")).sort.each do |file|
    File.foreach(file) do |line|
      next if line =~ /^\s*#/
      name, regex = line.sub(/^\s*/, "").split(/\s+/, 2)
      defs[name] = regex.chomp if regex
    end
  end
  defs
end

# Expands %{NAME}, %{NAME:field} and %{NAME:field:type} until none is left.
def expand(pattern, defs)
  out = pattern.dup
  10_000.times do
    m = /%\{(\w+)(?::([\w@\[\]:.-]+))?[^}]*\}/.match(out)
    return out unless m
    regex = defs.fetch(m[1])
    repl = m[2] ? "(?<#{m[1]}:#{m[2]}>#{regex})" : "(?:#{regex})"
    out = m.pre_match + repl + m.post_match
  end
  raise "too deep"
end

lines = [
  '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"',
  '10.0.0.1 - username@example.com [07/Apr/2016:18:42:24 +0000] "GET /bar/foo/users/1/username%40example.com/authenticate?token=blargh&client_id=15 HTTP/1.1" 400 75 "" "Mozilla/5.0 (iPad; CPU OS 9_3_1 like Mac OS X)"',
  '2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
  '127.0.0.1 - - [11/Jan/2020:23:05:27 +0100] "-" 408 - "-" "-"',
  'Mar 16 00:01:25 evita postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]',
  'May 11 15:40:51 meow.soy.se ansible-<stdin>: Invoked with filter=* fact_path=/etc/ansible/facts.d',
  '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM\'su root\' failed for lonvick on /dev/pts/8',
  "Jan 11 22:33:44 su: 'su root' failed for luser on /dev/pts/8",
  '  at com.sample.stacktrace.StackTraceExample.aMethod(StackTraceExample.java:42)',
  "Dec 30, 2020 11:30:40 AM org.apache.struts.util.PropertyMessageResources <init>\nINFO: Initializing",
  '[Mon Aug 31 09:30:48.958285 2015] [proxy_fcgi:error] [pid 28787:tid 140169587934976] (70008)Partial results: [client 58.13.45.166:59307] AH01075: Error dispatching',
  '2024-02-29T23:59:60.123456+05:30 ERROR [main] o.e.Foo - failed: value=-1.5e3 id=550e8400-e29b-41d4-a716-446655440000 mac=00:1A:2b:3C:4d:5E',
  'user=bob email="bob.smith+tag@mail.example.org" ip=192.168.001.010 ip6=fe80::1%eth0 url=https://user:pw@host.example.com:8443/p/a?q=1#frag',
  'WARN  1234 --- [ thread-1] path=C:\\Windows\\System32 unix=/var/log/messages tty=/dev/pts/3 n=+0x1F f=.5 g=12. h="esc \"q\" ok" \'single\'',
  'Feb  3 04:05:06 host kernel: [12345.678] Ünïcödé wörds ärë hérè 中文 tab	sep',
  '',
  # Probes for differences between regex engines. Word characters and
  # spaces beyond ASCII, where \b (Unicode) and \w \d \s (ASCII) part ways:
  "café naïve x² ٣٤ a\u0301b 中文 \u00a0nbsp\u3000ideo —dash 1² été:42 ǅx Ⅻ _é",
  # Lines, a trailing newline and CRLF, for ^ $ \Z and dots across lines:
  "GET /a HTTP/1.1\n10.0.0.2 - bob [01/Jan/2020:00:00:00 +0000] \"GET / HTTP/1.0\" 200 1\nlast line\n",
  "Jan  2 03:04:05 host app[7]: first\r\nsecond\r\n",
  # Quotes, escapes and numbers where lazy and greedy choices differ:
  %q{a "b c" "d \"e\" f" 'g\'h' `i` "" '' "open 12 -3.5e+2 .5 1.2.3 +7 0x1f 0007},
  # Alternatives that overlap: e-mail or user, IPv6, IPv4 or host name:
  "user.name+tag@mail.example.co.uk - ::ffff:192.168.1.1 fe80::1ff:fe23:4567:890a%eth2 1:2:3:4:5:6:7:8 256.1.1.1 host-1.example.com. bücher.example",
  "2020-02-30T24:60:61,999999999Z 12/31/99 31.12.1999 Mon Jan 1 2020 23:59:59 +05:30 PM",
  "/var/log/a\\ b C:\\x\\y.txt \\\\srv\\share http://[::1]:80/p?q=a%20b#f mailto:x@y ../rel/./p ~user/x",
  # Long runs through loops:
  "x" * 200 + " " + "9" * 60 + " " + "ab-" * 40,
]
srand(42)
mutants = []
lines.each do |l|
  next if l.empty?
  3.times do
    s = l.dup
    i = rand(s.size)
    case rand(3)
    when 0 then s[i] = ""
    when 1 then s.insert(i, [" ", "-", "x", "9", ":", "\""].sample)
    else s = s[0, i]
    end
    mutants << s
  end
end
names = %w[COMBINEDAPACHELOG COMMONAPACHELOG HTTPD_ERRORLOG SYSLOGLINE SYSLOGBASE SYSLOG5424LINE JAVASTACKTRACEPART CATALINALOG
           IP IPV4 IPV6 HOSTNAME IPORHOST URI URIPATHPARAM TIMESTAMP_ISO8601 HTTPDATE DATESTAMP SYSLOGTIMESTAMP NUMBER INT BASE16NUM
           BASE16FLOAT POSINT WORD NOTSPACE QUOTEDSTRING QS EMAILADDRESS UUID MAC LOGLEVEL PATH UNIXPATH WINPATH TTY DATA GREEDYDATA USERNAME]
def captures(re, input)
  m = re.match(input)
  return "NOMATCH" unless m
  re.named_captures.flat_map { |n, idxs| idxs.map { |i| [n, m[i]] } }.inspect
end

File.open(File.join(dir, "onigmo.tsv"), "w") do |out|
  %w[legacy ecs-v1].each do |set|
    defs = load_set(File.join(patterns_root, set))
    # The listed patterns run on every line and mangled copy; every other
    # core pattern on the original lines.
    (names + (defs.keys.sort - names)).each do |name|
      next unless defs[name]
      re = Regexp.new(expand("%{#{name}:f}", defs), Regexp::MULTILINE)
      (names.include?(name) ? lines + mutants : lines).each do |input|
        out.puts [set, name, input.inspect, captures(re, input)].join("\t")
      end
    end
  end
end

# Expressions that tell regex engines apart: anchors, lazy and greedy
# neighbours, alternatives and loops whose captures depend on the order the
# engine tries them, look-around, atomic groups, Unicode word boundaries.
EXPRESSIONS = [
  '^%{IP:ip}$', '^%{IPORHOST:h}(?::%{POSINT:port})?$', '%{WORD:w}$', '^%{WORD:w}', '\\b%{WORD:w}\\b',
  '%{DATA:a} %{DATA:b}$', '%{DATA:a}:%{GREEDYDATA:b}', '%{GREEDYDATA:a} %{GREEDYDATA:b}', '^%{DATA:a}$',
  '(?<a>\\w+)?(?<a>\\d+)?', '(?:%{INT:n}|%{WORD:w})+', '(?:(?<x>a)|(?<y>b))*c', '%{NOTSPACE:first}(?: %{NOTSPACE:rest})*',
  '%{QS:q}', '(?m)^%{WORD:line}$', '(?-m)%{DATA:d}.', '(?<all>^.*$)', '(?<all>(?:.|\\n)+?)\\n', '%{NUMBER:n:int} %{NUMBER:f:float}',
  '\\A%{SYSLOGTIMESTAMP:ts}', '%{SPACE}%{WORD:w}%{SPACE}\\Z', '%{WORD:w}\\z', '(?<a>[^\\s]+)\\s+(?<b>\\S*)', '(?<q>"(?:[^"\\\\]|\\\\.)*")',
  '(?<u>[\\u00e9\\u4e2d-\\u4e2f]+)', '(?<u>[é中文]+)', '(?<p>[[:alpha:]]+)(?<d>[[:digit:]]+)?', '(?<n>x{,2})', '(?<w>\\w+?)\\b', '(?<w>\\w+?)\\B',
  '(?<l>(?<=-)\\w+)', '(?<l>(?<!\\d)\\d{2})(?!\\d)', '(?<z>(?>a+|ab)b)?', '(?<e>a*)*b', '(?<e>a|)+b',
  '(?<r>x{2,3}?)(?<s>x*+)', '(?<t>\\h+)(?<v>\\H)', '(?<k>[\\w.-]+)=(?<v>"[^"]*"|\\S+)', '(?:(?<k>[a-z]+)=(?<v>[^ ]*) ?)+$',
  '(?i)get', '(?i:%{WORD:w}) HTTP', '(?x) %{WORD:w} \\s', '(?<d>\\d+)(?=\\.)', '(?<b>\\b.)', '(?<nb>\\B.)', '(?<dot>.)$',
  '(?<a>a)|(?<b>b)|(?<a>c)', '^(?<w>\\w+)(?:(?<sep>[,;])(?<w>\\w+))*$', '(?<tab>\\t)(?<cr>\\r)?', '(?<y>%{YEAR})(?<m>%{MONTHNUM})',
]
PIECES = ['%{WORD:w}', '%{NUMBER:n}', '%{INT:i}', '%{DATA:d}', '%{GREEDYDATA:g}', '%{IP:ip}', '%{NOTSPACE:ns}', '%{IPORHOST:h}',
          '%{QS:q}', '%{SPACE}', '%{USERNAME:u}', '%{HOSTNAME:host}', '(?<x>\\w+)', '(?<y>[^ ]*)', '(?<z>.+?)', ' ', '-', ':',
          '\\[', '\\]', '"', '\\s+', '\\b', '^', '$', '\\d+', '[a-z]+', 'é', '.']
QUANTS = ['', '', '', '', '?', '*', '+', '??', '*?', '{1,2}', '++']
NULLABLE_PIECES = ['%{DATA:d}', '%{GREEDYDATA:g}', '%{SPACE}', '(?<y>[^ ]*)', '\\b', '^', '$']
# Onigmo stops a loop at an iteration that matched empty; for x+ and x{n,m}
# whether it checks the first iterations depends on the size of its
# bytecode for x, so only these repeats are given to what can match empty.
EMPTY_REPEATS = ['', '?', '*', '??', '*?']
def quantify(s, nullable)
  q = QUANTS.sample
  q = '' if nullable && !EMPTY_REPEATS.include?(q)
  [s + q, nullable || EMPTY_REPEATS.include?(q)]
end

# A random expression, and whether it can match empty.
def random_expression(depth = 0)
  parts = (1..rand(1..4)).map do
    if depth < 2 && rand < 0.2
      inner, nullable = random_expression(depth + 1)
      quantify(rand < 0.5 ? "(?:#{inner})" : "(?<grp>#{inner})", nullable)
    else
      p = PIECES.sample
      # Anchors, patterns and pieces that end in a repeat take no repeat
      # here (Onigmo's nested repeats are a matter of their own).
      if %w[^ $ \\b].include?(p) || p =~ /^%|[+*]$/
        [p, NULLABLE_PIECES.include?(p)]
      else
        quantify(p, NULLABLE_PIECES.include?(p))
      end
    end
  end
  # Onigmo tries a pattern that opens with a zero-width assertion and .*
  # at the first position only (an optimisation that loses matches); that
  # quirk is left out.
  parts[0] = ['-', false] if depth == 0 && %w[$ \\b].include?(parts[0][0])
  s = parts.map(&:first).join
  nullable = parts.all?(&:last)
  return [s, nullable] unless rand < 0.15
  other, other_nullable = random_expression(depth + 1)
  [s + '|' + other, nullable || other_nullable]
end
TOKENS = ['GET', '10.1.2.3', '::1', '-', ' ', '  ', '[', ']', '42', '-1.5', 'é', 'foo.bar', "\n", '"q r"', '²', 'a_b', ':', 'x',
          'user@example.com', "\t", 'HTTP/1.1', '中']
srand(7)
File.open(File.join(dir, "expressions.tsv"), "w") do |out|
  defs = load_set(File.join(patterns_root, "legacy"))
  extras = ['a', 'ab', 'aab', 'aaab', 'b', 'c', 'abc', 'xxxx', '123 abc', '-é x', '1.5.', 'a=1 b="x y" c=', 'w1,w2;w3', "\t\r", '2024 12']
  randoms = (1..1500).map { random_expression.first }
  (EXPRESSIONS + randoms).each_with_index do |expr, n|
    re = begin
      Regexp.new(expand(expr, defs), Regexp::MULTILINE)
    rescue RegexpError
      next
    end
    inputs = if n < EXPRESSIONS.size
      lines + extras
    else
      (1..4).map { (0..rand(0..8)).map { TOKENS.sample }.join }
    end
    # Ruby 3.1's Onigmo has no backtracking limit: an expression that
    # backtracks exponentially on one of its inputs is left out whole. The
    # cut is CPU time, which the machine's load hardly moves: the expressions
    # kept take under 0.15 s, those left out over 0.7 s (or never finish).
    cpu = -> { Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) }
    started = cpu.()
    rows = begin
      inputs.map { |input| [expr, input.inspect, Timeout.timeout(10) { captures(re, input) }] }
    rescue Timeout::Error
      nil
    end
    if rows.nil? || cpu.() - started > 0.3
      warn "left out (exponential backtracking): #{expr}"
      next
    end
    rows.each { |row| out.puts row.join("\t") }
  end
end
