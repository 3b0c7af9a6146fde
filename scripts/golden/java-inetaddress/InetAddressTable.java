import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

// Prints, for each input line, what InetAddress.getByName makes of it as the
// geoip filter calls it: the address's getHostAddress(), or "unknown" when
// it throws UnknownHostException. Run it with -Djdk.net.hosts.file pointing
// at an empty file so that text which is not an address literal is looked
// up in that file only (no DNS query): such text is "unknown" too.
public class InetAddressTable {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String out;
            try {
                out = InetAddress.getByName(line).getHostAddress();
            } catch (UnknownHostException e) {
                out = "unknown";
            }
            System.out.println(line + "\t" + out);
        }
    }
}
