package geoip

import (
	"net/netip"
	"strconv"

	"github.com/gostash/gostash/runtime/event"
)

// names are a place's names by locale; the filter reads the English one.
type names map[string]string

func (n names) en() (string, bool) {
	s, ok := n["en"]
	return s, ok
}

// record is every field of the GeoIP2 and GeoLite2 layouts the filter
// reads; pointers tell a missing value from a zero one.
type record struct {
	City struct {
		Names names `maxminddb:"names"`
	} `maxminddb:"city"`
	Continent struct {
		Code  *string `maxminddb:"code"`
		Names names   `maxminddb:"names"`
	} `maxminddb:"continent"`
	Country struct {
		ISOCode *string `maxminddb:"iso_code"`
		Names   names   `maxminddb:"names"`
	} `maxminddb:"country"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
		MetroCode *uint64  `maxminddb:"metro_code"`
		TimeZone  *string  `maxminddb:"time_zone"`
	} `maxminddb:"location"`
	Postal struct {
		Code *string `maxminddb:"code"`
	} `maxminddb:"postal"`
	Subdivisions []struct {
		ISOCode *string `maxminddb:"iso_code"`
		Names   names   `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
	Traits struct {
		ASN                *uint64 `maxminddb:"autonomous_system_number"`
		ASOrg              *string `maxminddb:"autonomous_system_organization"`
		IsAnonymous        bool    `maxminddb:"is_anonymous"`
		IsAnonymousVPN     bool    `maxminddb:"is_anonymous_vpn"`
		IsHostingProvider  bool    `maxminddb:"is_hosting_provider"`
		IsPublicProxy      bool    `maxminddb:"is_public_proxy"`
		IsResidentialProxy bool    `maxminddb:"is_residential_proxy"`
		IsTorExitNode      bool    `maxminddb:"is_tor_exit_node"`
	} `maxminddb:"traits"`

	// The ASN, ISP, Domain and Anonymous-IP layouts keep their data at
	// the top level.
	ASN                *uint64 `maxminddb:"autonomous_system_number"`
	ASOrg              *string `maxminddb:"autonomous_system_organization"`
	ISP                *string `maxminddb:"isp"`
	Organization       *string `maxminddb:"organization"`
	Domain             *string `maxminddb:"domain"`
	IsAnonymous        bool    `maxminddb:"is_anonymous"`
	IsAnonymousVPN     bool    `maxminddb:"is_anonymous_vpn"`
	IsHostingProvider  bool    `maxminddb:"is_hosting_provider"`
	IsPublicProxy      bool    `maxminddb:"is_public_proxy"`
	IsResidentialProxy bool    `maxminddb:"is_residential_proxy"`
	IsTorExitNode      bool    `maxminddb:"is_tor_exit_node"`
}

// subdivision is the most specific subdivision (the last one).
func (r *record) subdivision() (iso *string, name string, hasName bool) {
	if len(r.Subdivisions) == 0 {
		return nil, "", false
	}
	s := r.Subdivisions[len(r.Subdivisions)-1]
	name, hasName = s.Names.en()
	return s.ISOCode, name, hasName
}

// networkText is Java's Network.toString: the network address as
// getHostAddress prints it, a slash and the prefix length.
func networkText(p netip.Prefix) string {
	return hostAddress(p.Masked().Addr()) + "/" + strconv.Itoa(p.Bits())
}

