// The small MaxMind databases the tests and testcases use, built with
// MaxMind's own writer (mmdbwriter). The networks are documentation
// ranges; the data is made up.

package geoip

import (
	"fmt"
	"io"
	"net"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

// dbEntry is one network and its record.
type dbEntry struct {
	Network string
	Record  mmdbtype.Map
}

// writeDB writes a database of the given type (its metadata database_type,
// e.g. "GeoLite2-City") holding the entries.
func writeDB(w io.Writer, databaseType string, entries []dbEntry) error {
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            databaseType,
		RecordSize:              24,
		IncludeReservedNetworks: true,
		Languages:               []string{"en"},
		Description:             map[string]string{"en": "gostash test database"},
		BuildEpoch:              1767323045,
	})
	if err != nil {
		return err
	}
	for _, e := range entries {
		_, network, err := net.ParseCIDR(e.Network)
		if err != nil {
			return err
		}
		if err := tree.Insert(network, e.Record); err != nil {
			return fmt.Errorf("%s: %w", e.Network, err)
		}
	}
	_, err = tree.WriteTo(w)
	return err
}

func enNames(en string) mmdbtype.Map { return mmdbtype.Map{"en": mmdbtype.String(en)} }

// cityDB is a GeoLite2-City layout: a US city with every field, a UK network
// without city, postal code or subdivision, a Swiss IPv6 network, and a
// network with a country but no location (which the filter treats as a
// miss).
var cityDB = []dbEntry{
	{"198.51.100.0/24", mmdbtype.Map{
		"city":      mmdbtype.Map{"names": enNames("Springfield")},
		"continent": mmdbtype.Map{"code": mmdbtype.String("NA"), "names": enNames("North America")},
		"country":   mmdbtype.Map{"iso_code": mmdbtype.String("US"), "names": enNames("United States")},
		"location": mmdbtype.Map{"latitude": mmdbtype.Float64(39.7817), "longitude": mmdbtype.Float64(-89.6501),
			"metro_code": mmdbtype.Uint16(648), "time_zone": mmdbtype.String("America/Chicago")},
		"postal":       mmdbtype.Map{"code": mmdbtype.String("62701")},
		"subdivisions": mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String("IL"), "names": enNames("Illinois")}},
	}},
	{"203.0.113.0/24", mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU"), "names": enNames("Europe")},
		"country":   mmdbtype.Map{"iso_code": mmdbtype.String("GB"), "names": enNames("United Kingdom")},
		"location":  mmdbtype.Map{"latitude": mmdbtype.Float64(51.4964), "longitude": mmdbtype.Float64(-0.1224), "time_zone": mmdbtype.String("Europe/London")},
	}},
	{"2001:db8:1::/48", mmdbtype.Map{
		"city":      mmdbtype.Map{"names": enNames("Zürich")},
		"continent": mmdbtype.Map{"code": mmdbtype.String("EU"), "names": enNames("Europe")},
		"country":   mmdbtype.Map{"iso_code": mmdbtype.String("CH"), "names": enNames("Switzerland")},
		"location":  mmdbtype.Map{"latitude": mmdbtype.Float64(47.3667), "longitude": mmdbtype.Float64(8.55), "time_zone": mmdbtype.String("Europe/Zurich")},
		"subdivisions": mmdbtype.Slice{
			mmdbtype.Map{"iso_code": mmdbtype.String("ZH"), "names": enNames("Zurich")},
			mmdbtype.Map{"iso_code": mmdbtype.String("Z1"), "names": enNames("Zürich District")},
		},
	}},
	{"192.0.2.0/24", mmdbtype.Map{
		"country": mmdbtype.Map{"iso_code": mmdbtype.String("FR"), "names": enNames("France")},
	}},
}

// asnDB is a GeoLite2-ASN layout.
var asnDB = []dbEntry{
	{"198.51.100.0/24", mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(64500), "autonomous_system_organization": mmdbtype.String("Example Networks")}},
	{"2001:db8::/32", mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(64501), "autonomous_system_organization": mmdbtype.String("Example IPv6 Networks")}},
}

// countryDB is a GeoLite2-Country layout.
var countryDB = []dbEntry{
	{"198.51.100.0/24", mmdbtype.Map{
		"continent": mmdbtype.Map{"code": mmdbtype.String("NA"), "names": enNames("North America")},
		"country":   mmdbtype.Map{"iso_code": mmdbtype.String("US"), "names": enNames("United States")},
	}},
}

// ispDB is a GeoIP2-ISP layout.
var ispDB = []dbEntry{
	{"198.51.100.0/24", mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(64500), "autonomous_system_organization": mmdbtype.String("Example Networks"),
		"isp": mmdbtype.String("Example ISP"), "organization": mmdbtype.String("Example Org")}},
}

// domainDB is a GeoIP2-Domain layout; the second network has no domain.
var domainDB = []dbEntry{
	{"198.51.100.0/24", mmdbtype.Map{"domain": mmdbtype.String("example.net")}},
	{"203.0.113.0/24", mmdbtype.Map{"other": mmdbtype.String("x")}},
}

// anonymousDB is a GeoIP2-Anonymous-IP layout.
var anonymousDB = []dbEntry{
	{"198.51.100.0/24", mmdbtype.Map{"is_anonymous": mmdbtype.Bool(true), "is_tor_exit_node": mmdbtype.Bool(true)}},
}

// enterpriseDB is a GeoIP2-Enterprise layout.
var enterpriseDB = []dbEntry{
	{"198.51.100.0/24", mmdbtype.Map{
		"city":         mmdbtype.Map{"names": enNames("Springfield")},
		"continent":    mmdbtype.Map{"code": mmdbtype.String("NA"), "names": enNames("North America")},
		"country":      mmdbtype.Map{"iso_code": mmdbtype.String("US"), "names": enNames("United States")},
		"location":     mmdbtype.Map{"latitude": mmdbtype.Float64(39.7817), "longitude": mmdbtype.Float64(-89.6501), "time_zone": mmdbtype.String("America/Chicago")},
		"subdivisions": mmdbtype.Slice{mmdbtype.Map{"iso_code": mmdbtype.String("IL"), "names": enNames("Illinois")}},
		"traits": mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(64500), "autonomous_system_organization": mmdbtype.String("Example Networks"),
			"is_hosting_provider": mmdbtype.Bool(true)},
	}},
}
