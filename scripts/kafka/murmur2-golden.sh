#!/usr/bin/env bash
# Writes testdata/kafka/murmur2.tsv: key, Kafka's murmur2(key) and the
# partition the Java producer picks for it among 1..8 partitions, computed by
# org.apache.kafka.common.utils.Utils from the kafka-clients jar kafka.sh
# fetched. The kafka output's partitioner test reads the file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$here/kafka.sh" fetch
version="${GOSTASH_KAFKA_VERSION:-4.2.0}"
cache="${GOSTASH_KAFKA_CACHE:-$HOME/.cache/gostash/kafka-$version}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/Murmur2Golden.java" <<'JAVA'
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.apache.kafka.common.utils.Utils;

public class Murmur2Golden {
    public static void main(String[] args) {
        String[] fixed = {"", "a", "ab", "abc", "abcd", "abcde", "21", "foobar", "user-42", "héllo", "日本語キー",
            "a-little-bit-long-string", "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"};
        Random rnd = new Random(20260102L);
        StringBuilder out = new StringBuilder("key\tmurmur2\tpartitions_1_to_8\n");
        for (int i = 0; i < fixed.length + 200; i++) {
            String key;
            if (i < fixed.length) {
                key = fixed[i];
            } else {
                StringBuilder k = new StringBuilder();
                int len = rnd.nextInt(40);
                for (int j = 0; j < len; j++) k.append((char) ('!' + rnd.nextInt(94)));
                key = k.toString();
            }
            byte[] b = key.getBytes(StandardCharsets.UTF_8);
            int h = Utils.murmur2(b);
            out.append(key).append('\t').append(h).append('\t');
            for (int n = 1; n <= 8; n++) {
                out.append(Utils.toPositive(h) % n).append(n < 8 ? "," : "\n");
            }
        }
        System.out.print(out);
    }
}
JAVA
java -cp "$cache/libs/*" "$work/Murmur2Golden.java" >"$root/testdata/kafka/murmur2.tsv"
echo "wrote testdata/kafka/murmur2.tsv"