// values are the configured fields the record has, in declaration order,
// per the database kind (a field the kind does not provide is skipped).
func (f *geoIP) values(r *record, addr netip.Addr, network netip.Prefix) []fieldValue {
	out := make([]fieldValue, 0, len(f.fields))
	put := func(fd field, v any) { out = append(out, fieldValue{fd, v}) }
	putString := func(fd field, s *string) {
		if s != nil {
			put(fd, *s)
		}
	}
	putName := func(fd field, n names) {
		if s, ok := n.en(); ok {
			put(fd, s)
		}
	}
	location := func() {
		if r.Location.Latitude != nil && r.Location.Longitude != nil {
			m := event.NewMap(2)
			m.Set("lat", *r.Location.Latitude)
			m.Set("lon", *r.Location.Longitude)
			put(fieldLocation, m)
		}
	}
	regionISO := func() {
		iso, _, _ := r.subdivision()
		if r.Country.ISOCode != nil && iso != nil {
			put(fieldRegionISOCode, *r.Country.ISOCode+"-"+*iso)
		}
	}
	regionName := func() {
		if _, name, ok := r.subdivision(); ok {
			put(fieldRegionName, name)
		}
	}
	putASN := func(asn *uint64) {
		if asn != nil {
			put(fieldASN, int64(*asn))
		}
	}
	ip := hostAddress(addr)
	switch f.kind {
	case dbCity:
		if r.Location.Latitude == nil && r.Location.Longitude == nil {
			return nil
		}
		for _, fd := range f.fields {
			switch fd {
			case fieldCityName:
				putName(fd, r.City.Names)
			case fieldContinentCode:
				putString(fd, r.Continent.Code)
			case fieldContinentName:
				putName(fd, r.Continent.Names)
			case fieldCountryName:
				putName(fd, r.Country.Names)
			case fieldCountryCode2, fieldCountryCode3:
				putString(fd, r.Country.ISOCode)
			case fieldIP:
				put(fd, ip)
			case fieldPostalCode:
				putString(fd, r.Postal.Code)
			case fieldDMACode:
				if r.Location.MetroCode != nil {
					put(fd, int64(*r.Location.MetroCode))
				}
			case fieldRegionName:
				regionName()
			case fieldRegionCode:
				iso, _, _ := r.subdivision()
				putString(fd, iso)
			case fieldRegionISOCode:
				regionISO()
			case fieldTimezone:
				putString(fd, r.Location.TimeZone)
			case fieldLocation:
				location()
			case fieldLatitude:
				if r.Location.Latitude != nil {
					put(fd, *r.Location.Latitude)
				}
			case fieldLongitude:
				if r.Location.Longitude != nil {
					put(fd, *r.Location.Longitude)
				}
			}
		}
	case dbCountry:
		for _, fd := range f.fields {
			switch fd {
			case fieldIP:
				put(fd, ip)
			case fieldCountryCode2:
				putString(fd, r.Country.ISOCode)
			case fieldCountryName:
				putName(fd, r.Country.Names)
			case fieldContinentName:
				putName(fd, r.Continent.Names)
			}
		}
	case dbASN, dbISP:
		for _, fd := range f.fields {
			switch fd {
			case fieldIP:
				put(fd, ip)
			case fieldASN:
				putASN(r.ASN)
			case fieldASOrg:
				putString(fd, r.ASOrg)
			case fieldNetwork:
				if f.kind == dbASN {
					put(fd, networkText(network))
				}
			case fieldISP:
				if f.kind == dbISP {
					putString(fd, r.ISP)
				}
			case fieldOrganization:
				if f.kind == dbISP {
					putString(fd, r.Organization)
				}
			}
		}
	case dbDomain:
		for _, fd := range f.fields {
			if fd == fieldDomain {
				// Set even when the record has none, as Logstash does.
				var v any
				if r.Domain != nil {
					v = *r.Domain
				}
				put(fd, v)
			}
		}
	case dbEnterprise:
		t := r.Traits
		for _, fd := range f.fields {
			switch fd {
			case fieldIP:
				put(fd, ip)
			case fieldCountryCode2:
				putString(fd, r.Country.ISOCode)
			case fieldCountryName:
				putName(fd, r.Country.Names)
			case fieldContinentName:
				putName(fd, r.Continent.Names)
			case fieldRegionISOCode:
				regionISO()
			case fieldRegionName:
				regionName()
			case fieldCityName:
				putName(fd, r.City.Names)
			case fieldTimezone:
				putString(fd, r.Location.TimeZone)
			case fieldLocation:
				location()
			case fieldASN:
				putASN(t.ASN)
			case fieldASOrg:
				putString(fd, t.ASOrg)
			case fieldNetwork:
				put(fd, networkText(network))
			case fieldHostingProvider:
				put(fd, t.IsHostingProvider)
			case fieldTorExitNode:
				put(fd, t.IsTorExitNode)
			case fieldAnonymousVPN:
				put(fd, t.IsAnonymousVPN)
			case fieldAnonymous:
				put(fd, t.IsAnonymous)
			case fieldPublicProxy:
				put(fd, t.IsPublicProxy)
			case fieldResidentialProxy:
				put(fd, t.IsResidentialProxy)
			}
		}
	case dbAnonymousIP:
		for _, fd := range f.fields {
			switch fd {
			case fieldIP:
				put(fd, ip)
			case fieldHostingProvider:
				put(fd, r.IsHostingProvider)
			case fieldTorExitNode:
				put(fd, r.IsTorExitNode)
			case fieldAnonymousVPN:
				put(fd, r.IsAnonymousVPN)
			case fieldAnonymous:
				put(fd, r.IsAnonymous)
			case fieldPublicProxy:
				put(fd, r.IsPublicProxy)
			case fieldResidentialProxy:
				put(fd, r.IsResidentialProxy)
			}
		}
	}
	return out
}
