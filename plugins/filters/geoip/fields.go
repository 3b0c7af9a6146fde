package geoip

import (
	"fmt"
	"strings"
)

// field is one datum the filter can write, in Logstash's declaration
// order, which is also the order fields are written in.
type field int

const (
	fieldASN field = iota
	fieldASOrg
	fieldCityName
	fieldCountryName
	fieldContinentCode
	fieldContinentName
	fieldCountryCode2
	fieldCountryCode3
	fieldDomain
	fieldIP
	fieldISP
	fieldPostalCode
	fieldDMACode
	fieldRegionName
	fieldRegionCode
	fieldRegionISOCode
	fieldTimezone
	fieldLocation
	fieldLatitude
	fieldLongitude
	fieldOrganization
	fieldNetwork
	fieldHostingProvider
	fieldTorExitNode
	fieldAnonymousVPN
	fieldAnonymous
	fieldPublicProxy
	fieldResidentialProxy
	fieldCount
)

// fieldInfo is a field's name in `fields` and where it goes: its legacy
// (ECS disabled) path and its ECS path (nil when it has no ECS place).
type fieldInfo struct {
	name   string
	legacy []string
	ecs    []string
}

func path(dotted string) []string {
	if dotted == "" {
		return nil
	}
	return strings.Split(dotted, ".")
}

var fields = func() [fieldCount]fieldInfo {
	var t [fieldCount]fieldInfo
	def := func(f field, name, ecs, legacy string) {
		t[f] = fieldInfo{name: name, legacy: path(legacy), ecs: path(ecs)}
	}
	def(fieldASN, "autonomous_system_number", "as.number", "asn")
	def(fieldASOrg, "autonomous_system_organization", "as.organization.name", "as_org")
	def(fieldCityName, "city_name", "geo.city_name", "city_name")
	def(fieldCountryName, "country_name", "geo.country_name", "country_name")
	def(fieldContinentCode, "continent_code", "geo.continent_code", "continent_code")
	def(fieldContinentName, "continent_name", "geo.continent_name", "continent_name")
	def(fieldCountryCode2, "country_code2", "geo.country_iso_code", "country_code2")
	def(fieldCountryCode3, "country_code3", "", "country_code3")
	def(fieldDomain, "domain", "domain", "domain")
	def(fieldIP, "ip", "ip", "ip")
	def(fieldISP, "isp", "mmdb.isp", "isp")
	def(fieldPostalCode, "postal_code", "geo.postal_code", "postal_code")
	def(fieldDMACode, "dma_code", "mmdb.dma_code", "dma_code")
	def(fieldRegionName, "region_name", "geo.region_name", "region_name")
	def(fieldRegionCode, "region_code", "geo.region_code", "region_code")
	def(fieldRegionISOCode, "region_iso_code", "geo.region_iso_code", "region_iso_code")
	def(fieldTimezone, "timezone", "geo.timezone", "timezone")
	def(fieldLocation, "location", "geo.location", "location")
	def(fieldLatitude, "latitude", "geo.location.lat", "latitude")
	def(fieldLongitude, "longitude", "geo.location.lon", "longitude")
	def(fieldOrganization, "organization", "mmdb.organization", "organization")
	def(fieldNetwork, "network", "ip_traits.network", "network")
	def(fieldHostingProvider, "hosting_provider", "ip_traits.hosting_provider", "hosting_provider")
	def(fieldTorExitNode, "tor_exit_node", "ip_traits.tor_exit_node", "tor_exit_node")
	def(fieldAnonymousVPN, "anonymous_vpn", "ip_traits.anonymous_vpn", "anonymous_vpn")
	def(fieldAnonymous, "anonymous", "ip_traits.anonymous", "anonymous")
	def(fieldPublicProxy, "public_proxy", "ip_traits.public_proxy", "public_proxy")
	def(fieldResidentialProxy, "residential_proxy", "ip_traits.residential_proxy", "residential_proxy")
	return t
}()

// parseField reads a `fields` entry: a field's name in any case.
func parseField(name string) (field, error) {
	for f := range fieldCount {
		if strings.EqualFold(fields[f].name, name) {
			return f, nil
		}
	}
	valid := make([]string, fieldCount)
	for f := range fieldCount {
		valid[f] = strings.ToUpper(fields[f].name)
	}
	return 0, fmt.Errorf("illegal field value %s. valid values are [%s]", name, strings.Join(valid, ", "))
}

// dbKind is the kind of a database, recognised from its metadata.
type dbKind int

const (
	dbUnknown dbKind = iota
	dbCity
	dbCountry
	dbDomain
	dbASN
	dbISP
	dbEnterprise
	dbAnonymousIP
)

// kindOf tests the metadata's database_type in Logstash's order.
func kindOf(databaseType string) dbKind {
	for _, k := range []struct {
		marker string
		kind   dbKind
	}{
		{"City", dbCity}, {"Country", dbCountry}, {"GeoIP2-Domain", dbDomain}, {"GeoLite2-ASN", dbASN},
		{"GeoIP2-ISP", dbISP}, {"Enterprise", dbEnterprise}, {"GeoIP2-Anonymous-IP", dbAnonymousIP},
	} {
		if strings.Contains(databaseType, k.marker) {
			return k.kind
		}
	}
	return dbUnknown
}

// defaultFields are what a database kind writes when `fields` is unset.
func defaultFields(kind dbKind, ecs bool) []field {
	switch kind {
	case dbCity:
		region := fieldRegionISOCode
		if !ecs {
			region = fieldRegionCode
		}
		return sorted(fieldIP, fieldCityName, fieldContinentCode, fieldCountryName, fieldCountryCode2, fieldCountryCode3,
			fieldPostalCode, fieldDMACode, fieldRegionName, region, fieldTimezone, fieldLocation, fieldLatitude, fieldLongitude)
	case dbCountry:
		return sorted(fieldIP, fieldCountryCode2, fieldCountryName, fieldContinentName)
	case dbDomain:
		return sorted(fieldDomain)
	case dbASN:
		return sorted(fieldIP, fieldASN, fieldASOrg)
	case dbISP:
		return sorted(fieldIP, fieldASN, fieldASOrg, fieldISP, fieldOrganization)
	case dbAnonymousIP:
		return sorted(fieldHostingProvider, fieldTorExitNode, fieldAnonymousVPN, fieldAnonymous, fieldPublicProxy, fieldResidentialProxy)
	case dbEnterprise:
		return sorted(fieldIP, fieldCountryCode2, fieldCountryName, fieldContinentName, fieldRegionISOCode, fieldRegionName, fieldCityName, fieldLocation)
	}
	return nil
}

// sorted is a set of fields in declaration order (Java's EnumSet).
func sorted(fs ...field) []field {
	var set [fieldCount]bool
	for _, f := range fs {
		set[f] = true
	}
	out := make([]field, 0, len(fs))
	for f := range fieldCount {
		if set[f] {
			out = append(out, f)
		}
	}
	return out
}
