package plugin

import (
	"strings"
	"testing"
)

func TestURIValuesAreMaskedInErrors(t *testing.T) {
	o := URIList("hosts").Declaration()
	got := o.describe([]any{"http://bob:hunter2@es:9200", "es2"})
	if strings.Contains(got, "hunter2") || !strings.Contains(got, "bob:xxxxxx@es:9200") {
		t.Fatalf("describe shows %s", got)
	}
	if got := Password("p").Declaration().describe("hunter2"); got != "<password>" {
		t.Fatalf("password shown as %s", got)
	}
}
