# Writes testdata/filters/grok/onigmo.tsv: the captures Ruby's own regex
# engine (Onigmo) gives for core grok patterns on log lines, so gostash's
# translation to regexp2 can be checked capture by capture.
# Columns: pattern set, pattern, input (inspect), captures (inspect of a list
# of [name, value] in Ruby's named_captures order) or NOMATCH.
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
File.open(File.join(dir, "onigmo.tsv"), "w") do |out|
  %w[legacy ecs-v1].each do |set|
    defs = load_set(File.join(patterns_root, set))
    # The listed patterns run on every line and mangled copy; every other
    # core pattern on the original lines.
    (names + (defs.keys.sort - names)).each do |name|
      next unless defs[name]
      re = Regexp.new(expand("%{#{name}:f}", defs), Regexp::MULTILINE)
      (names.include?(name) ? lines + mutants : lines).each do |input|
        m = re.match(input)
        caps = if m
          re.named_captures.flat_map { |n, idxs| idxs.map { |i| [n, m[i]] } }.inspect
        else
          "NOMATCH"
        end
        out.puts [set, name, input.inspect, caps].join("\t")
      end
    end
  end
end
