# Reads the cases beside the schedule package's tests and writes what
# fugit makes of them (see scripts/golden/fugit.sh).
require "fugit"

dir = ARGV.fetch(0)

File.open(File.join(dir, "cron.tsv"), "w") do |out|
  out.puts "# written by scripts/golden/fugit.sh with Debian's fugit #{Fugit::VERSION}: line, local zone, start, then the next 6 times in UTC or \"invalid\""
  File.readlines(File.join(dir, "cron_cases.tsv"), chomp: true).each do |row|
    next if row.start_with?("#") || row.empty?
    line, zone, start = row.split("\t")
    cron = begin
      Fugit::Cron.parse(line)
    rescue StandardError # an error, not nil, for some invalid lines (a step of 0)
      nil
    end
    unless cron
      out.puts [line, zone, start, "invalid"].join("\t")
      next
    end
    # A line without a zone runs in the local one, which TZ sets.
    ENV["TZ"] = zone
    t = EtOrbi.parse(start.sub("T", " ").sub("Z", " UTC"))
    times = 6.times.map do
      t = cron.next_time(t)
      t.utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    end
    out.puts ([line, zone, start] + times).join("\t")
  end
end

File.open(File.join(dir, "duration.tsv"), "w") do |out|
  out.puts "# written by scripts/golden/fugit.sh with Debian's fugit #{Fugit::VERSION}: text, then seconds or \"invalid\""
  File.readlines(File.join(dir, "duration_cases.txt"), chomp: true).each do |text|
    d = Fugit::Duration.parse(text)
    out.puts [text.inspect, d ? d.to_sec.to_s : "invalid"].join("\t")
  end
end
