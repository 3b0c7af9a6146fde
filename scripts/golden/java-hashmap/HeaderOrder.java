import java.util.HashMap;
import java.util.Map;

// Prints, for each header-name list read from stdin (comma-separated, one
// list per line), the keys of the map Logstash's http input
// (MessageProcessor#formatHeaders) builds from those headers, in the
// HashMap's iteration order: the list, a tab, the keys.
public class HeaderOrder {
    public static void main(String[] args) throws Exception {
        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            Map<String, String> m = new HashMap<>();
            for (String name : line.split(",")) {
                m.put(name, "v");
            }
            m.put("http_accept", m.remove("accept"));
            m.put("http_host", m.remove("host"));
            m.put("http_user_agent", m.remove("user_agent"));
            m.put("request_method", "POST");
            m.put("request_path", "/");
            m.put("http_version", "HTTP/1.1");
            System.out.println(line + "\t" + String.join(",", m.keySet()));
        }
    }
}
